//! [`OwningFuture`]: an erased future that borrows from data its own
//! `owner` keeps alive, carried beside it: what a call by name returns
//! (the owner is the name map's snapshot, and the service's future borrows
//! the entry in it), so the call is made at once and the future is moved
//! as one handle, instead of an `async` block that makes the call on its
//! first poll and copies the erased future into its own state.
//!
//! Part of the crate's one `unsafe` module (`future`); its invariants are
//! stated in `future/mod.rs`, **Owner outlives the borrow** among them.

#![allow(
    unsafe_code,
    reason = "part of the crate's one unsafe module: a future that borrows from the owner it carries"
)]

use core::future::Future;
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::pin::Pin;
use core::task::{Context, Poll};

use alloc::sync::Arc;
use arc_swap::Guard;

use crate::capacity::Capacity;
use crate::future::inline_box::SendInlineFuture;

/// A [`SendInlineFuture`] that borrows from the `M` an arc-swap guard
/// protects, and the guard.
///
/// **Owner outlives the borrow.** The guard derefs to the `Arc` it
/// protects, whose pointee is a heap allocation outside the guard; arc-swap
/// keeps that allocation alive (by a debt or an owned count) until the
/// guard is dropped, and `Arc` hands out no `&mut` while another reference
/// exists. So the `M` stays valid, unchanged and in place however the
/// guard moves, until it is dropped, which is after the future.
///
/// `B` bounds what the future may hold besides that borrow (the request of
/// a call by name): the future is made by a closure that may capture
/// borrows as long as `B`'s, and this type, which mentions `B`, cannot
/// outlive them.
pub(crate) struct OwningFuture<M, B, T, Cap: Capacity> {
    /// Borrows from `**owner`; its lifetime is erased to `'static`, and it
    /// is dropped (in `Drop`) before `owner` is.
    future: ManuallyDrop<SendInlineFuture<'static, T, Cap>>,
    #[expect(
        dead_code,
        reason = "held for what it keeps alive, dropped after `future`"
    )]
    owner: Guard<Arc<M>>,
    _bound: PhantomData<fn() -> B>,
}

impl<M, B, T, Cap: Capacity> OwningFuture<M, B, T, Cap> {
    /// Makes the future now, from the `M` `owner` protects, and keeps
    /// `owner` with it. `call` may capture anything that outlives `B` (the
    /// `PhantomData<&'a B>` argument tells the compiler `B: 'a`).
    #[inline]
    pub(crate) fn new(
        owner: Guard<Arc<M>>,
        call: impl for<'a> FnOnce(&'a M, PhantomData<&'a B>) -> SendInlineFuture<'a, T, Cap>,
    ) -> Self {
        let target: *const M = &**owner;
        // SAFETY: **Owner outlives the borrow** (the type's docs): `target`
        // stays valid and unchanged while `owner` lives, wherever it moves;
        // `owner` is moved into the result below and dropped only after the
        // future made from this reference (`Drop`, then the fields). If
        // `call` unwinds, what it built is dropped inside it, before
        // `owner`. `call` is generic over the reference's lifetime, so it
        // cannot keep the reference anywhere but in the future it returns.
        let future = call(unsafe { &*target }, PhantomData);
        // SAFETY: only the lifetime changes (same type otherwise, so the
        // same layout). The future's borrows are of the target (valid for
        // as long as `owner`, which this value holds and drops last) and
        // of whatever `call` captured, which outlives `B`, which this
        // type mentions: no `OwningFuture` outlives either.
        let future = unsafe {
            core::mem::transmute::<SendInlineFuture<'_, T, Cap>, SendInlineFuture<'static, T, Cap>>(
                future,
            )
        };
        OwningFuture {
            future: ManuallyDrop::new(future),
            owner,
            _bound: PhantomData,
        }
    }
}

impl<M, B, T, Cap: Capacity> Future for OwningFuture<M, B, T, Cap> {
    type Output = T;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        // SAFETY: **Pinned**: `future` is pinned structurally: it is never
        // moved out of a pinned `OwningFuture` (no method hands out `&mut`
        // to it; `Drop` drops it in place), and `OwningFuture` is `!Unpin`
        // because `SendInlineFuture` is.
        let future = unsafe { self.map_unchecked_mut(|this| &mut *this.future) };
        future.poll(cx)
    }
}

impl<M, B, T, Cap: Capacity> Drop for OwningFuture<M, B, T, Cap> {
    fn drop(&mut self) {
        // SAFETY: **Dropped once**: `future` is dropped here only, in place
        // (it may be pinned), before `owner`, whose target it borrows
        // (**Owner outlives the borrow**); the fields are dropped after
        // this, `owner` among them.
        unsafe { ManuallyDrop::drop(&mut self.future) }
    }
}

impl<M, B, T, Cap: Capacity> core::fmt::Debug for OwningFuture<M, B, T, Cap> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OwningFuture")
            .field("future", &*self.future)
            .finish_non_exhaustive()
    }
}

static_assertions::assert_not_impl_any!(
    OwningFuture<u8, u8, u8, crate::capacity::S1>: Unpin
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests_support::YieldOnce;
    use alloc::boxed::Box;
    use alloc::vec::Vec;
    use arc_swap::ArcSwap;
    use core::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use core::task::Waker;

    /// What the owner keeps alive; counts its drops.
    struct Target {
        values: [u64; 4],
        drops: Arc<AtomicUsize>,
    }

    impl Drop for Target {
        fn drop(&mut self) {
            self.drops.fetch_add(1, SeqCst);
        }
    }

    fn target(first: u64, drops: &Arc<AtomicUsize>) -> Target {
        Target {
            values: [first, 2, 3, 4],
            drops: Arc::clone(drops),
        }
    }

    type Owning = OwningFuture<Target, (), u64, crate::capacity::S8>;

    /// A future that borrows the target and, across its await, one of its
    /// own locals: self-referential once polled.
    fn sum(owner: Guard<Arc<Target>>) -> Owning {
        OwningFuture::new(owner, |t: &Target, _: PhantomData<&()>| {
            SendInlineFuture::new(async move {
                let local = [10u64, 20];
                let mine = &local;
                let theirs = &t.values;
                YieldOnce::default().await;
                mine.iter().sum::<u64>() + theirs.iter().sum::<u64>()
            })
        })
    }

    fn poll(fut: Pin<&mut Owning>) -> Poll<u64> {
        fut.poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn the_borrow_survives_moves_of_the_owner_and_a_swap() {
        let drops = Arc::new(AtomicUsize::new(0));
        let swap = ArcSwap::from_pointee(target(1, &drops));
        let fut = sum(swap.load());
        assert!(!fut.future.is_heap());
        // Moved before its first poll, twice: the guard moves with it.
        let mut moved = Vec::new();
        moved.push(fut);
        let mut fut = Box::pin(moved.pop().unwrap());
        // The target leaves the map; the guard keeps it.
        swap.store(Arc::new(target(100, &drops)));
        assert_eq!(drops.load(SeqCst), 0);
        assert_eq!(poll(fut.as_mut()), Poll::Pending);
        assert_eq!(poll(fut.as_mut()), Poll::Ready(30 + 10));
        assert_eq!(drops.load(SeqCst), 0);
        drop(fut);
        assert_eq!(drops.load(SeqCst), 1, "the guard was the last owner");
        drop(swap);
        assert_eq!(drops.load(SeqCst), 2);
    }

    #[test]
    fn the_future_is_dropped_before_its_owner() {
        /// Reads the target when dropped: a use after free if the owner
        /// went first (Miri would say so), and a failed assertion too.
        struct ReadsOnDrop<'t>(&'t Target);
        impl Drop for ReadsOnDrop<'_> {
            fn drop(&mut self) {
                assert_eq!(self.0.values[0], 7);
                assert_eq!(self.0.drops.load(SeqCst), 0);
            }
        }
        let drops = Arc::new(AtomicUsize::new(0));
        let swap = ArcSwap::from_pointee(target(7, &drops));
        let fut: Owning = OwningFuture::new(swap.load(), |t: &Target, _: PhantomData<&()>| {
            SendInlineFuture::new(async move {
                let reads = ReadsOnDrop(t);
                YieldOnce::default().await;
                reads.0.values[1]
            })
        });
        let mut fut = Box::pin(fut);
        swap.store(Arc::new(target(0, &drops)));
        // Pending, so the future still holds `ReadsOnDrop` when dropped.
        assert_eq!(poll(fut.as_mut()), Poll::Pending);
        drop(fut);
        assert_eq!(drops.load(SeqCst), 1);
    }

    #[test]
    fn a_panicking_future_destructor_still_releases_the_owner() {
        struct PanicsOnDrop;
        impl Drop for PanicsOnDrop {
            fn drop(&mut self) {
                panic!("the future's destructor panics");
            }
        }
        let drops = Arc::new(AtomicUsize::new(0));
        let swap = ArcSwap::from_pointee(target(1, &drops));
        let fut: Owning = OwningFuture::new(swap.load(), |t: &Target, _: PhantomData<&()>| {
            SendInlineFuture::new(async move {
                let _bomb = PanicsOnDrop;
                YieldOnce::default().await;
                t.values[0]
            })
        });
        let mut fut = Box::pin(fut);
        assert_eq!(poll(fut.as_mut()), Poll::Pending);
        swap.store(Arc::new(target(0, &drops)));
        let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(fut)));
        assert!(dropped.is_err());
        assert_eq!(
            drops.load(SeqCst),
            1,
            "the owner was dropped after the panic"
        );
    }
}
