//! The erased future's contents are dropped exactly once — on completion,
//! on cancellation, when `poll` panics, when `Drop` panics — inline and on
//! the heap, `!Send` and `Send`. Run under Miri in CI.
#![cfg(feature = "alloc")]

mod common;

use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::panic::{AssertUnwindSafe, catch_unwind};

use common::{DropCounter, Payload, YieldOnce, block_on, poll_once};
use hybrid_dispatch::capacity::{S1, S16};
use hybrid_dispatch::{DynService, InlineFuture, SendDynService, SendInlineFuture, service_fn};

type BoxedFuture<'s> = Pin<Box<dyn Future<Output = usize> + 's>>;

/// One call of `svc` through each erasure flavour — `!Send` and `Send`,
/// inline (`S16`) and heap (`S1`) — boxed only so they fit one `Vec`.
fn every_flavour<'s, S>(svc: &'s S) -> Vec<(&'static str, BoxedFuture<'s>)>
where
    S: SendDynService<(), usize, S16> + SendDynService<(), usize, S1>,
{
    let local_inline: InlineFuture<'s, usize, S16> =
        DynService::<(), usize, S16>::call_dyn(svc, ());
    let local_heap: InlineFuture<'s, usize, S1> = DynService::<(), usize, S1>::call_dyn(svc, ());
    let send_inline: SendInlineFuture<'s, usize, S16> = svc.call_send(());
    let send_heap: SendInlineFuture<'s, usize, S1> = svc.call_send(());
    assert!(!local_inline.is_heap() && !send_inline.is_heap());
    assert!(local_heap.is_heap() && send_heap.is_heap());
    vec![
        ("local inline", Box::pin(local_inline)),
        ("local heap", Box::pin(local_heap)),
        ("send inline", Box::pin(send_inline)),
        ("send heap", Box::pin(send_heap)),
    ]
}

#[test]
fn dropped_once_on_completion_cancellation_and_unpolled() {
    for scenario in ["complete", "cancel", "unpolled"] {
        let drops = DropCounter::default();
        let svc = service_fn({
            let drops = drops.clone();
            move |()| Payload::<64>::new(1).with_token(drops.token())
        });
        for (i, (flavour, mut fut)) in every_flavour(&svc).into_iter().enumerate() {
            match scenario {
                "complete" => assert_eq!(common::poll_pinned(fut.as_mut()).0, 64),
                "cancel" => assert!(poll_once(fut.as_mut()).is_pending()),
                _ => {}
            }
            assert_eq!(drops.drops(), i, "{scenario}, {flavour}: not dropped early");
            drop(fut);
            assert_eq!(drops.drops(), i + 1, "{scenario}, {flavour}: dropped once");
        }
    }
}

#[test]
fn dropped_once_when_poll_panics() {
    let drops = DropCounter::default();
    let svc = service_fn({
        let drops = drops.clone();
        move |()| Payload::<64>::new(0).with_token(drops.token()).panicking()
    });
    for (i, (flavour, mut fut)) in every_flavour(&svc).into_iter().enumerate() {
        let panicked = catch_unwind(AssertUnwindSafe(|| poll_once(fut.as_mut()))).is_err();
        assert!(panicked, "{flavour}");
        assert_eq!(drops.drops(), i, "{flavour}: still owned by the handle");
        drop(fut);
        assert_eq!(drops.drops(), i + 1, "{flavour}: dropped once");
    }
}

/// smallbox #25, stack_dst RUSTSEC-2021-0033: a destructor that panics must
/// not be run twice (nor the value be used after).
#[test]
fn regression_smallbox_25_panicking_drop_runs_once() {
    let drops = DropCounter::default();
    let svc = service_fn({
        let drops = drops.clone();
        move |()| Payload::<64>::new(1).with_token(drops.panicking_token())
    });
    for (i, (flavour, mut fut)) in every_flavour(&svc).into_iter().enumerate() {
        if i % 2 == 0 {
            // Half of them pinned and polled first, half dropped unpolled.
            assert!(poll_once(fut.as_mut()).is_pending());
        }
        assert!(
            catch_unwind(AssertUnwindSafe(move || drop(fut))).is_err(),
            "{flavour}"
        );
        assert_eq!(drops.drops(), i + 1, "{flavour}: dropped once");
    }
}

#[test]
fn polling_after_completion_panics_with_a_clear_message() {
    let svc = service_fn(|()| Payload::<8>::new(0));
    let erased: &dyn DynService<(), usize> = &svc;
    let mut fut = Box::pin(erased.call_dyn(()));
    assert!(poll_once(fut.as_mut()).is_ready());
    assert!(fut.is_terminated());
    let err = catch_unwind(AssertUnwindSafe(|| poll_once(fut.as_mut()))).unwrap_err();
    let msg = err.downcast_ref::<String>().expect("a formatted message");
    assert!(msg.contains("polled after it completed"), "{msg}");
    assert!(msg.contains("Payload"), "names the future type: {msg}");
}

/// smallbox #35: interior mutability inside inline storage. A future that
/// mutates its own `Cell`/`RefCell` through shared references while stored
/// inline must work (and be clean under Miri).
#[test]
fn regression_smallbox_35_interior_mutability_inline() {
    struct Interior {
        hits: Cell<u32>,
        log: RefCell<Vec<u32>>,
    }
    impl Future for Interior {
        type Output = u32;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
            let this: &Self = &self;
            this.hits.set(this.hits.get() + 1);
            this.log.borrow_mut().push(this.hits.get());
            if this.hits.get() < 3 {
                cx.waker().wake_by_ref();
                Poll::Pending
            } else {
                Poll::Ready(this.log.borrow().iter().sum())
            }
        }
    }
    let svc = service_fn(|()| Interior {
        hits: Cell::new(0),
        log: RefCell::new(Vec::new()),
    });
    let erased: &dyn DynService<(), u32> = &svc;
    let fut = erased.call_dyn(());
    assert!(!fut.is_heap());
    assert_eq!(block_on(fut), (6, 3));
}

/// stackfuture #9: re-borrowing the buffer in every `poll` invalidated the
/// references a self-referential future holds into itself (Stacked Borrows).
/// Polls an `async fn` that keeps `&mut` into its own state across awaits,
/// inline and on the heap, through `dyn`; Miri checks every access.
#[test]
fn regression_stackfuture_9_self_references_survive_repolls() {
    async fn self_referential(rounds: u32) -> u32 {
        let mut state = [0u32; 8];
        let slot = &mut state[3];
        for i in 0..rounds {
            YieldOnce::default().await;
            *slot += i;
        }
        state.iter().sum()
    }
    let rounds = if cfg!(miri) { 4 } else { 100 };
    let expected: u32 = (0..rounds).sum();
    let svc = service_fn(self_referential);
    let inline: &dyn DynService<u32, u32, S16> = &svc;
    let heap: &dyn SendDynService<u32, u32, S1> = &svc;
    let fut = inline.call_dyn(rounds);
    assert!(!fut.is_heap());
    assert_eq!(block_on(fut), (expected, rounds as usize + 1));
    let fut = heap.call_send(rounds);
    assert!(fut.is_heap());
    assert_eq!(block_on(fut).0, expected);
}
