//! [`EntryStats`]: a snapshot of one registered service's counters.

use core::fmt;
use core::ops::Add;

/// A snapshot of one registered service's counters, from
/// [`Handle::stats`](crate::Handle::stats) or
/// [`Registry::stats`](crate::Registry::stats).
///
/// Every call through the registry (by name or through a
/// [`Handle`](crate::Handle)) is counted once when it starts and once when
/// its future is dropped, as `completed` (it had returned `Ready`) or
/// `cancelled` (it had not; a `Service::call` that panics counts here too).
/// `inline` and `heap` say where the calls' erased futures went: recorded
/// when a call ends, and for calls in flight given by the service's future
/// layout, which decides the placement of every call of a service. So, in
/// any snapshot:
///
/// * `calls == inline + heap`;
/// * `calls == completed + cancelled + in_flight`;
/// * `heap_bytes == heap × the service's future size`.
///
/// Each counter is read atomically, the set is not: under load a snapshot
/// may include a call's start and not yet its end (it is then in flight),
/// never the other way round.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::EntryStats;
///
/// let stats = EntryStats { calls: 10, inline: 10, completed: 9, in_flight: 1, ..Default::default() };
/// assert_eq!(
///     stats.to_string(),
///     "10 calls: 10 inline, 0 heap (0 bytes); 9 completed, 0 cancelled, 1 in flight",
/// );
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct EntryStats {
    /// Calls started: `inline + heap`.
    pub calls: u64,
    /// Calls whose erased future was stored in the handle's buffer.
    pub inline: u64,
    /// Calls whose erased future did not fit and went to the heap.
    pub heap: u64,
    /// Bytes allocated for those heap futures.
    pub heap_bytes: u64,
    /// Futures dropped after they returned `Ready`.
    pub completed: u64,
    /// Futures dropped before they returned `Ready`.
    pub cancelled: u64,
    /// Futures not yet dropped: `calls - completed - cancelled`.
    pub in_flight: u64,
}

/// Sums two snapshots field by field, for totals over several services.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::EntryStats;
///
/// let one = EntryStats { calls: 1, inline: 1, completed: 1, ..Default::default() };
/// assert_eq!((one + one).calls, 2);
/// ```
impl Add for EntryStats {
    type Output = EntryStats;

    fn add(self, other: EntryStats) -> EntryStats {
        EntryStats {
            calls: self.calls + other.calls,
            inline: self.inline + other.inline,
            heap: self.heap + other.heap,
            heap_bytes: self.heap_bytes + other.heap_bytes,
            completed: self.completed + other.completed,
            cancelled: self.cancelled + other.cancelled,
            in_flight: self.in_flight + other.in_flight,
        }
    }
}

impl fmt::Display for EntryStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} calls: {} inline, {} heap ({} bytes); {} completed, {} cancelled, {} in flight",
            self.calls,
            self.inline,
            self.heap,
            self.heap_bytes,
            self.completed,
            self.cancelled,
            self.in_flight
        )
    }
}
