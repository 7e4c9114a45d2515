//! The erasure strategies side by side on one unchanged `Service`: boxed,
//! inline with fallback, inline-only and the reusable slot. Exact
//! allocation counts and drop counts; run under Miri in CI.
#![cfg(feature = "alloc")]

mod common;

use core::pin::pin;
use std::mem::size_of;
use std::panic::{AssertUnwindSafe, catch_unwind};

use common::counting_alloc::{Allocs, CountingAlloc, count};
use common::{DropCounter, Fixed, Payload, YieldOnce, block_on, poll_once};
use hybrid_dispatch::capacity::{S1, S16};
use hybrid_dispatch::{
    Counted, DynService, FutureSlot, InlineOnlyService, SendDynService, SendFutureSlot, Service,
    service_fn,
};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const NONE: Allocs = Allocs::NONE;

fn calls() -> u64 {
    if cfg!(miri) { 5 } else { 1000 }
}

#[test]
fn boxed_allocates_once_per_call_even_when_small() {
    let svc = Counted::new(Fixed::<24>);
    let erased: &dyn DynService<u32, usize> = &svc;
    let size = size_of::<Payload<24>>() as u64;
    let (_, allocs) = count(|| {
        for _ in 0..calls() {
            assert_eq!(block_on(erased.call_boxed(1)).0, 24);
        }
    });
    assert_eq!(
        allocs,
        Allocs {
            allocs: calls(),
            bytes: calls() * size,
            deallocs: calls()
        }
    );
    assert_eq!(svc.stats().heap, calls());
    let send: &dyn SendDynService<u32, usize> = &svc;
    let (_, allocs) = count(|| block_on(send.call_send_boxed(0)));
    assert_eq!(allocs.allocs, 1);
}

#[test]
fn inline_only_never_allocates() {
    let svc = Fixed::<24>;
    let erased: &dyn InlineOnlyService<u32, usize> = &svc;
    let (_, allocs) = count(|| {
        for _ in 0..calls() {
            assert_eq!(block_on(erased.call_inline(1)).0, 24);
        }
    });
    assert_eq!(allocs, NONE);
}

#[test]
fn slot_small_futures_never_allocate() {
    let svc = Fixed::<24>;
    let erased: &dyn DynService<u32, usize> = &svc;
    let mut slot = pin!(FutureSlot::new());
    let (_, allocs) = count(|| {
        for _ in 0..calls() {
            let fut = erased.call_in(slot.as_mut(), 1);
            assert!(!fut.is_heap());
            assert_eq!(block_on(fut), (24, 2));
        }
    });
    assert_eq!(allocs, NONE);
    assert_eq!((slot.growths(), slot.heap_capacity()), (0, 0));
}

#[test]
fn slot_large_futures_allocate_once_then_reuse() {
    let svc = Counted::new(Fixed::<1024>);
    let erased: &dyn DynService<u32, usize> = &svc;
    let size = size_of::<Payload<1024>>();
    let mut slot = pin!(FutureSlot::new());
    let (_, first) = count(|| block_on(erased.call_in(slot.as_mut(), 1)));
    assert_eq!(
        first,
        Allocs {
            allocs: 1,
            bytes: size as u64,
            deallocs: 0
        }
    );
    let (_, rest) = count(|| {
        for _ in 0..calls() {
            let fut = erased.call_in(slot.as_mut(), 1);
            assert!(fut.is_heap());
            assert_eq!(block_on(fut).0, 1024);
        }
    });
    assert_eq!(rest, NONE, "zero allocations once the slot has grown");
    assert_eq!((slot.growths(), slot.heap_capacity()), (1, size));
    // Issue 8: the call that grew the slot allocated, and `Counted` says so
    // (it used to report no allocation at all).
    let stats = svc.stats();
    assert_eq!(
        (stats.heap, stats.slot_heap),
        (0, calls() + 1),
        "every future in the slot's heap buffer"
    );
    assert_eq!(
        (stats.allocations, stats.allocated_bytes),
        (1, size as u64),
        "one allocation: the growth"
    );
}

#[test]
fn slot_grows_only_for_a_larger_future_and_frees_on_drop() {
    let small = Fixed::<256>;
    let large = Fixed::<1024>;
    let services: [&dyn DynService<u32, usize, S16>; 4] = [&small, &large, &small, &large];
    let ((), allocs) = count(|| {
        let mut slot = pin!(FutureSlot::new());
        for svc in services {
            assert_eq!(block_on(svc.call_in(slot.as_mut(), 0)).1, 1);
        }
        assert_eq!(
            slot.growths(),
            2,
            "grown for 256 bytes, then for 1024, then reused"
        );
        assert_eq!(slot.heap_capacity(), size_of::<Payload<1024>>());
    });
    assert_eq!(
        (allocs.allocs, allocs.deallocs),
        (2, 2),
        "the old buffer and the slot's are freed"
    );
}

#[test]
fn slot_drops_every_future_exactly_once() {
    let drops = DropCounter::default();
    let svc = service_fn({
        let drops = drops.clone();
        move |n: u32| Payload::<512>::new(n).with_token(drops.token())
    });
    let erased: &dyn DynService<u32, usize, S1> = &svc;
    // Boxed, not `pin!`ned, so that `drop(slot)` below drops the slot.
    let mut slot = Box::pin(FutureSlot::new());
    // Completed, then dropped.
    block_on(erased.call_in(slot.as_mut(), 1));
    assert_eq!(drops.drops(), 1);
    // Cancelled while pending.
    let mut fut = erased.call_in(slot.as_mut(), 3);
    assert!(poll_once(pin!(&mut fut)).is_pending());
    drop(fut);
    assert_eq!(drops.drops(), 2);
    // Leaked: the slot drops it before the next call...
    core::mem::forget(erased.call_in(slot.as_mut(), 3));
    assert_eq!(drops.drops(), 2);
    block_on(erased.call_in(slot.as_mut(), 0));
    assert_eq!(drops.drops(), 4);
    // ...or when the slot itself is dropped.
    core::mem::forget(erased.call_in(slot.as_mut(), 3));
    drop(slot);
    assert_eq!(drops.drops(), 5);
}

#[test]
fn slot_future_panicking_in_poll_or_drop_is_dropped_once() {
    let drops = DropCounter::default();
    let panicky = service_fn({
        let drops = drops.clone();
        move |()| Payload::<64>::new(0).with_token(drops.token()).panicking()
    });
    let erased: &dyn DynService<(), usize> = &panicky;
    let mut slot = pin!(FutureSlot::new());
    let mut fut = erased.call_in(slot.as_mut(), ());
    assert!(catch_unwind(AssertUnwindSafe(|| poll_once(pin!(&mut fut)))).is_err());
    drop(fut);
    assert_eq!(drops.drops(), 1);

    let bad_drop = service_fn({
        let drops = drops.clone();
        move |()| Payload::<64>::new(1).with_token(drops.panicking_token())
    });
    let erased: &dyn DynService<(), usize, S1> = &bad_drop;
    let mut slot = Box::pin(FutureSlot::new());
    let fut = erased.call_in(slot.as_mut(), ());
    assert!(catch_unwind(AssertUnwindSafe(move || drop(fut))).is_err());
    assert_eq!(drops.drops(), 2);
    drop(slot);
    assert_eq!(drops.drops(), 2, "not dropped again by the slot");
}

#[test]
fn slot_future_polled_after_completion_panics() {
    let svc = Fixed::<8>;
    let erased: &dyn DynService<u32, usize> = &svc;
    let mut slot = pin!(FutureSlot::new());
    let mut fut = erased.call_in(slot.as_mut(), 0);
    assert!(poll_once(pin!(&mut fut)).is_ready());
    let err = catch_unwind(AssertUnwindSafe(|| poll_once(pin!(&mut fut)))).unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(msg.contains("polled after it completed"), "{msg}");
}

/// A self-referential future in the slot, inline and in the heap buffer,
/// re-polled many times: Miri checks that no access goes through a
/// reference that invalidates its self-borrows.
#[test]
fn slot_keeps_self_references_valid() {
    async fn self_referential(rounds: u32) -> u32 {
        let mut state = [0u32; 8];
        let slot = &mut state[5];
        for i in 0..rounds {
            YieldOnce::default().await;
            *slot += i;
        }
        state.iter().sum()
    }
    let rounds = if cfg!(miri) { 3 } else { 50 };
    let svc = service_fn(self_referential);
    let inline: &dyn DynService<u32, u32> = &svc;
    let heap: &dyn DynService<u32, u32, S1> = &svc;
    let mut slot = pin!(FutureSlot::new());
    let mut small_slot = pin!(FutureSlot::new());
    for _ in 0..2 {
        assert_eq!(
            block_on(inline.call_in(slot.as_mut(), rounds)).0,
            (0..rounds).sum()
        );
        assert_eq!(
            block_on(heap.call_in(small_slot.as_mut(), rounds)).0,
            (0..rounds).sum()
        );
    }
}

/// Borrowed requests work with a slot as long as the inputs outlive it.
#[test]
fn slot_serves_borrowed_requests() {
    let svc = service_fn(|s: &str| core::future::ready(s.len()));
    let erased: &dyn for<'r> DynService<&'r str, usize> = &svc;
    let inputs: Vec<String> = (0..5).map(|i| "x".repeat(i)).collect();
    let mut slot = pin!(FutureSlot::new());
    for (i, input) in inputs.iter().enumerate() {
        assert_eq!(block_on(erased.call_in(slot.as_mut(), input)).0, i);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_slot_lives_in_a_spawned_task() {
    let svc: std::sync::Arc<dyn SendDynService<u32, usize, S1>> = std::sync::Arc::new(Fixed::<256>);
    let task = tokio::spawn(async move {
        let mut slot = Box::pin(SendFutureSlot::new());
        let mut total = 0;
        for _ in 0..10 {
            total += svc.call_send_in(slot.as_mut(), 1).await;
        }
        (total, slot.growths())
    });
    assert_eq!(task.await.unwrap(), (2560, 1));
}

#[test]
fn inline_only_drops_once_and_keeps_self_references() {
    let drops = DropCounter::default();
    let svc = service_fn({
        let drops = drops.clone();
        move |n: u32| Payload::<64>::new(n).with_token(drops.token())
    });
    let erased: &dyn InlineOnlyService<u32, usize> = &svc;
    assert_eq!(block_on(erased.call_inline(2)), (64, 3));
    assert_eq!(drops.drops(), 1);
    let mut fut = Box::pin(erased.call_inline(5));
    assert!(poll_once(fut.as_mut()).is_pending());
    drop(fut);
    assert_eq!(drops.drops(), 2, "cancelled while pending: dropped once");
    // Moved (unpolled) before being pinned: allowed, still dropped once.
    let fut = erased.call_inline(0);
    let moved = [fut];
    let [fut] = moved;
    assert_eq!(block_on(fut).0, 64);
    assert_eq!(drops.drops(), 3);

    async fn self_referential(rounds: u32) -> u32 {
        let mut state = [0u32; 4];
        let slot = &mut state[2];
        for i in 0..rounds {
            YieldOnce::default().await;
            *slot += i;
        }
        state.iter().sum()
    }
    let rounds = if cfg!(miri) { 3 } else { 50 };
    let svc = service_fn(self_referential);
    let erased: &dyn InlineOnlyService<u32, u32> = &svc;
    assert_eq!(block_on(erased.call_inline(rounds)).0, (0..rounds).sum());
}

#[test]
fn inline_only_panics_in_poll_drop_once_and_after_completion() {
    let drops = DropCounter::default();
    let svc = service_fn({
        let drops = drops.clone();
        move |panic: bool| {
            let fut = Payload::<16>::new(0).with_token(drops.token());
            if panic { fut.panicking() } else { fut }
        }
    });
    let erased: &dyn InlineOnlyService<bool, usize> = &svc;
    let mut fut = Box::pin(erased.call_inline(true));
    assert!(catch_unwind(AssertUnwindSafe(|| poll_once(fut.as_mut()))).is_err());
    drop(fut);
    assert_eq!(drops.drops(), 1);
    let mut fut = Box::pin(erased.call_inline(false));
    assert!(poll_once(fut.as_mut()).is_ready());
    let err = catch_unwind(AssertUnwindSafe(|| poll_once(fut.as_mut()))).unwrap_err();
    assert!(
        err.downcast_ref::<String>()
            .unwrap()
            .contains("polled after it completed")
    );
}

/// smallbox #46 again, for the inline-only storage: an over-aligned
/// zero-sized future must see an aligned `self` (it is never written into
/// the less aligned buffer).
#[test]
fn inline_only_and_slot_over_aligned_zero_sized_future() {
    #[repr(align(512))]
    struct AlignedZst;
    impl core::future::Future for AlignedZst {
        type Output = usize;
        fn poll(
            self: core::pin::Pin<&mut Self>,
            _: &mut core::task::Context<'_>,
        ) -> core::task::Poll<usize> {
            core::task::Poll::Ready(&*self as *const Self as usize % 512)
        }
    }
    let svc = service_fn(|()| AlignedZst);
    let inline_only: &dyn InlineOnlyService<(), usize, S1> = &svc;
    let erased: &dyn DynService<(), usize, S1> = &svc;
    let mut slot = pin!(FutureSlot::new());
    let (misalignments, allocs) = count(|| {
        (
            block_on(inline_only.call_inline(())).0,
            block_on(erased.call_in(slot.as_mut(), ())).0,
        )
    });
    assert_eq!(misalignments, (0, 0));
    assert_eq!(allocs, NONE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_inline_only_crosses_threads_without_allocating() {
    use hybrid_dispatch::SendInlineOnlyService;
    let counted = std::sync::Arc::new(Counted::new(Fixed::<24>));
    let svc: std::sync::Arc<dyn SendInlineOnlyService<u32, usize>> = counted.clone();
    let task = tokio::spawn(async move {
        let (out, allocs) = count(|| block_on(svc.call_send_inline(1)).0);
        (out, allocs)
    });
    assert_eq!(task.await.unwrap(), (24, NONE));
    let stats = counted.stats();
    assert_eq!((stats.calls, stats.inline, stats.heap), (1, 1, 0));
}

/// A hand-written erasure reports where its future went with `erasure()`,
/// so `Counted` sees it like the built-in ones.
#[test]
fn hand_written_erasures_report_through_erasure() {
    use hybrid_dispatch::{InlineFuture, layout::Placement};
    let svc = Counted::new(Fixed::<1024>);
    let fut = InlineFuture::<'_, usize>::new(svc.call(0));
    assert_eq!(fut.erasure().placement(), Placement::Heap);
    svc.observe_erasure(fut.erasure());
    let mut slot = pin!(FutureSlot::<'_, usize>::new());
    let fut = slot.as_mut().put(svc.call(0));
    svc.observe_erasure(fut.erasure());
    let stats = svc.stats();
    assert_eq!((stats.calls, stats.heap, stats.slot_heap), (2, 1, 1));
    let size = size_of::<Payload<1024>>() as u64;
    assert_eq!((stats.allocations, stats.allocated_bytes), (2, 2 * size));
}

/// `Box` does not allocate for a zero-sized future, so `call_boxed` must
/// not count one as a heap spill.
#[test]
fn boxed_zero_sized_future_is_not_counted_as_a_spill() {
    struct Done;
    impl core::future::Future for Done {
        type Output = ();
        fn poll(
            self: core::pin::Pin<&mut Self>,
            _: &mut core::task::Context<'_>,
        ) -> core::task::Poll<()> {
            core::task::Poll::Ready(())
        }
    }
    let svc = Counted::new(service_fn(|_: u8| Done));
    let erased: &dyn DynService<u8, ()> = &svc;
    let ((), allocs) = count(|| block_on(erased.call_boxed(1)).0);
    assert_eq!(allocs, NONE);
    let stats = svc.stats();
    assert_eq!((stats.inline, stats.heap, stats.allocations), (1, 0, 0));
}
