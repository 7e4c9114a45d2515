//! [`Inspect`]: a hook that sees every request and response.

use core::fmt;

use crate::Service;
use crate::layer::{InspectFuture, Inspected};
use crate::layout::Erasure;

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
/// Built by [`ServiceExt::inspect`](crate::layer::ServiceExt::inspect),
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
