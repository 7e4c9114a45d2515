//! [`MapRequest`]: rewrite the request before the inner service sees it.

use core::fmt;

use crate::Service;
use crate::layout::Erasure;

/// A service that applies a function to each request, then calls the inner
/// service with the result.
///
/// The function runs inside [`call`](Service::call), not in the future:
/// the inner service needs the new request to build its future. Its future
/// *is* the inner service's future (`S::Future<'a>`), so this layer adds
/// nothing to its size.
///
/// Built by [`ServiceExt::map_request`](crate::layer::ServiceExt::map_request),
/// [`MapRequestLayer`](crate::layer::MapRequestLayer) or
/// [`ServiceBuilder::map_request`](crate::layer::ServiceBuilder::map_request).
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layer::MapRequest;
/// use hybrid_dispatch::{Service, service_fn};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let len = service_fn(|n: usize| async move { n * 2 });
/// let svc = MapRequest::new(len, |s: &str| s.len());
/// assert_eq!(block_on(svc.call("four")), 8);
/// ```
#[derive(Clone, Copy)]
pub struct MapRequest<S, F> {
    inner: S,
    f: F,
}

impl<S, F> MapRequest<S, F> {
    /// Wraps `inner` so that each request goes through `f` first.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::MapRequest;
    /// use hybrid_dispatch::service_fn;
    ///
    /// let svc = MapRequest::new(service_fn(|x: u64| async move { x }), |x: u32| u64::from(x));
    /// # let _ = svc;
    /// ```
    pub const fn new(inner: S, f: F) -> Self {
        MapRequest { inner, f }
    }

    /// The wrapped service.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::MapRequest;
    ///
    /// assert_eq!(*MapRequest::new(5, |x: u8| x).get_ref(), 5);
    /// ```
    pub const fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Unwraps the service, discarding the function.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::MapRequest;
    ///
    /// assert_eq!(MapRequest::new(5, |x: u8| x).into_inner(), 5);
    /// ```
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, F, Req, Inner> Service<Req> for MapRequest<S, F>
where
    S: Service<Inner>,
    F: Fn(Req) -> Inner,
{
    type Response = S::Response;
    type Future<'a>
        = S::Future<'a>
    where
        Self: 'a;

    #[inline]
    fn call<'a>(&'a self, req: Req) -> Self::Future<'a> {
        self.inner.call((self.f)(req))
    }

    #[inline]
    fn observe_erasure(&self, erasure: Erasure) {
        self.inner.observe_erasure(erasure);
    }
}

impl<S: fmt::Debug, F> fmt::Debug for MapRequest<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapRequest")
            .field("inner", &self.inner)
            .field("f", &core::any::type_name::<F>())
            .finish()
    }
}
