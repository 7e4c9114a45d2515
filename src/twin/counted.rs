//! [`CountedTwin`]: per-method call and placement counters for an
//! implementor of a `#[dyn_twin]` trait, and [`TwinPlacementStats`], a snapshot.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

#[cfg(feature = "std")]
use crate::future::recycled::{PoolStats, RecyclePool};
#[cfg(not(feature = "std"))]
use crate::layer::counted::CallCounters as MethodCounters;
use crate::layer::counted::PlacementStats;
use crate::layout::Erasure;
#[cfg(feature = "std")]
use crate::layout::{FutureLayout, Outcome};
#[cfg(feature = "std")]
use crate::twin::tracked::MethodCounters;
use crate::twin::tracked::Tracked;
use crate::twin::{Twin, TwinMethod};
#[cfg(feature = "std")]
use alloc::boxed::Box;

/// Wraps an implementor of a [`#[dyn_twin]`](crate::dyn_twin) trait and
/// counts, per method, its calls and where its erased futures went: what
/// [`Counted`](crate::Counted) is for a [`Service`](crate::Service).
///
/// The attribute implements the user's trait for `CountedTwin<P>` (every
/// method forwards to `P`, counting the call), and the twin's blanket impl
/// reports each erasure to it through a hidden hook. Twins of uncounted
/// types pay nothing: the hook they inherit is an empty inline method.
/// Per method, [`PlacementStats`] counts `calls` (static or through `dyn`),
/// `inline` / `heap` / `slot_heap` placements and the allocations they made.
///
/// A [`TwinRegistry`](crate::twin::TwinRegistry) wraps every entry in a
/// `CountedTwin`, so its per-entry statistics are per method.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{dyn_twin, twin::CountedTwin};
///
/// #[dyn_twin(DynCounter)]
/// trait Counter {
///     async fn add(&self, x: u64) -> u64;
///     fn name(&self) -> &str;
/// }
///
/// struct Plus1;
/// impl Counter for Plus1 {
///     async fn add(&self, x: u64) -> u64 { x + 1 }
///     fn name(&self) -> &str { "plus1" }
/// }
///
/// let counted = CountedTwin::new::<dyn DynCounter>(Plus1);
/// let erased: &dyn DynCounter = &counted;
/// drop(erased.add_dyn(1));
/// drop(erased.add_dyn(2));
/// assert_eq!(erased.name_dyn(), "plus1");
/// let stats = counted.stats();
/// assert_eq!(stats.get("add").unwrap().inline, 2);
/// assert_eq!(stats.get("name").unwrap().calls, 1);
/// ```
pub struct CountedTwin<P> {
    methods: &'static [TwinMethod],
    /// The owner id of the trait it counts for (its first method's), which
    /// every call of that trait's counting impl compares
    /// ([`TwinMethod::owned_by`]).
    own: u32,
    /// One per entry of `methods`, in the same order: calls, placements
    /// and how tracked calls ended (see [`Tracked`]). Shared with a
    /// registry entry, which reads them without knowing `P`.
    counters: Arc<[MethodCounters]>,
    /// Recycled storage for the futures that do not fit inline, one pool
    /// per method. Shared with a registry entry (reports, `trim`).
    #[cfg(feature = "std")]
    pools: Arc<Pools>,
    inner: P,
}

/// One [`RecyclePool`] per method of a counted twin, each made the first
/// time that method's future does not fit inline and sized from its exact
/// layout, so that a steady stream of calls allocates nothing at any
/// future size (see [`RecyclePool`] for the bound on idle memory).
///
/// Each pool is in an `Arc` of its own so that a future declared
/// `+ 'static` can keep its buffer's pool alive (a count per buffer in
/// use, taken only on that path); futures that borrow the twin borrow
/// the pool, as before.
#[cfg(feature = "std")]
pub(crate) struct Pools {
    pools: Box<[std::sync::OnceLock<Arc<RecyclePool>>]>,
    /// `None`: each pool's default bound; `Some(0)`: never recycle.
    max_idle: Option<usize>,
}

#[cfg(feature = "std")]
impl Pools {
    pub(crate) fn new(methods: usize, max_idle: Option<usize>) -> Arc<Self> {
        Arc::new(Pools {
            pools: (0..methods).map(|_| std::sync::OnceLock::new()).collect(),
            max_idle,
        })
    }

    /// Method `index`'s pool for futures of `layout`, made on first use;
    /// `None` when recycling is off or `index` is unknown.
    ///
    /// Once the pool is made, a call reads it and nothing else: the bound
    /// and the maker are out of line, in [`make`](Self::make). (Inline,
    /// a call tested the bound and wrote the maker's captures before
    /// testing whether the pool was made: 7 instructions of a twin's
    /// recycled call, in callgrind.)
    #[inline]
    pub(crate) fn get(&self, index: usize, layout: FutureLayout) -> Option<&Arc<RecyclePool>> {
        let cell = self.pools.get(index)?;
        match cell.get() {
            Some(pool) => Some(pool),
            None => self.make(cell, layout),
        }
    }

    /// `cell`'s pool for futures of `layout`, made now unless another
    /// thread just made it; `None` when recycling is off (a bound of 0,
    /// which leaves `cell` empty).
    #[cold]
    #[inline(never)]
    fn make<'p>(
        &self,
        cell: &'p std::sync::OnceLock<Arc<RecyclePool>>,
        layout: FutureLayout,
    ) -> Option<&'p Arc<RecyclePool>> {
        let max_idle = self.max_idle_for(layout);
        if max_idle == 0 {
            return None;
        }
        Some(cell.get_or_init(|| Arc::new(RecyclePool::new(layout, max_idle))))
    }

    /// Method `index`'s pool, if it was made.
    pub(crate) fn made(&self, index: usize) -> Option<&RecyclePool> {
        self.pools.get(index)?.get().map(|pool| &**pool)
    }

    /// The bound on idle buffers a pool of `layout` gets here (`0`: no
    /// recycling).
    pub(crate) fn max_idle_for(&self, layout: FutureLayout) -> usize {
        self.max_idle
            .unwrap_or_else(|| RecyclePool::default_max_idle(layout))
    }

    /// Frees every idle buffer; returns how many.
    pub(crate) fn trim(&self) -> usize {
        self.pools
            .iter()
            .filter_map(std::sync::OnceLock::get)
            .map(|pool| pool.trim())
            .sum()
    }
}

impl<P> CountedTwin<P> {
    /// Wraps `inner`, with counters for the methods of the twin `T` (a twin
    /// object type such as `dyn DynPlugin`), all at zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{dyn_twin, twin::CountedTwin};
    ///
    /// #[dyn_twin(DynPing)]
    /// trait Ping { fn ping(&self) -> u8; }
    /// impl Ping for u8 { fn ping(&self) -> u8 { *self } }
    ///
    /// let counted = CountedTwin::new::<dyn DynPing>(7u8);
    /// assert_eq!(counted.ping(), 7); // the trait is implemented for the wrapper
    /// assert_eq!(counted.stats().get("ping").unwrap().calls, 1);
    /// ```
    pub fn new<T: Twin + ?Sized>(inner: P) -> Self {
        Self::with_counters(inner, T::METHODS, new_counters(T::METHODS.len()))
    }

    pub(crate) fn with_counters(
        inner: P,
        methods: &'static [TwinMethod],
        counters: Arc<[MethodCounters]>,
    ) -> Self {
        debug_assert_eq!(methods.len(), counters.len());
        CountedTwin {
            methods,
            own: methods.first().map_or(0, TwinMethod::owner_id),
            #[cfg(feature = "std")]
            pools: Pools::new(counters.len(), None),
            counters,
            inner,
        }
    }

    /// Method `method`'s recycled storage: buffers taken from it that had
    /// to be allocated (misses), idle buffers and their bytes. `None` for an
    /// unknown method, or one whose futures have not needed the pool yet
    /// (they fit inline, or no call was made).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{dyn_twin, twin::CountedTwin};
    ///
    /// #[dyn_twin(DynRender)]
    /// trait Render { async fn page(&self, x: u8) -> usize; }
    /// struct Big;
    /// impl Render for Big {
    ///     async fn page(&self, x: u8) -> usize {
    ///         let page = [x; 1024];
    ///         std::future::ready(()).await;
    ///         page.len()
    ///     }
    /// }
    /// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
    /// #     let mut f = core::pin::pin!(f);
    /// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// let counted = CountedTwin::new::<dyn DynRender>(Big);
    /// let erased: &dyn DynRender = &counted;
    /// for _ in 0..10 {
    ///     let fut = erased.page_dyn(1); // 1 KiB: does not fit inline
    ///     assert!(fut.is_recycled());
    ///     assert_eq!(block_on(fut), 1024);
    /// }
    /// let pool = counted.pool_stats("page").unwrap();
    /// assert_eq!((pool.misses, pool.idle), (1, 1)); // one buffer, ten calls
    /// ```
    #[cfg(feature = "std")]
    #[must_use]
    pub fn pool_stats(&self, method: &str) -> Option<PoolStats> {
        let index = self.methods.iter().position(|m| m.name() == method)?;
        Some(self.pools.made(index)?.stats())
    }

    /// Frees the idle buffers of every method's recycled storage; returns
    /// how many. Calls in flight keep theirs.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{dyn_twin, twin::CountedTwin};
    ///
    /// #[dyn_twin(DynRender)]
    /// trait Render { async fn page(&self) -> usize; }
    /// struct Big;
    /// impl Render for Big {
    ///     async fn page(&self) -> usize {
    ///         let page = [0u8; 1024];
    ///         std::future::ready(()).await;
    ///         page.len()
    ///     }
    /// }
    ///
    /// let counted = CountedTwin::new::<dyn DynRender>(Big);
    /// let erased: &dyn DynRender = &counted;
    /// drop(erased.page_dyn()); // does not fit inline: a recycled buffer, given back here
    /// assert_eq!(counted.pool_stats("page").unwrap().idle, 1);
    /// assert_eq!(counted.trim(), 1);
    /// assert_eq!(counted.pool_stats("page").unwrap().idle, 0);
    /// ```
    #[cfg(feature = "std")]
    pub fn trim(&self) -> usize {
        self.pools.trim()
    }

    /// The same wrapper, recycling into `pools` (a registry entry's).
    #[cfg(feature = "std")]
    pub(crate) fn with_pools(mut self, pools: Arc<Pools>) -> Self {
        self.pools = pools;
        self
    }

    /// Method `index`'s recycled storage for futures of `layout`
    /// (generated code, through the trait's hidden pool hook).
    #[cfg(feature = "std")]
    #[inline]
    pub(crate) fn pool(
        &self,
        owner: u32,
        index: usize,
        layout: FutureLayout,
    ) -> Option<&Arc<RecyclePool>> {
        // As `counters_at`: `index` stays a constant on the common path.
        if owner == self.own {
            self.pools.get(index, layout)
        } else {
            self.pools
                .get(slot_of_supertwin(self.methods, owner, index), layout)
        }
    }

    /// How the calls of async method `method` ended: how many were made
    /// through this wrapper and completed, were cancelled, panicked or are
    /// still in flight (see [`Tracked`] for which methods are tracked),
    /// beside where their futures went and what they allocated
    /// (`allocations`, `allocated_bytes`). `None` if `method` is not an async method. A
    /// [`TwinRegistry`](crate::twin::TwinRegistry) reports the same per entry
    /// ([`TwinHandle::tracked`](crate::twin::TwinHandle::tracked)).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{dyn_twin, twin::CountedTwin};
    ///
    /// #[dyn_twin(DynLog)]
    /// trait Log {
    ///     async fn push(&mut self, line: String) -> usize;
    /// }
    /// struct Lines(Vec<String>);
    /// impl Log for Lines {
    ///     async fn push(&mut self, line: String) -> usize {
    ///         self.0.push(line);
    ///         self.0.len()
    ///     }
    /// }
    ///
    /// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
    /// #     let mut f = core::pin::pin!(f);
    /// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// let mut log = CountedTwin::new::<dyn DynLog>(Lines(Vec::new()));
    /// assert_eq!(block_on(log.push("a".into())), 1);
    /// drop(log.push("b".into())); // never polled: cancelled
    /// let push = log.tracked("push").unwrap();
    /// assert_eq!((push.calls, push.completed, push.cancelled, push.in_flight), (2, 1, 1, 0));
    /// ```
    #[cfg(feature = "std")]
    #[must_use]
    pub fn tracked(&self, method: &str) -> Option<crate::registry::CallStats> {
        let index = self
            .methods
            .iter()
            .position(|m| m.name() == method && m.is_async())?;
        let placed = self.counters[index].snapshot();
        let heap_bytes = placed.allocated_bytes;
        let pool = self.pools.made(index).map(|pool| pool.stats());
        Some(tracked_stats(
            &self.counters[index],
            placed,
            heap_bytes,
            pool,
        ))
    }

    /// A snapshot of every method's counters.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::CountedTwin};
    /// # #[dyn_twin(DynPing)]
    /// # trait Ping { fn ping(&self) -> u8; async fn pong(&self) -> u8; }
    /// # impl Ping for u8 { fn ping(&self) -> u8 { *self } async fn pong(&self) -> u8 { *self } }
    /// let counted = CountedTwin::new::<dyn DynPing>(1u8);
    /// counted.ping();
    /// let erased: &dyn DynPing = &counted;
    /// drop(erased.pong_dyn()); // erased, never polled: counted as a call, inline
    /// let stats = counted.stats();
    /// assert_eq!(stats.get("ping").unwrap().calls, 1);
    /// assert_eq!(stats.get("pong").unwrap().inline, 1);
    /// ```
    #[must_use]
    pub fn stats(&self) -> TwinPlacementStats {
        stats_of(self.methods, &self.counters)
    }

    /// Sets every counter back to zero and returns what they were. How
    /// calls ended ([`tracked`](Self::tracked)) is not reset: its counts
    /// run from the wrapper's creation, so that calls in flight still end
    /// where they started.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{dyn_twin, twin::CountedTwin};
    ///
    /// #[dyn_twin(DynPing)]
    /// trait Ping { fn ping(&self) -> u8; }
    /// struct P;
    /// impl Ping for P { fn ping(&self) -> u8 { 1 } }
    ///
    /// let counted = CountedTwin::new::<dyn DynPing>(P);
    /// counted.ping();
    /// assert_eq!(counted.reset().total().calls, 1);
    /// assert_eq!(counted.stats().total().calls, 0);
    /// ```
    pub fn reset(&self) -> TwinPlacementStats {
        TwinPlacementStats {
            methods: self
                .methods
                .iter()
                .zip(self.counters.iter())
                .filter(|(m, _)| m.is_present())
                .map(|(m, c)| (m.name(), c.reset()))
                .collect(),
        }
    }

    /// The wrapped implementor.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::CountedTwin};
    /// # #[dyn_twin(DynPing)]
    /// # trait Ping { fn ping(&self) -> u8; }
    /// # impl Ping for u8 { fn ping(&self) -> u8 { *self } }
    /// assert_eq!(*CountedTwin::new::<dyn DynPing>(5u8).get_ref(), 5);
    /// ```
    pub const fn get_ref(&self) -> &P {
        &self.inner
    }

    /// The wrapped implementor, mutably (for `&mut self` methods).
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::CountedTwin};
    /// # #[dyn_twin(DynPing)]
    /// # trait Ping { fn ping(&self) -> u8; }
    /// # impl Ping for u8 { fn ping(&self) -> u8 { *self } }
    /// let mut counted = CountedTwin::new::<dyn DynPing>(5u8);
    /// *counted.get_mut() = 6;
    /// assert_eq!(counted.into_inner(), 6);
    /// ```
    pub fn get_mut(&mut self) -> &mut P {
        &mut self.inner
    }

    /// Unwraps the implementor, discarding the counters.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::CountedTwin};
    /// # #[dyn_twin(DynPing)]
    /// # trait Ping { fn ping(&self) -> u8; async fn pong(&self) -> u8; }
    /// # impl Ping for u8 { fn ping(&self) -> u8 { *self } async fn pong(&self) -> u8 { *self } }
    /// let counted = CountedTwin::new::<dyn DynPing>(5u8);
    /// counted.ping();
    /// let inner: u8 = counted.into_inner();
    /// assert_eq!(inner, 5);
    /// ```
    pub fn into_inner(self) -> P {
        self.inner
    }

    /// Method `index` of the trait `owner` names: its counters. A
    /// wrapper counts for one trait, whose methods come first, so for that
    /// trait's calls (`owner == own`, one comparison) `index` is the slot,
    /// and stays the constant the generated call passes; a supertwin's
    /// methods come after (see [`TwinMethod::owned_by`]).
    #[inline(always)]
    fn counters_at<'c>(
        counters: &'c [MethodCounters],
        methods: &'static [TwinMethod],
        own: u32,
        owner: u32,
        index: usize,
    ) -> Option<&'c MethodCounters> {
        if owner == own {
            counters.get(index)
        } else {
            counters.get(slot_of_supertwin(methods, owner, index))
        }
    }

    /// Whether this wrapper counts a call of a method of the trait `owner`
    /// names without a call out of line (see `placed` in `__private`): a
    /// method of the trait it counts for, on a thread that owns a shard.
    #[cfg(feature = "std")]
    #[inline]
    pub(crate) fn ready(&self, owner: u32) -> bool {
        owner == self.own && crate::future::shard::owns_shard()
    }

    /// Counts a call of method `index` of the trait `owner` names
    /// (generated code).
    #[inline]
    pub(crate) fn count_call(&self, owner: u32, index: usize) {
        if let Some(counters) =
            Self::counters_at(&self.counters, self.methods, self.own, owner, index)
        {
            counters.call();
        }
    }

    /// Counts a call of method `index` and tracks its future, made by
    /// `call` from the implementor (generated code, `&self` methods).
    ///
    /// The start is counted before `call` runs, and a `call` that panics
    /// (a `-> impl Future` body can, before its future exists) is counted
    /// as panicked while it unwinds, as a registry entry counts a service's
    /// `call`: the books balance, and the erasure hook, which hears an
    /// inline placement before the call, never counts a call that was not.
    ///
    /// The start never takes a thread index (no call out of line: see
    /// `placed` in `__private`): an erased call takes it before, and a
    /// static call on a thread without one counts on the shared shard.
    #[inline(always)]
    pub(crate) fn track_ref<'a, F>(
        &'a self,
        owner: u32,
        index: usize,
        call: impl FnOnce(&'a P) -> F,
    ) -> Tracked<'a, F> {
        // One count: the start, which counts as the call too (see
        // `MethodCounters`). Without `std` nothing is tracked, so the call
        // is counted here.
        #[cfg(feature = "std")]
        return started(
            Self::counters_at(&self.counters, self.methods, self.own, owner, index),
            false,
            || call(&self.inner),
        );
        #[cfg(not(feature = "std"))]
        {
            self.count_call(owner, index);
            Tracked::new(call(&self.inner), None)
        }
    }

    /// [`track_ref`](Self::track_ref) for `&mut self` methods.
    #[inline(always)]
    pub(crate) fn track_mut<'a, F>(
        &'a mut self,
        owner: u32,
        index: usize,
        call: impl FnOnce(&'a mut P) -> F,
    ) -> Tracked<'a, F> {
        #[cfg(not(feature = "std"))]
        self.count_call(owner, index);
        let CountedTwin {
            inner,
            counters,
            methods,
            own,
            ..
        } = self;
        #[cfg(feature = "std")]
        return started(
            Self::counters_at(counters, methods, *own, owner, index),
            true,
            || call(inner),
        );
        #[cfg(not(feature = "std"))]
        {
            let _ = (counters, methods, own);
            Tracked::new(call(inner), None)
        }
    }

    /// Counts where method `index`'s erased future went (generated code).
    #[inline]
    pub(crate) fn observe(&self, owner: u32, index: usize, erasure: Erasure) {
        if let Some(counters) =
            Self::counters_at(&self.counters, self.methods, self.own, owner, index)
        {
            counters.erasure(erasure);
        }
    }
}

/// `call()`'s future, tracked in `counters` (if any), counted as started
/// first; as panicked if `call` unwinds. `assign`: whether the start takes
/// a thread index if this thread has none ([`MethodCounters::started`]),
/// or counts without ([`MethodCounters::started_here`]: a `&self` method,
/// whose erasure takes it first).
#[cfg(feature = "std")]
#[inline(always)]
fn started<'a, F>(
    counters: Option<&'a MethodCounters>,
    assign: bool,
    call: impl FnOnce() -> F,
) -> Tracked<'a, F> {
    /// Counts the started call as panicked unless forgotten.
    struct Unwinding<'a>(&'a MethodCounters);
    impl Drop for Unwinding<'_> {
        fn drop(&mut self) {
            self.0.finished(Outcome::Panicked);
        }
    }
    let Some(counters) = counters else {
        return Tracked::new(call(), None);
    };
    if assign {
        counters.started();
    } else {
        counters.started_here();
    }
    let unwinding = Unwinding(counters);
    let future = call();
    core::mem::forget(unwinding);
    Tracked::new(future, Some(counters))
}

/// Where method `index` of the trait `owner` names sits in `methods`, a
/// supertwin's (`usize::MAX`, so that nothing is counted, for a trait
/// `methods` does not list). Out of the common path: most calls are of the
/// trait a wrapper counts for, and an erased call of a supertwin's method
/// is made out of line (see [`ready`](CountedTwin::ready)).
#[cold]
#[inline(never)]
fn slot_of_supertwin(methods: &[TwinMethod], owner: u32, index: usize) -> usize {
    match methods.iter().position(|m| m.owner_id() == owner) {
        Some(at) => at + index,
        None => usize::MAX,
    }
}

/// Zeroed counters for `n` methods.
pub(crate) fn new_counters(n: usize) -> Arc<[MethodCounters]> {
    (0..n).map(|_| MethodCounters::new()).collect()
}

/// One method's tracked calls: started and ended from its `Tracked`
/// futures' counts in `counters`, placements and what they allocated
/// (boxes and pool misses) from the erasures counted in `placed`, the idle
/// buffers from the method's `pool` (if it was made); `heap_bytes` for the
/// deprecated field.
#[cfg(feature = "std")]
pub(crate) fn tracked_stats(
    counters: &MethodCounters,
    placed: PlacementStats,
    heap_bytes: u64,
    pool: Option<PoolStats>,
) -> crate::registry::CallStats {
    let outcomes = counters.outcomes();
    let pool = pool.unwrap_or_default();
    #[allow(deprecated)] // `heap_bytes`, kept for a release
    crate::registry::CallStats {
        calls: outcomes.started,
        inline: placed.inline + placed.slot_heap,
        heap: placed.heap,
        // A twin's erasure hears where its future went and what that took,
        // a pool's miss included.
        allocations: placed.allocations,
        allocated_bytes: placed.allocated_bytes,
        heap_bytes,
        recycled: placed.recycled,
        recycle_misses: pool.misses,
        idle_buffers: pool.idle,
        idle_bytes: pool.idle_bytes,
        completed: outcomes.completed,
        cancelled: outcomes.cancelled,
        panicked: outcomes.panicked,
        in_flight: outcomes.in_flight(),
    }
}

/// A snapshot of `counters`, named after `methods`.
pub(crate) fn stats_of(
    methods: &'static [TwinMethod],
    counters: &[MethodCounters],
) -> TwinPlacementStats {
    TwinPlacementStats {
        methods: methods
            .iter()
            .zip(counters)
            .filter(|(m, _)| m.is_present())
            .map(|(m, c)| (m.name(), c.snapshot()))
            .collect(),
    }
}

/// Shows the wrapped implementor, so that a `#[dyn_twin]` trait with a
/// `Display` supertrait can still be counted.
impl<P: fmt::Display> fmt::Display for CountedTwin<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

/// A clone of the implementor that counts into the same counters (a
/// registry entry's statistics stay whole), for traits with a `Clone`
/// supertrait.
impl<P: Clone> Clone for CountedTwin<P> {
    fn clone(&self) -> Self {
        CountedTwin {
            methods: self.methods,
            own: self.own,
            counters: Arc::clone(&self.counters),
            #[cfg(feature = "std")]
            pools: Arc::clone(&self.pools),
            inner: self.inner.clone(),
        }
    }
}

impl<P: fmt::Debug> fmt::Debug for CountedTwin<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CountedTwin")
            .field("inner", &self.inner)
            .field("stats", &self.stats())
            .finish()
    }
}

/// Where one twin implementor's futures went, per method (a
/// [`PlacementStats`] each), from
/// [`CountedTwin::stats`] or a
/// [`TwinHandle`](crate::twin::TwinHandle). `Display` prints one line per
/// method.
///
/// # Examples
///
/// ```
/// # use hybrid_dispatch::{dyn_twin, twin::CountedTwin};
/// # #[dyn_twin(DynPing)]
/// # trait Ping { fn ping(&self) -> u8; async fn pong(&self) -> u8; }
/// # impl Ping for u8 { fn ping(&self) -> u8 { *self } async fn pong(&self) -> u8 { *self } }
/// let counted = CountedTwin::new::<dyn DynPing>(1u8);
/// counted.ping();
/// let stats = counted.stats();
/// assert_eq!(stats.total().calls, 1);
/// print!("{stats}"); // one line per method
/// assert_eq!(stats.to_string().lines().count(), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TwinPlacementStats {
    methods: Vec<(&'static str, PlacementStats)>,
}

impl TwinPlacementStats {
    /// Each method's name and counters, in declaration order.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::CountedTwin};
    /// # #[dyn_twin(DynPing)]
    /// # trait Ping { fn ping(&self) -> u8; async fn pong(&self) -> u8; }
    /// # impl Ping for u8 { fn ping(&self) -> u8 { *self } async fn pong(&self) -> u8 { *self } }
    /// let counted = CountedTwin::new::<dyn DynPing>(1u8);
    /// let names: Vec<&str> = counted.stats().iter().map(|(name, _)| name).collect();
    /// assert_eq!(names, ["ping", "pong"]);
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&'static str, &PlacementStats)> {
        self.methods.iter().map(|(name, stats)| (*name, stats))
    }

    /// The counters of method `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::CountedTwin};
    /// # #[dyn_twin(DynPing)]
    /// # trait Ping { fn ping(&self) -> u8; async fn pong(&self) -> u8; }
    /// # impl Ping for u8 { fn ping(&self) -> u8 { *self } async fn pong(&self) -> u8 { *self } }
    /// let counted = CountedTwin::new::<dyn DynPing>(1u8);
    /// counted.ping();
    /// assert_eq!(counted.stats().get("ping").unwrap().calls, 1);
    /// assert!(counted.stats().get("pang").is_none());
    /// ```
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&PlacementStats> {
        self.methods
            .iter()
            .find(|(method, _)| *method == name)
            .map(|(_, stats)| stats)
    }

    /// The sum over all methods.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::CountedTwin};
    /// # #[dyn_twin(DynPing)]
    /// # trait Ping { fn ping(&self) -> u8; async fn pong(&self) -> u8; }
    /// # impl Ping for u8 { fn ping(&self) -> u8 { *self } async fn pong(&self) -> u8 { *self } }
    /// let counted = CountedTwin::new::<dyn DynPing>(1u8);
    /// counted.ping();
    /// let erased: &dyn DynPing = &counted;
    /// drop(erased.pong_dyn());
    /// assert_eq!(counted.stats().total().calls, 2);
    /// ```
    #[must_use]
    pub fn total(&self) -> PlacementStats {
        self.methods
            .iter()
            .fold(PlacementStats::default(), |sum, (_, stats)| sum + *stats)
    }
}

impl fmt::Display for TwinPlacementStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, stats) in self.iter() {
            writeln!(f, "{name}: {stats}")?;
        }
        Ok(())
    }
}

#[cfg(all(test, feature = "std", feature = "macros"))]
mod tests {
    use super::*;
    use crate::future::shard::{SHARDS, has_index};
    use core::future::Future;
    use std::sync::Barrier;

    #[crate::dyn_twin(DynProbe, send = SendDynProbe, crate = crate)]
    trait Probe: Send + Sync {
        async fn ping(&self, x: u64) -> u64;
    }

    struct Echo;

    impl Probe for Echo {
        async fn ping(&self, x: u64) -> u64 {
            x
        }
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = core::pin::pin!(future);
        let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
        loop {
            if let core::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }

    /// (calls, inline placements, completed) of `ping`.
    fn counts(counted: &CountedTwin<Echo>) -> (u64, u64, u64) {
        let placed = counted.stats().get("ping").copied().unwrap();
        let tracked = counted.tracked("ping").unwrap();
        assert_eq!(tracked.in_flight, 0);
        (placed.calls, placed.inline, tracked.completed)
    }

    #[test]
    fn a_threads_first_erased_call_takes_its_index_out_of_line() {
        // The counts of an erased call never take a thread index (a call
        // out of line there costs every call six saved registers): the
        // erasure takes it first, on the thread's first counted call.
        let counted = CountedTwin::new::<dyn SendDynProbe>(Echo);
        std::thread::scope(|s| {
            s.spawn(|| {
                assert!(!has_index());
                let erased: &dyn SendDynProbe = &counted;
                assert_eq!(block_on(erased.ping_send(7)), 7);
                assert!(has_index(), "the erasure gave the thread an index");
            });
        });
        assert_eq!(counts(&counted), (1, 1, 1));
    }

    #[test]
    fn a_static_call_counts_without_taking_an_index() {
        // Not erased, so nothing takes the index: the counts go to the
        // shared shard, and stay exact.
        let counted = CountedTwin::new::<dyn SendDynProbe>(Echo);
        std::thread::scope(|s| {
            s.spawn(|| {
                assert_eq!(block_on(counted.ping(3)), 3);
                assert!(!has_index());
            });
        });
        let placed = counted.stats().get("ping").copied().unwrap();
        assert_eq!((placed.calls, placed.inline), (1, 0));
        assert_eq!(counted.tracked("ping").unwrap().completed, 1);
    }

    #[test]
    fn erased_calls_from_more_threads_than_shards_all_count() {
        // Threads beyond the shards own none: each of their calls is made
        // out of line and counts on the shared shard.
        let threads = SHARDS + 4;
        let calls: u64 = if cfg!(miri) { 2 } else { 200 };
        let counted = CountedTwin::new::<dyn SendDynProbe>(Echo);
        let all_alive = Barrier::new(threads);
        std::thread::scope(|s| {
            for t in 0..threads as u64 {
                let (counted, all_alive) = (&counted, &all_alive);
                s.spawn(move || {
                    all_alive.wait();
                    let erased: &dyn SendDynProbe = counted;
                    for x in 0..calls {
                        assert_eq!(block_on(erased.ping_send(t * calls + x)), t * calls + x);
                    }
                });
            }
        });
        let n = threads as u64 * calls;
        assert_eq!(counts(&counted), (n, n, n));
    }
}
