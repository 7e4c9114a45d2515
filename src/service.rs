//! The core trait, [`Service`], and [`SendService`]: the nameable bound for
//! services whose futures are `Send`.

use core::future::Future;

use crate::layout::{Erasure, FutureLayout};

/// An asynchronous function from a request to a response, callable through
/// a shared reference.
///
/// `Service` is the core of this crate. It is a *generic associated type*
/// (GAT) trait: the future returned by [`call`](Service::call) is a named
/// associated type, `Self::Future<'a>`, that may borrow the service for `'a`.
/// Because the type is named, a caller that knows the concrete service gets a
/// concrete future: it lives wherever the caller puts it (its own stack frame,
/// its parent's state machine), it is never boxed, and the compiler can inline
/// through it. Calling a service statically costs what calling the same
/// `async fn` directly costs.
///
/// When the concrete type is *not* known — a registry of plugins, a
/// configuration-chosen backend — every `Service` is also a
/// [`DynService`](crate::DynService) (and, when it and its futures are `Send`,
/// a [`SendDynService`](crate::SendDynService)) through blanket impls. Those
/// erase the future into an [`InlineFuture`](crate::InlineFuture), a small
/// buffer that only goes to the heap when the future does not fit. You write
/// the service once.
///
/// # The receiver is `&self`
///
/// Unlike `tower::Service`, there is no `&mut self` and no `poll_ready`: many
/// calls may be in flight on one shared service at once, each future
/// borrowing it. Services that need mutable state use interior mutability
/// (atomics, locks) and apply back-pressure inside their futures.
///
/// # Examples
///
/// A service with state, whose future borrows it. On stable Rust the future
/// type must be nameable, so here it is written by hand (a
/// [`service_fn`](crate::service_fn) closure or a boxed future work too):
///
/// ```
/// use core::future::Future;
/// use core::pin::Pin;
/// use core::task::{Context, Poll};
/// use hybrid_dispatch::Service;
///
/// struct Greeter {
///     greeting: String,
/// }
///
/// struct Greet<'a> {
///     greeter: &'a Greeter,
///     name: String,
/// }
///
/// impl Future for Greet<'_> {
///     type Output = String;
///     fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<String> {
///         Poll::Ready(format!("{}, {}!", self.greeter.greeting, self.name))
///     }
/// }
///
/// impl Service<String> for Greeter {
///     type Response = String;
///     type Future<'a> = Greet<'a>;
///
///     fn call<'a>(&'a self, name: String) -> Greet<'a> {
///         Greet { greeter: self, name }
///     }
/// }
///
/// # tokio_test_block_on(async {
/// let greeter = Greeter { greeting: "Hello".into() };
/// // Static dispatch: `Greet<'_>` is a concrete type on our stack.
/// assert_eq!(greeter.call("Ada".into()).await, "Hello, Ada!");
/// # });
/// # fn tokio_test_block_on<F: Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = Context::from_waker(core::task::Waker::noop());
/// #     loop { if let Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// ```
///
/// # The classic mistake: forgetting `where Self: 'a`
///
/// The future borrows `self` for `'a`, so it only makes sense when `Self`
/// outlives `'a`. A GAT that leaves this out is rejected: the compiler
/// requires the bound because `call` takes `&'a self`.
///
/// ```compile_fail
/// use core::future::Future;
///
/// trait MyService<Req> {
///     type Response;
///     // error: missing required bound on `Future`
///     //        help: add the required where clause: `where Self: 'a`
///     type Future<'a>: Future<Output = Self::Response>;
///     fn call<'a>(&'a self, req: Req) -> Self::Future<'a>;
/// }
/// ```
///
/// This trait carries the bound, so implementations never write it: the
/// implied bound of `&'a self` covers them.
///
/// ```
/// use core::future::Future;
///
/// trait MyService<Req> {
///     type Response;
///     type Future<'a>: Future<Output = Self::Response>
///     where
///         Self: 'a;
///     fn call<'a>(&'a self, req: Req) -> Self::Future<'a>;
/// }
/// ```
///
/// # Futures that borrow their request
///
/// The `Future<'a>` GAT deliberately has **no `+ 'a` bound** and `call` has
/// no `where Req: 'a` clause. That is what lets one trait serve both kinds of
/// implementations without noise:
///
/// * owned requests (`Service<u64>`, `Service<String>`) are written as above,
///   with no where clauses at all;
/// * a future that borrows both the service and its input — the classic
///   `process(&'a self, input: &'a str)` — is written as
///   `impl<'r> Service<&'r str>` whose future carries both lifetimes:
///
/// ```
/// use core::future::Future;
/// use core::pin::Pin;
/// use core::task::{Context, Poll};
/// use hybrid_dispatch::{DynService, Service};
///
/// struct Prefixer {
///     prefix: String,
/// }
///
/// /// Borrows the service for `'a` and the input for `'r`.
/// struct Prefixed<'a, 'r> {
///     svc: &'a Prefixer,
///     input: &'r str,
/// }
///
/// impl Future for Prefixed<'_, '_> {
///     type Output = String;
///     fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<String> {
///         Poll::Ready(format!("{}{}", self.svc.prefix, self.input))
///     }
/// }
///
/// impl<'r> Service<&'r str> for Prefixer {
///     type Response = String;
///     type Future<'a> = Prefixed<'a, 'r>;
///
///     fn call<'a>(&'a self, input: &'r str) -> Prefixed<'a, 'r> {
///         Prefixed { svc: self, input }
///     }
/// }
///
/// // One `dyn` type, usable for any input lifetime.
/// let svc = Prefixer { prefix: "> ".into() };
/// let erased: &dyn for<'r> DynService<&'r str, String> = &svc;
/// let input = String::from("hello");
/// let fut = erased.call_dyn(&input);
/// assert!(!fut.is_heap());
/// ```
///
/// Both erasures work for such a service, including the `Send + Sync` one:
/// `dyn for<'r> SendDynService<&'r str, String>` moves into `tokio::spawn`
/// (see `tests/dyn_service.rs`).
///
/// Where does the `'a` bound that erasure needs come from, then? Erasing a
/// future into `dyn Future + 'a` needs `Self::Future<'a>: 'a`, and Rust
/// proves that for a projection from its inputs: it holds whenever
/// `Self: 'a` and `Req: 'a`. [`DynService::call_dyn`](crate::DynService::call_dyn)
/// asks for `Req: 'a` — a trait nobody implements by hand, so the clause
/// costs users nothing.
///
/// The rejected alternatives, each checked with rustc 1.95:
///
/// * `type Future<'a>: Future + 'a where Self: 'a, Req: 'a` plus
///   `where Req: 'a` on `call`: borrowed inputs work, but every owned-request
///   impl has to restate a where clause on `call` (E0195), and the `Send`
///   erasure cannot be proven for borrowed requests ("implementation of
///   `Service` is not general enough").
/// * the same GAT bound without the clause on `call`: owned impls are clean,
///   but a future borrowing its input is rejected in the impl (E0477).
/// * passing the request as `&'a Req`: everything compiles, but a future can
///   never own its request, so request-rewriting middleware must clone.
///
/// What this formulation costs: a future type for a borrowed request must
/// name the input lifetime separately (`Prefixed<'a, 'r>` above); a single
/// `Pin<Box<dyn Future + 'a>>` cannot be the future of a `Service<&'r str>`,
/// because inside the impl nothing relates `'r` to `'a`. Owned-request
/// services can use a boxed future freely.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `Service<{Req}>`",
    label = "not a `Service<{Req}>`",
    note = "a closure or `fn` taking `{Req}` and returning a future becomes a service with `hybrid_dispatch::service_fn`"
)]
pub trait Service<Req> {
    /// What the future resolves to.
    type Response;

    /// The future returned by [`call`](Service::call); it may borrow the
    /// service for `'a`.
    type Future<'a>: Future<Output = Self::Response>
    where
        Self: 'a;

    /// Starts processing `req`.
    ///
    /// Nothing happens until the returned future is polled: implementations
    /// should do their work inside the future, so that building a future and
    /// dropping it unpolled is cheap and side-effect free.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Service, service_fn};
    ///
    /// let double = service_fn(|x: u64| async move { x * 2 });
    /// let fut = double.call(21);
    /// # let mut fut = core::pin::pin!(fut);
    /// # let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// # assert_eq!(fut.as_mut().poll(&mut cx), core::task::Poll::Ready(42));
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    fn call<'a>(&'a self, req: Req) -> Self::Future<'a>;

    /// Hears about each erasure of one of this service's futures.
    ///
    /// The erasure layer ([`DynService`](crate::DynService) and friends) calls
    /// this once per call made through `dyn`, after it has decided where the
    /// future lives. The default does nothing and compiles to nothing;
    /// [`Counted`](crate::Counted) overrides it to count inline and heap
    /// placements. Static calls never invoke it.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Counted, DynService, service_fn};
    ///
    /// let svc = Counted::new(service_fn(|x: u32| async move { x + 1 }));
    /// let erased: &dyn DynService<u32, u32> = &svc;
    /// drop(erased.call_dyn(1));
    /// assert_eq!(svc.stats().inline, 1);
    /// ```
    #[inline]
    fn observe_erasure(&self, erasure: Erasure) {
        let _ = erasure;
    }
}

/// A [`Service`] whose futures are `Send`, and that is itself `Send + Sync +
/// 'static`: what the `Send` erasure ([`SendDynService`](crate::SendDynService))
/// and the [`Registry`](crate::Registry) accept. Implemented for every such
/// service; you never implement it by hand.
///
/// Its point is to be *nameable*. "The futures are `Send` for every borrow"
/// is the higher-ranked bound `for<'a> S::Future<'a>: Send`, which Rust does
/// not carry through an opaque type: a function returning `impl Service<u64,
/// Response = u64> + Send + Sync + 'static` gives callers a service whose
/// futures they cannot prove `Send`, so it cannot be erased as `Send` or
/// registered. Return `impl SendService<u64, Response = u64>` instead, and
/// write `S: SendService<Req>` in generic code: the bound is a supertrait
/// here, so it travels with the type.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use hybrid_dispatch::{Registry, SendDynService, SendService, service_fn};
///
/// fn doubler() -> impl SendService<u64, Response = u64> {
///     service_fn(|x: u64| async move { x * 2 })
/// }
///
/// fn share<S: SendService<u64, Response = u64>>(svc: S) -> Arc<dyn SendDynService<u64, u64>> {
///     Arc::new(svc)
/// }
///
/// let registry: Registry<u64, u64> = Registry::new();
/// registry.register("double", doubler()).unwrap();
/// let shared = share(doubler());
/// # drop(shared);
/// ```
///
/// A service whose future holds an `Rc` across an await is not one:
///
/// ```compile_fail
/// use std::rc::Rc;
/// use hybrid_dispatch::{SendService, service_fn};
///
/// fn local() -> impl SendService<u64, Response = u64> {
///     service_fn(|x: u64| async move {
///         let rc = Rc::new(x);
///         core::future::ready(()).await;
///         *rc
///     })
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `SendService<{Req}>`",
    label = "needs a `Service<{Req}>` that is `Send + Sync + 'static`, with `Send` futures",
    note = "a closure or `fn` taking `{Req}` and returning a future becomes a service with `hybrid_dispatch::service_fn`"
)]
pub trait SendService<Req>: for<'a> Service<Req, Future<'a>: Send> + Send + Sync + 'static {}

impl<S, Req> SendService<Req> for S
where
    S: Service<Req> + Send + Sync + 'static,
    for<'a> S::Future<'a>: Send,
{
}

/// How a service's future is laid out, known from the types alone: defined
/// here rather than in `layout.rs`, which knows nothing of services.
impl FutureLayout {
    /// The layout of the future `S` returns for a `Req`, without calling it.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{ServiceFn, layout::FutureLayout};
    ///
    /// async fn lookup(key: u64) -> u64 { key }
    /// type Lookup = ServiceFn<fn(u64) -> core::future::Ready<u64>>;
    /// let layout = FutureLayout::of_service::<Lookup, u64>();
    /// assert_eq!(layout.size(), 16);
    /// ```
    #[must_use]
    pub fn of_service<S: Service<Req>, Req>() -> Self {
        // `S::Future<'a>` needs some `'a` with `S: 'a`; every lifetime in
        // this body qualifies and the layout does not depend on which.
        fn at<'a, S: Service<Req> + 'a, Req>() -> FutureLayout {
            FutureLayout::of::<S::Future<'a>>()
        }
        at::<S, Req>()
    }

    /// Like [`of_service`](Self::of_service), with the types inferred from
    /// values (handy for closures, whose types cannot be named). Nothing is
    /// called.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{service_fn, layout::FutureLayout};
    ///
    /// let svc = service_fn(|x: u8| async move { x });
    /// assert_eq!(FutureLayout::of_service_val(&svc, &0u8).align(), 1);
    /// ```
    #[must_use]
    pub fn of_service_val<S: Service<Req>, Req>(service: &S, request: &Req) -> Self {
        let _ = (service, request);
        Self::of_service::<S, Req>()
    }
}

/// Forwards `Service` (including the erasure hook) through a pointer type.
macro_rules! forward_service {
    ($($ptr:ty),+ $(,)?) => {$(
        impl<S: Service<Req> + ?Sized, Req> Service<Req> for $ptr {
            type Response = S::Response;
            type Future<'a>
                = S::Future<'a>
            where
                Self: 'a;

            #[inline]
            fn call<'a>(&'a self, req: Req) -> Self::Future<'a> {
                (**self).call(req)
            }

            #[inline]
            fn observe_erasure(&self, erasure: Erasure) {
                (**self).observe_erasure(erasure);
            }
        }
    )+};
}

forward_service!(&S);
#[cfg(feature = "alloc")]
forward_service!(alloc::boxed::Box<S>, alloc::sync::Arc<S>);
