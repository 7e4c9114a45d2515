//! [`Tracked`]: the future of a call through a
//! [`CountedTwin`](crate::twin::CountedTwin) (the registries' one
//! tracked-call type, counting into a method's [`MethodCounters`]), and
//! those counters.

#[cfg(feature = "std")]
use crate::future::shard::{CacheLine, SHARDS, on_assigned, pick};
#[cfg(feature = "std")]
use crate::layer::counted::{CallCounters, PlacementStats};
#[cfg(feature = "std")]
use crate::layout::Erasure;
use crate::layout::Outcome;
#[cfg(feature = "std")]
use crate::registry::counters::{CallTally, Outcomes};

/// What a [`Tracked`] future counts into: its method's [`MethodCounters`].
#[cfg(feature = "std")]
pub(crate) type Counters = MethodCounters;

/// Without `std` there are no sharded counters, and nothing is tracked:
/// an empty type, never made.
#[cfg(not(feature = "std"))]
#[derive(Debug)]
#[allow(unreachable_pub)] // named by the public `twin::Tracked` alias, not reachable
pub enum Counters {}

/// The counters of one method of a [`CountedTwin`](crate::twin::CountedTwin):
/// its calls, where its erased futures went ([`PlacementStats`]) and how
/// its tracked calls ended, all on the calling thread's own shard, summed
/// when read.
///
/// * **One cache line per thread for all of it.** A twin call counts its
///   start, its erasure and its end: each finds this thread's shard (one
///   thread-local load) and writes a line no other core writes. Threads
///   holding the first [`SHARDS`] thread indices each own a shard and count
///   with a plain load and store; more threads at once share one more
///   shard with atomic adds (see [`pick`]).
/// * **A tracked call is counted once when it starts**, in `started`,
///   which counts as a call too (`calls` = untracked calls + `started`):
///   counting it in both, as the wrapper once did, was one more write per
///   call for a number that always matched.
/// * How tracked calls started and ended is a [`CallTally`], the one a
///   registry entry's counters keep: `in_flight = started - ended`, and a
///   reader never sees more ends than starts.
/// * A [`reset`](Self::reset) moves `baseline` instead of zeroing the
///   shards (only their threads write them). How calls ended is not reset.
///
/// Public only as a type: a [`Tracked`] counts into one.
#[cfg(feature = "std")]
#[derive(Debug, Default)]
#[allow(unreachable_pub)] // named by the public `twin::Tracked` alias, not reachable
pub struct MethodCounters {
    /// One per thread that owns one, then the shared overflow shard.
    shards: [CacheLine<MethodTally>; SHARDS + 1],
    /// What [`reset`](Self::reset) last returned the counts from.
    baseline: CallCounters,
}

/// One shard's counts: 11 counters, 88 bytes, one line.
#[cfg(feature = "std")]
#[derive(Debug, Default)]
struct MethodTally {
    /// Placements; its `calls` counts the untracked calls only.
    placed: CallCounters,
    /// Tracked calls started and how they ended.
    tracked: CallTally,
}

#[cfg(feature = "std")]
impl MethodCounters {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// This thread's shard, and whether it owns it.
    #[inline]
    fn shard(&self) -> (&MethodTally, bool) {
        pick(&self.shards)
    }

    /// Counts a call that is not tracked (a sync method, a stream, a
    /// future that cannot borrow the counters).
    #[inline]
    pub(crate) fn call(&self) {
        let (tally, owned) = self.shard();
        tally.placed.call_on(owned);
    }

    /// Counts where an erased future went, on this thread's shard if it
    /// has one, else on the shared one: without taking an index, so with
    /// no call out of line (see [`started_here`](Self::started_here)).
    #[inline]
    pub(crate) fn erasure(&self, erasure: Erasure) {
        on_assigned(&self.shards, |tally, owned| {
            tally.placed.erasure_on(erasure, owned);
        });
    }

    /// Counts a tracked call (and so a call) as started, taking a thread
    /// index first if this thread has none.
    #[inline]
    pub(crate) fn started(&self) {
        let (tally, owned) = self.shard();
        tally.tracked.start(owned);
    }

    /// [`started`](Self::started) without taking an index: on this
    /// thread's shard if it has one, else on the shared one. What an
    /// erased call counts with: a call out of line on any path of it, even
    /// a cold one, makes the compiler save registers on every call (six
    /// pushes and pops, 14 of a twin's inline call's instructions, measured
    /// with callgrind). The erasure takes the index before a thread's first
    /// counted call instead, out of line (`placed` in `__private`).
    #[inline]
    pub(crate) fn started_here(&self) {
        on_assigned(&self.shards, |tally, owned| tally.tracked.start(owned));
    }

    /// Counts the end of a tracked call (on this thread's shard if it has
    /// one, without taking one: see [`on_assigned`]).
    #[inline]
    pub(crate) fn finished(&self, outcome: Outcome) {
        on_assigned(&self.shards, |tally, owned| {
            tally.tracked.end(outcome, owned);
        });
    }

    /// Every count since creation, `calls` including the tracked ones.
    fn total(&self) -> PlacementStats {
        self.shards
            .iter()
            .map(|shard| {
                let mut placed = shard.0.placed.snapshot();
                placed.calls += shard.0.tracked.started();
                placed
            })
            .fold(PlacementStats::default(), |sum, one| sum + one)
    }

    /// The counts since the last [`reset`](Self::reset).
    pub(crate) fn snapshot(&self) -> PlacementStats {
        self.total().since(self.baseline.snapshot())
    }

    /// Returns the counts since the last reset and starts counting from
    /// zero again.
    pub(crate) fn reset(&self) -> PlacementStats {
        let total = self.total();
        let before = self.baseline.snapshot();
        self.baseline.set(total);
        total.since(before)
    }

    /// How many tracked calls started, and how many ended each way, ends
    /// read first (see [`CallTally`]).
    pub(crate) fn outcomes(&self) -> Outcomes {
        Outcomes::sum(self.shards.iter().map(|shard| &shard.0.tracked))
    }
}

/// The future of an async method called through a
/// [`CountedTwin`](crate::twin::CountedTwin) (every call to an implementor
/// in a [`TwinRegistry`](crate::twin::TwinRegistry): by name, through a
/// handle, through the bridge, or on the object `shared()` hands out): the
/// implementor's own future, [`layout::Tracked`](crate::layout::Tracked)
/// in the method's counters. The call is counted as started when this
/// future is made, and as completed, cancelled or panicked when it returns
/// `Ready`, is dropped before that, or panics in `poll`;
/// [`TwinHandle::tracked`] reads the counts.
///
/// It is *inside* the erased future: it makes each counted method's future
/// one pointer larger than the implementor's (so the layouts the twin
/// reports for a registered implementor include it). Generated code makes
/// it; you meet it only as the future a `CountedTwin`'s methods return.
/// Without the `std` feature it counts nothing.
///
/// [`TwinHandle::tracked`]: crate::twin::TwinHandle::tracked
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{dyn_twin, twin::{TwinHandle, TwinRegistry}};
///
/// #[dyn_twin(DynPlugin, send = SendDynPlugin)]
/// trait Plugin {
///     async fn handle(&self, x: u64) -> u64;
/// }
/// struct Double;
/// impl Plugin for Double {
///     async fn handle(&self, x: u64) -> u64 { x * 2 }
/// }
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let plugins: TwinRegistry<dyn SendDynPlugin> = TwinRegistry::new();
/// let double = plugins.register("double", Double).unwrap();
///
/// let call = double.handle_send(21); // counted as started
/// assert_eq!(TwinHandle::tracked(&double, "handle").unwrap().in_flight, 1);
/// assert_eq!(block_on(call), 42);
/// assert_eq!(TwinHandle::tracked(&double, "handle").unwrap().completed, 1);
///
/// assert_eq!(block_on(double.handle(2)), 4); // the trait's own method
/// assert_eq!(TwinHandle::tracked(&double, "handle").unwrap().completed, 2);
///
/// drop(double.handle_dyn(1)); // dropped before `Ready`
/// assert_eq!(TwinHandle::tracked(&double, "handle").unwrap().cancelled, 1);
/// ```
pub type Tracked<'a, F> = crate::layout::Tracked<'a, F, Counters>;

#[cfg(feature = "std")]
impl crate::layout::sealed_impl::Sealed for MethodCounters {}

#[cfg(feature = "std")]
impl crate::layout::Counts for MethodCounters {
    #[inline]
    fn started(&self) {
        MethodCounters::started(self);
    }

    #[inline]
    fn finished(&self, outcome: Outcome) {
        MethodCounters::finished(self, outcome);
    }
}

#[cfg(not(feature = "std"))]
impl crate::layout::sealed_impl::Sealed for Counters {}

/// Never made: nothing is tracked without `std`.
#[cfg(not(feature = "std"))]
impl crate::layout::Counts for Counters {
    fn started(&self) {
        match *self {}
    }

    fn finished(&self, _: Outcome) {
        match *self {}
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
    use crate::layout::{FutureLayout, Placement};

    #[test]
    fn counts_from_many_threads_add_up_and_reset_moves_the_baseline() {
        let counters = MethodCounters::new();
        let threads = if cfg!(miri) { 3 } else { SHARDS + 8 }; // more than the shards
        let calls = if cfg!(miri) { 20 } else { 1000 };
        std::thread::scope(|scope| {
            for t in 0..threads {
                let counters = &counters;
                scope.spawn(move || {
                    for _ in 0..calls {
                        // Odd threads make tracked calls, even ones untracked.
                        if t % 2 == 1 {
                            counters.started();
                        } else {
                            counters.call();
                        }
                        counters.erasure(Erasure::new(
                            FutureLayout::of::<[u8; 40]>(),
                            Placement::Heap,
                        ));
                        if t % 2 == 1 {
                            counters.finished(Outcome::Completed);
                        }
                    }
                    if t % 2 == 1 {
                        counters.started(); // one left in flight
                    }
                });
            }
        });
        let all = (threads * calls) as u64;
        let tracking = (threads / 2) as u64;
        let stats = counters.snapshot();
        // A tracked call is one call, counted by its start.
        assert_eq!(stats.calls, all + tracking);
        assert_eq!((stats.heap, stats.inline), (all, 0));
        assert_eq!((stats.allocations, stats.allocated_bytes), (all, 40 * all));
        let tracked = tracking * calls as u64;
        let outcomes = counters.outcomes();
        assert_eq!(
            (outcomes.started, outcomes.completed, outcomes.in_flight()),
            (tracked + tracking, tracked, tracking)
        );
        assert_eq!((outcomes.cancelled, outcomes.panicked), (0, 0));

        assert_eq!(counters.reset(), stats);
        assert_eq!(counters.snapshot(), PlacementStats::default());
        counters.call();
        counters.started();
        assert_eq!(counters.snapshot().calls, 2);
        assert_eq!(counters.reset().calls, 2);
        assert_eq!(counters.snapshot().calls, 0);
        // How calls ended runs from creation: a reset leaves it.
        assert_eq!(counters.outcomes().started, tracked + tracking + 1);
    }
}
