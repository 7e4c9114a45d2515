//! [`CallStats`] (one service's counters) and [`RegistryStats`] (all of
//! them, with a total).

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use core::ops::Add;

use crate::registry::table::Table;

/// How a registry entry's calls went and ended (and where their futures
/// went): a snapshot of one registered service's counters, from
/// [`Handle::stats`](crate::Handle::stats) or
/// [`Registry::stats`](crate::Registry::stats).
///
/// Every call through the registry (by name or through a
/// [`Handle`](crate::Handle)) is counted once when it starts and once when
/// its future is dropped, as `completed` (it had returned `Ready`),
/// `cancelled` (it had not) or `panicked` (`Service::call` or the future's
/// `poll` panicked).
/// `inline`, `heap` and `recycled` say where the calls' erased futures
/// went: recorded when a call ends, and for calls in flight given by the
/// entry's placement, which decides the placement of every call of a
/// service (see [`EntrySizing`](crate::registry::EntrySizing)). So, in any
/// snapshot:
///
/// * `calls == inline + heap + recycled`;
/// * `calls == completed + cancelled + panicked + in_flight`;
/// * `allocations == heap + recycle_misses`, and `allocated_bytes` are
///   their bytes: what the calls allocated (the word
///   [`PlacementStats`](crate::layer::PlacementStats) uses too);
/// * recycled calls that found an idle buffer (hits) are
///   `recycled - recycle_misses`, give or take the calls in flight.
///
/// Each counter is read atomically, the set is not: under load a snapshot
/// may include a call's start and not yet its end (it is then in flight),
/// never the other way round.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::registry::CallStats;
///
/// let stats = CallStats { calls: 10, inline: 10, completed: 9, in_flight: 1, ..Default::default() };
/// assert_eq!(
///     stats.to_string(),
///     "10 calls: 10 inline, 0 heap; 0 allocations (0 bytes); 9 completed, 0 cancelled, 0 panicked, 1 in flight",
/// );
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CallStats {
    /// Calls started: `inline + heap + recycled`.
    pub calls: u64,
    /// Calls whose erased future was stored in the handle's buffer.
    pub inline: u64,
    /// Calls whose erased future did not fit and went to the heap.
    pub heap: u64,
    /// Allocations the calls made: one per `heap` call, one per recycled
    /// call that found no idle buffer (`recycle_misses`).
    pub allocations: u64,
    /// Bytes those allocations took: the heap futures' and the recycled
    /// buffers'.
    pub allocated_bytes: u64,
    /// Bytes of the heap futures alone: `heap ×` the future's size.
    #[deprecated(
        since = "0.1.0",
        note = "use `allocated_bytes`, which counts the recycled buffers allocated too (the word `PlacementStats` uses), or `heap` × the future's size"
    )]
    pub heap_bytes: u64,
    /// Calls whose erased future went to a buffer recycled from the
    /// entry's pool (it did not fit inline).
    pub recycled: u64,
    /// Buffers the entry's pool allocated because none was idle: the
    /// recycled calls that allocated.
    pub recycle_misses: u64,
    /// Idle buffers the entry's pool holds for the next calls.
    pub idle_buffers: u64,
    /// Bytes those idle buffers take.
    pub idle_bytes: u64,
    /// Calls whose future returned `Ready`.
    pub completed: u64,
    /// Futures dropped before they returned `Ready`.
    pub cancelled: u64,
    /// Calls that panicked, in `Service::call` or in the future's `poll`.
    pub panicked: u64,
    /// Calls not yet ended (their future neither returned `Ready` nor
    /// panicked, and was not dropped): `calls - completed - cancelled -
    /// panicked`.
    pub in_flight: u64,
}

/// Sums two snapshots field by field, for totals over several services.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::registry::CallStats;
///
/// let one = CallStats { calls: 1, inline: 1, completed: 1, ..Default::default() };
/// assert_eq!((one + one).calls, 2);
/// ```
impl Add for CallStats {
    type Output = CallStats;

    #[allow(deprecated)] // sums `heap_bytes` too, while it exists
    fn add(self, other: CallStats) -> CallStats {
        CallStats {
            calls: self.calls + other.calls,
            inline: self.inline + other.inline,
            heap: self.heap + other.heap,
            allocations: self.allocations + other.allocations,
            allocated_bytes: self.allocated_bytes + other.allocated_bytes,
            heap_bytes: self.heap_bytes + other.heap_bytes,
            recycled: self.recycled + other.recycled,
            recycle_misses: self.recycle_misses + other.recycle_misses,
            idle_buffers: self.idle_buffers + other.idle_buffers,
            idle_bytes: self.idle_bytes + other.idle_bytes,
            completed: self.completed + other.completed,
            cancelled: self.cancelled + other.cancelled,
            panicked: self.panicked + other.panicked,
            in_flight: self.in_flight + other.in_flight,
        }
    }
}

impl fmt::Display for CallStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} calls: {} inline, {} heap",
            self.calls, self.inline, self.heap,
        )?;
        // Only for entries that recycle: most futures fit inline.
        if self.recycled != 0 || self.idle_buffers != 0 {
            write!(
                f,
                ", {} recycled ({} misses, {} idle buffers of {} bytes)",
                self.recycled, self.recycle_misses, self.idle_buffers, self.idle_bytes
            )?;
        }
        write!(
            f,
            "; {} allocations ({} bytes)",
            self.allocations, self.allocated_bytes
        )?;
        write!(
            f,
            "; {} completed, {} cancelled, {} panicked, {} in flight",
            self.completed, self.cancelled, self.panicked, self.in_flight
        )
    }
}

/// A snapshot of the counters of every registered service, by name, from
/// [`Registry::stats`](crate::Registry::stats). `Display` prints a table
/// with a total row.
///
/// Services already removed are not listed; their counters stay readable
/// through any [`Handle`](crate::Handle) to them.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{Registry, service_fn};
///
/// let registry: Registry<u64, u64> = Registry::new();
/// let one = registry.register("one", service_fn(|x: u64| async move { x })).unwrap();
/// registry.register("two", service_fn(|x: u64| async move { x })).unwrap();
/// drop(one.call(1));
///
/// let stats = registry.stats();
/// assert_eq!(stats.get("one").unwrap().cancelled, 1);
/// assert_eq!(stats.total().calls, 1);
/// print!("{stats}");
/// // service  calls  inline  heap  heap bytes  recycled  misses  idle bytes  completed  cancelled  in flight
/// // one          1       1     0           0         0       0           0          0          1          0
/// // two          0       0     0           0         0       0           0          0          0          0
/// // total        1       1     0           0         0       0           0          0          1          0
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegistryStats {
    entries: Vec<(String, CallStats)>,
}

impl RegistryStats {
    pub(super) fn new(entries: Vec<(String, CallStats)>) -> Self {
        RegistryStats { entries }
    }

    /// Each service's name and counters, in name order.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u8, u8> = Registry::new();
    /// registry.register("b", service_fn(|x: u8| async move { x })).unwrap();
    /// registry.register("a", service_fn(|x: u8| async move { x })).unwrap();
    /// let stats = registry.stats();
    /// let names: Vec<&str> = stats.iter().map(|(name, _)| name).collect();
    /// assert_eq!(names, ["a", "b"]);
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &CallStats)> {
        self.entries
            .iter()
            .map(|(name, stats)| (name.as_str(), stats))
    }

    /// The counters of the service named `name`, if it was registered when
    /// the snapshot was taken.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u8, u8> = Registry::new();
    /// registry.register("echo", service_fn(|x: u8| async move { x })).unwrap();
    /// assert!(registry.stats().get("echo").is_some());
    /// assert!(registry.stats().get("nope").is_none());
    /// ```
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&CallStats> {
        self.entries
            .binary_search_by(|(entry, _)| entry.as_str().cmp(name))
            .ok()
            .map(|i| &self.entries[i].1)
    }

    /// The sum over all listed services.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u64, u64> = Registry::new();
    /// let one = registry.register("one", service_fn(|x: u64| async move { x })).unwrap();
    /// let two = registry.register("two", service_fn(|x: u64| async move { 2 * x })).unwrap();
    /// drop(one.call(1));
    /// drop(two.call(1));
    /// drop(two.call(2));
    /// let total = registry.stats().total();
    /// assert_eq!((total.calls, total.inline, total.cancelled), (3, 3, 3));
    /// ```
    #[must_use]
    pub fn total(&self) -> CallStats {
        self.entries
            .iter()
            .fold(CallStats::default(), |sum, (_, stats)| sum + *stats)
    }
}

impl fmt::Display for RegistryStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut table = Table::new(
            [
                "service",
                "calls",
                "inline",
                "heap",
                "allocated bytes",
                "recycled",
                "misses",
                "idle bytes",
                "completed",
                "cancelled",
                "in flight",
            ],
            [
                false, true, true, true, true, true, true, true, true, true, true,
            ],
        );
        let total = self.total();
        let totals = core::iter::once(("total", &total));
        for (name, s) in self.iter().chain(totals) {
            table.row([
                name.to_string(),
                s.calls.to_string(),
                s.inline.to_string(),
                s.heap.to_string(),
                s.allocated_bytes.to_string(),
                s.recycled.to_string(),
                s.recycle_misses.to_string(),
                s.idle_bytes.to_string(),
                s.completed.to_string(),
                s.cancelled.to_string(),
                s.in_flight.to_string(),
            ]);
        }
        table.fmt(f)
    }
}
