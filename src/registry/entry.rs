//! One registered service and its counters, shared by the registry's map,
//! every [`Handle`](super::Handle) and every call in flight.

use crate::capacity::Capacity;
use crate::erase::dyn_service::SendDynService;
use crate::future::recycled::RecyclePool;
use crate::registry::call::{RegistryFuture, StartGuard};
use crate::registry::counters::{Counters, Place};
use crate::registry::sizing::EntrySizing;
use crate::registry::stats::CallStats;
use alloc::sync::Arc;

/// A registered service. `S` is the concrete service when the entry is
/// built and `dyn TrackedService<…>` once it is shared: keeping the service
/// as the last field lets `Arc<Entry<S>>` coerce to `Arc<Entry<dyn …>>`, so
/// a call goes `Arc` → vtable with no second pointer (a `Box<dyn …>` field
/// would add one dependent load per call).
pub(super) struct Entry<S: ?Sized> {
    pub(super) name: Arc<str>,
    pub(super) counters: Counters,
    /// Buffers for the service's futures when they do not fit inline; keeps
    /// nothing (and accepts nothing) when they fit or recycling is off.
    pub(super) pool: RecyclePool,
    /// Where every call's future goes (a property of the future's type and
    /// of the pool): how calls in flight are counted.
    pub(super) place: Place,
    pub(super) service: S,
}

impl<S: ?Sized> Entry<S> {
    /// The pool and placement for futures of `layout` in a registry of
    /// capacity `Cap`: inline when they fit (or are zero-sized), else
    /// recycled when `max_idle` (default: [`RecyclePool::default_max_idle`])
    /// is not 0, else the heap.
    pub(super) fn placement<Cap: Capacity>(
        layout: crate::layout::FutureLayout,
        max_idle: Option<usize>,
    ) -> (RecyclePool, Place) {
        let max_idle = if fits::<Cap>(layout) {
            0
        } else {
            max_idle.unwrap_or_else(|| RecyclePool::default_max_idle(layout))
        };
        let place = place::<Cap>(layout, max_idle);
        (RecyclePool::new(layout, max_idle), place)
    }
}

/// Whether futures of `layout` stay in a handle of capacity `Cap`.
fn fits<Cap: Capacity>(layout: crate::layout::FutureLayout) -> bool {
    layout.size() == 0 || layout.fits::<Cap>()
}

/// Where futures of `layout` go, with a pool keeping `max_idle` buffers.
fn place<Cap: Capacity>(layout: crate::layout::FutureLayout, max_idle: usize) -> Place {
    if fits::<Cap>(layout) {
        Place::Inline
    } else if max_idle == 0 {
        Place::Heap
    } else {
        Place::Recycled
    }
}

/// The shared form of an entry.
pub(super) type DynEntry<Req, Resp, Cap> = Entry<dyn TrackedService<Req, Resp, Cap>>;

impl<Req, Resp, Cap: Capacity> DynEntry<Req, Resp, Cap> {
    /// Calls the service, counted, its future built in place.
    #[inline]
    pub(super) fn call<'a>(&'a self, req: Req) -> RegistryFuture<'a, Resp, Cap>
    where
        Req: 'a,
    {
        self.service.call_tracked(req, &self.counters, &self.pool)
    }

    /// Where the entry's futures go.
    pub(super) fn sizing(&self) -> EntrySizing {
        EntrySizing::new::<Cap>(
            self.service.service_type_name(),
            self.service.future_layout(),
        )
        .with_pool(self.pool.max_idle(), self.pool.buffer_bytes())
    }

    /// A snapshot of the entry's counters.
    pub(super) fn stats(&self) -> CallStats {
        let layout = self.service.future_layout();
        let pool = self.pool.stats();
        CallStats {
            recycle_misses: pool.misses,
            idle_buffers: pool.idle,
            idle_bytes: pool.idle_bytes,
            ..self.counters.snapshot_in(layout.size() as u64, self.place)
        }
    }
}

/// [`SendDynService`] plus one method that builds the whole
/// [`RegistryFuture`] on the callee's side of the `dyn` call, with the
/// service's future built in place (inline, or in a buffer from the entry's
/// pool).
///
/// Why not call `call_send` through `dyn SendDynService` and wrap its result?
/// Then the erased future is returned into a temporary and *moved* into the
/// wrapper: a copy of the whole handle (128 bytes with the default
/// capacity; a larger handle's copy is a `memcpy` call, which
/// `benches/registry.rs` measured as a cost on every call; `BENCHMARKS.md`
/// has what moving a handle costs). Here `call_send` is inlined into
/// `call_tracked`, so the future is written straight into the returned
/// `RegistryFuture`. Every
/// `SendDynService` is a `TrackedService`, so the registry accepts exactly
/// the services of the `Send + Sync` erasure and erases them with it.
pub(super) trait TrackedService<Req, Resp, Cap: Capacity>:
    SendDynService<Req, Resp, Cap>
{
    /// `call_send_recycled`, counted on `counters` and wrapped to count its
    /// end.
    fn call_tracked<'a>(
        &'a self,
        req: Req,
        counters: &'a Counters,
        pool: &'a RecyclePool,
    ) -> RegistryFuture<'a, Resp, Cap>
    where
        Req: 'a;
}

impl<S, Req, Resp, Cap: Capacity> TrackedService<Req, Resp, Cap> for S
where
    S: SendDynService<Req, Resp, Cap>,
{
    #[inline]
    fn call_tracked<'a>(
        &'a self,
        req: Req,
        counters: &'a Counters,
        pool: &'a RecyclePool,
    ) -> RegistryFuture<'a, Resp, Cap>
    where
        Req: 'a,
    {
        // Counted before the call: see `Counters`. If `call` panics, the
        // guard counts the call as panicked, so the books still balance.
        let guard = StartGuard::new(counters, || {
            place::<Cap>(self.future_layout(), pool.max_idle())
        });
        let future = RegistryFuture::new(self.call_send_recycled(pool, req), counters);
        guard.defuse();
        future
    }
}
