//! [`MapRequest`]: rewrite the request before the inner service sees it;
//! [`MapRequestLayer`] builds it. Its future is the inner service's own.

use core::fmt;

use crate::layer::stack::Layer;
use crate::layout::Erasure;
use crate::service::Service;

/// A service that applies a function to each request, then calls the inner
/// service with the result.
///
/// The function runs inside [`call`](Service::call), not in the future:
/// the inner service needs the new request to build its future. Its future
/// *is* the inner service's future (`S::Future<'a>`), so this layer adds
/// nothing to its size.
///
/// Built by [`ServiceExt::map_request`](crate::ServiceExt::map_request),
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

/// A [`Layer`] that wraps services in [`MapRequest`], cloning its function
/// into each.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layer::{Layer, MapRequestLayer};
/// use hybrid_dispatch::{Service, service_fn};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let parse = MapRequestLayer::new(|s: &str| s.parse::<u64>().unwrap_or(0));
/// let svc = parse.layer(service_fn(|x: u64| async move { x + 1 }));
/// assert_eq!(block_on(svc.call("41")), 42);
/// ```
#[derive(Clone, Copy)]
pub struct MapRequestLayer<F> {
    f: F,
}

impl<F> MapRequestLayer<F> {
    /// A layer applying `f` to every request.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = hybrid_dispatch::layer::MapRequestLayer::new(|x: u32| u64::from(x));
    /// ```
    pub const fn new(f: F) -> Self {
        MapRequestLayer { f }
    }
}

impl<S, F: Clone> Layer<S> for MapRequestLayer<F> {
    type Service = MapRequest<S, F>;

    fn layer(&self, inner: S) -> Self::Service {
        MapRequest::new(inner, self.f.clone())
    }
}

impl<F> fmt::Debug for MapRequestLayer<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapRequestLayer")
            .field("f", &core::any::type_name::<F>())
            .finish()
    }
}
