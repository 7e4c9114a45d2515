//! How the caller holds a future between the call that returns it and its
//! polls: pinned where it was returned, moved once, awaited inside an outer
//! `async fn`, or awaited there after pinning it in place.
//!
//! Moving a handle after construction can cost more than the storage choice
//! (see `DESIGN.md`), and every `.await` moves the awaited future once into
//! the awaiting state machine, so every row is measured all three ways.

use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll};

/// How the caller holds the future.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `pin!` where the call returned it, polled there: no move.
    Pinned,
    /// Moved once, by value, into a non-inlined function that pins and
    /// polls it.
    Moved,
    /// `.await`ed inside an outer `async fn` whose future the harness polls
    /// as an executor polls a task: the awaited future is moved into the
    /// outer state machine, as in `svc.call_dyn(x).await`.
    Awaited,
    /// The same `async fn`, but the future is pinned in place first:
    /// `pin!(svc.call_dyn(x)).await`. The call writes the handle straight
    /// into the outer state machine and `.await` moves only the `Pin`.
    AwaitedInPlace,
}

impl Shape {
    /// Every shape, in column order.
    pub(crate) const ALL: [Shape; 4] = [
        Shape::Pinned,
        Shape::Moved,
        Shape::Awaited,
        Shape::AwaitedInPlace,
    ];

    /// The column name, also the criterion parameter and a `callgrind`
    /// selector.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Shape::Pinned => "pinned",
            Shape::Moved => "moved",
            Shape::Awaited => "awaited",
            Shape::AwaitedInPlace => "pin-awaited",
        }
    }
}

/// Polls a pinned future to completion: no runtime.
#[inline(always)]
pub(crate) fn run_pinned<F: Future + ?Sized>(
    mut fut: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> F::Output {
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(cx) {
            return out;
        }
    }
}

/// Takes a future by value (one move) and polls it: the "moved once" shape.
#[inline(never)]
pub(crate) fn run_moved<F: Future>(fut: F, cx: &mut Context<'_>) -> F::Output {
    run_pinned(pin!(fut), cx)
}

/// Polls a task's future to completion through [`poll_task`], as an
/// executor does: the "awaited" shape's driver.
#[inline(always)]
pub(crate) fn run_task<F: Future + ?Sized>(
    mut task: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> F::Output {
    loop {
        if let Poll::Ready(out) = poll_task(task.as_mut(), cx) {
            return out;
        }
    }
}

/// One poll of a task, never inlined into the loop that drives it. An
/// executor reaches a task's `poll` through a function it cannot see into;
/// so must the harness, or the optimizer could keep the outer `async fn`'s
/// state in registers across polls — differently for each row, depending on
/// how much it inlines — and the move that `.await` makes would be measured
/// for some rows and not for others.
#[inline(never)]
fn poll_task<F: Future + ?Sized>(task: Pin<&mut F>, cx: &mut Context<'_>) -> Poll<F::Output> {
    task.poll(cx)
}
