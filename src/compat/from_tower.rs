//! [`FromTower`]: a `tower::Service + Clone` as this crate's [`Service`].

use crate::Service;
use crate::compat::FromTowerFuture;

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
/// is larger; check it with [`FutureLayout::of_service`](crate::FutureLayout::of_service)
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
