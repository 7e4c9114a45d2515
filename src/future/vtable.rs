//! Per-type static vtables shared by the erased-future storages
//! ([`InlineBox`](crate::InlineBox), [`InlineOnlyBox`](crate::InlineOnlyBox),
//! [`ReusableSlot`](crate::ReusableSlot)).
//!
//! Part of the crate's one `unsafe` module (`future`). A vtable is chosen
//! once, when a future is stored, for the future's type *and* for where it
//! was put; from then on polling and dropping are one indirect call each,
//! with no branch on the location. Every function here takes the address of
//! the storage (`place`) and trusts the caller that it holds what the vtable
//! was made for: that is the invariant each storage upholds.

#![allow(
    unsafe_code,
    reason = "part of the crate's one unsafe module: the functions behind erased futures"
)]

#[cfg(feature = "alloc")]
use alloc::boxed::Box;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll};

use crate::layout::FutureLayout;

/// The part of a vtable that does not depend on the future's output, so
/// that `Drop` and `Debug` impls (which know no `D: Future`) can read it.
#[repr(C)]
pub(super) struct Header {
    /// Drops the stored future (and frees its box, for the heap vtable).
    pub(super) drop: unsafe fn(*mut u8),
    pub(super) layout: FutureLayout,
    /// Whether this is the heap vtable (the future has a box of its own).
    pub(super) heap: bool,
}

/// `#[repr(C)]` with `header` first, so a pointer to the vtable is a pointer
/// to its header. Keep pointers derived from the whole vtable (not from
/// `&vtable.header`), since `poll` lies past the header.
#[repr(C)]
pub(super) struct VTable<T> {
    pub(super) header: Header,
    /// Polls the stored future, given the storage's address.
    pub(super) poll: unsafe fn(*mut u8, &mut Context<'_>) -> Poll<T>,
}

/// The vtables of a future type `F`, as promotable constants (`&VTables::<F>::INLINE`
/// lives as long as the program).
pub(super) struct VTables<F>(PhantomData<F>);

impl<F: Future> VTables<F> {
    /// `place` holds the `F` itself (an inline buffer, or a slot's buffer).
    pub(super) const INLINE: VTable<F::Output> = VTable {
        header: Header {
            drop: drop_in_place::<F>,
            layout: FutureLayout::of::<F>(),
            heap: false,
        },
        poll: poll_in_place::<F>,
    };

    /// `F` is zero-sized: `place` is ignored and an aligned dangling pointer
    /// stands for it (smallbox #46 mishandled over-aligned ones).
    pub(super) const ZERO_SIZED: VTable<F::Output> = VTable {
        header: Header {
            drop: drop_zero_sized::<F>,
            layout: FutureLayout::of::<F>(),
            heap: false,
        },
        poll: poll_zero_sized::<F>,
    };

    /// `place` holds a `*mut F` from `Box::into_raw`.
    #[cfg(feature = "alloc")]
    pub(super) const HEAP: VTable<F::Output> = VTable {
        header: Header {
            drop: drop_boxed::<F>,
            layout: FutureLayout::of::<F>(),
            heap: true,
        },
        poll: poll_boxed::<F>,
    };
}

/// # Safety
///
/// `place` holds a live, pinned `F` that nothing else accesses meanwhile.
unsafe fn poll_in_place<F: Future>(place: *mut u8, cx: &mut Context<'_>) -> Poll<F::Output> {
    // SAFETY: the caller's guarantee; the `&mut` lives for this call only.
    unsafe { Pin::new_unchecked(&mut *place.cast::<F>()) }.poll(cx)
}

/// # Safety
///
/// `place` holds a live `F`, used never again.
unsafe fn drop_in_place<F>(place: *mut u8) {
    // SAFETY: the caller's guarantee; dropped where it lies, as `Pin` wants.
    unsafe { place.cast::<F>().drop_in_place() }
}

/// # Safety
///
/// `F` is zero-sized and a value of it is live (owned by the caller's
/// storage), accessed by nothing else meanwhile.
unsafe fn poll_zero_sized<F: Future>(_: *mut u8, cx: &mut Context<'_>) -> Poll<F::Output> {
    // SAFETY: an aligned dangling pointer is a valid pointer to a zero-sized
    // `F`, and trivially pinned: it occupies no memory.
    unsafe { Pin::new_unchecked(&mut *NonNull::<F>::dangling().as_ptr()) }.poll(cx)
}

/// # Safety
///
/// `F` is zero-sized and a value of it is live, used never again.
unsafe fn drop_zero_sized<F>(_: *mut u8) {
    // SAFETY: as for `poll_zero_sized`.
    unsafe { NonNull::<F>::dangling().as_ptr().drop_in_place() }
}

/// # Safety
///
/// `place` holds a `*mut F` from `Box::into_raw` (possibly unaligned), whose
/// `F` is live and accessed by nothing else meanwhile.
#[cfg(feature = "alloc")]
unsafe fn poll_boxed<F: Future>(place: *mut u8, cx: &mut Context<'_>) -> Poll<F::Output> {
    // SAFETY: the caller's guarantee; a boxed value never moves, so it is
    // pinned.
    unsafe {
        let boxed = place.cast::<*mut F>().read_unaligned();
        Pin::new_unchecked(&mut *boxed).poll(cx)
    }
}

/// # Safety
///
/// `place` holds a `*mut F` from `Box::into_raw` (possibly unaligned), used
/// never again.
#[cfg(feature = "alloc")]
unsafe fn drop_boxed<F>(place: *mut u8) {
    // SAFETY: the caller's guarantee. Going through `Box` frees the block
    // even when `F`'s destructor panics.
    drop(unsafe { Box::from_raw(place.cast::<*mut F>().read_unaligned()) });
}
