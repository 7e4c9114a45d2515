//! [`Counted`]: per-service call, placement and allocation counters, and
//! [`PlacementStats`], a snapshot of them.

use core::fmt;
use core::ops::Add;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crate::layout::{Erasure, Placement};
use crate::service::Service;

/// Wraps a service and counts its calls and where its erased futures went.
///
/// * `calls`: every call, static or through `dyn`;
/// * `inline` / `heap`: calls made through `dyn` whose future stayed in the
///   handle's buffer / went to a heap allocation;
/// * `slot_heap`: calls through [`DynService::call_in`](crate::DynService::call_in)
///   whose future went to the slot's heap buffer;
/// * `allocations` / `allocated_bytes`: the calls that allocated, and what:
///   each heap spill (the future's size), and each `call_in` for which the
///   slot had to grow its buffer (the new buffer's size). A slot reused
///   without growing allocates nothing.
///
/// The counters are relaxed atomics, so a `Counted` can be shared by many
/// threads; each call costs one uncontended atomic add (two when erased).
/// Services that are not wrapped pay nothing: the erasure hook they inherit,
/// [`Service::observe_erasure`], is an empty inline function.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{Counted, DynService, Service, service_fn, capacity::S2};
///
/// let svc = Counted::new(service_fn(|x: u64| core::future::ready([x; 4])));
/// drop(svc.call(1)); // static: counted as a call only
/// let erased: &dyn DynService<u64, [u64; 4], S2> = &svc;
/// drop(erased.call_dyn(2)); // a 40-byte future, a 16-byte buffer: spills
/// let stats = svc.stats();
/// assert_eq!((stats.calls, stats.inline, stats.heap), (2, 0, 1));
/// assert_eq!((stats.allocations, stats.allocated_bytes), (1, 40));
/// ```
pub struct Counted<S> {
    inner: S,
    counters: CallCounters,
}

/// The counters of one service (or of one method of a `#[dyn_twin]` trait,
/// see [`CountedTwin`](crate::twin::CountedTwin)): relaxed atomics, one add
/// per call and one or two per erasure.
#[derive(Debug, Default)]
pub(crate) struct CallCounters {
    calls: AtomicU64,
    inline: AtomicU64,
    heap: AtomicU64,
    slot_heap: AtomicU64,
    recycled: AtomicU64,
    allocations: AtomicU64,
    allocated_bytes: AtomicU64,
}

/// Adds `n` to `counter`: a plain load and store on a shard only this
/// thread writes (`owned`), an atomic add otherwise.
#[inline]
fn add(counter: &AtomicU64, n: u64, owned: bool) {
    #[cfg(feature = "std")]
    crate::future::shard::add(counter, n, owned, Relaxed);
    #[cfg(not(feature = "std"))]
    {
        let _ = owned; // no thread owns a shard without `std`
        counter.fetch_add(n, Relaxed);
    }
}

impl CallCounters {
    pub(crate) const fn new() -> Self {
        CallCounters {
            calls: AtomicU64::new(0),
            inline: AtomicU64::new(0),
            heap: AtomicU64::new(0),
            slot_heap: AtomicU64::new(0),
            recycled: AtomicU64::new(0),
            allocations: AtomicU64::new(0),
            allocated_bytes: AtomicU64::new(0),
        }
    }

    #[inline]
    pub(crate) fn call(&self) {
        self.call_on(false);
    }

    #[inline]
    pub(crate) fn erasure(&self, erasure: Erasure) {
        self.erasure_on(erasure, false);
    }

    /// [`call`](Self::call), on a shard this thread owns or shares.
    #[inline]
    pub(crate) fn call_on(&self, owned: bool) {
        add(&self.calls, 1, owned);
    }

    /// [`erasure`](Self::erasure), on a shard this thread owns or shares.
    #[inline]
    pub(crate) fn erasure_on(&self, erasure: Erasure, owned: bool) {
        let placed = match erasure.placement() {
            Placement::Inline => &self.inline,
            Placement::Heap => &self.heap,
            Placement::SlotHeap => &self.slot_heap,
            Placement::Recycled => &self.recycled,
        };
        add(placed, 1, owned);
        let allocated = erasure.allocated_bytes();
        if allocated != 0 {
            add(&self.allocations, 1, owned);
            add(&self.allocated_bytes, allocated as u64, owned);
        }
    }

    pub(crate) fn snapshot(&self) -> PlacementStats {
        PlacementStats {
            calls: self.calls.load(Relaxed),
            inline: self.inline.load(Relaxed),
            heap: self.heap.load(Relaxed),
            slot_heap: self.slot_heap.load(Relaxed),
            recycled: self.recycled.load(Relaxed),
            allocations: self.allocations.load(Relaxed),
            allocated_bytes: self.allocated_bytes.load(Relaxed),
        }
    }

    /// Sets every counter to `to`'s count (a sharded structure's
    /// baseline, which its `reset` moves instead of zeroing the shards).
    #[cfg(feature = "std")]
    pub(crate) fn set(&self, to: PlacementStats) {
        for (counter, value) in [
            (&self.calls, to.calls),
            (&self.inline, to.inline),
            (&self.heap, to.heap),
            (&self.slot_heap, to.slot_heap),
            (&self.recycled, to.recycled),
            (&self.allocations, to.allocations),
            (&self.allocated_bytes, to.allocated_bytes),
        ] {
            counter.store(value, Relaxed);
        }
    }

    pub(crate) fn reset(&self) -> PlacementStats {
        PlacementStats {
            calls: self.calls.swap(0, Relaxed),
            inline: self.inline.swap(0, Relaxed),
            heap: self.heap.swap(0, Relaxed),
            slot_heap: self.slot_heap.swap(0, Relaxed),
            recycled: self.recycled.swap(0, Relaxed),
            allocations: self.allocations.swap(0, Relaxed),
            allocated_bytes: self.allocated_bytes.swap(0, Relaxed),
        }
    }
}

impl<S> Counted<S> {
    /// Wraps `inner` with all counters at zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Counted, service_fn};
    ///
    /// let svc = Counted::new(service_fn(|x: u8| async move { x }));
    /// assert_eq!(svc.stats().calls, 0);
    /// ```
    pub const fn new(inner: S) -> Self {
        Counted {
            inner,
            counters: CallCounters::new(),
        }
    }

    /// A snapshot of the counters. Each counter is read atomically, the set
    /// is not: under concurrent calls `calls` may run ahead of
    /// `inline + heap` by the calls in progress.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Counted, Service, service_fn};
    ///
    /// let svc = Counted::new(service_fn(|x: u8| async move { x }));
    /// drop(svc.call(1));
    /// assert_eq!(svc.stats().calls, 1);
    /// ```
    pub fn stats(&self) -> PlacementStats {
        self.counters.snapshot()
    }

    /// Sets all counters back to zero and returns what they were.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Counted, Service, service_fn};
    ///
    /// let svc = Counted::new(service_fn(|x: u8| async move { x }));
    /// drop(svc.call(1));
    /// assert_eq!(svc.reset().calls, 1);
    /// assert_eq!(svc.stats().calls, 0);
    /// ```
    pub fn reset(&self) -> PlacementStats {
        self.counters.reset()
    }

    /// The wrapped service.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::Counted;
    ///
    /// assert_eq!(*Counted::new(5).get_ref(), 5);
    /// ```
    pub const fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Unwraps the service, discarding the counters.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::Counted;
    ///
    /// assert_eq!(Counted::new(5).into_inner(), 5);
    /// ```
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: Service<Req>, Req> Service<Req> for Counted<S> {
    type Response = S::Response;
    type Future<'a>
        = S::Future<'a>
    where
        Self: 'a;

    #[inline]
    fn call<'a>(&'a self, req: Req) -> Self::Future<'a> {
        self.counters.call();
        self.inner.call(req)
    }

    #[inline]
    fn observe_erasure(&self, erasure: Erasure) {
        self.counters.erasure(erasure);
        self.inner.observe_erasure(erasure);
    }
}

impl<S: fmt::Debug> fmt::Debug for Counted<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Counted")
            .field("inner", &self.inner)
            .field("stats", &self.stats())
            .finish()
    }
}

impl<S: Default> Default for Counted<S> {
    fn default() -> Self {
        Counted::new(S::default())
    }
}

/// Where a service's (or a twin method's) futures went: a snapshot of
/// its calls, their placements and what they allocated, from
/// [`Counted::stats`](crate::Counted::stats) (and, per method, from
/// [`CountedTwin::stats`](crate::twin::CountedTwin::stats)).
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layer::PlacementStats;
///
/// let stats = PlacementStats {
///     calls: 10, inline: 7, heap: 3, slot_heap: 0, recycled: 0, allocations: 3, allocated_bytes: 600,
/// };
/// assert_eq!(stats.erased(), 10);
/// assert_eq!(
///     stats.to_string(),
///     "10 calls, 10 erased: 7 inline, 3 heap, 0 in a slot's heap buffer; 3 allocations (600 bytes)",
/// );
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PlacementStats {
    /// Calls made, static or through `dyn`.
    pub calls: u64,
    /// Calls through `dyn` whose future was stored inline.
    pub inline: u64,
    /// Calls through `dyn` whose future went to a heap allocation of its
    /// own.
    pub heap: u64,
    /// Calls through `dyn` whose future went to a reusable slot's heap
    /// buffer (allocating only when the buffer had to grow).
    pub slot_heap: u64,
    /// Calls through `dyn` whose future went to a buffer recycled from a
    /// [`RecyclePool`](crate::future::RecyclePool) (allocating only when
    /// the pool had no idle buffer).
    pub recycled: u64,
    /// Calls that allocated: every `heap` call, every slot call for which
    /// the slot grew its buffer, every recycled call that found no idle
    /// buffer.
    pub allocations: u64,
    /// Bytes those allocations took.
    pub allocated_bytes: u64,
}

impl PlacementStats {
    /// Calls made through `dyn` (`inline + heap + slot_heap + recycled`).
    ///
    /// # Examples
    ///
    /// ```
    /// let stats = hybrid_dispatch::layer::PlacementStats { inline: 2, heap: 1, ..Default::default() };
    /// assert_eq!(stats.erased(), 3);
    /// ```
    #[must_use]
    pub const fn erased(&self) -> u64 {
        self.inline + self.heap + self.slot_heap + self.recycled
    }
}

/// Sums two snapshots field by field, for totals over several services or
/// methods.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layer::PlacementStats;
///
/// let one = PlacementStats { calls: 1, heap: 1, allocations: 1, allocated_bytes: 64, ..Default::default() };
/// assert_eq!((one + one).allocated_bytes, 128);
/// ```
impl Add for PlacementStats {
    type Output = PlacementStats;

    fn add(self, other: PlacementStats) -> PlacementStats {
        PlacementStats {
            calls: self.calls + other.calls,
            inline: self.inline + other.inline,
            heap: self.heap + other.heap,
            slot_heap: self.slot_heap + other.slot_heap,
            recycled: self.recycled + other.recycled,
            allocations: self.allocations + other.allocations,
            allocated_bytes: self.allocated_bytes + other.allocated_bytes,
        }
    }
}

impl PlacementStats {
    /// The counts since `earlier`, a snapshot of the same counters
    /// (saturating: a reset read between the two may make one smaller).
    #[cfg(feature = "std")]
    pub(crate) fn since(self, earlier: PlacementStats) -> PlacementStats {
        PlacementStats {
            calls: self.calls.saturating_sub(earlier.calls),
            inline: self.inline.saturating_sub(earlier.inline),
            heap: self.heap.saturating_sub(earlier.heap),
            slot_heap: self.slot_heap.saturating_sub(earlier.slot_heap),
            recycled: self.recycled.saturating_sub(earlier.recycled),
            allocations: self.allocations.saturating_sub(earlier.allocations),
            allocated_bytes: self.allocated_bytes.saturating_sub(earlier.allocated_bytes),
        }
    }
}

impl fmt::Display for PlacementStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} calls, {} erased: {} inline, {} heap, {} in a slot's heap buffer",
            self.calls,
            self.erased(),
            self.inline,
            self.heap,
            self.slot_heap,
        )?;
        // Only where it happened: most services never recycle.
        if self.recycled != 0 {
            write!(f, ", {} recycled", self.recycled)?;
        }
        write!(
            f,
            "; {} allocations ({} bytes)",
            self.allocations, self.allocated_bytes
        )
    }
}
