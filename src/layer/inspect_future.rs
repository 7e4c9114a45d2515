//! [`InspectFuture`]: the future of [`Inspect`](crate::layer::Inspect).

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

use crate::layer::Inspected;

pin_project! {
    /// The future returned by [`Inspect`](crate::layer::Inspect): the inner
    /// future, whose output is shown to the hook before it is returned.
    ///
    /// `Req` is only a marker (the hook's type mentions it); the future holds
    /// no request.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::future::Ready;
    /// use hybrid_dispatch::layer::{Inspect, InspectFuture, Inspected};
    /// use hybrid_dispatch::{Service, service_fn};
    ///
    /// fn ignore(_: Inspected<'_, u8, u8>) {}
    /// type Hook = fn(Inspected<'_, u8, u8>);
    /// let svc = Inspect::new(service_fn(core::future::ready::<u8> as fn(u8) -> Ready<u8>), ignore as Hook);
    /// let fut: InspectFuture<'_, Ready<u8>, Hook, u8> = svc.call(1);
    /// # drop(fut);
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct InspectFuture<'a, Fut, F, Req> {
        #[pin]
        inner: Fut,
        f: &'a F,
        // `fn(&Req)`: a marker that is always `Send + Sync + Unpin` and owns
        // no `Req`, so it changes neither auto traits nor drop checking.
        _request: PhantomData<fn(&Req)>,
    }
}

impl<'a, Fut, F, Req> InspectFuture<'a, Fut, F, Req> {
    pub(crate) const fn new(inner: Fut, f: &'a F) -> Self {
        InspectFuture {
            inner,
            f,
            _request: PhantomData,
        }
    }
}

impl<Fut, F, Req> Future for InspectFuture<'_, Fut, F, Req>
where
    Fut: Future,
    F: Fn(Inspected<'_, Req, Fut::Output>),
{
    type Output = Fut::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Fut::Output> {
        let this = self.project();
        let out = ready!(this.inner.poll(cx));
        (this.f)(Inspected::Response(&out));
        Poll::Ready(out)
    }
}

impl<Fut, F, Req> fmt::Debug for InspectFuture<'_, Fut, F, Req> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InspectFuture")
            .field("inner", &core::any::type_name::<Fut>())
            .field("f", &core::any::type_name::<F>())
            .finish()
    }
}
