//! [`ToTower`]: this crate's [`Service`] as a `tower::Service`.

use alloc::sync::Arc;
use core::convert::Infallible;
use core::fmt;
use core::marker::PhantomData;
use core::task::{Context, Poll};

use crate::capacity::{Capacity, DefaultCapacity};
use crate::future::inline_box::SendInlineFuture;
use crate::layout::{Erasure, Placement};
use crate::service::Service;

/// This crate's [`Service`] used as a [`tower::Service`], so tower
/// middleware (timeouts, limits, retries) and tower-based servers can drive
/// it.
///
/// tower futures must not borrow the service (`call` returns a future with
/// no lifetime), while ours borrow it for `'a`. The bridge keeps the service
/// in an `Arc` and, per call, moves a clone of the `Arc` into an `async`
/// block that calls and awaits the service: the block owns what the inner
/// future borrows, which only an `async` block can do without `unsafe`. The
/// block's type has no name, so it is erased into a
/// [`SendInlineFuture`] with capacity `Cap`.
///
/// * `poll_ready` is always ready: services of this crate apply
///   back-pressure inside their futures.
/// * `Error` is [`Infallible`]; a service whose response is a `Result`
///   keeps it as its `Response` (flatten it with tower's
///   `ServiceExt::map_result` if a middleware needs the error).
/// * The service, its futures and the request must be `Send` (tower servers
///   and `tower::buffer` need `Send` futures), and the request `'static`.
///
/// Cost per call, measured (see [`compat`](crate::compat)): one `Arc`
/// increment and decrement, and **0 allocations** while the future fits
/// `Cap` (it is the service's future plus the `Arc` and the request);
/// one allocation of the future's size otherwise. [`new`](Self::new)
/// allocates the `Arc` once; [`from_arc`](Self::from_arc) reuses yours.
/// Each erasure is reported to the service's
/// [`observe_erasure`](Service::observe_erasure), so a
/// [`Counted`](crate::Counted) service counts them.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use hybrid_dispatch::compat::ToTower;
/// use hybrid_dispatch::service_fn;
/// use tower::ServiceExt as _;
/// use tower::timeout::Timeout;
///
/// #[tokio::main(flavor = "current_thread")]
/// async fn main() {
///     let ours = service_fn(|x: u64| async move { x + 1 });
///     let svc = Timeout::new(ToTower::new(ours), Duration::from_secs(1));
///     assert_eq!(svc.oneshot(41).await.unwrap(), 42);
/// }
/// ```
pub struct ToTower<S, Cap: Capacity = DefaultCapacity> {
    inner: Arc<S>,
    _space: PhantomData<fn() -> Cap>,
}

impl<S> ToTower<S> {
    /// Moves `service` into an `Arc` (one allocation, once) and wraps it.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::compat::ToTower;
    /// use hybrid_dispatch::service_fn;
    ///
    /// let svc = ToTower::new(service_fn(|x: u8| async move { x }));
    /// # let _ = svc;
    /// ```
    pub fn new(service: S) -> Self {
        Self::from_arc(Arc::new(service))
    }
}

impl<S, Cap: Capacity> ToTower<S, Cap> {
    /// Wraps a service that is already shared, with capacity `Cap` for
    /// the erased futures.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use hybrid_dispatch::compat::ToTower;
    /// use hybrid_dispatch::{service_fn, capacity::S32};
    ///
    /// let shared = Arc::new(service_fn(|x: u8| async move { x }));
    /// let svc: ToTower<_, S32> = ToTower::from_arc(Arc::clone(&shared));
    /// # let _ = svc;
    /// ```
    pub const fn from_arc(service: Arc<S>) -> Self {
        ToTower {
            inner: service,
            _space: PhantomData,
        }
    }

    /// The wrapped service.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::compat::ToTower;
    ///
    /// assert_eq!(**ToTower::new(3).get_ref(), 3);
    /// ```
    pub const fn get_ref(&self) -> &Arc<S> {
        &self.inner
    }
}

impl<S, Req, Cap: Capacity> tower::Service<Req> for ToTower<S, Cap>
where
    S: Service<Req> + Send + Sync + 'static,
    for<'a> S::Future<'a>: Send,
    Req: Send + 'static,
{
    type Response = S::Response;
    type Error = Infallible;
    type Future = SendInlineFuture<'static, Result<S::Response, Infallible>, Cap>;

    #[inline]
    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    #[inline]
    fn call(&mut self, req: Req) -> Self::Future {
        let service = Arc::clone(&self.inner);
        let future = SendInlineFuture::new(async move { Ok(service.call(req).await) });
        let placement = Placement::of_handle(future.is_heap());
        self.inner
            .observe_erasure(Erasure::new(future.layout(), placement));
        future
    }
}

// By hand: a derive would require `S: Clone` and `Cap: Clone`.
impl<S, Cap: Capacity> Clone for ToTower<S, Cap> {
    fn clone(&self) -> Self {
        Self::from_arc(Arc::clone(&self.inner))
    }
}

impl<S: fmt::Debug, Cap: Capacity> fmt::Debug for ToTower<S, Cap> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToTower")
            .field("inner", &self.inner)
            .field("space", &core::any::type_name::<Cap>())
            .finish()
    }
}
