//! [`ByName`]: an erased future that borrows from data its owner keeps
//! alive, with the owner stored inside the erased storage: what a call by
//! name returns (the owner is the name map's snapshot, and the service's
//! future borrows the entry in it). The call is made at once, and the
//! caller moves one handle of the erased future's size (128 bytes with the
//! default capacity, which the compiler copies inline on every `.await`),
//! not the handle plus the owner beside it (144 bytes: a `memcpy` call per
//! move, the copies a third of a call by name's time).
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

use crate::capacity::Capacity;
use crate::future::inline_box::{InlineBox, SendInlineFuture};
use crate::future::recycled::{RecyclePool, WithOwner, build_owned};
use crate::layout::Erasure;

/// The owner a [`ByName`] holds: a [`Snapshot`](crate::future::snapshot::Snapshot)
/// of an `Arc<M>` in a snapshot cell.
///
/// **Owner outlives the borrow.** The snapshot derefs to the `Arc`'s
/// pointee, a heap allocation outside the snapshot, which the cell keeps
/// alive (**Protected snapshot**, `snapshot.rs`) until the snapshot is
/// dropped, and which nothing mutates while it is shared. So the `M` stays
/// valid, unchanged and in place however the snapshot moves, until it is
/// dropped.
type Owner<M> = crate::future::snapshot::Snapshot<M>;

/// Makes `'a` invariant: a cell or a future of one [`call_owned`] cannot
/// pass for another's.
type Invariant<'a> = PhantomData<fn(&'a ()) -> &'a ()>;

/// Where [`call_owned`] keeps its owner while its `call` runs, lent to
/// `call` for [`Owned::build`] to move into the future's storage.
pub(crate) struct OwnerCell<'a, M> {
    owner: &'a mut Option<Owner<M>>,
    _invariant: Invariant<'a>,
}

/// An erased future built by [`Owned::build`], its owner stored with it.
/// Dropped before [`call_owned`] returns it (which [`call_owned`] never
/// does), it leaks its storage, owner included: the owner must outlive
/// any use of the reference `call` was given.
pub(crate) struct Owned<'a, M, T, Cap: Capacity> {
    future: ManuallyDrop<SendInlineFuture<'a, T, Cap>>,
    _types: PhantomData<(Invariant<'a>, fn() -> M)>,
}

impl<'a, M: Send + Sync, T, Cap: Capacity> Owned<'a, M, T, Cap> {
    /// Builds `make()`'s `Send` future in its final place, then moves the
    /// owner out of `cell` into the same storage (see `recycled.rs`'
    /// `build_owned`): inline beside the future when both fit `Cap`, in a
    /// buffer of `pool` (the owner in the handle) when the pool accepts the
    /// future, else beside it in a box. `pool` must be one the owner keeps
    /// alive (in its target), or outlive what `'a` bounds (a `'static`
    /// one), as the lifetime says.
    #[inline]
    pub(crate) fn build<F, C>(
        pool: &'a RecyclePool,
        cell: OwnerCell<'a, M>,
        make: C,
    ) -> (Self, Erasure)
    where
        F: Future<Output = T> + Send + 'a,
        C: FnOnce() -> F,
    {
        // The owner is stored once the future is built: if `make` unwinds,
        // it goes back to `call_owned`, which drops it after everything
        // `call` holds that borrows its target (a start count's guard that
        // counts the call as panicked, say).
        let (storage, erasure) = build_owned::<F, C, Cap, Owner<M>>(pool, make, cell.owner);
        let owned = Owned {
            // **Flavour**: the storage holds an `F: Future<Output = T> +
            // Send + 'a` (with an owner beside it, which is `Send` because
            // `M: Send + Sync`).
            future: ManuallyDrop::new(InlineBox::from_storage(storage)),
            _types: PhantomData,
        };
        (owned, erasure)
    }
}

/// Whether an `F` and the owner of an `M` fit a `Cap` handle together,
/// so that [`Owned::build`] keeps both inline; when they do not, it needs
/// a pool that accepts `F` to build without allocating.
pub(crate) const fn fits_with_owner<F, M, Cap: Capacity>() -> bool {
    crate::layout::fits_inline::<WithOwner<F, Owner<M>>, Cap>()
}

/// Makes a future from the target `owner` protects, now, with `owner`
/// stored in the future's storage, where it is dropped after the future
/// and after the future's buffer is given back to its pool. `call` gets
/// the target and a cell holding `owner` for a lifetime `'a` that `B`
/// outlives (the `PhantomData<&'a B>` argument tells the compiler `B:
/// 'a`), so it may capture anything that outlives `B` (a request that
/// borrows), and the result, which mentions `B`, cannot outlive that
/// either.
///
/// Always `Ok`: the `Result` is the one the caller returns (a call by
/// name's), made here so that the future is written where the caller
/// returns it (see [`build_in_place`]).
#[inline]
pub(crate) fn call_owned<M: Send + Sync, B, T, Cap: Capacity, E>(
    owner: Owner<M>,
    call: impl for<'a> FnOnce(&'a M, OwnerCell<'a, M>, PhantomData<&'a B>) -> Owned<'a, M, T, Cap>,
) -> Result<ByName<B, T, Cap>, E> {
    let target: *const M = &*owner;
    // Held here until `Owned::build` lends it out to build the future and
    // keeps it once the future is built: if `call` unwinds before, the
    // owner is back here (`recycled.rs`' `Lent`), and dropped here, after
    // what `call` built is dropped (or leaked) inside it.
    let mut owner = Some(owner);
    // **Owner outlives the borrow**: `target` stays valid and unchanged
    // while the owner lives, wherever it moves, and the owner is in
    // `owner` (dropped only after `build_in_place` returns or unwinds) or
    // in the future's storage.
    let result = build_in_place(target, &mut owner, call);
    // `Owned::build`, the only way to an `Owned<'a, ..>`, took the owner
    // from the one cell with this `'a` (checked in debug builds, once the
    // future no longer borrows the cell): nothing is left to drop. It is
    // forgotten rather than dropped, so that no drop runs between the
    // call that wrote the future and the return.
    debug_assert!(owner.is_none(), "an `Owned` holds the owner of its cell");
    core::mem::forget(owner);
    result
}

/// [`call_owned`]'s call, in a frame of its own that holds nothing to
/// drop if `call` unwinds (the owner stays in `call_owned`'s, which drops
/// it then). Such a frame makes no landing pad around `call`'s dynamic
/// call, so the compiler lets the entry write the future where
/// `call_owned`'s caller returns it (the `Ok` of its `Result`): a landing
/// pad (the owner's drop) between the call and the `Ok` made it write the
/// future aside and copy it after, 128 bytes a call by name, which
/// callgrind and the one-thread timings showed (see BENCHMARKS.md). Not
/// inlined, for the same reason: inlined, it would share `call_owned`'s
/// landing pad.
#[inline(never)]
fn build_in_place<'o, M: Send + Sync, B, T, Cap: Capacity, E>(
    target: *const M,
    owner: &'o mut Option<Owner<M>>,
    call: impl for<'a> FnOnce(&'a M, OwnerCell<'a, M>, PhantomData<&'a B>) -> Owned<'a, M, T, Cap>,
) -> Result<ByName<B, T, Cap>, E> {
    let cell = OwnerCell {
        owner,
        _invariant: PhantomData,
    };
    // SAFETY: **Owner outlives the borrow**: `target` was made from the
    // owner `call_owned` holds in `owner`, and stays valid and unchanged
    // while the owner lives, wherever it moves. `call` can return an
    // `Owned` only from `Owned::build`, which takes the owner out of the
    // one cell this call lends while it builds the future made from this
    // reference (putting it back if that unwinds) and, once the future is
    // built, moves it into that future's storage: the storage drops it
    // after the future, and after the future's block is back in its pool,
    // and an `Owned` dropped before it is returned leaks it. Until then
    // the owner is in `call_owned`'s `owner` or lent out, alive either
    // way, and back there if `call` unwinds. `call` is generic over the
    // reference's lifetime, so it cannot keep the reference anywhere but
    // in the future it returns.
    let owned = call(unsafe { &*target }, cell, PhantomData);
    let future = ManuallyDrop::into_inner(owned.future);
    // SAFETY: only the lifetime changes (the same type otherwise, so the
    // same layout). The future's borrows are of the target (valid for as
    // long as the owner, which its storage holds and drops last) and of
    // whatever `call` captured, which outlives `B`, which `ByName`
    // mentions: no `ByName` outlives either.
    let future = unsafe {
        core::mem::transmute::<SendInlineFuture<'_, T, Cap>, SendInlineFuture<'static, T, Cap>>(
            future,
        )
    };
    Ok(ByName {
        future,
        _bound: PhantomData,
    })
}

/// An erased `Send` future holding, in its storage, the owner of what it
/// borrows ([`call_owned`]); the size of a [`SendInlineFuture`] of the same
/// capacity. `B` bounds what else the future may hold (the request of a
/// call by name).
pub(crate) struct ByName<B, T, Cap: Capacity> {
    future: SendInlineFuture<'static, T, Cap>,
    _bound: PhantomData<fn() -> B>,
}

impl<B, T, Cap: Capacity> Future for ByName<B, T, Cap> {
    type Output = T;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        // SAFETY: **Pinned**: `future` is pinned structurally: no method
        // moves it out of a pinned `ByName` or hands out `&mut` to it, and
        // `ByName` has no `Drop` impl (and is `!Unpin`, as
        // `SendInlineFuture` is).
        unsafe { self.map_unchecked_mut(|this| &mut this.future) }.poll(cx)
    }
}

impl<B, T, Cap: Capacity> core::fmt::Debug for ByName<B, T, Cap> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ByName")
            .field("future", &self.future)
            .finish_non_exhaustive()
    }
}

static_assertions::assert_not_impl_any!(ByName<u8, u8, crate::capacity::S1>: Unpin);
static_assertions::assert_impl_all!(ByName<u8, u8, crate::capacity::S1>: Send);

/// A `Result` whose `Ok` future is awaited where the `Result` is, and
/// whose `Err` is the output's: what `Registry::dispatch` returns, so that
/// the future a call by name wrote into its `Result` need not be copied
/// out of it (`call(..)?` moves it out, and the `.await` again: at 40
/// bytes a call by name takes about 31 ns so, 20 pinned in one of these).
///
/// **Pinned** (structurally, the `Ok` future): nothing moves it out of a
/// pinned `OkInPlace` (the `Err` is read out once, by `poll`, and then
/// never dropped: `taken`), and the `Drop` impl drops it in place.
pub(crate) struct OkInPlace<F, E> {
    result: ManuallyDrop<Result<F, E>>,
    /// The `Err` was read out: what is left of it is not dropped.
    taken: bool,
}

impl<F, E> OkInPlace<F, E> {
    /// Awaits `result`'s future where it is, or answers its error.
    #[inline]
    pub(crate) fn new(result: Result<F, E>) -> Self {
        OkInPlace {
            result: ManuallyDrop::new(result),
            taken: false,
        }
    }
}

impl<F: Future, E> Future for OkInPlace<F, E> {
    type Output = Result<F::Output, E>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: **Pinned**: the future in `Ok` is only ever reached as
        // `Pin<&mut F>` below; nothing else is moved out but the error.
        let this = unsafe { self.get_unchecked_mut() };
        match &mut *this.result {
            // SAFETY: **Pinned**: `this` was pinned, and the future is
            // never moved out of it (its `Drop` drops it in place).
            Ok(future) => unsafe { Pin::new_unchecked(future) }.poll(cx).map(Ok),
            Err(error) => {
                // Only an `Err` is ever taken: the `Ok` path needs no test
                // (a finished future says so itself when polled again).
                assert!(
                    !this.taken,
                    "a call by name polled after it answered its error"
                );
                this.taken = true;
                // SAFETY: read out once: `taken` keeps `Drop` and later
                // polls from reading or dropping it again.
                Poll::Ready(Err(unsafe { core::ptr::read(error) }))
            }
        }
    }
}

impl<F, E> Drop for OkInPlace<F, E> {
    fn drop(&mut self) {
        if !self.taken {
            // SAFETY: dropped once, here, in place (the future is pinned);
            // an error read out by `poll` (`taken`) is the reader's.
            unsafe { ManuallyDrop::drop(&mut self.result) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capacity::{DefaultCapacity, S1};
    use crate::future::snapshot::SnapshotCell;
    use crate::layout::{FutureLayout, Placement};
    use crate::tests_support::YieldOnce;
    use alloc::boxed::Box;
    use alloc::sync::Arc;
    use alloc::vec::Vec;
    use core::convert::Infallible;
    use core::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use core::task::Waker;

    /// What the owner keeps alive: a pool for the futures that borrow it,
    /// and a count of its drops.
    struct Target {
        values: [u64; 4],
        pool: RecyclePool,
        drops: Arc<AtomicUsize>,
    }

    impl Drop for Target {
        fn drop(&mut self) {
            self.drops.fetch_add(1, SeqCst);
        }
    }

    /// A future of `N` bytes or more that borrows the target and, across
    /// its await, one of its own locals: self-referential once polled.
    async fn sum<const N: usize>(t: &Target) -> u64 {
        let local = [10u8; N];
        let mine = &local;
        let theirs = &t.values;
        YieldOnce::default().await;
        mine.iter().map(|&b| u64::from(b)).sum::<u64>() + theirs.iter().sum::<u64>()
    }

    fn target<const N: usize>(first: u64, idle: usize, drops: &Arc<AtomicUsize>) -> Target {
        let dummy = Target {
            values: [0; 4],
            pool: RecyclePool::new(FutureLayout::of::<u8>(), 0),
            drops: Arc::new(AtomicUsize::new(0)),
        };
        let layout = FutureLayout::of_val(&sum::<N>(&dummy));
        Target {
            values: [first, 2, 3, 4],
            pool: RecyclePool::new(layout, idle),
            drops: Arc::clone(drops),
        }
    }

    fn call<const N: usize, Cap: Capacity>(owner: Owner<Target>) -> ByName<(), u64, Cap> {
        let Ok::<_, Infallible>(fut) =
            call_owned(owner, |t: &Target, cell, _: PhantomData<&()>| {
                Owned::build(&t.pool, cell, || sum::<N>(t)).0
            });
        fut
    }

    fn poll<F: Future>(fut: Pin<&mut F>) -> Poll<F::Output> {
        fut.poll(&mut Context::from_waker(Waker::noop()))
    }

    /// The future survives moves before its first poll and the target's
    /// removal, wherever it is stored; the owner is dropped with it, after
    /// its block is back.
    fn survives<const N: usize, Cap: Capacity>(idle: usize, place: Placement) {
        let drops = Arc::new(AtomicUsize::new(0));
        let swap = SnapshotCell::new(Arc::new(target::<N>(1, idle, &drops)));
        let fut = call::<N, Cap>(swap.load());
        assert_eq!(fut.future.erasure().placement(), place);
        assert_eq!(
            size_of_val(&fut),
            size_of::<SendInlineFuture<'_, u64, Cap>>()
        );
        let mut moved = Vec::new();
        moved.push(fut);
        let mut fut = Box::pin(moved.pop().unwrap());
        let pool_stats = |swap: &SnapshotCell<Target>| swap.load().pool.stats();
        drop(swap.swap(Arc::new(target::<N>(100, idle, &drops))));
        assert_eq!(drops.load(SeqCst), 0, "the owner keeps the target");
        assert_eq!(poll(fut.as_mut()), Poll::Pending);
        let expected = 10 * N as u64 + 10;
        assert_eq!(poll(fut.as_mut()), Poll::Ready(expected));
        assert_eq!(drops.load(SeqCst), 0);
        drop(fut);
        assert_eq!(drops.load(SeqCst), 1, "the owner was the last one");
        assert_eq!(
            pool_stats(&swap).idle,
            0,
            "the new target's pool was not used"
        );
        drop(swap);
        assert_eq!(drops.load(SeqCst), 2);
    }

    #[test]
    fn inline_the_owner_is_beside_the_future() {
        survives::<8, DefaultCapacity>(4, Placement::Inline);
    }

    #[test]
    fn recycled_the_owner_is_in_the_handle() {
        survives::<300, DefaultCapacity>(4, Placement::Recycled);
    }

    #[test]
    fn boxed_the_owner_is_in_the_box() {
        // A pool that keeps no buffers accepts no future.
        survives::<300, DefaultCapacity>(0, Placement::Heap);
        // A handle with no room for the owner beside the block pointer.
        survives::<300, S1>(4, Placement::Heap);
    }

    #[test]
    fn a_recycled_block_goes_back_before_the_owner_is_dropped() {
        let drops = Arc::new(AtomicUsize::new(0));
        let swap = SnapshotCell::new(Arc::new(target::<300>(1, 4, &drops)));
        let first = call::<300, DefaultCapacity>(swap.load());
        drop(first);
        assert_eq!(swap.load().pool.stats().idle, 1, "its block came back");
        let fut = Box::pin(call::<300, DefaultCapacity>(swap.load()));
        assert_eq!(swap.load().pool.stats().idle, 0, "and was taken again");
        // The last owner is the future's: its pool is freed with the
        // target, after the block went back to it (Miri checks the order).
        drop(swap.swap(Arc::new(target::<300>(0, 4, &drops))));
        drop(fut);
        assert_eq!(drops.load(SeqCst), 1);
    }

    /// Reads the target when dropped: a use after free if the owner went
    /// first (Miri would say so), and a failed assertion too.
    struct ReadsOnDrop<'t>(&'t Target);

    impl Drop for ReadsOnDrop<'_> {
        fn drop(&mut self) {
            assert_eq!(self.0.values[1], 2);
            assert_eq!(self.0.drops.load(SeqCst), 0);
        }
    }

    async fn reads_on_drop<const N: usize>(t: &Target) -> u64 {
        let pad = [1u8; N];
        let reads = ReadsOnDrop(t);
        YieldOnce::default().await;
        reads.0.values[1] + u64::from(pad[0])
    }

    fn dropped_before_its_owner<const N: usize, Cap: Capacity>(idle: usize) {
        let drops = Arc::new(AtomicUsize::new(0));
        let swap = SnapshotCell::new(Arc::new(target::<N>(7, idle, &drops)));
        let Ok::<ByName<(), u64, Cap>, Infallible>(fut) =
            call_owned(swap.load(), |t: &Target, cell, _: PhantomData<&()>| {
                Owned::build(&t.pool, cell, || reads_on_drop::<N>(t)).0
            });
        let mut fut = Box::pin(fut);
        drop(swap.swap(Arc::new(target::<N>(0, idle, &drops))));
        // Pending, so the future still holds `ReadsOnDrop` when dropped.
        assert_eq!(poll(fut.as_mut()), Poll::Pending);
        drop(fut);
        assert_eq!(drops.load(SeqCst), 1);
    }

    #[test]
    fn the_future_is_dropped_before_its_owner_wherever_it_is() {
        dropped_before_its_owner::<8, DefaultCapacity>(4);
        dropped_before_its_owner::<300, DefaultCapacity>(4);
        dropped_before_its_owner::<300, DefaultCapacity>(0);
        dropped_before_its_owner::<300, S1>(4);
    }

    struct PanicsOnDrop;

    impl Drop for PanicsOnDrop {
        fn drop(&mut self) {
            panic!("the future's destructor panics");
        }
    }

    async fn panics_on_drop<const N: usize>(t: &Target) -> u64 {
        let pad = [1u8; N];
        let _bomb = PanicsOnDrop;
        YieldOnce::default().await;
        t.values[0] + u64::from(pad[0])
    }

    fn panicking_destructor<const N: usize, Cap: Capacity>(idle: usize) {
        let drops = Arc::new(AtomicUsize::new(0));
        let swap = SnapshotCell::new(Arc::new(target::<N>(1, idle, &drops)));
        let Ok::<ByName<(), u64, Cap>, Infallible>(fut) =
            call_owned(swap.load(), |t: &Target, cell, _: PhantomData<&()>| {
                Owned::build(&t.pool, cell, || panics_on_drop::<N>(t)).0
            });
        let mut fut = Box::pin(fut);
        assert_eq!(poll(fut.as_mut()), Poll::Pending);
        let kept = swap.load();
        drop(swap.swap(Arc::new(target::<N>(0, idle, &drops))));
        let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(fut)));
        assert!(dropped.is_err());
        assert_eq!(drops.load(SeqCst), 0, "`kept` still holds the target");
        if idle > 0 && N > 100 && size_of::<Cap>() > 8 {
            assert_eq!(kept.pool.stats().idle, 1, "the block came back");
        }
        drop(kept);
        assert_eq!(
            drops.load(SeqCst),
            1,
            "the owner was dropped after the panic"
        );
    }

    #[test]
    fn a_panicking_future_destructor_still_releases_block_and_owner() {
        panicking_destructor::<8, DefaultCapacity>(4);
        panicking_destructor::<300, DefaultCapacity>(4);
        panicking_destructor::<300, DefaultCapacity>(0);
        panicking_destructor::<300, S1>(4);
    }

    #[test]
    fn a_call_that_panics_keeps_the_owner_until_the_caller_unwinds() {
        for size in [8, 300] {
            let drops = Arc::new(AtomicUsize::new(0));
            let swap = SnapshotCell::new(Arc::new(target::<300>(1, 4, &drops)));
            let owner = swap.load();
            drop(swap.swap(Arc::new(target::<300>(0, 4, &drops))));
            let before = drops.load(SeqCst);
            let called = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                call_owned::<_, (), u64, DefaultCapacity, Infallible>(
                    owner,
                    |t: &Target, cell, _: PhantomData<&()>| {
                        // Held around the build, as a registry's start-count
                        // guard is: it reads the target while unwinding, after
                        // the build (and so the owner it was given) is gone.
                        let _reads = ReadsOnDrop(t);
                        if size == 8 {
                            Owned::build(&t.pool, cell, || -> core::future::Ready<u64> {
                                panic!("the service's call panics")
                            })
                            .0
                        } else {
                            Owned::build(&t.pool, cell, || {
                                let pad = [0u8; 300];
                                assert_ne!(t.values[1], 2, "the service's call panics");
                                async move { u64::from(pad[0]) }
                            })
                            .0
                        }
                    },
                )
            }));
            assert!(called.is_err());
            assert_eq!(
                drops.load(SeqCst),
                before + 1,
                "the owner was dropped, last"
            );
            assert_eq!(swap.load().pool.stats().idle, 0);
            drop(swap);
            assert_eq!(drops.load(SeqCst), 2);
        }
    }

    #[test]
    fn a_call_that_panics_releases_the_owner_after_what_it_built() {
        let drops = Arc::new(AtomicUsize::new(0));
        let swap = SnapshotCell::new(Arc::new(target::<300>(1, 4, &drops)));
        let owner = swap.load();
        drop(swap.swap(Arc::new(target::<300>(0, 4, &drops))));
        let called = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            call_owned::<_, (), u64, DefaultCapacity, Infallible>(
                owner,
                |t: &Target, cell, _: PhantomData<&()>| {
                    Owned::build(&t.pool, cell, || -> core::future::Ready<u64> {
                        let _reads = ReadsOnDrop(t);
                        panic!("the service's call panics")
                    })
                    .0
                },
            )
        }));
        assert!(called.is_err());
        assert_eq!(drops.load(SeqCst), 1, "the owner was dropped, last");
    }
}
