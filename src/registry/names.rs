//! [`Names`]: the name → shared entry map both registries are built on
//! ([`Registry`](crate::Registry) for services,
//! [`TwinRegistry`](crate::twin::TwinRegistry) for `#[dyn_twin]` traits):
//! the lock, the typed errors and the rule that no user code runs under the
//! lock live here once.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use std::sync::{PoisonError, RwLock, RwLockReadGuard};

use crate::registry::error::Error;

/// Entries by name. A `BTreeMap` rather than a `HashMap`: `names()` and the
/// reports come out sorted, it lives in `alloc`, and for the tens of names a
/// registry holds a few string comparisons cost less than hashing the name.
pub(crate) type Map<E> = BTreeMap<Arc<str>, Arc<E>>;

/// A shared, locked map of named entries. Cloning shares it.
///
/// Every operation holds the lock only for a map operation and `Arc`
/// clones: entries are built before the write lock is taken and dropped
/// after it is released, so no user code (not even a destructor) runs under
/// it, the lock cannot be poisoned by it, and a poisoned lock (from a panic
/// elsewhere) is recovered.
pub(crate) struct Names<E: ?Sized> {
    map: Arc<RwLock<Map<E>>>,
}

impl<E: ?Sized> Names<E> {
    pub(crate) fn new() -> Self {
        Names {
            map: Arc::new(RwLock::new(BTreeMap::new())),
        }
    }

    /// Inserts `entry` under `name`, or gives it back with
    /// [`Error::Duplicate`] (dropped by the caller, outside the lock).
    pub(crate) fn insert(&self, name: Arc<str>, entry: &Arc<E>) -> Result<(), Error> {
        let mut map = self.map.write().unwrap_or_else(PoisonError::into_inner);
        if map.contains_key(&name) {
            return Err(Error::Duplicate(name.to_string()));
        }
        map.insert(name, Arc::clone(entry));
        Ok(())
    }

    /// The entry under `name`, or [`Error::NotFound`].
    pub(crate) fn get(&self, name: &str) -> Result<Arc<E>, Error> {
        let entry = self.read().get(name).cloned();
        entry.ok_or_else(|| Error::NotFound(name.into()))
    }

    /// Takes the entry under `name` out, or [`Error::NotFound`]. The entry
    /// is returned, so it is dropped (maybe running user code) outside the
    /// lock.
    pub(crate) fn remove(&self, name: &str) -> Result<Arc<E>, Error> {
        // The guard is a temporary: released at the end of the statement.
        let removed = self
            .map
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(name);
        removed.ok_or_else(|| Error::NotFound(name.into()))
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.read().contains_key(name)
    }

    pub(crate) fn names(&self) -> Vec<String> {
        self.read().keys().map(|name| name.to_string()).collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.read().len()
    }

    /// Every entry, cloned out under the lock and returned after it is
    /// released: for reports that call into the entries (a hand-written
    /// [`Twin`](crate::twin::Twin)'s `method_layout` is user code, which
    /// could take this lock again).
    pub(crate) fn snapshot(&self) -> Vec<(Arc<str>, Arc<E>)> {
        self.read()
            .iter()
            .map(|(name, entry)| (Arc::clone(name), Arc::clone(entry)))
            .collect()
    }

    /// The read lock, for reports that read every entry's atomics (no `Arc`
    /// is cloned or dropped under it).
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Map<E>> {
        self.map.read().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<E: ?Sized> Clone for Names<E> {
    fn clone(&self) -> Self {
        Names {
            map: Arc::clone(&self.map),
        }
    }
}
