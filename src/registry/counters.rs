//! [`Counters`]: what a registry entry counts per call, and how a snapshot
//! of them becomes [`CallStats`].

use core::sync::atomic::AtomicU64;
use core::sync::atomic::Ordering::{self, Acquire, Relaxed, Release};

use crate::future::shard::{CacheLine, SHARDS, add, pick};
use crate::layout::{Outcome, Placement};
use crate::registry::stats::CallStats;

/// Per-entry counters: one count when a call starts (before the service
/// is called) and one when its future is dropped, each on the calling
/// thread's own shard, summed when read.
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
/// * `ended` is indexed by where the future lived and how it ended
///   ([`ended_index`]), so the drop pays one count whatever happened.
/// * Nothing else is stored. `in_flight = started - ended`; a call's
///   placement is recorded when it ends, and calls still in flight are
///   attributed by the entry's placement, which decides the placement of
///   every call (it is a property of the future's type and of whether the
///   entry recycles, see [`FutureLayout::fits`](crate::layout::FutureLayout::fits)),
///   so the split is exact, not an estimate; and `heap_bytes = heap ×
///   future size` for the same reason.
///
/// Ordering: the start of a call happens before its end (the future is
/// created before it is dropped, and moving it to another thread
/// synchronizes). Ends are stored with `Release` and all of them read
/// first, with `Acquire`, so a snapshot sees at least the starts of the
/// calls whose ends it sees, whichever shards they are on: `in_flight`
/// never underflows.
///
/// A [`RegistryFuture`](crate::registry::RegistryFuture) erases a
/// [`Tracked`](crate::layout::Tracked) future counting into one.
#[derive(Debug)]
pub(crate) struct Counters {
    /// One per thread that owns one, then the shared overflow shard.
    shards: [CacheLine<Tally>; SHARDS + 1],
    /// Where every call's future goes (the entry's placement: a property
    /// of the future's type and of the pool), so where each call ends and
    /// how calls in flight are counted.
    placement: Placement,
}

impl Default for Counters {
    fn default() -> Self {
        Counters::new(Placement::Inline)
    }
}

/// One shard's counts.
#[derive(Debug, Default)]
struct Tally {
    started: AtomicU64,
    /// Indexed by [`ended_index`].
    ended: [AtomicU64; ENDS],
}

/// Adds one to `counter`, on a shard this thread owns (`owned`) or shares.
#[inline]
fn bump(counter: &AtomicU64, owned: bool, order: Ordering) {
    add(counter, 1, owned, order);
}

/// How many calls ended with `outcome`, wherever their futures lived.
fn outcome_total(ends: &[u64; ENDS], outcome: Outcome) -> u64 {
    [Placement::Inline, Placement::Heap, Placement::Recycled]
        .iter()
        .map(|&place| ends[ended_index(place, outcome)])
        .sum()
}

/// Where a call's `ended` count goes: a row of outcomes per
/// [`Placement`] (a registry's futures are never in a slot: that row stays
/// zero, and indexing by the discriminant keeps the count a shift and an
/// add).
const fn ended_index(place: Placement, outcome: Outcome) -> usize {
    (place as usize) * 3 + outcome as usize
}

/// Counters for every ([`Placement`], [`Outcome`]) pair.
const ENDS: usize = 4 * 3;

impl Counters {
    /// Counters of an entry whose every call's future goes to `placement`.
    pub(crate) fn new(placement: Placement) -> Self {
        Counters {
            shards: Default::default(),
            placement,
        }
    }

    /// Where every call's future goes.
    #[inline]
    pub(crate) fn placement(&self) -> Placement {
        self.placement
    }

    /// This thread's shard, and whether it owns it.
    #[inline]
    fn shard(&self) -> (&Tally, bool) {
        pick(&self.shards)
    }

    #[inline]
    pub(crate) fn started(&self) {
        let (tally, owned) = self.shard();
        bump(&tally.started, owned, Relaxed);
    }

    /// Counts the end of a call whose future lived at `place`.
    #[inline]
    pub(crate) fn finished_in(&self, place: Placement, outcome: Outcome) {
        let (tally, owned) = self.shard();
        bump(&tally.ended[ended_index(place, outcome)], owned, Release);
    }

    /// Every shard's ends (by [`ended_index`]) and starts, summed: ends
    /// first, with `Acquire`, then starts (see the type's docs), so that
    /// the starts read cover every end read.
    fn read(&self) -> ([u64; ENDS], u64) {
        let mut ends = [0u64; ENDS];
        for shard in &self.shards {
            for (sum, counter) in ends.iter_mut().zip(&shard.0.ended) {
                *sum += counter.load(Acquire);
            }
        }
        let started = self
            .shards
            .iter()
            .map(|shard| shard.0.started.load(Relaxed))
            .sum();
        (ends, started)
    }

    /// A snapshot, for a service whose futures are `future_size` bytes (and
    /// go to the entry's placement).
    pub(crate) fn snapshot(&self, future_size: u64) -> CallStats {
        let place = self.placement;
        let (ends, calls) = self.read();
        let ended = |place, outcome| ends[ended_index(place, outcome)];
        let place_total = |place| {
            ended(place, Outcome::Cancelled)
                + ended(place, Outcome::Completed)
                + ended(place, Outcome::Panicked)
        };
        let (completed, cancelled, panicked) = (
            outcome_total(&ends, Outcome::Completed),
            outcome_total(&ends, Outcome::Cancelled),
            outcome_total(&ends, Outcome::Panicked),
        );
        let in_flight = calls.saturating_sub(completed + cancelled + panicked);
        let at = |p| place_total(p) + if p == place { in_flight } else { 0 };
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
            completed,
            cancelled,
            panicked,
            in_flight,
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
                    for _ in 0..rounds {
                        counters.started();
                        let place =
                            [Placement::Inline, Placement::Heap, Placement::Recycled][t % 3];
                        counters.finished_in(place, Outcome::Completed);
                    }
                    counters.started(); // one left in flight per thread
                });
            }
        });
        let stats = counters.snapshot(100);
        let total = (threads * rounds) as u64;
        assert_eq!(stats.calls, total + threads as u64);
        assert_eq!(stats.completed, total);
        assert_eq!(stats.in_flight, threads as u64);
        assert_eq!(stats.inline + stats.heap + stats.recycled, stats.calls);
        assert_eq!(stats.allocated_bytes, stats.heap * 100);
    }
}
