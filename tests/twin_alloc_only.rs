//! `#[dyn_twin]` in a `no_std` build with `alloc` and without `std`: the
//! twin, its `Send` twin, the heap spill, slots, `&mut self` methods, the
//! bridge and the counting wrapper, with exact allocation counts (the
//! registries and recycled storage need `std`; without it, what does not fit
//! inline goes to the heap). The library is built without `std` here; this
//! test binary uses it:
//!
//! ```text
//! cargo test --no-default-features --features alloc,macros --test twin_alloc_only
//! ```
#![cfg(all(feature = "alloc", feature = "macros", not(feature = "std")))]

mod common;

use core::pin::pin;
use std::sync::Arc;

use common::counting_alloc::{Allocs, CountingAlloc, count};
use common::{YieldOnce, block_on, poll_pinned};
use hybrid_dispatch::capacity::S8;
use hybrid_dispatch::twin::CountedTwin;
use hybrid_dispatch::{FutureSlot, dyn_twin};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

#[dyn_twin(DynStore, send = SendDynStore)]
trait Store: Send + Sync {
    async fn get(&self, key: u64) -> Option<u64>;
    /// Holds 1 KiB across its await: larger than any capacity here.
    async fn scan(&self, n: u64) -> u64;
    async fn bump(&mut self, by: u64) -> u64;
    fn name(&self) -> &str;
}

#[derive(Default)]
struct Memory {
    total: u64,
}

impl Store for Memory {
    async fn get(&self, key: u64) -> Option<u64> {
        YieldOnce::default().await;
        Some(key)
    }

    async fn scan(&self, n: u64) -> u64 {
        let block = [n; 128];
        YieldOnce::default().await;
        block.iter().sum()
    }

    async fn bump(&mut self, by: u64) -> u64 {
        YieldOnce::default().await;
        self.total += by;
        self.total
    }

    fn name(&self) -> &str {
        "memory"
    }
}

#[test]
fn a_call_that_fits_allocates_nothing_and_a_spill_allocates_its_future_once() {
    let memory = Memory::default();
    let erased: &dyn DynStore = &memory;
    let ((out, _), allocs) = count(|| {
        let get = erased.get_dyn(7);
        assert!(!get.is_heap());
        block_on(get)
    });
    assert_eq!((out, allocs), (Some(7), Allocs::NONE));
    let size = erased.scan_layout().size() as u64;
    let ((out, _), allocs) = count(|| {
        let scan = erased.scan_dyn(2);
        assert!(scan.is_heap());
        block_on(scan)
    });
    assert_eq!(out, 256);
    assert_eq!((allocs.allocs, allocs.bytes, allocs.deallocs), (1, size, 1));
    assert_eq!(erased.name_dyn(), "memory");
    // The bridge: `Store` on the `Send` twin's object (the trait is
    // `Send + Sync`, so the other twin's object is not a `Store`).
    let erased: &dyn SendDynStore = &memory;
    assert_eq!(block_on(erased.get(3)).0, Some(3));
}

#[test]
fn a_slot_grows_once_then_holds_every_call() {
    let memory = Memory::default();
    let erased: &dyn DynStore<S8> = &memory;
    let mut slot = pin!(FutureSlot::new());
    let (out, allocs) = count(|| poll_pinned(pin!(erased.scan_in(slot.as_mut(), 1))).0);
    assert_eq!((out, allocs.allocs), (128, 1));
    for _ in 0..3 {
        let (out, allocs) = count(|| poll_pinned(pin!(erased.scan_in(slot.as_mut(), 1))).0);
        assert_eq!((out, allocs), (128, Allocs::NONE));
    }
}

#[test]
fn mut_self_methods_and_the_send_twin() {
    let mut memory = Memory::default();
    let erased: &mut dyn DynStore = &mut memory;
    assert_eq!(block_on(erased.bump_dyn(3)).0, 3);
    let erased: &mut dyn SendDynStore = &mut memory;
    assert_eq!(block_on(erased.bump(4)).0, 7); // the bridge
    let shared: Arc<dyn SendDynStore> = Arc::new(memory);
    let on_a_thread = Arc::clone(&shared);
    let out = std::thread::spawn(move || block_on(on_a_thread.get_send(5)).0)
        .join()
        .unwrap();
    assert_eq!(out, Some(5));
    assert_eq!(block_on(shared.scan_send(1)).0, 128);
}

#[test]
fn the_counting_wrapper_counts_each_placement() {
    let counted = CountedTwin::new::<dyn DynStore>(Memory::default());
    let erased: &dyn DynStore = &counted;
    block_on(erased.get_dyn(1));
    block_on(erased.scan_dyn(1));
    block_on(counted.get(2)); // static: a call, no erasure
    let stats = counted.stats();
    let get = stats.get("get").unwrap();
    assert_eq!((get.calls, get.inline, get.heap), (2, 1, 0));
    // Without `std` there is no recycled storage: the spill is a heap one.
    let scan = stats.get("scan").unwrap();
    assert_eq!((scan.calls, scan.heap, scan.recycled), (1, 1, 0));
    assert_eq!(scan.allocations, 1);
}
