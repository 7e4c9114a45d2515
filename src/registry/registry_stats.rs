//! [`RegistryStats`]: every registered service's counters, as a table.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::registry::EntryStats;
use crate::registry::table::Table;

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
/// // service  calls  inline  heap  heap bytes  completed  cancelled  in flight
/// // one          1       1     0           0          0          1          0
/// // two          0       0     0           0          0          0          0
/// // total        1       1     0           0          0          1          0
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegistryStats {
    entries: Vec<(String, EntryStats)>,
}

impl RegistryStats {
    pub(super) fn new(entries: Vec<(String, EntryStats)>) -> Self {
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
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &EntryStats)> {
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
    pub fn get(&self, name: &str) -> Option<&EntryStats> {
        self.entries
            .binary_search_by(|(entry, _)| entry.as_str().cmp(name))
            .ok()
            .map(|i| &self.entries[i].1)
    }

    /// The sum over all listed services.
    ///
    /// # Examples
    ///
    /// See [`RegistryStats`].
    #[must_use]
    pub fn total(&self) -> EntryStats {
        self.entries
            .iter()
            .fold(EntryStats::default(), |sum, (_, stats)| sum + *stats)
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
                "heap bytes",
                "completed",
                "cancelled",
                "in flight",
            ],
            [false, true, true, true, true, true, true, true],
        );
        let total = self.total();
        let totals = core::iter::once(("total", &total));
        for (name, s) in self.iter().chain(totals) {
            table.row([
                name.to_string(),
                s.calls.to_string(),
                s.inline.to_string(),
                s.heap.to_string(),
                s.heap_bytes.to_string(),
                s.completed.to_string(),
                s.cancelled.to_string(),
                s.in_flight.to_string(),
            ]);
        }
        table.fmt(f)
    }
}
