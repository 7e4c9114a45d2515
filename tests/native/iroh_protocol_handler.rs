//! `ProtocolHandler`: n0-computer/iroh, `iroh/src/protocol.rs` (iroh 1.0.3; snapshot a05c9c41,
//! file last changed in 01e74bc1ec, 2026-06-11).
//! Used through `dyn`: yes. The router's `ProtocolMap` holds `Box<dyn DynProtocolHandler>`,
//! iroh's own hand-written twin of this trait whose methods return
//! `Pin<Box<dyn Future + Send + '_>>` (left out here: it is what `#[dyn_twin]` replaces).
//! Shape: native, every method written `fn m(&self, ..) -> impl Future<Output = T> + Send`;
//! `Send + Sync + std::fmt::Debug + 'static`; two default bodies that are `async move` blocks,
//! one awaiting its by-value argument (`accepting.await?`, `?` converting the error); the
//! project's forwarding impls for `Arc<T>` and `Box<T>` (sized `T`) written with `async fn`.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub alpn: Vec<u8>,
    pub remote: u64,
}
#[derive(Debug)]
pub struct ConnectingError(pub String);
#[derive(Debug)]
pub enum AcceptError {
    Connecting { source: ConnectingError },
    User(String),
}
impl From<ConnectingError> for AcceptError {
    fn from(source: ConnectingError) -> Self {
        AcceptError::Connecting { source }
    }
}

/// A handshake in progress: a future of the connection, as iroh's `Accepting` is.
#[derive(Debug)]
pub struct Accepting(pub Option<Result<Connection, ConnectingError>>);
impl Future for Accepting {
    type Output = Result<Connection, ConnectingError>;
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        Poll::Ready(self.0.take().expect("polled after completion"))
    }
}

/// An echo protocol: counts the connections it accepted and its shutdowns.
#[derive(Debug, Default)]
pub struct Echo {
    pub accepted: AtomicUsize,
    pub shutdowns: AtomicUsize,
}

/// The trait as the project declares it, natively, and an impl.
pub mod control {
    use super::*;

    // n0-computer/iroh, `iroh/src/protocol.rs` (iroh 1.0.3).
    pub trait ProtocolHandler: Send + Sync + std::fmt::Debug + 'static {
        fn on_accepting(
            &self,
            accepting: Accepting,
        ) -> impl Future<Output = Result<Connection, AcceptError>> + Send {
            async move {
                let conn = accepting.await?;
                Ok(conn)
            }
        }

        fn accept(
            &self,
            connection: Connection,
        ) -> impl Future<Output = Result<(), AcceptError>> + Send;

        fn shutdown(&self) -> impl Future<Output = ()> + Send {
            async move {}
        }
    }

    impl<T: ProtocolHandler> ProtocolHandler for Arc<T> {
        async fn on_accepting(&self, accepting: Accepting) -> Result<Connection, AcceptError> {
            self.as_ref().on_accepting(accepting).await
        }

        async fn accept(&self, conn: Connection) -> Result<(), AcceptError> {
            self.as_ref().accept(conn).await
        }

        async fn shutdown(&self) {
            self.as_ref().shutdown().await
        }
    }

    impl ProtocolHandler for Echo {
        async fn accept(&self, connection: Connection) -> Result<(), AcceptError> {
            self.accepted.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    }
}

/// The same trait under `#[dyn_twin]`, the impls unchanged, and calls through the `Send` twin.
pub mod migrated {
    use super::*;

    // n0-computer/iroh, `iroh/src/protocol.rs` (iroh 1.0.3).
    #[hybrid_dispatch::dyn_twin(DynProtocolHandler, send = SendDynProtocolHandler)]
    pub trait ProtocolHandler: Send + Sync + std::fmt::Debug + 'static {
        fn on_accepting(
            &self,
            accepting: Accepting,
        ) -> impl Future<Output = Result<Connection, AcceptError>> + Send {
            async move {
                let conn = accepting.await?;
                Ok(conn)
            }
        }

        fn accept(
            &self,
            connection: Connection,
        ) -> impl Future<Output = Result<(), AcceptError>> + Send;

        fn shutdown(&self) -> impl Future<Output = ()> + Send {
            async move {}
        }
    }

    impl<T: ProtocolHandler> ProtocolHandler for Arc<T> {
        async fn on_accepting(&self, accepting: Accepting) -> Result<Connection, AcceptError> {
            self.as_ref().on_accepting(accepting).await
        }

        async fn accept(&self, conn: Connection) -> Result<(), AcceptError> {
            self.as_ref().accept(conn).await
        }

        async fn shutdown(&self) {
            self.as_ref().shutdown().await
        }
    }

    impl<T: ProtocolHandler> ProtocolHandler for Box<T> {
        async fn on_accepting(&self, accepting: Accepting) -> Result<Connection, AcceptError> {
            self.as_ref().on_accepting(accepting).await
        }

        async fn accept(&self, conn: Connection) -> Result<(), AcceptError> {
            self.as_ref().accept(conn).await
        }

        async fn shutdown(&self) {
            self.as_ref().shutdown().await
        }
    }

    impl ProtocolHandler for Echo {
        async fn accept(&self, connection: Connection) -> Result<(), AcceptError> {
            if connection.alpn.is_empty() {
                return Err(AcceptError::User("no alpn".into()));
            }
            self.accepted.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }

        async fn shutdown(&self) {
            self.shutdowns.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn connection(alpn: &[u8]) -> Connection {
        Connection {
            alpn: alpn.to_vec(),
            remote: 7,
        }
    }

    pub async fn run() {
        let echo = Arc::new(Echo::default());
        // As iroh's router holds them: boxed twins by ALPN; one is an `Arc<Echo>` (the
        // project's forwarding impl), one a plain `Echo`.
        let mut protocols: BTreeMap<Vec<u8>, Box<dyn SendDynProtocolHandler>> = BTreeMap::new();
        protocols.insert(b"echo/0".to_vec(), Box::new(Arc::clone(&echo)));
        protocols.insert(b"echo/1".to_vec(), Box::new(Echo::default()));

        let handler = &protocols[&b"echo/0"[..]];
        // The default `on_accepting`, through the bridge and through the twin.
        let conn = handler
            .on_accepting(Accepting(Some(Ok(connection(b"echo/0")))))
            .await
            .unwrap();
        assert_eq!(conn, connection(b"echo/0"));
        let refused = handler
            .on_accepting_send(Accepting(Some(Err(ConnectingError("reset".into())))))
            .await;
        assert!(matches!(refused, Err(AcceptError::Connecting { .. })));

        handler.accept(conn.clone()).await.unwrap();
        handler.accept_send(conn).await.unwrap();
        assert!(matches!(
            handler.accept_send(connection(b"")).await,
            Err(AcceptError::User(_))
        ));
        assert_eq!(echo.accepted.load(Ordering::SeqCst), 2);

        // Shutting every handler down, as `ProtocolMap::shutdown` does.
        for handler in protocols.values() {
            handler.shutdown().await;
            handler.shutdown_send().await;
        }
        assert_eq!(echo.shutdowns.load(Ordering::SeqCst), 2);

        // Shared and spawned.
        let shared: Arc<dyn SendDynProtocolHandler> = echo.clone();
        let task = tokio::spawn(async move { shared.accept(connection(b"echo/0")).await });
        task.await.unwrap().unwrap();
        assert_eq!(echo.accepted.load(Ordering::SeqCst), 3);
    }
}
