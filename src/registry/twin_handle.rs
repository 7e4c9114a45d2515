//! [`TwinHandle`]: one implementor of a `#[dyn_twin]` trait in a
//! [`TwinRegistry`](crate::registry::TwinRegistry), resolved once.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::ops::Deref;

use crate::layer::counted::CallCounters;
use crate::layer::counted_twin::{TwinStats, stats_of};
use crate::registry::sizing::EntrySizing;
use crate::twin::Twin;

/// A registered twin: the shared object (a `CountedTwin` of the
/// implementor, erased) and its per-method counters, shared by the map,
/// every handle and every call.
pub(crate) struct TwinEntry<T: ?Sized> {
    pub(crate) name: Arc<str>,
    /// The implementor's type (the twin object would name its counting
    /// wrapper).
    pub(crate) type_name: &'static str,
    pub(crate) counters: Arc<[CallCounters]>,
    pub(crate) twin: Arc<T>,
}

impl<T: ?Sized + Twin> TwinEntry<T> {
    pub(crate) fn stats(&self) -> TwinStats {
        stats_of(T::METHODS, &self.counters)
    }

    /// Each async method's future layout against the twin's capacity.
    pub(crate) fn sizing(&self) -> Vec<(&'static str, EntrySizing)> {
        T::METHODS
            .iter()
            .enumerate()
            .filter_map(|(index, method)| {
                let layout = self.twin.method_layout(index)?;
                Some((
                    method.name(),
                    EntrySizing::new::<T::Space>(self.type_name, layout),
                ))
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
/// [`TwinRegistry::remove`](crate::registry::TwinRegistry::remove).
///
/// # Examples
///
/// See [`TwinRegistry`](crate::registry::TwinRegistry).
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
    /// See [`TwinRegistry`](crate::registry::TwinRegistry).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.entry.name
    }

    /// A snapshot of this implementor's counters, per method: calls, inline
    /// and heap placements, bytes allocated.
    ///
    /// # Examples
    ///
    /// See [`TwinRegistry`](crate::registry::TwinRegistry).
    #[must_use]
    pub fn stats(&self) -> TwinStats {
        self.entry.stats()
    }

    /// Each async method's future layout against the twin's capacity
    /// (see [`EntrySizing`]). Nothing is called.
    ///
    /// # Examples
    ///
    /// See [`TwinRegistry`](crate::registry::TwinRegistry).
    #[must_use]
    pub fn sizing(&self) -> Vec<(&'static str, EntrySizing)> {
        self.entry.sizing()
    }

    /// The shared twin object, to keep or pass on without the handle.
    ///
    /// # Examples
    ///
    /// See [`TwinRegistry`](crate::registry::TwinRegistry).
    #[must_use]
    pub fn shared(&self) -> Arc<T> {
        Arc::clone(&self.entry.twin)
    }

    /// Whether two handles refer to the same registration.
    ///
    /// # Examples
    ///
    /// See [`TwinRegistry::remove`](crate::registry::TwinRegistry::remove).
    #[must_use]
    pub fn same_entry(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.entry, &other.entry)
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
            .field("name", &self.name())
            .field("type", &self.entry.type_name)
            .field("stats", &self.stats())
            .finish()
    }
}
