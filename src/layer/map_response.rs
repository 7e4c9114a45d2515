//! [`MapResponse`]: transform each response of the inner service.

use core::fmt;

use crate::Service;
use crate::layer::MapResponseFuture;
use crate::layout::Erasure;

/// A service that applies a function to each response of the inner service.
///
/// The function runs when the inner future completes, inside
/// [`MapResponseFuture`], which holds the inner future and a reference to
/// the function: one pointer larger than the inner future. (Holding a clone
/// of `F` instead would save the pointer for zero-sized closures but make
/// every call clone captured state.)
///
/// Built by [`ServiceExt::map_response`](crate::layer::ServiceExt::map_response),
/// [`MapResponseLayer`](crate::layer::MapResponseLayer) or
/// [`ServiceBuilder::map_response`](crate::layer::ServiceBuilder::map_response).
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layer::MapResponse;
/// use hybrid_dispatch::{Service, service_fn};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let svc = MapResponse::new(service_fn(|x: u64| async move { x }), |x: u64| x.to_string());
/// assert_eq!(block_on(svc.call(42)), "42");
/// ```
#[derive(Clone, Copy)]
pub struct MapResponse<S, F> {
    inner: S,
    f: F,
}

impl<S, F> MapResponse<S, F> {
    /// Wraps `inner` so that each response goes through `f`.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::MapResponse;
    /// use hybrid_dispatch::service_fn;
    ///
    /// let svc = MapResponse::new(service_fn(|x: u8| async move { x }), |x: u8| x == 0);
    /// # let _ = svc;
    /// ```
    pub const fn new(inner: S, f: F) -> Self {
        MapResponse { inner, f }
    }

    /// The wrapped service.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::MapResponse;
    ///
    /// assert_eq!(*MapResponse::new(5, |x: u8| x).get_ref(), 5);
    /// ```
    pub const fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Unwraps the service, discarding the function.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::MapResponse;
    ///
    /// assert_eq!(MapResponse::new(5, |x: u8| x).into_inner(), 5);
    /// ```
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, F, Req, Resp> Service<Req> for MapResponse<S, F>
where
    S: Service<Req>,
    F: Fn(S::Response) -> Resp,
{
    type Response = Resp;
    type Future<'a>
        = MapResponseFuture<'a, S::Future<'a>, F>
    where
        Self: 'a;

    #[inline]
    fn call<'a>(&'a self, req: Req) -> Self::Future<'a> {
        MapResponseFuture::new(self.inner.call(req), &self.f)
    }

    #[inline]
    fn observe_erasure(&self, erasure: Erasure) {
        self.inner.observe_erasure(erasure);
    }
}

impl<S: fmt::Debug, F> fmt::Debug for MapResponse<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapResponse")
            .field("inner", &self.inner)
            .field("f", &core::any::type_name::<F>())
            .finish()
    }
}
