//! Serving: the accept loop, each connection under hyper's HTTP/1 server
//! with a timer, and shutdown in two steps.
//!
//! * **Connections are capped** at `max_connections` by a semaphore: past
//!   it the gateway stops accepting, and new connections wait in the
//!   kernel's backlog until one closes, rather than the process running
//!   out of file descriptors (then nobody, not even a health check, gets
//!   an answer).
//! * **A connection that sends nothing is closed** after `header_timeout`:
//!   hyper's header-read timer runs from the moment it waits for a request
//!   head, so it covers a client stalled mid-header and an idle keep-alive
//!   connection alike. A stalled body is the body timeout's (408, see
//!   `routes.rs`).
//! * **A connection that does not read is closed** after `send_timeout`:
//!   a write that stays pending that long fails, and hyper drops the
//!   connection and the response it was sending. hyper has no such timer,
//!   and it stops polling a body it cannot write, so without this a client
//!   that stops reading would hold its plugin stream open for good (past
//!   the stream's own duration bound, which only runs when the stream is
//!   polled).
//! * **Shutdown**: the first stop (SIGINT or SIGTERM in `main.rs`) turns
//!   `/readyz` to 503, keeps serving for `drain_delay` (so that a load
//!   balancer sees it), then stops accepting and lets the requests in
//!   flight finish, for at most `shutdown_deadline`; idle connections are
//!   closed at once. A second stop, or the deadline, closes every
//!   connection left and returns.

use std::future::Future;
use std::io;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower::ServiceExt;

use crate::gateway::Gateway;

/// How serving ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Served {
    /// Connections still open when the deadline or a second stop ended
    /// the drain (0: every request in flight finished).
    pub cut: usize,
}

/// Serves `router` (from [`app`](crate::app)) on `listener` until the
/// first message on `stops`, then drains as the module docs say; a second
/// message ends the drain at once. Settings come from the gateway's
/// [`Config`](crate::Config). If the sender is dropped, no stop comes.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    gateway: Gateway,
    mut stops: mpsc::Receiver<()>,
) -> io::Result<Served> {
    let config = *gateway.config();
    let slots = Arc::new(Semaphore::new(config.max_connections));
    let mut connections = JoinSet::new();
    let (close, closing) = watch::channel(false);

    // Accepting, until the first stop (and its drain delay).
    let mut serving_until: Option<Instant> = None;
    loop {
        let until = async {
            match serving_until {
                Some(until) => tokio::time::sleep_until(until).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = next_stop(&mut stops) => {
                if serving_until.is_some() {
                    return Ok(cut(connections).await);
                }
                gateway.start_draining();
                tracing::info!(
                    delay_ms = config.drain_delay.as_millis() as u64,
                    "stopping: /readyz now answers 503"
                );
                serving_until = Some(Instant::now() + config.drain_delay);
            }
            () = until => break,
            accepted = accept(&listener, &slots) => {
                if let Some((tcp, slot)) = accepted {
                    let connection = serve_connection(
                        tcp,
                        slot,
                        router.clone(),
                        gateway.clone(),
                        closing.clone(),
                        config.header_timeout,
                        config.send_timeout,
                    );
                    connections.spawn(connection);
                }
                // Finished connections' results, so the set stays small.
                while connections.try_join_next().is_some() {}
            }
        }
    }
    drop(listener);

    // Draining: requests in flight finish, idle connections close.
    let open = connections.len();
    tracing::info!(
        open,
        deadline_ms = config.shutdown_deadline.as_millis() as u64,
        "draining: no new connections; waiting for the requests in flight"
    );
    let _ = close.send(true);
    let deadline = tokio::time::sleep(config.shutdown_deadline);
    tokio::select! {
        () = async { while connections.join_next().await.is_some() {} } => {
            tracing::info!("drained: every connection closed");
            Ok(Served { cut: 0 })
        }
        () = deadline => {
            tracing::warn!("shutdown deadline reached");
            Ok(cut(connections).await)
        }
        () = next_stop(&mut stops) => {
            tracing::warn!("second stop: closing every connection now");
            Ok(cut(connections).await)
        }
    }
}

/// The next stop; never, if the sender is gone.
async fn next_stop(stops: &mut mpsc::Receiver<()>) {
    if stops.recv().await.is_none() {
        std::future::pending::<()>().await;
    }
}

/// Closes the connections left (their tasks are aborted: sockets closed,
/// futures dropped, plugin calls counted as cancelled).
async fn cut(mut connections: JoinSet<()>) -> Served {
    let cut = connections.len();
    tracing::warn!(cut, "closing the connections left");
    connections.shutdown().await;
    Served { cut }
}

/// Waits for a connection slot, then for a connection. Accept errors are
/// logged; `None` after one.
async fn accept(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> Option<(TcpStream, OwnedSemaphorePermit)> {
    let slot = Arc::clone(slots)
        .acquire_owned()
        .await
        .expect("the semaphore is never closed");
    match listener.accept().await {
        Ok((tcp, _peer)) => Some((tcp, slot)),
        Err(error) => {
            // The connection's own failure (reset before accept): the
            // next one is fine. Anything else (out of file descriptors):
            // wait a little rather than spin.
            let own = matches!(
                error.kind(),
                io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionRefused
            );
            tracing::warn!(%error, "accept failed");
            if !own {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            None
        }
    }
}

/// Counts an open connection for as long as it lives.
struct OpenConnection(Gateway);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.metrics().open.dec();
    }
}

/// One connection: HTTP/1 with keep-alive and the header-read timer,
/// closed gracefully when `closing` turns true.
fn serve_connection(
    tcp: TcpStream,
    slot: OwnedSemaphorePermit,
    router: Router,
    gateway: Gateway,
    mut closing: watch::Receiver<bool>,
    header_timeout: Duration,
    send_timeout: Duration,
) -> impl Future<Output = ()> + Send + 'static {
    gateway.metrics().accepted.inc();
    gateway.metrics().open.inc();
    let open = OpenConnection(gateway);
    async move {
        let _slot = slot;
        // Small answers go out at once rather than after Nagle's delay.
        let _ = tcp.set_nodelay(true);
        let service = router.map_request(|request: Request<Incoming>| request.map(Body::new));
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .keep_alive(true);
        let tcp = SendTimeout::new(tcp, send_timeout);
        let connection =
            builder.serve_connection(TokioIo::new(tcp), TowerToHyperService::new(service));
        let mut connection = pin!(connection);
        let closed = async {
            // An error means the server is gone: close too.
            let _ = closing.wait_for(|closing| *closing).await;
        };
        let ended = tokio::select! {
            ended = connection.as_mut() => ended,
            () = closed => {
                connection.as_mut().graceful_shutdown();
                connection.await
            }
        };
        if let Err(error) = ended {
            if error.is_timeout() {
                open.0.metrics().header_timeouts.inc();
                tracing::debug!("connection closed: no request head within the header timeout");
            } else {
                tracing::debug!(%error, "connection ended with an error");
            }
        }
        drop(open);
    }
}

/// A connection whose writes fail with `TimedOut` once one has been
/// pending for `limit`: the client stopped reading. The timer is made at
/// the first stall and reset at each later one (one allocation per
/// connection that ever stalls; a `Sleep` is `!Unpin` and hyper needs an
/// `Unpin` connection).
struct SendTimeout {
    tcp: TcpStream,
    limit: Duration,
    /// Set while a write is pending: when that stall times out.
    stall: Option<Pin<Box<tokio::time::Sleep>>>,
    stalled: bool,
}

impl SendTimeout {
    fn new(tcp: TcpStream, limit: Duration) -> Self {
        SendTimeout {
            tcp,
            limit,
            stall: None,
            stalled: false,
        }
    }

    /// `poll` is a write's result: on `Pending`, starts or checks the
    /// stall's timer; on progress, clears it.
    fn watch<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.stalled = false;
            return poll;
        }
        let deadline = tokio::time::Instant::now() + self.limit;
        let stall = match &mut self.stall {
            Some(stall) if self.stalled => stall,
            Some(stall) => {
                stall.as_mut().reset(deadline);
                stall
            }
            None => self
                .stall
                .insert(Box::pin(tokio::time::sleep_until(deadline))),
        };
        self.stalled = true;
        ready!(stall.as_mut().poll(cx));
        let error = "the client did not read for the send timeout";
        Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, error)))
    }
}

impl AsyncRead for SendTimeout {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for SendTimeout {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.tcp).poll_write(cx, buf);
        self.watch(cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs);
        self.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}
