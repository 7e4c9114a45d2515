//! [`SendDynService`]: the `Send + Sync` erasure, for multi-threaded use.

use alloc::boxed::Box;
use core::future::Future;
use core::pin::Pin;

use crate::layout::{Erasure, FutureLayout, Placement};
use crate::space::{Capacity, DefaultSpace};
use crate::{DynService, SendFutureSlot, SendInlineFuture, Service, SlotFuture};

/// The `Send + Sync` twin of [`DynService`]: a shared service whose erased
/// futures are `Send`, so `Arc<dyn SendDynService<…>>` can be cloned into
/// `tokio::spawn`ed tasks on a multi-threaded runtime.
///
/// Implemented automatically for every [`Service`] that is `Send + Sync +
/// 'static` and whose futures are `Send` *for every borrow of the service*
/// (`for<'a> S::Future<'a>: Send`). That includes services whose future
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
/// The bound is written out so the error says so plainly. A service that
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
pub trait SendDynService<Req, Resp, Space: Capacity = DefaultSpace>:
    DynService<Req, Resp, Space> + Send + Sync
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
    fn call_send<'a>(&'a self, req: Req) -> SendInlineFuture<'a, Resp, Space>
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
        slot: Pin<&'s mut SendFutureSlot<'f, Resp, Space>>,
        req: Req,
    ) -> SlotFuture<'s, dyn Future<Output = Resp> + Send + 'f, Space>
    where
        Req: 'f;
}

impl<S, Req, Space: Capacity> SendDynService<Req, S::Response, Space> for S
where
    S: Service<Req> + Send + Sync + 'static,
    for<'a> S::Future<'a>: Send,
{
    #[inline]
    fn call_send<'a>(&'a self, req: Req) -> SendInlineFuture<'a, S::Response, Space>
    where
        Req: 'a,
    {
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

    #[inline]
    fn call_send_in<'s, 'f>(
        &'f self,
        slot: Pin<&'s mut SendFutureSlot<'f, S::Response, Space>>,
        req: Req,
    ) -> SlotFuture<'s, dyn Future<Output = S::Response> + Send + 'f, Space>
    where
        Req: 'f,
    {
        let future = slot.put(self.call(req));
        self.observe_erasure(future.erasure());
        future
    }
}
