//! [`MapResponseFuture`]: the future of [`MapResponse`](crate::layer::MapResponse).

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

pin_project! {
    /// The future returned by [`MapResponse`](crate::layer::MapResponse):
    /// the inner future, then the function applied to its output.
    ///
    /// A named type, so a `MapResponse` can be called statically without
    /// boxing and its size is known ([`FutureLayout`](crate::FutureLayout)).
    ///
    /// # Examples
    ///
    /// ```
    /// use core::future::Ready;
    /// use hybrid_dispatch::layer::{MapResponse, MapResponseFuture};
    /// use hybrid_dispatch::{Service, ServiceFn, service_fn};
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
