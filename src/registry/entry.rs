//! One registered service and its counters, shared by the registry's map,
//! every [`Handle`](super::Handle) and every call in flight.

use crate::capacity::Capacity;
use crate::erase::dyn_service::{given_back, lent};
use crate::future::alloc_error::OutOfMemory;
use crate::future::inline_box::SendInlineFuture;
use crate::future::owning::{Owned, OwnerCell, fits_with_owner};
use crate::future::recycled::RecyclePool;
use crate::layout::{FutureLayout, Placement, Tracked};
use crate::registry::call::{RegistryFuture, StartGuard};
use crate::registry::counters::Counters;
use crate::registry::names::Map;
use crate::registry::sizing::EntrySizing;
use crate::registry::stats::CallStats;
use crate::service::{SendService, Service};
use alloc::sync::Arc;

/// A registered service. Shared as `Arc<dyn EntryObject<…>>`: the entry
/// itself is the trait object, so that its methods run with `S` known and
/// every field at an offset fixed at compile time. (With the service as
/// an unsized last field, `Entry<dyn …>`, every call computed the
/// service's and the counters' offsets from the vtable's alignment: 17
/// instructions per handle call, measured with callgrind. A `Box<dyn …>`
/// field would add one dependent load per call instead.)
pub(super) struct Entry<S> {
    pub(super) name: Arc<str>,
    pub(super) counters: Counters,
    /// Buffers for the service's futures when they do not fit inline; keeps
    /// nothing (and accepts nothing) when they fit or recycling is off.
    pub(super) pool: RecyclePool,
    /// What one call stores ([`Entry::stored_layout`]).
    pub(super) layout: FutureLayout,
    pub(super) service: S,
}

impl<S> Entry<S> {
    /// What one call of `S` stores, inline or in a buffer: the service's
    /// future [`Tracked`] in the entry's counters, which is one pointer more
    /// than the future (the counting happens inside the erased future, so
    /// the caller's handle is a plain
    /// [`SendInlineFuture`]: 128 bytes with the default capacity, copied by
    /// `.await` without a `memcpy` call).
    pub(super) fn stored_layout<'a, Req>() -> FutureLayout
    where
        S: Service<Req> + 'a,
    {
        FutureLayout::tracked::<'a, S::Future<'a>, Counters>()
    }

    /// Whether a call by name keeps the future inline: with the snapshot
    /// that keeps the entry alive beside it, 16 bytes more than a call
    /// through a handle stores.
    pub(super) fn by_name_fits<'a, Req, Resp, Cap: Capacity>() -> bool
    where
        S: Service<Req> + 'a,
    {
        fits_with_owner::<Tracked<'a, S::Future<'a>, Counters>, EntryMap<Req, Resp, Cap>, Cap>()
    }

    /// The pool and placement for futures of `layout` in a registry of
    /// capacity `Cap`: inline when they fit (or are zero-sized), else
    /// recycled when `max_idle` (default: [`RecyclePool::default_max_idle`])
    /// is not 0, else the heap. The placement is a handle's; a call by
    /// name (`by_name_fits`: see [`by_name_fits`](Self::by_name_fits))
    /// recycles futures within 16 bytes of the capacity too, so the pool
    /// keeps buffers for them.
    pub(super) fn placement<Cap: Capacity>(
        layout: crate::layout::FutureLayout,
        by_name_fits: bool,
        max_idle: Option<usize>,
    ) -> (RecyclePool, Placement) {
        let max_idle = if fits::<Cap>(layout) && by_name_fits {
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
fn place<Cap: Capacity>(layout: crate::layout::FutureLayout, max_idle: usize) -> Placement {
    if fits::<Cap>(layout) {
        Placement::Inline
    } else if max_idle == 0 {
        Placement::Heap
    } else {
        Placement::Recycled
    }
}

/// The shared form of an entry.
pub(super) type DynEntry<Req, Resp, Cap> = dyn EntryObject<Req, Resp, Cap>;

/// The name map entries are found in by name: what a call by name's
/// snapshot keeps alive.
pub(super) type EntryMap<Req, Resp, Cap> = Map<DynEntry<Req, Resp, Cap>>;

/// What the registry, its handles and its calls do with an entry without
/// knowing its service's type.
pub(super) trait EntryObject<Req, Resp, Cap: Capacity>: Send + Sync {
    /// Calls the service, counted, its future built in place.
    fn call<'a>(&'a self, req: Req) -> RegistryFuture<'a, Resp, Cap>
    where
        Req: 'a;

    /// [`call`](Self::call), or the request back when its future needs
    /// memory the allocator refuses (taken before the service is called
    /// and the call counted).
    fn try_call<'a>(&'a self, req: Req) -> Result<RegistryFuture<'a, Resp, Cap>, OutOfMemory<Req>>
    where
        Req: 'a;

    /// [`call`](Self::call), for a call by name: the future is built with
    /// room for the snapshot of the names this entry was found in, which
    /// the registry stores there ([`call_owned`](crate::future::owning::call_owned)).
    fn call_by_name<'a>(
        &'a self,
        req: Req,
        owner: OwnerCell<'a, EntryMap<Req, Resp, Cap>>,
    ) -> Owned<'a, EntryMap<Req, Resp, Cap>, Resp, Cap>
    where
        Req: 'a;

    /// The name it was registered under.
    fn name(&self) -> &str;

    /// A snapshot of its counters and pool.
    fn stats(&self) -> CallStats;

    /// How its futures fit the registry's capacity.
    fn sizing(&self) -> EntrySizing;

    /// Frees its pool's idle buffers; returns how many.
    fn trim(&self) -> usize;

    /// The service's type name.
    fn service_type_name(&self) -> &'static str;

    /// The layout of the service's futures.
    fn future_layout(&self) -> FutureLayout;
}

impl<S, Req, Resp, Cap: Capacity> EntryObject<Req, Resp, Cap> for Entry<S>
where
    S: SendService<Req, Response = Resp>,
{
    #[inline]
    fn call<'a>(&'a self, req: Req) -> RegistryFuture<'a, Resp, Cap>
    where
        Req: 'a,
    {
        let (counters, pool) = (&self.counters, &self.pool);
        // Counted before the call: see `Counters`. If `call` panics, the
        // guard counts the call as panicked, so the books still balance.
        let guard = StartGuard::new(counters);
        let (future, erasure) = SendInlineFuture::recycled_erasure(pool, move || {
            Tracked::started(self.service.call(req), counters)
        });
        guard.defuse();
        self.service.observe_erasure(erasure);
        future
    }

    fn try_call<'a>(&'a self, req: Req) -> Result<RegistryFuture<'a, Resp, Cap>, OutOfMemory<Req>>
    where
        Req: 'a,
    {
        let (counters, pool) = (&self.counters, &self.pool);
        let mut req = Some(req);
        // Counted once the memory is there: a refused call is not a call.
        let built = SendInlineFuture::try_recycled_erasure(pool, || {
            let guard = StartGuard::new(counters);
            let future = Tracked::started(self.service.call(lent(&mut req)), counters);
            guard.defuse();
            future
        });
        match built {
            Ok((future, erasure)) => {
                self.service.observe_erasure(erasure);
                Ok(future)
            }
            Err((_, error)) => Err(OutOfMemory::new(error, given_back(req))),
        }
    }

    #[inline]
    fn call_by_name<'a>(
        &'a self,
        req: Req,
        owner: OwnerCell<'a, EntryMap<Req, Resp, Cap>>,
    ) -> Owned<'a, EntryMap<Req, Resp, Cap>, Resp, Cap>
    where
        Req: 'a,
    {
        let (counters, pool) = (&self.counters, &self.pool);
        // As in `call`; the snapshot that keeps this entry alive is held
        // by the caller meanwhile, and stored in the future after.
        let guard = StartGuard::new(counters);
        let (future, erasure) = Owned::build(pool, owner, move || {
            Tracked::started(self.service.call(req), counters)
        });
        guard.defuse();
        self.service.observe_erasure(erasure);
        future
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn stats(&self) -> CallStats {
        let layout = self.layout;
        let pool = self.pool.stats();
        let counted = self.counters.snapshot(layout.size() as u64);
        CallStats {
            allocations: counted.allocations + pool.misses,
            allocated_bytes: counted.allocated_bytes + pool.misses * pool.buffer_bytes,
            recycle_misses: pool.misses,
            idle_buffers: pool.idle,
            idle_bytes: pool.idle_bytes,
            ..counted
        }
    }

    fn sizing(&self) -> EntrySizing {
        EntrySizing::new::<Cap>(core::any::type_name::<S>(), self.layout)
            .with_pool(self.pool.max_idle(), self.pool.buffer_bytes())
    }

    fn trim(&self) -> usize {
        self.pool.trim()
    }

    fn service_type_name(&self) -> &'static str {
        core::any::type_name::<S>()
    }

    fn future_layout(&self) -> FutureLayout {
        self.layout
    }
}
