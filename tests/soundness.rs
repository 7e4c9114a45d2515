//! Regressions for issue 12, found by trying to break the storage through
//! the public API in safe code. Each runs natively in debug and release
//! (`.ci/run` runs this file with `--release` too) and under Miri with
//! Stacked and Tree Borrows. The padded capacities that used to corrupt
//! futures are compile errors now, pinned in `tests/trybuild/tests/ui/capacity_*.rs`.
#![cfg(feature = "alloc")]

mod common;

use core::future::Future;
use core::pin::{Pin, pin};
use core::task::{Context, Poll};
use std::panic::{AssertUnwindSafe, catch_unwind};

use common::counting_alloc::{CountingAlloc, count, count_size};
use common::{DropCounter, Payload, YieldOnce, block_on, poll_once};
use hybrid_dispatch::capacity::{Align16, Align64, S1, S16};
use hybrid_dispatch::{
    DynService, FutureSlot, InlineFuture, SendInlineFuture, future::InlineOnlyFuture, service_fn,
};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// The issue's reproduction: a future whose every byte matters.
struct Pattern([u8; 16]);

impl Future for Pattern {
    type Output = [u8; 16];
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<[u8; 16]> {
        Poll::Ready(self.0)
    }
}

fn pattern() -> [u8; 16] {
    core::array::from_fn(|i| i as u8 + 1)
}

/// Moves a value through a function return, a `Vec` and an array: the
/// typed copies that lost padding bytes before.
#[inline(never)]
fn shuffle<T>(value: T) -> T {
    let mut v = vec![value];
    let [value] = [v.pop().unwrap()];
    value
}

/// Every capacity shape the crate accepts keeps every byte of an inline
/// future across moves before its first poll.
#[test]
fn regression_issue_12_odd_capacities_keep_every_byte_inline() {
    fn check<Cap: hybrid_dispatch::capacity::Capacity>(name: &str) {
        let fut = InlineFuture::<'_, [u8; 16], Cap>::new(Pattern(pattern()));
        assert!(!fut.is_heap(), "{name}: fits inline");
        assert_eq!(block_on(shuffle(fut)).0, pattern(), "{name}");
        let only = InlineOnlyFuture::<'_, [u8; 16], Cap>::new(Pattern(pattern()));
        assert_eq!(block_on(shuffle(only)).0, pattern(), "{name} (inline-only)");
    }
    check::<[u8; 16]>("[u8; 16]");
    check::<[u8; 17]>("[u8; 17]");
    check::<[u16; 9]>("[u16; 9]");
    check::<[u32; 5]>("[u32; 5]");
    check::<u128>("u128");
    check::<[Align16; 1]>("[Align16; 1]");
    check::<[Align64; 2]>("[Align64; 2]");
    check::<[[u64; 2]; 3]>("[[u64; 2]; 3]");
}

/// The heap path of a byte-aligned capacity: the box pointer is written
/// unaligned into the buffer and must survive the moves (it segfaulted
/// with a padded capacity).
#[test]
fn regression_issue_12_box_pointer_survives_moves_in_a_byte_capacity() {
    let fut = InlineFuture::<'_, [u8; 32], [u8; 9]>::new(core::future::ready([7; 32]));
    assert!(fut.is_heap());
    assert_eq!(block_on(shuffle(fut)).0, [7; 32]);
    let send = SendInlineFuture::<'_, [u8; 32], [u8; 8]>::new(core::future::ready([9; 32]));
    assert!(send.is_heap());
    assert_eq!(block_on(shuffle(send)).0, [9; 32]);
}

/// A captured reference in the bytes that were padding (1..7 of an
/// `(u8, u64)` capacity) came back as a wild address.
#[test]
fn regression_issue_12_captured_reference_survives_moves_inline_only() {
    let value = 0x5eed_u64;
    let tag = 3u8;
    let fut = InlineOnlyFuture::<'_, u64, [u64; 4]>::new(async {
        YieldOnce::default().await;
        value + u64::from(tag)
    });
    assert_eq!(block_on(shuffle(fut)).0, 0x5eed + 3);
}

/// An over-aligned capacity keeps a 64-aligned future inline, aligned.
#[test]
fn over_aligned_capacity_keeps_an_over_aligned_future_inline() {
    #[repr(align(64))]
    struct CacheLine([u8; 64]);
    impl Future for CacheLine {
        type Output = usize;
        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<usize> {
            let at = core::ptr::from_ref(&*self) as usize;
            assert_eq!(at % 64, 0, "polled aligned");
            Poll::Ready(self.0.iter().map(|&b| usize::from(b)).sum())
        }
    }
    let (fut, allocs) = count(|| InlineFuture::<'_, usize, [Align64; 2]>::new(CacheLine([1; 64])));
    assert!(!fut.is_heap());
    assert_eq!(allocs.allocs, 0);
    assert_eq!(block_on(shuffle(fut)).0, 64);
    let spilled = InlineFuture::<'_, usize, S16>::new(CacheLine([2; 64]));
    assert!(spilled.is_heap(), "a word-aligned capacity cannot hold it");
    assert_eq!(block_on(spilled).0, 128);
}

/// A future that panics in its destructor, `N` bytes large.
struct PanicOnDrop<const N: usize>([u8; N]);

impl<const N: usize> Future for PanicOnDrop<N> {
    type Output = u8;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u8> {
        Poll::Ready(self.0[0])
    }
}

impl<const N: usize> Drop for PanicOnDrop<N> {
    fn drop(&mut self) {
        panic!("PanicOnDrop");
    }
}

/// The issue's reproduction: a leaked handle leaves a future whose
/// destructor panics in the slot's heap buffer; dropping the slot must still
/// free the buffer.
#[test]
fn regression_issue_12_slot_frees_its_buffer_when_a_leaked_future_panics_in_drop() {
    let (_, (allocs, deallocs)) = count_size(232, || {
        let mut slot = Box::pin(FutureSlot::<'_, u8, S1>::new());
        core::mem::forget(slot.as_mut().put(PanicOnDrop::<232>([1; 232])));
        assert_eq!(slot.heap_capacity(), 232);
        assert!(catch_unwind(AssertUnwindSafe(move || drop(slot))).is_err());
    });
    assert_eq!((allocs, deallocs), (1, 1), "the 232-byte buffer is freed");
}

/// The same through `Pin::set`, which drops the old slot in place.
#[test]
fn regression_issue_12_slot_set_frees_its_buffer_when_a_leaked_future_panics_in_drop() {
    let (_, (allocs, deallocs)) = count_size(248, || {
        let mut slot = Box::pin(FutureSlot::<'_, u8, S1>::new());
        core::mem::forget(slot.as_mut().put(PanicOnDrop::<248>([1; 248])));
        let replaced = catch_unwind(AssertUnwindSafe(|| slot.set(FutureSlot::new())));
        assert!(replaced.is_err());
        // The slot holds the new, empty value and is usable.
        assert_eq!(slot.heap_capacity(), 0);
        assert_eq!(block_on(slot.as_mut().put(async { 5 })).0, 5);
    });
    assert_eq!((allocs, deallocs), (1, 1), "the 248-byte buffer is freed");
}

/// A future whose `poll` panicked is finished: `is_terminated` says so, the
/// next poll panics with the crate's message (not "`async fn` resumed after
/// panicking"), and its contents are dropped once, with the handle.
#[test]
fn regression_issue_12_a_panicked_future_is_terminated_with_a_clear_message() {
    let drops = DropCounter::default();
    let svc = service_fn({
        let drops = drops.clone();
        move |()| {
            let token = drops.token();
            async move {
                let _token = token;
                panic!("boom in poll");
            }
        }
    });
    let erased: &dyn DynService<(), ()> = &svc;

    let mut fut = Box::pin(erased.call_dyn(()));
    assert!(catch_unwind(AssertUnwindSafe(|| poll_once(fut.as_mut()))).is_err());
    assert!(fut.is_terminated() && fut.has_panicked());
    assert!(format!("{fut:?}").contains("Panicked"), "{fut:?}");
    let again = catch_unwind(AssertUnwindSafe(|| poll_once(fut.as_mut()))).unwrap_err();
    let msg = again.downcast_ref::<String>().expect("a formatted message");
    assert!(
        msg.contains("polled again after its poll panicked"),
        "{msg}"
    );
    assert!(!msg.contains("resumed"), "{msg}");
    assert_eq!(
        drops.drops(),
        1,
        "the async fn dropped its local while unwinding"
    );
    drop(fut);
    assert_eq!(drops.drops(), 1);

    // The same for a slot and for the inline-only erasure.
    let mut slot = pin!(FutureSlot::new());
    let mut in_slot = erased.call_in(slot.as_mut(), ());
    let mut in_slot = Pin::new(&mut in_slot);
    assert!(catch_unwind(AssertUnwindSafe(|| poll_once(in_slot.as_mut()))).is_err());
    assert!(in_slot.is_terminated());
    let again = catch_unwind(AssertUnwindSafe(|| poll_once(in_slot.as_mut()))).unwrap_err();
    let msg = again.downcast_ref::<String>().expect("a formatted message");
    assert!(
        msg.contains("polled again after its poll panicked"),
        "{msg}"
    );

    let mut only = pin!(InlineOnlyFuture::<'_, usize>::new(
        Payload::<8>::new(0).panicking()
    ));
    assert!(catch_unwind(AssertUnwindSafe(|| poll_once(only.as_mut()))).is_err());
    assert!(only.is_terminated());
}

/// A panicking `poll` of a hand-written future leaves its fields in place:
/// they are dropped exactly once, when the handle is (inline and heap).
#[test]
fn a_panicked_future_keeps_its_contents_until_the_handle_drops() {
    for heap in [false, true] {
        let drops = DropCounter::default();
        let fut = Payload::<64>::new(0).with_token(drops.token()).panicking();
        let mut fut: Pin<Box<dyn Future<Output = usize>>> = if heap {
            let fut = InlineFuture::<'_, usize, S1>::new(fut);
            assert!(fut.is_heap());
            Box::pin(fut)
        } else {
            let fut = InlineFuture::<'_, usize, [u64; 16]>::new(fut);
            assert!(!fut.is_heap());
            Box::pin(fut)
        };
        assert!(catch_unwind(AssertUnwindSafe(|| poll_once(fut.as_mut()))).is_err());
        assert_eq!(drops.drops(), 0, "heap: {heap}");
        drop(fut);
        assert_eq!(drops.drops(), 1, "heap: {heap}");
    }
}

/// `Debug` names the flavour the user wrote.
#[test]
fn regression_issue_12_debug_names_the_send_slot() {
    let send = hybrid_dispatch::SendFutureSlot::<'_, u8>::new();
    let local = FutureSlot::<'_, u8>::new();
    assert!(
        format!("{send:?}").starts_with("SendFutureSlot"),
        "{send:?}"
    );
    assert!(format!("{local:?}").starts_with("FutureSlot"), "{local:?}");
    let fut = SendInlineFuture::<'_, u8>::new(async { 1 });
    assert!(
        format!("{fut:?}").starts_with("SendInlineFuture"),
        "{fut:?}"
    );
}

/// One rule for `Send`: a capacity is never a value, so no erased future
/// asks anything of it (`SendInlineOnlyFuture` asked `Cap: Send`).
#[test]
fn regression_issue_12_send_never_asks_anything_of_the_capacity() {
    fn assert_send<T: Send>() {}
    /// A capacity that is not `Send` (a raw pointer is not).
    #[allow(dead_code, reason = "only its layout is used")]
    struct NotSend([*const u8; 2]);
    // SAFETY: two pointers, no padding.
    #[allow(unsafe_code, reason = "the promise a capacity of one's own makes")]
    unsafe impl hybrid_dispatch::capacity::Capacity for NotSend {}
    assert_send::<SendInlineFuture<'static, u8, NotSend>>();
    assert_send::<hybrid_dispatch::future::SendInlineOnlyFuture<'static, u8, NotSend>>();
    assert_send::<hybrid_dispatch::SendFutureSlot<'static, u8, NotSend>>();
}
