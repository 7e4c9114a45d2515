//! [`DynService`]: every [`Service`] as a `dyn` object with inline futures,
//! and [`SendDynService`], its `Send + Sync` twin for every [`SendService`].

use alloc::boxed::Box;
use core::future::Future;
use core::pin::Pin;

use crate::capacity::{Capacity, DefaultCapacity};
use crate::future::alloc_error::OutOfMemory;
use crate::future::capacity::PointerRoom;
use crate::future::inline_box::{InlineFuture, SendInlineFuture};
#[cfg(feature = "std")]
use crate::future::recycled::RecyclePool;
use crate::future::reusable_slot::{FutureSlot, SendFutureSlot, SlotFuture};
use crate::layout::{Erasure, FutureLayout, Placement};
use crate::service::{SendService, Service};

/// A [`Service`] behind `dyn`: the future it returns is erased into an
/// [`InlineFuture`] with inline capacity `Cap`.
///
/// You never implement `DynService`: it is implemented for every `Service`
/// whose response is `Resp`. Use it where the concrete service is not known
/// at compile time — a registry, a configuration-chosen backend — as
/// `&dyn DynService<Req, Resp>`, `Box<dyn …>` or `Arc<dyn …>`.
///
/// Futures up to `Cap` in size and alignment stay in the returned handle
/// (no allocation); larger ones take exactly one allocation of their own
/// size. Either way the service hears about it through
/// [`Service::observe_erasure`], which [`Counted`](crate::Counted) turns into
/// statistics. The erased `DynService` is `!Send`; for `Send + Sync`
/// services with `Send` futures use [`SendDynService`](crate::SendDynService),
/// which is also implemented automatically.
///
/// # Examples
///
/// Heterogeneous services behind one type:
///
/// ```
/// use hybrid_dispatch::{DynService, service_fn};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let offset = 100;
/// let services: Vec<Box<dyn DynService<u64, u64>>> = vec![
///     Box::new(service_fn(|x: u64| async move { x + 1 })),
///     Box::new(service_fn(move |x: u64| async move { x * 2 + offset })),
/// ];
/// let results: Vec<u64> = services.iter().map(|s| block_on(s.call_dyn(20))).collect();
/// assert_eq!(results, [21, 140]);
/// ```
///
/// Borrowed requests, for every lifetime, with `for<'r>`:
///
/// ```
/// use hybrid_dispatch::{DynService, ServiceFn};
/// # use core::future::Ready;
///
/// fn length(s: &str) -> Ready<usize> { core::future::ready(s.len()) }
/// let svc: ServiceFn<fn(&str) -> Ready<usize>> = hybrid_dispatch::service_fn(length);
/// let erased: &dyn for<'r> DynService<&'r str, usize> = &svc;
/// let owned = String::from("four");
/// let fut = erased.call_dyn(&owned);
/// # drop(fut);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `DynService<{Req}, {Resp}>`",
    label = "needs a `Service<{Req}>` whose `Response` is `{Resp}`",
    note = "a closure or `fn` taking `{Req}` and returning a future becomes a service with `hybrid_dispatch::service_fn`"
)]
pub trait DynService<Req, Resp, Cap: Capacity = DefaultCapacity> {
    /// Calls the service and erases its future into an [`InlineFuture`].
    ///
    /// `Req: 'a` is what lets the erased future hold on to the request; for
    /// owned requests it always holds, for borrowed ones it says the future
    /// lives no longer than the input.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{DynService, service_fn};
    ///
    /// let svc = service_fn(|x: u64| async move { x + 1 });
    /// let erased: &dyn DynService<u64, u64> = &svc;
    /// let fut = erased.call_dyn(1);
    /// assert!(!fut.is_heap());
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    fn call_dyn<'a>(&'a self, req: Req) -> InlineFuture<'a, Resp, Cap>
    where
        Req: 'a;

    /// Calls the service and boxes its future: one allocation per call,
    /// always. The baseline strategy — what `async-trait` does — for
    /// comparison, or to hand the future to an API that wants a box.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{DynService, service_fn};
    ///
    /// let svc = service_fn(|x: u64| async move { x + 1 });
    /// let erased: &dyn DynService<u64, u64> = &svc;
    /// let fut: core::pin::Pin<Box<dyn core::future::Future<Output = u64> + '_>> =
    ///     erased.call_boxed(1);
    /// # drop(fut);
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    fn call_boxed<'a>(&'a self, req: Req) -> Pin<Box<dyn Future<Output = Resp> + 'a>>
    where
        Req: 'a;

    /// Calls the service and writes its future into a caller-owned
    /// [`FutureSlot`], where it is polled in place: the *reusable slot*
    /// strategy. Zero allocations once the slot has grown to the largest
    /// future it serves; the future is never moved after it is written.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::pin::pin;
    /// use hybrid_dispatch::{DynService, FutureSlot, service_fn};
    ///
    /// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
    /// #     let mut f = core::pin::pin!(f);
    /// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// let svc = service_fn(|x: u64| async move { x + 1 });
    /// let erased: &dyn DynService<u64, u64> = &svc;
    /// let mut slot = pin!(FutureSlot::new());
    /// assert_eq!(block_on(erased.call_in(slot.as_mut(), 1)), 2);
    /// assert_eq!(block_on(erased.call_in(slot.as_mut(), 2)), 3);
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    fn call_in<'s, 'f>(
        &'f self,
        slot: Pin<&'s mut FutureSlot<'f, Resp, Cap>>,
        req: Req,
    ) -> SlotFuture<'s, dyn Future<Output = Resp> + 'f, Cap>
    where
        Req: 'f;

    /// Calls the service and builds its future in place: inline when it
    /// fits `Cap`, in a buffer taken from `pool` when the pool accepts it
    /// (given back when the future is dropped), in a box otherwise (see
    /// [`InlineBox::new_recycled`](crate::future::InlineBox::new_recycled)).
    /// Make the pool from [`future_layout`](Self::future_layout), and a
    /// steady stream of calls allocates nothing, whatever the future's size.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{DynService, future::RecyclePool, service_fn, capacity::S1};
    ///
    /// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
    /// #     let mut f = core::pin::pin!(f);
    /// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// let svc = service_fn(|x: u64| async move { [x; 32].iter().sum::<u64>() });
    /// let erased: &dyn DynService<u64, u64, S1> = &svc;
    /// let pool = RecyclePool::new(erased.future_layout(), 4);
    /// for i in 0..10 {
    ///     let fut = erased.call_recycled(&pool, i);
    ///     assert!(fut.is_recycled());
    ///     assert_eq!(block_on(fut), 32 * i);
    /// }
    /// assert_eq!(pool.stats().misses, 1);
    /// ```
    #[cfg(feature = "std")]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    fn call_recycled<'a>(&'a self, pool: &'a RecyclePool, req: Req) -> InlineFuture<'a, Resp, Cap>
    where
        Req: 'a;

    /// [`call_dyn`](Self::call_dyn) that returns an error instead of
    /// aborting the process when its future needs memory and the allocator
    /// has none. A future that fits `Cap` never needs any; a larger one is
    /// built in a box allocated **before** the service is called, so a
    /// refused call called nothing and gives its request back in the
    /// [`OutOfMemory`]. The future is built in place in the box, never
    /// moved there (which [`call_dyn`](Self::call_dyn) does).
    ///
    /// # Errors
    ///
    /// [`OutOfMemory`] when the future does not fit `Cap` and the
    /// allocator refuses its box; the service was not called.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{DynService, service_fn, capacity::S1};
    ///
    /// let svc = service_fn(|x: u64| core::future::ready([x; 16])); // 136 bytes: more than `S1` holds
    /// let erased: &dyn DynService<u64, [u64; 16], S1> = &svc;
    /// match erased.try_call_dyn(3) {
    ///     Ok(fut) => assert!(fut.is_heap()),
    ///     Err(refused) => assert_eq!(refused.into_request(), 3), // no memory: retry later
    /// }
    /// ```
    fn try_call_dyn<'a>(
        &'a self,
        req: Req,
    ) -> Result<InlineFuture<'a, Resp, Cap>, OutOfMemory<Req>>
    where
        Req: 'a;

    /// [`call_recycled`](Self::call_recycled) that returns an error
    /// instead of aborting the process when its future needs memory (a
    /// miss of `pool`, or a box for a future the pool does not take) and
    /// the allocator has none. The memory is taken before the service is
    /// called: a refused call called nothing and gives its request back.
    /// Once the pool holds an idle buffer, the call allocates nothing and
    /// cannot be refused.
    ///
    /// # Errors
    ///
    /// [`OutOfMemory`] when the future needs memory and the allocator
    /// refuses it; the service was not called.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{DynService, future::RecyclePool, service_fn};
    ///
    /// let svc = service_fn(|x: u64| core::future::ready([x; 32]));
    /// let erased: &dyn DynService<u64, [u64; 32]> = &svc;
    /// let pool = RecyclePool::new(erased.future_layout(), 4);
    /// drop(erased.try_call_recycled(&pool, 1)?); // a miss: the pool's first buffer
    /// assert!(erased.try_call_recycled(&pool, 2)?.is_recycled()); // no allocation
    /// assert_eq!(pool.stats().misses, 1);
    /// # Ok::<(), hybrid_dispatch::future::OutOfMemory<u64>>(())
    /// ```
    #[cfg(feature = "std")]
    fn try_call_recycled<'a>(
        &'a self,
        pool: &'a RecyclePool,
        req: Req,
    ) -> Result<InlineFuture<'a, Resp, Cap>, OutOfMemory<Req>>
    where
        Req: 'a;

    /// The layout of the future [`call_dyn`](Self::call_dyn) erases, without
    /// calling the service.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{DynService, service_fn, capacity::S2};
    ///
    /// let svc = service_fn(|x: u64| core::future::ready([x; 4])); // 40 bytes
    /// let erased: &dyn DynService<u64, [u64; 4], S2> = &svc;
    /// let layout = erased.future_layout();
    /// assert!(!layout.fits::<S2>()); // so every call will allocate
    /// ```
    fn future_layout(&self) -> FutureLayout;

    /// The concrete service type's name, for diagnostics.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{DynService, service_fn};
    ///
    /// let svc = service_fn(|x: u8| async move { x });
    /// let erased: &dyn DynService<u8, u8> = &svc;
    /// assert!(erased.service_type_name().contains("ServiceFn"));
    /// ```
    fn service_type_name(&self) -> &'static str;
}

static_assertions::assert_obj_safe!(DynService<u8, u8>);

impl<S, Req, Cap: Capacity> DynService<Req, S::Response, Cap> for S
where
    S: Service<Req>,
{
    #[inline]
    fn call_dyn<'a>(&'a self, req: Req) -> InlineFuture<'a, S::Response, Cap>
    where
        Req: 'a,
    {
        let () = PointerRoom::<Cap>::CHECK;
        let future = InlineFuture::new(self.call(req));
        self.observe_erasure(future.erasure());
        future
    }

    fn call_boxed<'a>(&'a self, req: Req) -> Pin<Box<dyn Future<Output = S::Response> + 'a>>
    where
        Req: 'a,
    {
        let future = Box::pin(self.call(req));
        // `Box` allocates nothing for a zero-sized future: report it as
        // such, as `InlineFuture` does.
        let layout = FutureLayout::of_service::<S, Req>();
        self.observe_erasure(Erasure::new(
            layout,
            Placement::of_handle(layout.size() != 0),
        ));
        future
    }

    #[inline]
    fn call_in<'s, 'f>(
        &'f self,
        slot: Pin<&'s mut FutureSlot<'f, S::Response, Cap>>,
        req: Req,
    ) -> SlotFuture<'s, dyn Future<Output = S::Response> + 'f, Cap>
    where
        Req: 'f,
    {
        let () = PointerRoom::<Cap>::CHECK;
        let future = slot.put(self.call(req));
        self.observe_erasure(future.erasure());
        future
    }

    #[cfg(feature = "std")]
    #[inline]
    fn call_recycled<'a>(
        &'a self,
        pool: &'a RecyclePool,
        req: Req,
    ) -> InlineFuture<'a, S::Response, Cap>
    where
        Req: 'a,
    {
        let (future, erasure) = InlineFuture::recycled_erasure(pool, move || self.call(req));
        self.observe_erasure(erasure);
        future
    }

    fn try_call_dyn<'a>(
        &'a self,
        req: Req,
    ) -> Result<InlineFuture<'a, S::Response, Cap>, OutOfMemory<Req>>
    where
        Req: 'a,
    {
        let mut req = Some(req);
        match InlineFuture::try_new_with(|| self.call(lent(&mut req))) {
            Ok(future) => {
                self.observe_erasure(future.erasure());
                Ok(future)
            }
            Err((_, error)) => Err(OutOfMemory::new(error, given_back(req))),
        }
    }

    #[cfg(feature = "std")]
    fn try_call_recycled<'a>(
        &'a self,
        pool: &'a RecyclePool,
        req: Req,
    ) -> Result<InlineFuture<'a, S::Response, Cap>, OutOfMemory<Req>>
    where
        Req: 'a,
    {
        let mut req = Some(req);
        match InlineFuture::try_recycled_erasure(pool, || self.call(lent(&mut req))) {
            Ok((future, erasure)) => {
                self.observe_erasure(erasure);
                Ok(future)
            }
            Err((_, error)) => Err(OutOfMemory::new(error, given_back(req))),
        }
    }

    fn future_layout(&self) -> FutureLayout {
        FutureLayout::of_service::<S, Req>()
    }

    fn service_type_name(&self) -> &'static str {
        core::any::type_name::<S>()
    }
}

/// The `Send + Sync` twin of [`DynService`]: a shared service whose erased
/// futures are `Send`, so `Arc<dyn SendDynService<…>>` can be cloned into
/// `tokio::spawn`ed tasks on a multi-threaded runtime.
///
/// Implemented automatically for every [`SendService`]: a [`Service`] that
/// is `Send + Sync + 'static` and whose futures are `Send` *for every borrow
/// of the service* (`for<'a> S::Future<'a>: Send`). That includes services
/// whose future
/// borrows a request (`impl<'r> Service<&'r str>`): the trait's future type
/// has no `+ 'a` bound to get in the way (see [`Service`]'s docs). One
/// `Service` impl yields both erasures; you never write the service twice.
///
/// # Why `'static`
///
/// "Its futures are `Send` for every `'a`" is a higher-ranked bound over a
/// GAT that carries `where Self: 'a`; rustc 1.95 can only prove it for all
/// `'a` when `Self: 'static` ("due to a current limitation of the type
/// system, this implies a `'static` lifetime"). The "implied bound through a
/// defaulted `&'a Self` parameter" trick does not lift it either (checked).
/// A service that
/// borrows local data still gets [`DynService`]; to share one across
/// threads, make it own its data (`Arc`). *Requests* may still be borrowed.
///
/// ```compile_fail
/// use hybrid_dispatch::{SendDynService, service_fn};
///
/// let limit = 10u64;
/// let svc = service_fn(|x: u64| core::future::ready(x.min(limit))); // borrows `limit`
/// let erased: &dyn SendDynService<u64, u64> = &svc; // error: `limit` does not live long enough
/// ```
///
/// ```
/// use hybrid_dispatch::{DynService, SendDynService, service_fn};
///
/// let limit = 10u64;
/// let borrowing = service_fn(|x: u64| core::future::ready(x.min(limit)));
/// let local: &dyn DynService<u64, u64> = &borrowing; // fine: no `'static` needed
/// let owning = service_fn(move |x: u64| core::future::ready(x.min(limit)));
/// let shared: &dyn SendDynService<u64, u64> = &owning; // fine: owns its data
/// ```
///
/// `SendDynService` extends [`DynService`], so a `&dyn SendDynService<…>`
/// converts to `&dyn DynService<…>` (trait upcasting).
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use hybrid_dispatch::{SendDynService, service_fn};
///
/// #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// async fn main() {
///     let svc: Arc<dyn SendDynService<u64, u64>> =
///         Arc::new(service_fn(|x: u64| async move { x * 3 }));
///     let task = tokio::spawn({
///         let svc = Arc::clone(&svc);
///         async move { svc.call_send(14).await }
///     });
///     assert_eq!(task.await.unwrap(), 42);
/// }
/// ```
///
/// A service whose future is not `Send` does not get this erasure:
///
/// ```compile_fail
/// use std::rc::Rc;
/// use hybrid_dispatch::{SendDynService, service_fn};
///
/// let svc = service_fn(|x: u64| async move {
///     let local = Rc::new(x);
///     core::future::ready(()).await;
///     *local
/// });
/// // error: the future `… Rc<u64> …` cannot be sent between threads safely
/// let erased: &dyn SendDynService<u64, u64> = &svc;
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `SendDynService<{Req}, {Resp}>`",
    label = "needs a `SendService<{Req}>` whose `Response` is `{Resp}`",
    note = "the `Send` erasure takes a `Service<{Req}>` that is `Send + Sync + 'static` and whose futures are `Send` for every borrow: a `SendService<{Req}>`",
    note = "a closure or `fn` taking `{Req}` and returning a future becomes a service with `hybrid_dispatch::service_fn`"
)]
pub trait SendDynService<Req, Resp, Cap: Capacity = DefaultCapacity>:
    DynService<Req, Resp, Cap> + Send + Sync
{
    /// Calls the service and erases its `Send` future into a
    /// [`SendInlineFuture`].
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{SendDynService, service_fn};
    ///
    /// let svc = service_fn(|x: u64| async move { x + 1 });
    /// let erased: &dyn SendDynService<u64, u64> = &svc;
    /// let fut = erased.call_send(1);
    /// assert!(!fut.is_heap());
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    fn call_send<'a>(&'a self, req: Req) -> SendInlineFuture<'a, Resp, Cap>
    where
        Req: 'a;

    /// [`DynService::call_boxed`] with a `Send` future.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{SendDynService, service_fn};
    ///
    /// let svc = service_fn(|x: u64| async move { x + 1 });
    /// let erased: &dyn SendDynService<u64, u64> = &svc;
    /// let fut: core::pin::Pin<Box<dyn core::future::Future<Output = u64> + Send + '_>> =
    ///     erased.call_send_boxed(1);
    /// # drop(fut);
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    fn call_send_boxed<'a>(&'a self, req: Req) -> Pin<Box<dyn Future<Output = Resp> + Send + 'a>>
    where
        Req: 'a;

    /// [`DynService::call_recycled`] with a `Send` future: what
    /// [`Registry`](crate::Registry) and [`Recycled`](crate::Recycled) call.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use hybrid_dispatch::{SendDynService, future::RecyclePool, service_fn};
    ///
    /// #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
    /// async fn main() {
    ///     let svc: Arc<dyn SendDynService<u64, u64>> =
    ///         Arc::new(service_fn(|x: u64| async move { [x; 64].iter().sum::<u64>() }));
    ///     let pool = Arc::new(RecyclePool::new(svc.future_layout(), 8));
    ///     let task = tokio::spawn(async move { svc.call_send_recycled(&pool, 2).await });
    ///     assert_eq!(task.await.unwrap(), 128);
    /// }
    /// ```
    #[cfg(feature = "std")]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    fn call_send_recycled<'a>(
        &'a self,
        pool: &'a RecyclePool,
        req: Req,
    ) -> SendInlineFuture<'a, Resp, Cap>
    where
        Req: 'a;

    /// [`DynService::try_call_dyn`] with a `Send` future: a call that
    /// returns its request in an [`OutOfMemory`] instead of aborting the
    /// process when its future needs a box and the allocator has none.
    ///
    /// # Errors
    ///
    /// [`OutOfMemory`] when the future does not fit `Cap` and the
    /// allocator refuses its box; the service was not called.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use hybrid_dispatch::{SendDynService, future::OutOfMemory, service_fn};
    ///
    /// async fn answer(svc: &dyn SendDynService<u64, u64>, x: u64) -> Result<u64, OutOfMemory<u64>> {
    ///     Ok(svc.try_call_send(x)?.await)
    /// }
    ///
    /// #[tokio::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let svc: Arc<dyn SendDynService<u64, u64>> =
    ///         Arc::new(service_fn(|x: u64| async move { [x; 32].iter().sum::<u64>() }));
    ///     assert_eq!(answer(&*svc, 2).await, Ok(64));
    /// }
    /// ```
    fn try_call_send<'a>(
        &'a self,
        req: Req,
    ) -> Result<SendInlineFuture<'a, Resp, Cap>, OutOfMemory<Req>>
    where
        Req: 'a;

    /// [`DynService::try_call_recycled`] with a `Send` future: what
    /// [`Recycled::try_call`](crate::Recycled::try_call) calls.
    ///
    /// # Errors
    ///
    /// [`OutOfMemory`] when the future needs memory (a miss of `pool`, or
    /// a box) and the allocator refuses it; the service was not called.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{SendDynService, future::RecyclePool, service_fn};
    ///
    /// let svc = service_fn(|x: u64| core::future::ready([x; 32]));
    /// let erased: &dyn SendDynService<u64, [u64; 32]> = &svc;
    /// let pool = RecyclePool::new(erased.future_layout(), 4);
    /// let fut = erased.try_call_send_recycled(&pool, 1)?;
    /// assert!(fut.is_recycled());
    /// # Ok::<(), hybrid_dispatch::future::OutOfMemory<u64>>(())
    /// ```
    #[cfg(feature = "std")]
    fn try_call_send_recycled<'a>(
        &'a self,
        pool: &'a RecyclePool,
        req: Req,
    ) -> Result<SendInlineFuture<'a, Resp, Cap>, OutOfMemory<Req>>
    where
        Req: 'a;

    /// [`DynService::call_in`] with a [`SendFutureSlot`].
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{SendDynService, SendFutureSlot, service_fn};
    ///
    /// let svc = service_fn(|x: u64| async move { x + 1 });
    /// let erased: &dyn SendDynService<u64, u64> = &svc;
    /// let mut slot = Box::pin(SendFutureSlot::new());
    /// let fut = erased.call_send_in(slot.as_mut(), 1);
    /// assert!(!fut.is_heap());
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    fn call_send_in<'s, 'f>(
        &'f self,
        slot: Pin<&'s mut SendFutureSlot<'f, Resp, Cap>>,
        req: Req,
    ) -> SlotFuture<'s, dyn Future<Output = Resp> + Send + 'f, Cap>
    where
        Req: 'f;
}

impl<S, Req, Cap: Capacity> SendDynService<Req, S::Response, Cap> for S
where
    S: SendService<Req>,
{
    #[inline]
    fn call_send<'a>(&'a self, req: Req) -> SendInlineFuture<'a, S::Response, Cap>
    where
        Req: 'a,
    {
        let () = PointerRoom::<Cap>::CHECK;
        let future = SendInlineFuture::new(self.call(req));
        self.observe_erasure(future.erasure());
        future
    }

    fn call_send_boxed<'a>(
        &'a self,
        req: Req,
    ) -> Pin<Box<dyn Future<Output = S::Response> + Send + 'a>>
    where
        Req: 'a,
    {
        let future = Box::pin(self.call(req));
        // `Box` allocates nothing for a zero-sized future: report it as
        // such, as `InlineFuture` does.
        let layout = FutureLayout::of_service::<S, Req>();
        self.observe_erasure(Erasure::new(
            layout,
            Placement::of_handle(layout.size() != 0),
        ));
        future
    }

    #[cfg(feature = "std")]
    #[inline]
    fn call_send_recycled<'a>(
        &'a self,
        pool: &'a RecyclePool,
        req: Req,
    ) -> SendInlineFuture<'a, S::Response, Cap>
    where
        Req: 'a,
    {
        let (future, erasure) = SendInlineFuture::recycled_erasure(pool, move || self.call(req));
        self.observe_erasure(erasure);
        future
    }

    fn try_call_send<'a>(
        &'a self,
        req: Req,
    ) -> Result<SendInlineFuture<'a, S::Response, Cap>, OutOfMemory<Req>>
    where
        Req: 'a,
    {
        let mut req = Some(req);
        match SendInlineFuture::try_new_with(|| self.call(lent(&mut req))) {
            Ok(future) => {
                self.observe_erasure(future.erasure());
                Ok(future)
            }
            Err((_, error)) => Err(OutOfMemory::new(error, given_back(req))),
        }
    }

    #[cfg(feature = "std")]
    fn try_call_send_recycled<'a>(
        &'a self,
        pool: &'a RecyclePool,
        req: Req,
    ) -> Result<SendInlineFuture<'a, S::Response, Cap>, OutOfMemory<Req>>
    where
        Req: 'a,
    {
        let mut req = Some(req);
        match SendInlineFuture::try_recycled_erasure(pool, || self.call(lent(&mut req))) {
            Ok((future, erasure)) => {
                self.observe_erasure(erasure);
                Ok(future)
            }
            Err((_, error)) => Err(OutOfMemory::new(error, given_back(req))),
        }
    }

    #[inline]
    fn call_send_in<'s, 'f>(
        &'f self,
        slot: Pin<&'s mut SendFutureSlot<'f, S::Response, Cap>>,
        req: Req,
    ) -> SlotFuture<'s, dyn Future<Output = S::Response> + Send + 'f, Cap>
    where
        Req: 'f,
    {
        let () = PointerRoom::<Cap>::CHECK;
        let future = slot.put(self.call(req));
        self.observe_erasure(future.erasure());
        future
    }
}

/// The request of a `try_` call, taken by the build's `make` once the
/// memory is there: the build calls `make` at most once.
#[inline]
pub(crate) fn lent<Req>(req: &mut Option<Req>) -> Req {
    req.take().expect("a build calls `make` at most once")
}

/// The request of a refused `try_` call: a build that fails gives `make`
/// back without calling it, so the request is still there.
#[cold]
pub(crate) fn given_back<Req>(req: Option<Req>) -> Req {
    req.expect("a refused build does not call `make`")
}
