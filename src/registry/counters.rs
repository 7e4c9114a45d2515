//! [`Counters`]: what a registry entry counts per call, and how a snapshot
//! of them becomes [`EntryStats`].

use core::sync::atomic::AtomicU64;
use core::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use crate::future::inline_box::InlineBox;
use crate::registry::stats::EntryStats;
use crate::space::Capacity;

/// Per-entry counters: two uncontended atomic adds per call, one before the
/// service is called and one when the call's future is dropped.
///
/// * `started` is counted *before* the `dyn` call, not after it: right after
///   the call, the freshly written future (up to 128 bytes) is still in the
///   store buffer, and an atomic add behind it waits for it to drain (our
///   reading of the assembly): measured at +15 to +18 % of a whole call
///   (`benches/registry.rs`), against +1 to +5 % counted before.
/// * `ended` is indexed by where the future lived and how it ended
///   ([`ended_index`]), so the drop pays one add whatever happened.
/// * Nothing else is stored. `in_flight = started - ended`; a call's
///   placement is recorded when it ends, and calls still in flight are
///   attributed by the service's future layout, which decides the placement
///   of every call (it is a property of the future's type, see
///   [`FutureLayout::fits`](crate::layout::FutureLayout::fits)), so the split is
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
pub(crate) struct Counters {
    started: AtomicU64,
    /// Indexed by [`ended_index`].
    ended: [AtomicU64; 6],
}

/// How a call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Its future was dropped before it returned `Ready`.
    Cancelled,
    /// Its future returned `Ready`.
    Completed,
    /// `Service::call` or the future's `poll` panicked.
    Panicked,
}

impl Outcome {
    /// `cancelled`, `completed` or `panicked`: how logs and spans name it.
    #[cfg(feature = "tracing")]
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Outcome::Cancelled => "cancelled",
            Outcome::Completed => "completed",
            Outcome::Panicked => "panicked",
        }
    }

    /// How the call whose future this is ended, as its future is dropped
    /// (a service's `SendInlineFuture`, or a twin method's `InlineFuture` or
    /// `SendInlineFuture`).
    pub(crate) fn of<D: ?Sized, Space: Capacity>(future: &InlineBox<D, Space>) -> Self {
        if future.has_panicked() {
            Outcome::Panicked
        } else if future.is_terminated() {
            Outcome::Completed
        } else {
            Outcome::Cancelled
        }
    }
}

/// Where a call's `ended` count goes.
const fn ended_index(heap: bool, outcome: Outcome) -> usize {
    (heap as usize) * 3 + outcome as usize
}

impl Counters {
    #[inline]
    pub(crate) fn started(&self) {
        self.started.fetch_add(1, Relaxed);
    }

    /// Counts the end of a call whose future, inline or on the heap, is
    /// being dropped.
    #[inline]
    pub(crate) fn finished(&self, heap: bool, outcome: Outcome) {
        self.ended[ended_index(heap, outcome)].fetch_add(1, Release);
    }

    /// A snapshot, for a service whose futures are `future_size` bytes and
    /// go to the heap when `heap`.
    pub(crate) fn snapshot(&self, future_size: u64, heap: bool) -> EntryStats {
        // Ends first, then starts: see the type's docs.
        let ended = |heap, outcome| self.ended[ended_index(heap, outcome)].load(Acquire);
        let both = |outcome| ended(false, outcome) + ended(true, outcome);
        let in_place = |heap| {
            ended(heap, Outcome::Cancelled)
                + ended(heap, Outcome::Completed)
                + ended(heap, Outcome::Panicked)
        };
        let (inline_ended, heap_ended) = (in_place(false), in_place(true));
        let (completed, cancelled, panicked) = (
            both(Outcome::Completed),
            both(Outcome::Cancelled),
            both(Outcome::Panicked),
        );
        let calls = self.started.load(Relaxed);
        let in_flight = calls.saturating_sub(completed + cancelled + panicked);
        let (inline_in_flight, heap_in_flight) = if heap { (0, in_flight) } else { (in_flight, 0) };
        let heap = heap_ended + heap_in_flight;
        EntryStats {
            calls,
            inline: inline_ended + inline_in_flight,
            heap,
            heap_bytes: heap * future_size,
            completed,
            cancelled,
            panicked,
            in_flight,
        }
    }
}
