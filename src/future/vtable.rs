//! Per-type static vtables shared by the erased-future storages
//! ([`InlineBox`](crate::InlineBox), [`InlineOnlyBox`](crate::InlineOnlyBox),
//! [`ReusableSlot`](crate::ReusableSlot)), and [`Erased`], the buffer +
//! vtable pair the first two are views of.
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
use core::cell::UnsafeCell;
use core::future::Future;
use core::marker::{PhantomData, PhantomPinned};
use core::mem::{MaybeUninit, size_of};
use core::pin::Pin;
use core::ptr::{self, NonNull};
use core::task::{Context, Poll};

use crate::layout::{FutureLayout, fits_inline};

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

/// What every inline storage holds: a buffer, the vtable that says what is
/// in it, and whether the future has completed. [`InlineBox`](crate::InlineBox)
/// and [`InlineOnlyBox`](crate::InlineOnlyBox) are thin typed views of it.
///
/// Invariants:
///
/// 1. **`vtable` describes `buffer`**: it was chosen by the constructor for
///    the type it stored and the place it chose (the `F` itself, a box
///    pointer, or nothing for a zero-sized `F`), and never changes.
/// 2. **Raw access**: the buffer is only reached through `addr_of_mut!`
///    pointers (a fresh `&mut` to an `Unpin` buffer would invalidate the
///    references a pinned future keeps into itself); it is an `UnsafeCell`
///    so `&self` views do not freeze it, and `Erased` is `!Unpin` so that the
///    `&mut Erased` the owners take is not a unique reborrow either.
/// 3. **Dropped once**, by `Drop`, in place.
pub(super) struct Erased<Space> {
    buffer: MaybeUninit<UnsafeCell<Space>>,
    /// The `Header` of a `VTable<Output>`, derived from the whole vtable
    /// (`poll` lies past the header).
    vtable: NonNull<Header>,
    done: bool,
    _pinned: PhantomPinned,
}

impl<Space> Erased<Space> {
    fn with<T>(buffer: MaybeUninit<UnsafeCell<Space>>, vtable: &VTable<T>) -> Self {
        Erased {
            buffer,
            vtable: NonNull::from(vtable).cast::<Header>(),
            done: false,
            _pinned: PhantomPinned,
        }
    }

    /// Stores `future` in the buffer (nowhere, if it is zero-sized).
    ///
    /// # Panics
    ///
    /// If `F` does not fit `Space`; callers check first (at compile time).
    #[inline]
    pub(super) fn inline<F: Future>(future: F) -> Self {
        assert!(fits_inline::<F, Space>(), "checked by every caller");
        let mut buffer = MaybeUninit::<UnsafeCell<Space>>::uninit();
        if size_of::<F>() == 0 {
            // Nothing to store (and an over-aligned zero-sized `F` must not
            // be written to a less aligned buffer): the vtable conjures it
            // from an aligned dangling pointer.
            core::mem::forget(future);
            Self::with(buffer, &VTables::<F>::ZERO_SIZED)
        } else {
            // SAFETY: `F` fits the fresh buffer in size and alignment
            // (asserted above).
            unsafe { buffer.as_mut_ptr().cast::<F>().write(future) };
            Self::with(buffer, &VTables::<F>::INLINE)
        }
    }

    /// Boxes `future` and stores the box pointer in the buffer.
    #[cfg(feature = "alloc")]
    #[inline]
    pub(super) fn boxed<F: Future>(future: F) -> Self {
        const {
            assert!(
                size_of::<Space>() >= size_of::<*mut u8>(),
                "an InlineFuture capacity must hold at least one pointer"
            );
        }
        let mut buffer = MaybeUninit::<UnsafeCell<Space>>::uninit();
        let boxed = Box::into_raw(Box::new(future));
        // SAFETY: the buffer holds at least one pointer (the const
        // assertion); written unaligned, so any `Space` type will do.
        unsafe { buffer.as_mut_ptr().cast::<*mut F>().write_unaligned(boxed) };
        Self::with(buffer, &VTables::<F>::HEAP)
    }

    #[inline]
    pub(super) fn header(&self) -> &'static Header {
        // SAFETY: `vtable` points into a promoted constant, valid for the
        // whole program (invariant 1).
        unsafe { self.vtable.as_ref() }
    }

    #[inline]
    pub(super) fn is_done(&self) -> bool {
        self.done
    }

    /// Polls the stored future; `what` names the handle type in the panic
    /// message of a poll after completion.
    ///
    /// # Safety
    ///
    /// `T` is the stored future's output type, and `self` is pinned: it
    /// has not moved since the first poll and will not move until dropped.
    #[inline]
    pub(super) unsafe fn poll<T>(&mut self, cx: &mut Context<'_>, what: &str) -> Poll<T> {
        if self.done {
            polled_after_completion(what, self.header().layout.type_name());
        }
        // SAFETY: the vtable is a `VTable<T>` (invariant 1 and the caller's
        // `T`; `#[repr(C)]`, header first).
        let vtable = unsafe { self.vtable.cast::<VTable<T>>().as_ref() };
        let buffer = ptr::addr_of_mut!(self.buffer).cast::<u8>();
        // SAFETY: `poll` was made for what the buffer holds (invariant 1),
        // which is pinned (the caller's guarantee) and reached only through
        // `self` (invariant 2).
        let out = unsafe { (vtable.poll)(buffer, cx) };
        if out.is_ready() {
            self.done = true;
        }
        out
    }
}

/// Kept out of line so that the hot `poll` stays small.
#[cold]
#[inline(never)]
pub(super) fn polled_after_completion(what: &str, type_name: &str) -> ! {
    panic!("{what} polled after it completed (type {type_name})")
}

impl<Space> Drop for Erased<Space> {
    #[inline]
    fn drop(&mut self) {
        let buffer = ptr::addr_of_mut!(self.buffer).cast::<u8>();
        // SAFETY: `drop` was made for what the buffer holds (invariant 1);
        // this is the only place it runs (invariant 3), in place.
        unsafe { (self.header().drop)(buffer) };
    }
}
