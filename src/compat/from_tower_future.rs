//! [`FromTowerFuture`]: the future of [`FromTower`](crate::compat::FromTower).

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

pin_project! {
    /// The future returned by [`FromTower`](crate::compat::FromTower): waits
    /// for the cloned tower service's `poll_ready`, calls it, then drives the
    /// tower future. Panics if polled after it completed.
    ///
    /// It owns everything it needs (the clone, the request, the tower
    /// future), so it borrows nothing from the `FromTower` that made it.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::compat::{FromTower, FromTowerFuture};
    /// use hybrid_dispatch::Service;
    ///
    /// #[tokio::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let svc = FromTower::new(tower::service_fn(|x: u8| async move { Ok::<_, ()>(x) }));
    ///     let fut = svc.call(7);
    ///     println!("{fut:?}");
    ///     assert_eq!(fut.await, Ok(7));
    /// }
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct FromTowerFuture<T, Req>
    where
        T: tower::Service<Req>,
    {
        #[pin]
        state: State<T, Req, T::Future>,
    }
}

pin_project! {
    // One enum, not three fields: the clone and request are gone by the time
    // the tower future exists, so they share its space.
    #[project = StateProj]
    enum State<T, Req, F> {
        Ready { service: T, request: Option<Req> },
        Calling { #[pin] future: F },
        Done,
    }
}

impl<T: tower::Service<Req>, Req> FromTowerFuture<T, Req> {
    pub(crate) const fn new(service: T, request: Req) -> Self {
        FromTowerFuture {
            state: State::Ready {
                service,
                request: Some(request),
            },
        }
    }
}

impl<T: tower::Service<Req>, Req> Future for FromTowerFuture<T, Req> {
    type Output = Result<T::Response, T::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            match state.as_mut().project() {
                StateProj::Ready { service, request } => {
                    if let Err(error) = ready!(service.poll_ready(cx)) {
                        state.set(State::Done);
                        return Poll::Ready(Err(error));
                    }
                    let request = request.take().expect("request taken only here");
                    let future = service.call(request);
                    // Drops the clone: tower futures own what they need
                    // (a `ConcurrencyLimit` permit moves into its future).
                    state.set(State::Calling { future });
                }
                StateProj::Calling { future } => {
                    let output = ready!(future.poll(cx));
                    state.set(State::Done);
                    return Poll::Ready(output);
                }
                StateProj::Done => panic!("FromTowerFuture polled after it completed"),
            }
        }
    }
}

impl<T: tower::Service<Req>, Req> fmt::Debug for FromTowerFuture<T, Req> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Ready { .. } => "waiting for poll_ready",
            State::Calling { .. } => "calling",
            State::Done => "done",
        };
        f.debug_struct("FromTowerFuture")
            .field("service", &core::any::type_name::<T>())
            .field("state", &state)
            .finish()
    }
}
