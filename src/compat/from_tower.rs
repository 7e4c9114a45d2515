//! [`FromTower`]: a `tower::Service` as a [`Service`], and its future
//! ([`FromTowerFuture`]).

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

use crate::service::Service;

/// A [`tower::Service`] used as this crate's [`Service`].
///
/// tower's `call` takes `&mut self` after a successful `poll_ready`; ours
/// takes `&self` and may have many calls in flight. The bridge is the one
/// tower itself recommends for sharing a service: **each call clones the
/// tower service**, and the returned [`FromTowerFuture`] drives the clone
/// through `poll_ready` and then `call`. So:
///
/// * the tower service must be `Clone`, and a clone per call must be cheap
///   and correct — true of tower's middleware (`ConcurrencyLimit`,
///   `RateLimit`, `Buffer` share their state through an `Arc`, so a clone
///   is one atomic increment) and of `tower::service_fn` over a `Clone`
///   closure; a service whose clones do not share state would see every
///   call start from a fresh copy;
/// * back-pressure still works: the future waits in `poll_ready` (a
///   `ConcurrencyLimit` permit, say) before calling;
/// * the response is `Result<T::Response, T::Error>`.
///
/// Cost per call, measured (see [`compat`](crate::compat)): the clone, and
/// 0 allocations of its own. The clone happens in [`call`](Service::call),
/// so a future dropped unpolled has paid for it (and nothing else). The
/// future holds the clone, the request and the tower future (never all at
/// once: they share an enum), so its size is roughly
/// `size_of::<T>() + size_of::<Req>()` or the tower future's size, whichever
/// is larger; check it with [`FutureLayout::of_service`](crate::layout::FutureLayout::of_service)
/// before erasing.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::compat::FromTower;
/// use hybrid_dispatch::{DynService, Service};
/// use tower::limit::ConcurrencyLimit;
///
/// #[tokio::main(flavor = "current_thread")]
/// async fn main() {
///     let echo = tower::service_fn(|s: String| async move { Ok::<_, std::convert::Infallible>(s) });
///     let svc = FromTower::new(ConcurrencyLimit::new(echo, 4));
///     assert_eq!(svc.call("hi".to_owned()).await, Ok("hi".to_owned()));
///
///     let erased: &dyn DynService<String, Result<String, _>> = &svc;
///     assert_eq!(erased.call_dyn("dyn".to_owned()).await, Ok("dyn".to_owned()));
/// }
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct FromTower<T> {
    inner: T,
}

impl<T> FromTower<T> {
    /// Wraps a tower service.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::compat::FromTower;
    ///
    /// let svc = FromTower::new(tower::service_fn(|x: u8| async move { Ok::<_, ()>(x) }));
    /// # let _ = svc;
    /// ```
    pub const fn new(inner: T) -> Self {
        FromTower { inner }
    }

    /// The wrapped tower service.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::compat::FromTower;
    ///
    /// assert_eq!(*FromTower::new(3).get_ref(), 3);
    /// ```
    pub const fn get_ref(&self) -> &T {
        &self.inner
    }

    /// Unwraps the tower service.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::compat::FromTower;
    ///
    /// assert_eq!(FromTower::new(3).into_inner(), 3);
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T, Req> Service<Req> for FromTower<T>
where
    T: tower::Service<Req> + Clone,
{
    type Response = Result<T::Response, T::Error>;
    type Future<'a>
        = FromTowerFuture<T, Req>
    where
        Self: 'a;

    #[inline]
    fn call<'a>(&'a self, req: Req) -> Self::Future<'a> {
        FromTowerFuture::new(self.inner.clone(), req)
    }
}

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
