//! [`InlineOnlyBox`]: purpose-built inline storage with no heap path at all,
//! behind [`InlineOnlyFuture`](crate::InlineOnlyFuture) and
//! [`SendInlineOnlyFuture`](crate::SendInlineOnlyFuture).
//!
//! Part of the crate's one `unsafe` module (`future`). Why not
//! [`InlineBox`](crate::InlineBox): this storage must build without `alloc`,
//! so it has no heap vtable and no `Box` anywhere. Invariants:
//!
//! 1. **`vtable` describes `buffer`.** `new` refuses (at compile time) any
//!    `F` that does not fit `Space` in size and alignment, writes it at the
//!    start of `buffer` — or, for a zero-sized `F`, nowhere — and keeps the
//!    matching vtable of `vtable.rs`. Nothing changes either afterwards.
//! 2. **Structural pinning.** The handle is `!Unpin` and the future is only
//!    reached through `Pin<&mut Self>` (`poll`) or `&mut self` in `Drop`, so
//!    once polled its bytes never move. Moving the handle before the first
//!    poll moves the unpolled future, which is allowed for any `Future`.
//! 3. **Raw access.** The buffer's address is always taken with
//!    `addr_of_mut!`, never through `&mut` to the field (see
//!    `inline_box.rs` for why a fresh `&mut` breaks self-references).
//! 4. **Dropped exactly once**, by `Drop`; `poll` never drops.

#![allow(
    unsafe_code,
    reason = "part of the crate's one unsafe module: a type-erased future in an inline buffer"
)]

use core::cell::UnsafeCell;
use core::fmt;
use core::future::Future;
use core::marker::{PhantomData, PhantomPinned};
use core::mem::{MaybeUninit, size_of};
use core::pin::Pin;
use core::ptr::{self, NonNull};
use core::task::{Context, Poll};

use super::vtable::{Header, VTable, VTables};
use crate::layout::{FutureLayout, fits_inline};

/// A type-erased future stored in an inline buffer of `Space`, never on the
/// heap: a future that does not fit is a compile error.
///
/// Users meet it as [`InlineOnlyFuture`](crate::InlineOnlyFuture) and
/// [`SendInlineOnlyFuture`](crate::SendInlineOnlyFuture).
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::InlineOnlyFuture;
///
/// let fut: InlineOnlyFuture<'_, u32> = InlineOnlyFuture::new(async { 7 });
/// assert_eq!(fut.layout().size(), 1);
/// ```
pub struct InlineOnlyBox<D: Future + ?Sized, Space> {
    /// The future's bytes, at offset 0 (invariant 1); raw access only
    /// (invariant 3).
    buffer: MaybeUninit<UnsafeCell<Space>>,
    /// Points at the `Header` of a `VTable<D::Output>` for the stored type.
    vtable: NonNull<Header>,
    /// Set once the future returned `Ready`.
    done: bool,
    _pinned: PhantomPinned,
    /// Carries `D`'s auto traits (`Send` or not) and says we own a `D`.
    _erased: PhantomData<D>,
}

// SAFETY: the box owns its `D`; `vtable` points at immutable constants. So
// it may go to another thread exactly when `D` may.
unsafe impl<D: Future + ?Sized + Send, Space: Send> Send for InlineOnlyBox<D, Space> {}

// Invariant 2 rests on this: safe code can never move a pinned box.
static_assertions::assert_not_impl_any!(InlineOnlyBox<dyn Future<Output = u8>, crate::space::S1>: Unpin);

/// Builds `new` for one `dyn Future` flavour.
macro_rules! constructor {
    ($($bounds:tt)*) => {
        impl<'a, T, Space> InlineOnlyBox<dyn Future<Output = T> $($bounds)* + 'a, Space> {
            /// Erases `future` into the inline buffer. A future larger or
            /// more aligned than `Space` fails the build.
            ///
            /// # Examples
            ///
            /// ```
            /// use hybrid_dispatch::{InlineOnlyFuture, space::S1};
            ///
            /// let fut = InlineOnlyFuture::<'_, u32, S1>::new(async { 1u32 });
            /// assert!(fut.layout().size() <= 8);
            /// ```
            ///
            /// ```compile_fail
            /// use hybrid_dispatch::{InlineOnlyFuture, space::S1};
            ///
            /// // 16 bytes into an 8-byte buffer: error[E0080]
            /// let fut = InlineOnlyFuture::<'_, u64, S1>::new(core::future::ready(1u64));
            /// ```
            #[inline]
            pub fn new<F>(future: F) -> Self
            where
                F: Future<Output = T> $($bounds)* + 'a,
            {
                const {
                    assert!(
                        fits_inline::<F, Space>(),
                        "the future does not fit this InlineOnlyFuture's capacity (size or alignment)"
                    );
                }
                let mut buffer = MaybeUninit::<UnsafeCell<Space>>::uninit();
                let vtable: &VTable<T> = if size_of::<F>() == 0 {
                    // Nothing to store (and an over-aligned zero-sized `F`
                    // must not be written to a less aligned buffer): the
                    // vtable conjures it from an aligned dangling pointer.
                    core::mem::forget(future);
                    &VTables::<F>::ZERO_SIZED
                } else {
                    // SAFETY: `F` fits the buffer in size and alignment
                    // (checked above at compile time); the buffer is fresh.
                    unsafe { buffer.as_mut_ptr().cast::<F>().write(future) };
                    &VTables::<F>::INLINE
                };
                InlineOnlyBox {
                    buffer,
                    // From the whole vtable: `poll` lies past the header.
                    vtable: NonNull::from(vtable).cast::<Header>(),
                    done: false,
                    _pinned: PhantomPinned,
                    _erased: PhantomData,
                }
            }
        }
    };
}

constructor!();
constructor!(+ Send);

impl<D: Future + ?Sized, Space> InlineOnlyBox<D, Space> {
    #[inline]
    fn header(&self) -> &Header {
        // SAFETY: `vtable` points into a promoted constant, valid for the
        // whole program (invariant 1).
        unsafe { self.vtable.as_ref() }
    }

    /// The erased future's size, alignment and type.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::InlineOnlyFuture;
    ///
    /// let fut = InlineOnlyFuture::<'_, u64>::new(core::future::ready(5u64));
    /// assert_eq!(fut.layout().size(), 16);
    /// ```
    #[inline]
    #[must_use]
    pub fn layout(&self) -> FutureLayout {
        self.header().layout
    }

    /// Whether the future has completed; polling again panics.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::task::{Context, Waker};
    /// use hybrid_dispatch::InlineOnlyFuture;
    ///
    /// let mut fut = core::pin::pin!(InlineOnlyFuture::<'_, u8>::new(async { 1 }));
    /// let _ = fut.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    /// assert!(fut.is_terminated());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_terminated(&self) -> bool {
        self.done
    }
}

impl<D: Future + ?Sized, Space> Future for InlineOnlyBox<D, Space> {
    type Output = D::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<D::Output> {
        // SAFETY: nothing is moved out; the buffer is reached through a raw
        // pointer only (invariants 2, 3).
        let this = unsafe { self.get_unchecked_mut() };
        if this.done {
            panic!(
                "InlineOnlyFuture polled after it completed (type {})",
                this.header().layout.type_name()
            );
        }
        // SAFETY: `vtable` is the header of a `VTable<D::Output>` (invariant
        // 1; `#[repr(C)]`, header first), in a promoted constant.
        let vtable = unsafe { this.vtable.cast::<VTable<D::Output>>().as_ref() };
        let future = ptr::addr_of_mut!(this.buffer).cast::<u8>();
        // SAFETY: `poll` was made for what the buffer holds (invariant 1); it
        // is pinned because `self` is (invariant 2), and `this` is the only
        // access to it.
        let out = unsafe { (vtable.poll)(future, cx) };
        if out.is_ready() {
            this.done = true;
        }
        out
    }
}

impl<D: Future + ?Sized, Space> Drop for InlineOnlyBox<D, Space> {
    fn drop(&mut self) {
        let future = ptr::addr_of_mut!(self.buffer).cast::<u8>();
        // SAFETY: `drop` was made for what the buffer holds (invariant 1);
        // dropped in place, once (invariant 4).
        unsafe { (self.header().drop)(future) };
    }
}

impl<D: Future + ?Sized, Space> fmt::Debug for InlineOnlyBox<D, Space> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let layout = self.header().layout;
        f.debug_struct("InlineOnlyFuture")
            .field("future", &layout.type_name())
            .field("size", &layout.size())
            .field("align", &layout.align())
            .field("capacity", &core::mem::size_of::<Space>())
            .field("terminated", &self.done)
            .finish()
    }
}
