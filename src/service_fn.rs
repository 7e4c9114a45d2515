//! [`service_fn`]: a [`Service`] from a closure, and [`ServiceFn`], the
//! service it makes.

use core::fmt;
use core::future::Future;

use crate::service::Service;

/// Turns a function returning a future into a [`Service`].
///
/// This is how `async` blocks become services on stable Rust: the closure's
/// future type is a generic parameter, so it needs no name. The future may
/// own anything the closure moved into it, but it cannot borrow the request
/// or the closure itself; services whose futures borrow either are written
/// as a type with a named future (see [`Service`]).
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{Service, service_fn};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let greeting = String::from("hello");
/// let svc = service_fn(move |name: &'static str| {
///     let line = format!("{greeting}, {name}");
///     async move { line }
/// });
/// assert_eq!(block_on(svc.call("world")), "hello, world");
/// ```
pub fn service_fn<F>(f: F) -> ServiceFn<F> {
    ServiceFn { f }
}

/// A [`Service`] made from a function by [`service_fn`].
///
/// # Examples
///
/// ```
/// use core::future::{Ready, ready};
/// use hybrid_dispatch::{service_fn, ServiceFn};
///
/// // With a function pointer the service type can be named.
/// let svc: ServiceFn<fn(u32) -> Ready<u32>> = service_fn(|x| ready(x + 1));
/// println!("{svc:?}");
/// ```
#[derive(Clone, Copy)]
pub struct ServiceFn<F> {
    f: F,
}

impl<F, Fut, Req> Service<Req> for ServiceFn<F>
where
    F: Fn(Req) -> Fut,
    Fut: Future,
{
    type Response = Fut::Output;
    type Future<'a>
        = Fut
    where
        Self: 'a;

    #[inline]
    fn call(&self, req: Req) -> Fut {
        (self.f)(req)
    }
}

impl<F> fmt::Debug for ServiceFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceFn")
            .field("f", &core::any::type_name::<F>())
            .finish()
    }
}
