//! [`TwinHandle`]: one implementor of a `#[dyn_twin]` trait in a
//! [`TwinRegistry`](crate::twin::TwinRegistry), resolved once.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::ops::Deref;

use crate::future::recycled::{PoolStats, RecyclePool};
use crate::layer::counted::CallCounters;
use crate::registry::counters::Counters;
use crate::registry::sizing::EntrySizing;
use crate::registry::stats::EntryStats;
use crate::twin::Twin;
use crate::twin::counted::{Pools, TwinStats, stats_of, tracked_stats};

/// A registered twin: the shared object (a `CountedTwin` of the
/// implementor, erased) and its per-method counters, shared by the map,
/// every handle and every call.
pub(crate) struct TwinEntry<T: ?Sized> {
    pub(crate) name: Arc<str>,
    /// The implementor's type (the twin object would name its counting
    /// wrapper).
    pub(crate) type_name: &'static str,
    pub(crate) counters: Arc<[CallCounters]>,
    /// How each method's calls ended, one per entry of `T::METHODS` (a
    /// sync method's stays at zero: it has no future), shared with the
    /// entry's `CountedTwin`, whose futures count into them.
    pub(crate) outcomes: Arc<[Counters]>,
    /// The recycled storage of the entry's counting wrapper, per method.
    pub(crate) pools: Arc<Pools>,
    pub(crate) twin: Arc<T>,
}

impl<T: ?Sized + Twin> TwinEntry<T> {
    pub(crate) fn stats(&self) -> TwinStats {
        stats_of(T::METHODS, &self.counters)
    }

    /// The tracked calls of each async method, in declaration order.
    pub(crate) fn tracked(&self) -> Vec<(&'static str, EntryStats)> {
        T::METHODS
            .iter()
            .enumerate()
            .filter_map(|(index, method)| Some((method.name(), self.tracked_at(index)?)))
            .collect()
    }

    /// The tracked calls of method `index`; `None` for a sync method.
    /// Started and ended calls come from the method's [`Tracked`](crate::twin::Tracked)
    /// futures, placements from the erasures its `CountedTwin` heard.
    fn tracked_at(&self, index: usize) -> Option<EntryStats> {
        let layout = self.twin.method_layout(index)?;
        let placed = self.counters[index].snapshot();
        let heap_bytes = placed.heap * layout.size() as u64;
        Some(tracked_stats(&self.outcomes[index], placed, heap_bytes))
    }

    /// The position of async method `method` in `T::METHODS`.
    fn async_method(&self, method: &str) -> Option<usize> {
        T::METHODS
            .iter()
            .position(|m| m.name() == method && m.is_async())
    }

    /// Each async method's future layout against the twin's capacity.
    pub(crate) fn sizing(&self) -> Vec<(&'static str, EntrySizing)> {
        T::METHODS
            .iter()
            .enumerate()
            .filter_map(|(index, method)| {
                let layout = self.twin.method_layout(index)?;
                let mut sizing = EntrySizing::new::<T::Space>(self.type_name, layout);
                if method.recycles() {
                    sizing = sizing.with_pool(
                        self.pools.max_idle_for(layout),
                        RecyclePool::buffer_bytes_for(layout),
                    );
                }
                Some((method.name(), sizing))
            })
            .collect()
    }
}

/// One registered implementor of a [`#[dyn_twin]`](crate::dyn_twin) trait,
/// resolved once: it dereferences to the twin object (`dyn SendDynPlugin`),
/// so its methods — `handle_send`, `handle_dyn`, `handle_in`, and `handle`
/// itself through the bridge impl — are called on it directly, with no
/// lookup and no lock.
///
/// Like [`Handle`](crate::Handle), it is an `Arc` to the registry's entry:
/// cheap to clone, and it keeps the implementor alive after
/// [`TwinRegistry::remove`](crate::twin::TwinRegistry::remove).
///
/// The handle's own functions are associated functions, as `Arc`'s are
/// (`TwinHandle::name(&handle)`, `TwinHandle::stats(&handle)`, …), so that
/// they never shadow your trait's methods reached through `Deref`:
/// `handle.name()` calls your plugin's `fn name(&self)`.
///
/// # Examples
///
/// See [`TwinRegistry`](crate::twin::TwinRegistry).
pub struct TwinHandle<T: ?Sized> {
    entry: Arc<TwinEntry<T>>,
}

impl<T: ?Sized + Twin> TwinHandle<T> {
    pub(crate) fn new(entry: Arc<TwinEntry<T>>) -> Self {
        TwinHandle { entry }
    }

    /// The name the implementor was registered under.
    ///
    /// # Examples
    ///
    /// See [`TwinRegistry`](crate::twin::TwinRegistry).
    #[must_use]
    pub fn name(this: &Self) -> &str {
        &this.entry.name
    }

    /// A snapshot of this implementor's counters, per method: calls, inline
    /// and heap placements, bytes allocated.
    ///
    /// # Examples
    ///
    /// See [`TwinRegistry`](crate::twin::TwinRegistry).
    #[must_use]
    pub fn stats(this: &Self) -> TwinStats {
        this.entry.stats()
    }

    /// How the calls of async method `method` went, however they were made
    /// (by name, through a handle, through the bridge, or on the
    /// [`shared`](Self::shared) object): calls, inline, heap and recycled
    /// placements, heap bytes, and how many completed, were cancelled,
    /// panicked or are in flight (see [`EntryStats`] for the identities
    /// between them). `None` if `method` is not an async method of the twin.
    ///
    /// A call is tracked by its [`Tracked`](crate::twin::Tracked) future,
    /// so the methods whose future the wrapper cannot borrow into are not:
    /// a future declared `+ 'static`, a `self: Box<Self>` receiver, and
    /// stream methods. They show no tracked calls; [`stats`](Self::stats)
    /// still counts their calls and placements.
    ///
    /// # Examples
    ///
    /// See [`Tracked`](crate::twin::Tracked).
    #[must_use]
    pub fn tracked(this: &Self, method: &str) -> Option<EntryStats> {
        this.entry.tracked_at(this.entry.async_method(method)?)
    }

    /// Each async method's future layout against the twin's capacity
    /// (see [`EntrySizing`]). Nothing is called.
    ///
    /// # Examples
    ///
    /// See [`TwinRegistry`](crate::twin::TwinRegistry).
    #[must_use]
    pub fn sizing(this: &Self) -> Vec<(&'static str, EntrySizing)> {
        this.entry.sizing()
    }

    /// Method `method`'s recycled storage (see
    /// [`CountedTwin::pool_stats`](crate::twin::CountedTwin::pool_stats)):
    /// misses, idle buffers and bytes. `None` if the method is unknown or
    /// its futures have not needed the pool.
    ///
    /// # Examples
    ///
    /// See [`TwinRegistry::trim`](crate::twin::TwinRegistry::trim).
    #[must_use]
    pub fn pool_stats(this: &Self, method: &str) -> Option<PoolStats> {
        let index = T::METHODS.iter().position(|m| m.name() == method)?;
        Some(this.entry.pools.made(index)?.stats())
    }

    /// The shared twin object, to keep or pass on without the handle.
    ///
    /// # Examples
    ///
    /// See [`TwinRegistry`](crate::twin::TwinRegistry).
    #[must_use]
    pub fn shared(this: &Self) -> Arc<T> {
        Arc::clone(&this.entry.twin)
    }

    /// Whether two handles refer to the same registration.
    ///
    /// # Examples
    ///
    /// See [`TwinRegistry::remove`](crate::twin::TwinRegistry::remove).
    #[must_use]
    pub fn same_entry(this: &Self, other: &Self) -> bool {
        Arc::ptr_eq(&this.entry, &other.entry)
    }
}

impl<T: ?Sized> Deref for TwinHandle<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.entry.twin
    }
}

impl<T: ?Sized> Clone for TwinHandle<T> {
    fn clone(&self) -> Self {
        TwinHandle {
            entry: Arc::clone(&self.entry),
        }
    }
}

impl<T: ?Sized + Twin> fmt::Debug for TwinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwinHandle")
            .field("name", &Self::name(self))
            .field("type", &self.entry.type_name)
            .field("stats", &Self::stats(self))
            .finish()
    }
}
