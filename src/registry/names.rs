//! [`Names`]: the name → shared entry map both registries are built on
//! ([`Registry`](crate::Registry) for services,
//! [`TwinRegistry`](crate::twin::TwinRegistry) for `#[dyn_twin]` traits):
//! the snapshot reads, the typed errors and the rule that no user code runs
//! under the writers' lock live here once.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ops::Deref;
use std::sync::{Mutex, PoisonError};

use core::hash::Hasher;

use rustc_hash::FxHasher;

use crate::future::snapshot::{Snapshot as CellSnapshot, SnapshotCell};

use crate::registry::error::Error;

/// Entries by name, sorted by name (`names()` and the reports come out
/// sorted), and past [`SEARCHED`] names an index from name to position.
/// A lookup in a small map compares the name with each entry's; in a
/// larger one it hashes the name (FxHash) and compares it with the entry
/// its slot names ([`Index`]). Measured: among 16 names sharing a 7-byte
/// prefix (`benches/registry.rs`) a binary search's four `memcmp` calls
/// made a call by name 56 ns dearer than a handle call, a hashed index
/// 23 ns; with one name (`benches/recycled.rs`) a binary search's one
/// `memcmp` and the search around it took about 40 instructions, the
/// equality test takes about 12. A
/// position in one snapshot stays valid for as long as that snapshot is
/// held (see [`Found`]).
pub(crate) struct Map<E: ?Sized> {
    entries: Vec<(Arc<str>, Arc<E>)>,
    /// `None` for [`SEARCHED`] names or fewer.
    index: Option<Index>,
}

/// Positions in a map's entries by the FxHash of their names: an open
/// addressing table with linear probing, at most half full, each slot a
/// position plus one (`0`: empty). A lookup hashes the name, and compares
/// it with the entry of each slot it probes ([`same_name`]: a length
/// test, and two loads for names of up to 16 bytes) until one matches or
/// a slot is empty; with this load most names are found at their first
/// slot. It replaced a `HashMap<Arc<str>, usize>` (a group probe and a
/// `memcmp` call): among 16 names a call by name takes 364 instructions
/// where it took 432 (`benches/registry.rs -- --callgrind`).
struct Index {
    slots: Box<[u32]>,
}

impl Index {
    /// The index of `names`, in order.
    fn new<'n>(names: impl ExactSizeIterator<Item = &'n str>) -> Self {
        let count = names.len();
        assert!(
            u32::try_from(count).is_ok_and(|count| count < u32::MAX),
            "a registry holds fewer than 2^32 - 1 names"
        );
        let mut slots =
            alloc::vec![0u32; (count * 2).next_power_of_two().max(8)].into_boxed_slice();
        let mask = slots.len() - 1;
        for (at, name) in names.enumerate() {
            let mut slot = hash(name) & mask;
            while slots[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            slots[slot] = (at + 1) as u32; // below `u32::MAX` (asserted)
        }
        Index { slots }
    }

    /// Where `name` is among `entries`, the entries this index was made of.
    #[inline]
    fn position<E: ?Sized>(&self, entries: &Entries<E>, name: &str) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let mut slot = hash(name) & mask;
        loop {
            // At most half the slots are full: the probe ends at an empty
            // one if it finds nothing.
            let at = (self.slots[slot] as usize).checked_sub(1)?;
            if same_name(entries[at].0.as_bytes(), name.as_bytes()) {
                return Some(at);
            }
            slot = (slot + 1) & mask;
        }
    }
}

/// The FxHash of `name`'s bytes, as [`Index`] places it.
#[inline]
fn hash(name: &str) -> usize {
    let mut hasher = FxHasher::default();
    hasher.write(name.as_bytes());
    hasher.finish() as usize
}

/// Up to this many names, a lookup compares the name with each entry's;
/// past it, the hashed index. Measured with names of 9 bytes sharing their
/// first 8, looking up the last (`BENCH_NAMES=n cargo bench -p benches
/// --bench registry -- --callgrind`, `handle(name)` and its drop): among
/// 2 names compared in turn, 177 instructions; among 4, 6 and 8 through
/// the index, 181; compared in turn instead, 221, 265 and 309. (Names of
/// different lengths cost less to pass: among the gateway's six, `echo`,
/// the second, took 24 instructions fewer compared in turn.)
const SEARCHED: usize = 3;

/// A map's entries, as a change to it edits them.
type Entries<E> = Vec<(Arc<str>, Arc<E>)>;

impl<E: ?Sized> Map<E> {
    fn new(entries: Entries<E>) -> Self {
        let index =
            (entries.len() > SEARCHED).then(|| Index::new(entries.iter().map(|(name, _)| &**name)));
        Map { entries, index }
    }

    /// Where `name` is.
    #[inline]
    fn position(&self, name: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.position(&self.entries, name),
            // At most `SEARCHED` names: compared for equality in turn, which
            // for names of up to 16 bytes is a length test and two loads
            // each, with no call (an ordered search compared with `memcmp`,
            // about 40 instructions for one name of four bytes).
            None => self
                .entries
                .iter()
                .position(|(key, _)| same_name(key.as_bytes(), name.as_bytes())),
        }
    }
}

impl<E: ?Sized> Deref for Map<E> {
    type Target = [(Arc<str>, Arc<E>)];

    fn deref(&self) -> &Self::Target {
        &self.entries
    }
}

/// A snapshot of the map, as readers hold it.
pub(crate) type Snapshot<E> = CellSnapshot<Map<E>>;

/// A shared map of named entries. Cloning shares it.
///
/// Reads take no lock, clone no `Arc` and run no locked instruction: the
/// map is an immutable snapshot in a [`SnapshotCell`], whose load is a
/// plain store of the map's address to one of this thread's hazard slots
/// and whose release is a plain store of null (the writers pay the memory
/// barrier: see `future/snapshot.rs`). Before, arc-swap's load and release
/// cost an `xchg` and a `lock cmpxchg`, and before that a `RwLock` read and
/// an `Arc` clone of the entry wrote the lock's and the entry's counts from
/// every core on every call by name. Writers (register, remove) build a new map and swap it in, one at
/// a time under a mutex; entries are built before and dropped after, so no
/// user code (not even a destructor) runs under it, and a poisoned mutex is
/// recovered.
pub(crate) struct Names<E: ?Sized> {
    shared: Arc<Shared<E>>,
}

struct Shared<E: ?Sized> {
    map: SnapshotCell<Map<E>>,
    /// Serialises writers: each copies the current map, changes it and
    /// stores it; two at once would lose one's change.
    writer: Mutex<()>,
}

/// An entry found by name, in the snapshot that holds it: no `Arc` of the
/// entry is cloned, and the snapshot keeps it alive even if it is removed
/// from the map meanwhile.
///
/// A call by name holds one until its future is dropped. A thread has up
/// to 1024 hazard slots (16 at first, more as it holds more at once); a
/// load beyond them takes a count of the map's `Arc` instead, under a
/// process-wide lock: correct, but no longer free of shared writes.
pub(crate) struct Found<E: ?Sized> {
    snapshot: Snapshot<E>,
    index: usize,
}

impl<E: ?Sized> Found<E> {
    /// The entry.
    #[inline]
    pub(crate) fn entry(&self) -> &E {
        self.entry_arc()
    }

    /// The snapshot, and where the entry is in it.
    #[inline]
    pub(crate) fn into_parts(self) -> (Snapshot<E>, usize) {
        (self.snapshot, self.index)
    }

    /// The entry's `Arc`, to clone where the entry must outlive the
    /// snapshot.
    #[inline]
    pub(crate) fn entry_arc(&self) -> &Arc<E> {
        &self.snapshot[self.index].1
    }
}

/// Whether two names are equal: for up to 16 bytes with overlapping loads
/// of the first and last bytes (two compares, no call), longer ones with
/// `==` (a `memcmp`).
#[inline]
fn same_name(a: &[u8], b: &[u8]) -> bool {
    /// `bytes[at..at + N]`, which compares as one word (in bounds: the
    /// callers test the length first).
    #[inline(always)]
    fn word<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
        let mut word = [0; N];
        word.copy_from_slice(&bytes[at..at + N]);
        word
    }
    let len = a.len();
    if len != b.len() {
        return false;
    }
    match len {
        0 => true,
        1..=3 => a[0] == b[0] && a[len / 2] == b[len / 2] && a[len - 1] == b[len - 1],
        4..=7 => {
            word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, len - 4) == word::<4>(b, len - 4)
        }
        8..=16 => {
            word::<8>(a, 0) == word::<8>(b, 0) && word::<8>(a, len - 8) == word::<8>(b, len - 8)
        }
        _ => a == b,
    }
}

/// Where `name` is in `entries`, or where it would go (for changes).
fn search<E: ?Sized>(entries: &Entries<E>, name: &str) -> Result<usize, usize> {
    entries.binary_search_by(|(key, _)| (**key).cmp(name))
}

impl<E: ?Sized> Names<E> {
    pub(crate) fn new() -> Self {
        Names {
            shared: Arc::new(Shared {
                map: SnapshotCell::new(Arc::new(Map::new(Vec::new()))),
                writer: Mutex::new(()),
            }),
        }
    }

    /// Replaces the map by `change(current)`; returns what `change` returns.
    /// The old map is dropped after the writers' lock is released.
    fn update<T>(&self, change: impl FnOnce(&mut Entries<E>) -> T) -> T {
        let lock = self
            .shared
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut entries: Entries<E> = self.shared.map.load().entries.clone();
        let out = change(&mut entries);
        let old = self.shared.map.swap(Arc::new(Map::new(entries)));
        drop(lock);
        drop(old);
        out
    }

    /// Inserts `entry` under `name`, or gives it back with
    /// [`Error::Duplicate`] (dropped by the caller, outside the lock).
    pub(crate) fn insert(&self, name: Arc<str>, entry: &Arc<E>) -> Result<(), Error> {
        self.update(|map| match search(map, &name) {
            Ok(_) => Err(Error::Duplicate(name.to_string())),
            Err(at) => {
                map.insert(at, (name, Arc::clone(entry)));
                Ok(())
            }
        })
    }

    /// The entry under `name`, or [`Error::NotFound`].
    pub(crate) fn get(&self, name: &str) -> Result<Arc<E>, Error> {
        self.find(name).map(|found| Arc::clone(found.entry_arc()))
    }

    /// The entry under `name` in the current snapshot, or
    /// [`Error::NotFound`]; no lock, no `Arc` clone.
    #[inline]
    pub(crate) fn find(&self, name: &str) -> Result<Found<E>, Error> {
        let snapshot = self.shared.map.load();
        match snapshot.position(name) {
            Some(index) => Ok(Found { snapshot, index }),
            None => Err(Error::NotFound(name.into())),
        }
    }

    /// Takes the entry under `name` out, or [`Error::NotFound`]. The entry
    /// is returned, so it is dropped (maybe running user code) outside the
    /// lock.
    pub(crate) fn remove(&self, name: &str) -> Result<Arc<E>, Error> {
        self.update(|map| match search(map, name) {
            Ok(at) => Ok(map.remove(at).1),
            Err(_) => Err(Error::NotFound(name.into())),
        })
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.read().position(name).is_some()
    }

    pub(crate) fn names(&self) -> Vec<String> {
        self.read()
            .iter()
            .map(|(name, _)| name.to_string())
            .collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.read().len()
    }

    /// Every entry, cloned out of the current snapshot: for reports that
    /// call into the entries (a hand-written [`Twin`](crate::twin::Twin)'s
    /// `method_layout` is user code, which may register or remove entries)
    /// and should not hold a snapshot guard meanwhile.
    pub(crate) fn snapshot(&self) -> Vec<(Arc<str>, Arc<E>)> {
        self.read()
            .iter()
            .map(|(name, entry)| (Arc::clone(name), Arc::clone(entry)))
            .collect()
    }

    /// The current snapshot, for reports that read every entry.
    pub(crate) fn read(&self) -> Snapshot<E> {
        self.shared.map.load()
    }
}

impl<E: ?Sized> Clone for Names<E> {
    fn clone(&self) -> Self {
        Names {
            shared: Arc::clone(&self.shared),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_find_every_name_with_and_without_the_index() {
        let names: Names<usize> = Names::new();
        // Inserted out of order (at the front, the end and between), past
        // `SEARCHED` and back; under Miri, two past it (every step checks
        // every name, and each lookup loads a snapshot there slowly).
        let count = if cfg!(miri) { SEARCHED + 2 } else { 10 };
        let all: Vec<String> = (0..count)
            .map(|i| alloc::format!("plugin-{}", (i * 7) % 10))
            .collect();
        let check = |present: &[String]| {
            let map = names.read();
            assert_eq!(map.index.is_some(), present.len() > SEARCHED);
            for name in present {
                let found = names.find(name).unwrap();
                assert_eq!(*found.entry(), name[7..].parse::<usize>().unwrap());
            }
            for absent in all.iter().filter(|n| !present.contains(n)) {
                assert!(names.find(absent).is_err(), "{absent}");
            }
            assert!(names.find("plugin").is_err() && names.find("").is_err());
        };
        for (at, name) in all.iter().enumerate() {
            let value = name[7..].parse::<usize>().unwrap();
            names
                .insert(name.as_str().into(), &Arc::new(value))
                .unwrap();
            check(&all[..=at]);
        }
        for at in 0..all.len() {
            names.remove(&all[at]).unwrap();
            check(&all[at + 1..]);
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "safe code on a map built in place, no snapshot: nothing for Miri to check that the native run does not"
    )]
    fn the_index_finds_every_name_of_a_large_map_and_nothing_else() {
        // Enough names for probes to collide, run past the end of the table
        // and wrap; lengths from 1 to 23 bytes (each word compare).
        let count = if cfg!(miri) { 40 } else { 2000 };
        let name = |i: usize| alloc::format!("{}{i}", "p".repeat(i % 20));
        let mut entries: Entries<usize> = (0..count)
            .map(|i| (Arc::from(name(i).as_str()), Arc::new(i)))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let map = Map::new(entries);
        assert!(map.index.is_some());
        for i in 0..count {
            let at = map.position(&name(i)).expect("registered");
            assert_eq!(*map[at].1, i);
        }
        for i in count..count * 2 {
            assert_eq!(map.position(&name(i)), None, "{}", name(i));
        }
        assert_eq!(map.position(""), None);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "safe code on a map built in place, no snapshot: nothing for Miri to check that the native run does not"
    )]
    fn names_are_equal_exactly_when_their_bytes_are() {
        // Every length the word compares split on, and one past; a change
        // at each position, and a name one byte shorter or longer.
        for len in 0..=20usize {
            let name: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            assert!(same_name(&name, &name.clone()), "{len}");
            for at in 0..len {
                let mut other = name.clone();
                other[at] ^= 0x20;
                assert!(!same_name(&name, &other), "{len} bytes, changed at {at}");
                assert!(!same_name(&other, &name), "{len} bytes, changed at {at}");
            }
            let mut longer = name.clone();
            longer.push(b'a');
            assert!(!same_name(&name, &longer) && !same_name(&longer, &name));
        }
        // Equal lengths, equal ends, a different middle (one word each way).
        assert!(!same_name(b"abXcd", b"abYcd"));
        assert!(!same_name(b"abcdXefgh", b"abcdYefgh"));
    }

    #[test]
    fn a_found_entry_outlives_its_removal() {
        let names: Names<u32> = Names::new();
        names.insert("b".into(), &Arc::new(2)).unwrap();
        names.insert("a".into(), &Arc::new(1)).unwrap();
        assert_eq!(names.names(), ["a", "b"]);
        let found = names.find("b").unwrap();
        assert_eq!(*names.remove("b").unwrap(), 2);
        assert_eq!(*found.entry(), 2);
        assert!(names.find("b").is_err());
        assert_eq!(
            names.insert("a".into(), &Arc::new(3)),
            Err(Error::Duplicate("a".into()))
        );
    }
}
