//! [`Inspect`]: a hook that sees each request and response ([`Inspected`]),
//! with its layer ([`InspectLayer`]) and its future ([`InspectFuture`]).

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

use crate::layer::stack::Layer;
use crate::layout::Erasure;
use crate::service::Service;

/// A service that shows each request and each response to a hook — for
/// logging, tracing or assertions — without changing them.
///
/// The hook is any `Fn(Inspected<'_, Req, Resp>)`. It sees the request by
/// reference inside [`call`](Service::call), before the inner service takes
/// it (the request moves into the inner service, so that is the last moment
/// it can be seen), and the response by reference when the inner future
/// completes, inside [`InspectFuture`]. A future dropped before completion
/// produces no response event.
///
/// Built by [`ServiceExt::inspect`](crate::ServiceExt::inspect),
/// [`InspectLayer`](crate::layer::InspectLayer) or
/// [`ServiceBuilder::inspect`](crate::layer::ServiceBuilder::inspect).
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use hybrid_dispatch::layer::{Inspect, Inspected};
/// use hybrid_dispatch::{Service, service_fn};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let log = RefCell::new(Vec::new());
/// let svc = Inspect::new(service_fn(|x: u32| async move { x * 2 }), |event: Inspected<'_, u32, u32>| {
///     log.borrow_mut().push(match event {
///         Inspected::Request(req) => format!("call({req})"),
///         Inspected::Response(resp) => format!("-> {resp}"),
///     });
/// });
/// assert_eq!(block_on(svc.call(21)), 42);
/// assert_eq!(*log.borrow(), ["call(21)", "-> 42"]);
/// ```
#[derive(Clone, Copy)]
pub struct Inspect<S, F> {
    inner: S,
    f: F,
}

impl<S, F> Inspect<S, F> {
    /// Wraps `inner`, showing its requests and responses to `f`.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::{Inspect, Inspected};
    /// use hybrid_dispatch::service_fn;
    ///
    /// let svc = Inspect::new(service_fn(|x: u8| async move { x }), |e: Inspected<'_, u8, u8>| {
    ///     println!("{e:?}");
    /// });
    /// # let _ = svc;
    /// ```
    pub const fn new(inner: S, f: F) -> Self {
        Inspect { inner, f }
    }

    /// The wrapped service.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::Inspect;
    ///
    /// assert_eq!(*Inspect::new(5, ()).get_ref(), 5);
    /// ```
    pub const fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Unwraps the service, discarding the hook.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::Inspect;
    ///
    /// assert_eq!(Inspect::new(5, ()).into_inner(), 5);
    /// ```
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, F, Req> Service<Req> for Inspect<S, F>
where
    S: Service<Req>,
    F: Fn(Inspected<'_, Req, S::Response>),
{
    type Response = S::Response;
    type Future<'a>
        = InspectFuture<'a, S::Future<'a>, F, Req>
    where
        Self: 'a;

    #[inline]
    fn call<'a>(&'a self, req: Req) -> Self::Future<'a> {
        (self.f)(Inspected::Request(&req));
        InspectFuture::new(self.inner.call(req), &self.f)
    }

    #[inline]
    fn observe_erasure(&self, erasure: Erasure) {
        self.inner.observe_erasure(erasure);
    }
}

impl<S: fmt::Debug, F> fmt::Debug for Inspect<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inspect")
            .field("inner", &self.inner)
            .field("f", &core::any::type_name::<F>())
            .finish()
    }
}

/// A [`Layer`] that wraps services in [`Inspect`], cloning its hook
/// into each.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layer::{InspectLayer, Inspected, Layer};
/// use hybrid_dispatch::{Service, service_fn};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let log = InspectLayer::new(|event: Inspected<'_, u64, u64>| println!("{event:?}"));
/// let svc = log.layer(service_fn(|x: u64| async move { x + 1 }));
/// assert_eq!(block_on(svc.call(41)), 42);
/// ```
#[derive(Clone, Copy)]
pub struct InspectLayer<F> {
    f: F,
}

impl<F> InspectLayer<F> {
    /// A layer showing every request and response to `f`.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = hybrid_dispatch::layer::InspectLayer::new(|_: hybrid_dispatch::layer::Inspected<'_, u8, u8>| {});
    /// ```
    pub const fn new(f: F) -> Self {
        InspectLayer { f }
    }
}

impl<S, F: Clone> Layer<S> for InspectLayer<F> {
    type Service = Inspect<S, F>;

    fn layer(&self, inner: S) -> Self::Service {
        Inspect::new(inner, self.f.clone())
    }
}

impl<F> fmt::Debug for InspectLayer<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InspectLayer")
            .field("f", &core::any::type_name::<F>())
            .finish()
    }
}

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

/// One event seen by an [`Inspect`](crate::layer::Inspect) hook: a request
/// going in or a response coming out.
///
/// One enum rather than two closures, so a single hook can keep shared state
/// (a log prefix, a span) for both directions without `Rc`/`Arc`.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layer::Inspected;
///
/// fn log(event: Inspected<'_, u32, u64>) -> String {
///     match event {
///         Inspected::Request(req) => format!("-> {req}"),
///         Inspected::Response(resp) => format!("<- {resp}"),
///     }
/// }
/// assert_eq!(log(Inspected::Request(&1)), "-> 1");
/// ```
#[derive(Debug)]
pub enum Inspected<'a, Req, Resp> {
    /// A request, seen in [`call`](crate::Service::call) before the inner
    /// service gets it.
    Request(&'a Req),
    /// A response, seen when the inner future completes, before the caller
    /// gets it.
    Response(&'a Resp),
}

// By hand: a derive would require `Req: Clone, Resp: Clone`.
impl<Req, Resp> Clone for Inspected<'_, Req, Resp> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Req, Resp> Copy for Inspected<'_, Req, Resp> {}
