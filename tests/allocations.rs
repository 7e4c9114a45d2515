//! Exact allocation counts for each call path, from a counting
//! `#[global_allocator]` (per thread, so parallel tests do not interfere).
#![cfg(feature = "alloc")]

mod common;

use std::mem::size_of;

use common::counting_alloc::{Allocs, CountingAlloc, count, count_size};
use common::{DropCounter, Fixed, Payload, YieldOnce, block_on, poll_once, poll_pinned};
use hybrid_dispatch::capacity::{S1, S4, S8};
use hybrid_dispatch::{Counted, DynService, SendDynService, Service, service_fn};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const NONE: Allocs = Allocs::NONE;

/// A realistic small future: an `async fn` holding state across an await.
async fn small_async(x: u64) -> u64 {
    let state = [x, x + 1, x + 2];
    YieldOnce::default().await;
    state.iter().sum()
}

#[test]
fn static_call_allocates_nothing() {
    let svc = Fixed::<24>;
    let ((out, polls), allocs) = count(|| block_on(svc.call(1)));
    assert_eq!((out, polls), (24, 2));
    assert_eq!(allocs, NONE);

    let svc = service_fn(small_async);
    let ((out, _), allocs) = count(|| block_on(svc.call(1)));
    assert_eq!(out, 6);
    assert_eq!(allocs, NONE);
}

#[test]
fn dyn_inline_call_allocates_nothing() {
    let svc = Fixed::<24>;
    let erased: &dyn DynService<u32, usize> = &svc;
    let ((out, heap), allocs) = count(|| {
        let fut = erased.call_dyn(1);
        let heap = fut.is_heap();
        (block_on(fut).0, heap)
    });
    assert_eq!((out, heap), (24, false));
    assert_eq!(allocs, NONE);

    let svc = service_fn(small_async);
    let erased: &dyn SendDynService<u64, u64> = &svc;
    let (out, allocs) = count(|| block_on(erased.call_send(1)).0);
    assert_eq!(out, 6);
    assert_eq!(allocs, NONE);
}

#[test]
fn counted_inline_call_allocates_nothing() {
    let svc = Counted::new(Fixed::<24>);
    let erased: &dyn DynService<u32, usize> = &svc;
    let (out, allocs) = count(|| block_on(erased.call_dyn(0)).0);
    assert_eq!(out, 24);
    assert_eq!(allocs, NONE);
    assert_eq!(svc.stats().inline, 1);
}

#[test]
fn too_large_future_allocates_exactly_once_with_its_size() {
    let svc = Counted::new(Fixed::<1024>);
    let erased: &dyn DynService<u32, usize> = &svc;
    let size = size_of::<Payload<1024>>() as u64;
    let calls = 5;
    for _ in 0..calls {
        let ((out, heap), allocs) = count(|| {
            let fut = erased.call_dyn(1);
            let heap = fut.is_heap();
            (block_on(fut).0, heap)
        });
        assert_eq!((out, heap), (1024, true));
        assert_eq!(
            allocs,
            Allocs {
                allocs: 1,
                bytes: size,
                deallocs: 1
            }
        );
    }
    let stats = svc.stats();
    assert_eq!((stats.calls, stats.inline, stats.heap), (calls, 0, calls));
    assert_eq!(
        (stats.allocations, stats.allocated_bytes),
        (calls, calls * size)
    );
}

#[test]
fn capacity_decides_inline_or_heap() {
    let svc = Fixed::<24>;
    let small: &dyn DynService<u32, usize, S1> = &svc;
    let roomy: &dyn DynService<u32, usize, S8> = &svc;
    assert_eq!(size_of::<Payload<24>>(), 48);
    let (_, allocs) = count(|| block_on(small.call_dyn(0)));
    assert_eq!(allocs.allocs, 1);
    let (_, allocs) = count(|| block_on(roomy.call_dyn(0)));
    assert_eq!(allocs, NONE);
}

/// smallbox #46: a zero-sized but over-aligned value was mishandled. Ours
/// must not allocate, must report inline, and must see an aligned `self`.
#[test]
fn regression_smallbox_46_over_aligned_zero_sized_future() {
    #[repr(align(512))]
    struct AlignedZst;
    impl core::future::Future for AlignedZst {
        type Output = usize;
        fn poll(
            self: core::pin::Pin<&mut Self>,
            _: &mut core::task::Context<'_>,
        ) -> core::task::Poll<usize> {
            let addr = &*self as *const Self as usize;
            core::task::Poll::Ready(addr % 512)
        }
    }
    let svc = service_fn(|()| AlignedZst);
    let erased: &dyn DynService<(), usize, S1> = &svc;
    let ((misalignment, heap, size), allocs) = count(|| {
        let fut = erased.call_dyn(());
        let (heap, size) = (fut.is_heap(), fut.layout().size());
        (block_on(fut).0, heap, size)
    });
    assert_eq!((misalignment, heap, size), (0, false, 0));
    assert_eq!(allocs, NONE);
}

/// An over-aligned future with a size goes to the heap, aligned.
#[test]
fn over_aligned_future_spills_aligned() {
    #[repr(align(256))]
    struct Aligned(#[allow(dead_code, reason = "gives the type a size")] u8);
    impl core::future::Future for Aligned {
        type Output = usize;
        fn poll(
            self: core::pin::Pin<&mut Self>,
            _: &mut core::task::Context<'_>,
        ) -> core::task::Poll<usize> {
            core::task::Poll::Ready(&*self as *const Self as usize % 256)
        }
    }
    let svc = service_fn(|()| Aligned(1));
    let erased: &dyn DynService<(), usize, S4> = &svc;
    let ((misalignment, heap), allocs) = count(|| {
        let fut = erased.call_dyn(());
        let heap = fut.is_heap();
        (block_on(fut).0, heap)
    });
    assert_eq!((misalignment, heap), (0, true));
    assert_eq!(
        allocs,
        Allocs {
            allocs: 1,
            bytes: 256,
            deallocs: 1
        }
    );
}

/// smallbox #25 / stack_dst RUSTSEC-2021-0033: a destructor that panics.
/// The value is dropped once and its heap block is still freed.
#[test]
fn regression_smallbox_25_panicking_destructor_frees_heap_block() {
    let drops = DropCounter::default();
    let svc = service_fn({
        let drops = drops.clone();
        move |()| Payload::<512>::new(1).with_token(drops.panicking_token())
    });
    let erased: &dyn DynService<(), usize> = &svc;
    let size = size_of::<Payload<512>>();
    let (result, (allocs, deallocs)) = count_size(size, || {
        let mut fut = Box::pin(erased.call_dyn(()));
        assert!(fut.is_heap());
        assert!(poll_once(fut.as_mut()).is_pending());
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(fut)))
    });
    assert!(result.is_err(), "the destructor's panic propagates");
    assert_eq!(drops.drops(), 1);
    assert_eq!(
        (allocs, deallocs),
        (1, 1),
        "the spilled future's block is freed"
    );
}

/// Moving an erased future before its first poll is allowed and still
/// allocation-free.
#[test]
fn moving_before_first_poll_allocates_nothing() {
    let svc = service_fn(small_async);
    let erased: &dyn DynService<u64, u64> = &svc;
    let (out, allocs) = count(|| {
        let fut = erased.call_dyn(2);
        let moved = [fut];
        let [fut] = moved;
        let mut fut = core::pin::pin!(fut);
        poll_pinned(fut.as_mut()).0
    });
    assert_eq!(out, 9);
    assert_eq!(allocs, NONE);
}
