//! [`DynService`]: every [`Service`] as a `dyn` object with inline futures.

use alloc::boxed::Box;
use core::future::Future;
use core::pin::Pin;

use crate::layout::{Erasure, FutureLayout, Placement};
use crate::space::{Capacity, DefaultSpace};
use crate::{FutureSlot, InlineFuture, Service, SlotFuture};

/// A [`Service`] behind `dyn`: the future it returns is erased into an
/// [`InlineFuture`] with inline capacity `Space`.
///
/// You never implement `DynService`: it is implemented for every `Service`
/// whose response is `Resp`. Use it where the concrete service is not known
/// at compile time — a registry, a configuration-chosen backend — as
/// `&dyn DynService<Req, Resp>`, `Box<dyn …>` or `Arc<dyn …>`.
///
/// Futures up to `Space` in size and alignment stay in the returned handle
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
pub trait DynService<Req, Resp, Space: Capacity = DefaultSpace> {
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
    fn call_dyn<'a>(&'a self, req: Req) -> InlineFuture<'a, Resp, Space>
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
        slot: Pin<&'s mut FutureSlot<'f, Resp, Space>>,
        req: Req,
    ) -> SlotFuture<'s, dyn Future<Output = Resp> + 'f, Space>
    where
        Req: 'f;

    /// The layout of the future [`call_dyn`](Self::call_dyn) erases, without
    /// calling the service.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{DynService, service_fn, space::S2};
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

impl<S, Req, Space: Capacity> DynService<Req, S::Response, Space> for S
where
    S: Service<Req>,
{
    #[inline]
    fn call_dyn<'a>(&'a self, req: Req) -> InlineFuture<'a, S::Response, Space>
    where
        Req: 'a,
    {
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
        slot: Pin<&'s mut FutureSlot<'f, S::Response, Space>>,
        req: Req,
    ) -> SlotFuture<'s, dyn Future<Output = S::Response> + 'f, Space>
    where
        Req: 'f,
    {
        let future = slot.put(self.call(req));
        self.observe_erasure(future.erasure());
        future
    }

    fn future_layout(&self) -> FutureLayout {
        FutureLayout::of_service::<S, Req>()
    }

    fn service_type_name(&self) -> &'static str {
        core::any::type_name::<S>()
    }
}
