//! [`Counters`]: what a registry entry counts per call, and how a snapshot
//! of them becomes [`CallStats`].

use core::sync::atomic::AtomicU64;
use core::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use crate::future::shard::{CacheLine, SHARDS, add, on_assigned, pick};
use crate::layout::{Outcome, Placement};
use crate::registry::stats::CallStats;

/// Per-entry counters: one count when a call starts (before the service
/// is called) and one when it ends, each on the calling thread's own
/// shard, summed when read.
///
/// * **Sharded, per thread.** Threads holding the first [`SHARDS`] thread
///   indices each own a shard on cache lines of their own and count with a
///   plain load and store (no read-modify-write: only they write it); more
///   threads at once share one more shard and count with atomic adds. So
///   calls on different cores never write the same line, where one shared
///   set of atomics had every call on two cores wait for the other core's
///   line (`benches/recycled.rs` measures calls from 8 tasks on 2 workers).
///   A snapshot sums the shards.
/// * `started` is counted *before* the `dyn` call, not after it: right after
///   the call, the freshly written future (up to 128 bytes) is still in the
///   store buffer, and a count behind it waits for it to drain (our
///   reading of the assembly).
/// * Nothing else is stored ([`CallTally`]): every call's future goes to
///   the entry's placement (a property of the future's type and of whether
///   the entry recycles, see
///   [`FutureLayout::fits`](crate::layout::FutureLayout::fits)), so the
///   placement counts are `calls` at that placement, exactly, and
///   `heap_bytes = heap × future size`.
///
/// A [`RegistryFuture`](crate::registry::RegistryFuture) erases a
/// [`Tracked`](crate::layout::Tracked) future counting into one.
#[derive(Debug)]
pub(crate) struct Counters {
    /// One per thread that owns one, then the shared overflow shard.
    shards: [CacheLine<CallTally>; SHARDS + 1],
    /// Where every call's future goes (the entry's placement).
    placement: Placement,
}

impl Default for Counters {
    fn default() -> Self {
        Counters::new(Placement::Inline)
    }
}

/// How many calls started and how each ended, on one shard: the tracked
/// part of a registry entry's counters and of a twin method's.
///
/// Ordering: the start of a call happens before its end (the future is
/// created before it is dropped, and moving it to another thread
/// synchronizes). Ends are stored with `Release` and all of them read
/// first, with `Acquire` ([`Outcomes::sum`]), so a snapshot sees at least
/// the starts of the calls whose ends it sees, whichever shards they are
/// on: `in_flight` never underflows.
#[derive(Debug, Default)]
pub(crate) struct CallTally {
    started: AtomicU64,
    /// Indexed by [`Outcome`].
    ended: [AtomicU64; 3],
}

impl CallTally {
    /// Counts a call as started, on a shard this thread owns (`owned`) or
    /// shares.
    #[inline]
    pub(crate) fn start(&self, owned: bool) {
        add(&self.started, 1, owned, Relaxed);
    }

    /// Counts the end of a call.
    #[inline]
    pub(crate) fn end(&self, outcome: Outcome, owned: bool) {
        add(&self.ended[outcome as usize], 1, owned, Release);
    }

    /// The calls started on this shard.
    pub(crate) fn started(&self) -> u64 {
        self.started.load(Relaxed)
    }
}

/// How many calls started, and how many ended each way, over every shard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Outcomes {
    pub(crate) started: u64,
    pub(crate) completed: u64,
    pub(crate) cancelled: u64,
    pub(crate) panicked: u64,
}

impl Outcomes {
    /// The sum of `tallies`: ends first, with `Acquire`, then starts (see
    /// [`CallTally`]), so that the starts read cover every end read.
    pub(crate) fn sum<'t>(tallies: impl Iterator<Item = &'t CallTally> + Clone) -> Self {
        let mut ends = [0u64; 3];
        for tally in tallies.clone() {
            for (sum, counter) in ends.iter_mut().zip(&tally.ended) {
                *sum += counter.load(Acquire);
            }
        }
        Outcomes {
            started: tallies.map(CallTally::started).sum(),
            completed: ends[Outcome::Completed as usize],
            cancelled: ends[Outcome::Cancelled as usize],
            panicked: ends[Outcome::Panicked as usize],
        }
    }

    /// Calls started and not ended yet.
    pub(crate) fn in_flight(&self) -> u64 {
        self.started
            .saturating_sub(self.completed + self.cancelled + self.panicked)
    }
}

impl Counters {
    /// Counters of an entry whose every call's future goes to `placement`.
    pub(crate) fn new(placement: Placement) -> Self {
        Counters {
            shards: Default::default(),
            placement,
        }
    }

    /// This thread's shard, and whether it owns it.
    #[inline]
    fn shard(&self) -> (&CallTally, bool) {
        pick(&self.shards)
    }

    /// Counts a call as started.
    #[inline]
    pub(crate) fn started(&self) {
        let (tally, owned) = self.shard();
        tally.start(owned);
    }

    /// Counts the end of a call.
    #[inline]
    pub(crate) fn finished(&self, outcome: Outcome) {
        on_assigned(&self.shards, |tally, owned| tally.end(outcome, owned));
    }

    /// A snapshot, for a service whose futures are `future_size` bytes (and
    /// go to the entry's placement).
    pub(crate) fn snapshot(&self, future_size: u64) -> CallStats {
        let outcomes = Outcomes::sum(self.shards.iter().map(|shard| &shard.0));
        let calls = outcomes.started;
        let at = |place: Placement| if place == self.placement { calls } else { 0 };
        let heap = at(Placement::Heap);
        #[allow(deprecated)] // `heap_bytes`, kept for a release
        CallStats {
            calls,
            inline: at(Placement::Inline),
            heap,
            allocations: heap,
            allocated_bytes: heap * future_size,
            heap_bytes: heap * future_size,
            recycled: at(Placement::Recycled),
            completed: outcomes.completed,
            cancelled: outcomes.cancelled,
            panicked: outcomes.panicked,
            in_flight: outcomes.in_flight(),
            ..CallStats::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_many_threads_add_up() {
        let counters = Counters::new(Placement::Recycled);
        let threads = if cfg!(miri) { 3 } else { SHARDS + 4 };
        let rounds = if cfg!(miri) { 5 } else { 1_000 };
        std::thread::scope(|scope| {
            for t in 0..threads {
                let counters = &counters;
                scope.spawn(move || {
                    for round in 0..rounds {
                        counters.started();
                        let outcome = [Outcome::Completed, Outcome::Cancelled, Outcome::Panicked]
                            [(t + round) % 3];
                        counters.finished(outcome);
                    }
                    counters.started(); // one left in flight per thread
                });
            }
        });
        let stats = counters.snapshot(100);
        let total = (threads * rounds) as u64;
        assert_eq!(stats.calls, total + threads as u64);
        assert_eq!(stats.completed + stats.cancelled + stats.panicked, total);
        assert_eq!(stats.in_flight, threads as u64);
        assert_eq!(
            (stats.recycled, stats.inline, stats.heap),
            (stats.calls, 0, 0)
        );
        assert_eq!(stats.allocated_bytes, 0);

        let heap = Counters::new(Placement::Heap);
        heap.started();
        assert_eq!(
            (heap.snapshot(100).heap, heap.snapshot(100).allocated_bytes),
            (1, 100)
        );
    }
}
