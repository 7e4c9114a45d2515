//! [`MapResponse`]: rewrite the response the inner service produces, with
//! its layer ([`MapResponseLayer`]) and its future ([`MapResponseFuture`]).

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

use crate::layer::stack::Layer;
use crate::layout::Erasure;
use crate::service::Service;

/// A service that applies a function to each response of the inner service.
///
/// The function runs when the inner future completes, inside
/// [`MapResponseFuture`], which holds the inner future and a reference to
/// the function: one pointer larger than the inner future. (Holding a clone
/// of `F` instead would save the pointer for zero-sized closures but make
/// every call clone captured state.)
///
/// Built by [`ServiceExt::map_response`](crate::ServiceExt::map_response),
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

/// A [`Layer`] that wraps services in [`MapResponse`], cloning its function
/// into each.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layer::{Layer, MapResponseLayer};
/// use hybrid_dispatch::{Service, service_fn};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let render = MapResponseLayer::new(|x: u64| format!("{x} items"));
/// let svc = render.layer(service_fn(|x: u64| async move { x + 1 }));
/// assert_eq!(block_on(svc.call(41)), "42 items");
/// ```
#[derive(Clone, Copy)]
pub struct MapResponseLayer<F> {
    f: F,
}

impl<F> MapResponseLayer<F> {
    /// A layer applying `f` to every response.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = hybrid_dispatch::layer::MapResponseLayer::new(|x: u32| u64::from(x));
    /// ```
    pub const fn new(f: F) -> Self {
        MapResponseLayer { f }
    }
}

impl<S, F: Clone> Layer<S> for MapResponseLayer<F> {
    type Service = MapResponse<S, F>;

    fn layer(&self, inner: S) -> Self::Service {
        MapResponse::new(inner, self.f.clone())
    }
}

impl<F> fmt::Debug for MapResponseLayer<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapResponseLayer")
            .field("f", &core::any::type_name::<F>())
            .finish()
    }
}

pin_project! {
    /// The future returned by [`MapResponse`](crate::layer::MapResponse):
    /// the inner future, then the function applied to its output.
    ///
    /// A named type, so a `MapResponse` can be called statically without
    /// boxing and its size is known ([`FutureLayout`](crate::layout::FutureLayout)).
    ///
    /// # Examples
    ///
    /// ```
    /// use core::future::Ready;
    /// use hybrid_dispatch::layer::{MapResponse, MapResponseFuture};
    /// use hybrid_dispatch::{Service, service_fn, ServiceFn};
    ///
    /// fn negate(x: i32) -> i32 { -x }
    /// let svc = MapResponse::new(
    ///     service_fn(core::future::ready::<i32> as fn(i32) -> Ready<i32>),
    ///     negate as fn(i32) -> i32,
    /// );
    /// let fut: MapResponseFuture<'_, Ready<i32>, fn(i32) -> i32> = svc.call(3);
    /// # let mut fut = core::pin::pin!(fut);
    /// # let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// # assert_eq!(fut.as_mut().poll(&mut cx), core::task::Poll::Ready(-3));
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct MapResponseFuture<'a, Fut, F> {
        #[pin]
        inner: Fut,
        f: &'a F,
    }
}

impl<'a, Fut, F> MapResponseFuture<'a, Fut, F> {
    pub(crate) const fn new(inner: Fut, f: &'a F) -> Self {
        MapResponseFuture { inner, f }
    }
}

impl<Fut, F, Resp> Future for MapResponseFuture<'_, Fut, F>
where
    Fut: Future,
    F: Fn(Fut::Output) -> Resp,
{
    type Output = Resp;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Resp> {
        let this = self.project();
        let out = ready!(this.inner.poll(cx));
        Poll::Ready((this.f)(out))
    }
}

impl<Fut, F> fmt::Debug for MapResponseFuture<'_, Fut, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapResponseFuture")
            .field("inner", &core::any::type_name::<Fut>())
            .field("f", &core::any::type_name::<F>())
            .finish()
    }
}
