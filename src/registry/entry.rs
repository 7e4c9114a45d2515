//! One registered service and its counters, shared by the registry's map,
//! every [`Handle`](super::Handle) and every call in flight.

use alloc::sync::Arc;
use core::sync::atomic::AtomicU64;
use core::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use crate::SendDynService;
use crate::registry::{EntryStats, RegistryFuture};
use crate::space::Capacity;

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
/// wrapper: rustc 1.95 emits a `memcpy` of the whole handle (144 bytes with
/// the default capacity), measured at +8 to +16 % per call against a plain
/// `dyn` call (`benches/registry.rs`; `DESIGN.md` on the cost of moving a
/// handle). Here `call_send` is inlined into `call_tracked`, so the future is
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
        // guard counts the call as cancelled, so the books still balance.
        let guard = StartGuard::new(counters, || !self.future_layout().fits::<Space>());
        let future = RegistryFuture::new(self.call_send(req), counters);
        guard.defuse();
        future
    }
}

/// Counts a started call as cancelled unless defused: for a `Service::call`
/// that panics before there is a future to count the end.
struct StartGuard<'a, H: Fn() -> bool> {
    counters: &'a Counters,
    heap: H,
}

impl<'a, H: Fn() -> bool> StartGuard<'a, H> {
    #[inline]
    fn new(counters: &'a Counters, heap: H) -> Self {
        counters.started();
        StartGuard { counters, heap }
    }

    #[inline]
    fn defuse(self) {
        core::mem::forget(self);
    }
}

impl<H: Fn() -> bool> Drop for StartGuard<'_, H> {
    fn drop(&mut self) {
        self.counters.finished((self.heap)(), false);
    }
}

/// Per-entry counters: two uncontended atomic adds per call, one before the
/// service is called and one when the call's future is dropped.
///
/// * `started` is counted *before* the `dyn` call, not after it: right after
///   the call, the freshly written future (up to 144 bytes) is still in the
///   store buffer, and an atomic add behind it waits for it to drain (our
///   reading of the assembly): measured at +15 to +18 % of a whole call
///   (`benches/registry.rs`), against +1 to +5 % counted before.
/// * `ended` is indexed by where the future lived and how it ended
///   ([`ended_index`]), so the drop pays one add whatever happened.
/// * Nothing else is stored. `in_flight = started - ended`; a call's
///   placement is recorded when it ends, and calls still in flight are
///   attributed by the service's future layout, which decides the placement
///   of every call (it is a property of the future's type, see
///   [`FutureLayout::fits`](crate::FutureLayout::fits)), so the split is
///   exact, not an estimate; and `heap_bytes = heap × future size` for the
///   same reason. A separate in-flight gauge, or placement counters at the
///   start, would each cost more atomic adds per call.
///
/// Ordering: the start of a call happens before its end (the future is
/// created before it is dropped, and moving it to another thread
/// synchronizes). Ends are counted with `Release` and read first, with
/// `Acquire`, so a snapshot sees at least the starts of the calls whose ends
/// it sees: `in_flight` never underflows.
#[derive(Debug, Default)]
pub(super) struct Counters {
    started: AtomicU64,
    ended: [AtomicU64; 4],
}

/// Where a call's `ended` count goes.
const fn ended_index(heap: bool, completed: bool) -> usize {
    (heap as usize) << 1 | completed as usize
}

impl Counters {
    #[inline]
    pub(super) fn started(&self) {
        self.started.fetch_add(1, Relaxed);
    }

    /// Counts the end of a call: its future, inline or on the heap, was
    /// dropped after `Ready` (`completed`) or before it.
    #[inline]
    pub(super) fn finished(&self, heap: bool, completed: bool) {
        self.ended[ended_index(heap, completed)].fetch_add(1, Release);
    }

    /// A snapshot, for a service whose futures are `future_size` bytes and
    /// go to the heap when `heap`.
    pub(super) fn snapshot(&self, future_size: u64, heap: bool) -> EntryStats {
        // Ends first, then starts: see the type's docs.
        let ended = |heap, completed| self.ended[ended_index(heap, completed)].load(Acquire);
        let (inline_done, inline_cancelled) = (ended(false, true), ended(false, false));
        let (heap_done, heap_cancelled) = (ended(true, true), ended(true, false));
        let calls = self.started.load(Relaxed);
        let completed = inline_done + heap_done;
        let cancelled = inline_cancelled + heap_cancelled;
        let in_flight = calls.saturating_sub(completed + cancelled);
        let (inline_in_flight, heap_in_flight) = if heap { (0, in_flight) } else { (in_flight, 0) };
        let heap = heap_done + heap_cancelled + heap_in_flight;
        EntryStats {
            calls,
            inline: inline_done + inline_cancelled + inline_in_flight,
            heap,
            heap_bytes: heap * future_size,
            completed,
            cancelled,
            in_flight,
        }
    }
}
