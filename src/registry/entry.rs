//! One registered service and its counters, shared by the registry's map,
//! every [`Handle`](super::Handle) and every call in flight.

use crate::erase::dyn_service::SendDynService;
use crate::registry::call::RegistryFuture;
use crate::registry::counters::{Counters, Outcome};
use crate::registry::stats::EntryStats;
use crate::space::Capacity;
use alloc::sync::Arc;

/// A registered service. `S` is the concrete service when the entry is
/// built and `dyn TrackedService<…>` once it is shared: keeping the service
/// as the last field lets `Arc<Entry<S>>` coerce to `Arc<Entry<dyn …>>`, so
/// a call goes `Arc` → vtable with no second pointer (a `Box<dyn …>` field
/// would add one dependent load per call).
pub(super) struct Entry<S: ?Sized> {
    pub(super) name: Arc<str>,
    pub(super) counters: Counters,
    pub(super) service: S,
}

/// The shared form of an entry.
pub(super) type DynEntry<Req, Resp, Space> = Entry<dyn TrackedService<Req, Resp, Space>>;

impl<Req, Resp, Space: Capacity> DynEntry<Req, Resp, Space> {
    /// A snapshot of the entry's counters.
    pub(super) fn stats(&self) -> EntryStats {
        let layout = self.service.future_layout();
        self.counters
            .snapshot(layout.size() as u64, !layout.fits::<Space>())
    }
}

/// [`SendDynService`] plus one method that builds the whole
/// [`RegistryFuture`] on the callee's side of the `dyn` call.
///
/// Why not call `call_send` through `dyn SendDynService` and wrap its result?
/// Then the erased future is returned into a temporary and *moved* into the
/// wrapper: a copy of the whole handle (128 bytes with the default
/// capacity; with the earlier 144-byte handle, a `memcpy` measured at +8 to
/// +16 % per call against a plain `dyn` call in `benches/registry.rs`; see
/// `BENCHMARKS.md` on the cost of moving a handle). Here `call_send` is inlined into `call_tracked`, so the future is
/// written straight into the returned `RegistryFuture`. Every
/// `SendDynService` is a `TrackedService`, so the registry accepts exactly
/// the services of the `Send + Sync` erasure and erases them with it.
pub(super) trait TrackedService<Req, Resp, Space: Capacity>:
    SendDynService<Req, Resp, Space>
{
    /// `call_send`, counted on `counters` and wrapped to count its end.
    fn call_tracked<'a>(
        &'a self,
        req: Req,
        counters: &'a Counters,
    ) -> RegistryFuture<'a, Resp, Space>
    where
        Req: 'a;
}

impl<S, Req, Resp, Space: Capacity> TrackedService<Req, Resp, Space> for S
where
    S: SendDynService<Req, Resp, Space>,
{
    #[inline]
    fn call_tracked<'a>(
        &'a self,
        req: Req,
        counters: &'a Counters,
    ) -> RegistryFuture<'a, Resp, Space>
    where
        Req: 'a,
    {
        // Counted before the call: see `Counters`. If `call` panics, the
        // guard counts the call as panicked, so the books still balance.
        let guard = StartGuard::new(counters, || !self.future_layout().fits::<Space>());
        let future = RegistryFuture::new(self.call_send(req), counters);
        guard.defuse();
        future
    }
}

/// Counts a started call as panicked unless defused: for a `Service::call`
/// (or a twin's method) that panics before there is a future to count the
/// end. Shared with [`TwinHandle::track`](crate::twin::TwinHandle::track).
pub(crate) struct StartGuard<'a, H: Fn() -> bool> {
    counters: &'a Counters,
    heap: H,
}

impl<'a, H: Fn() -> bool> StartGuard<'a, H> {
    #[inline]
    pub(crate) fn new(counters: &'a Counters, heap: H) -> Self {
        counters.started();
        StartGuard { counters, heap }
    }

    #[inline]
    pub(crate) fn defuse(self) {
        core::mem::forget(self);
    }
}

impl<H: Fn() -> bool> Drop for StartGuard<'_, H> {
    fn drop(&mut self) {
        self.counters.finished((self.heap)(), Outcome::Panicked);
    }
}
