//! [`ServiceStats`]: a snapshot of a [`Counted`](crate::Counted) service.

use core::fmt;

/// A snapshot of one service's counters, from
/// [`Counted::stats`](crate::Counted::stats).
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::ServiceStats;
///
/// let stats = ServiceStats { calls: 10, inline: 7, heap: 3, heap_bytes: 600, slot_heap: 0 };
/// assert_eq!(stats.erased(), 10);
/// assert_eq!(stats.to_string(), "10 calls, 10 erased: 7 inline, 3 heap (600 bytes), 0 in a slot's heap buffer");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ServiceStats {
    /// Calls made, static or through `dyn`.
    pub calls: u64,
    /// Calls through `dyn` whose future was stored inline.
    pub inline: u64,
    /// Calls through `dyn` whose future went to a heap allocation.
    pub heap: u64,
    /// Bytes allocated for those heap futures.
    pub heap_bytes: u64,
    /// Calls through `dyn` whose future went to a reusable slot's heap
    /// buffer, allocating nothing.
    pub slot_heap: u64,
}

impl ServiceStats {
    /// Calls made through `dyn` (`inline + heap + slot_heap`).
    ///
    /// # Examples
    ///
    /// ```
    /// let stats = hybrid_dispatch::ServiceStats { inline: 2, heap: 1, ..Default::default() };
    /// assert_eq!(stats.erased(), 3);
    /// ```
    #[must_use]
    pub const fn erased(&self) -> u64 {
        self.inline + self.heap + self.slot_heap
    }
}

impl fmt::Display for ServiceStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} calls, {} erased: {} inline, {} heap ({} bytes), {} in a slot's heap buffer",
            self.calls,
            self.erased(),
            self.inline,
            self.heap,
            self.heap_bytes,
            self.slot_heap
        )
    }
}
