//! [`ReusableSlot`]: caller-owned storage that erased futures are written
//! into, one after another, without moving and — once it is large enough —
//! without allocating. Users meet it as [`FutureSlot`](crate::FutureSlot)
//! and [`SendFutureSlot`](crate::SendFutureSlot).
//!
//! Part of the crate's one `unsafe` module (`future`). Invariants:
//!
//! 1. **Pinned storage.** Futures are only written through
//!    `Pin<&mut ReusableSlot>`, so the inline buffer never moves while a
//!    future lives in it; the heap buffer is never moved either (it is freed
//!    and replaced only while the slot is empty).
//! 2. **`live` owns.** `live` is `Some` exactly while a future is stored; it
//!    holds where the future is (in `inline`, in `heap`, or nowhere for a
//!    zero-sized one) and the vtable made for it, and the future is dropped
//!    exactly once: by the [`SlotFuture`] that handed it out, or — when that
//!    handle was leaked — by the next `put` or the slot's own `Drop`.
//!    Futures are `'f`-bounded by the slot's type (inside `D`), so a leaked
//!    one is still valid whenever the slot drops it.
//! 3. **Raw access.** The buffers are reached only through raw pointers
//!    derived from the slot pointer, never through `&mut` to a buffer field:
//!    a fresh `&mut` to an `Unpin` field would invalidate the references a
//!    pinned future keeps into itself (see `inline_box.rs`).

#![allow(
    unsafe_code,
    reason = "part of the crate's one unsafe module: placement of futures in caller-owned storage"
)]

use alloc::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use core::cell::UnsafeCell;
use core::fmt;
use core::future::Future;
use core::marker::{PhantomData, PhantomPinned};
use core::mem::MaybeUninit;
use core::pin::Pin;
use core::ptr::{self, NonNull};
use core::task::{Context, Poll};

use super::vtable::{Header, VTable, VTables, polled_after_completion};
use crate::layout::FutureLayout;

/// Caller-owned, reusable storage for one erased future at a time: inline
/// in `Space` when the future fits, otherwise in a heap buffer the slot
/// keeps and reuses, growing it only when a larger future arrives.
///
/// Users meet it as [`FutureSlot`](crate::FutureSlot) (for
/// `D = dyn Future<Output = T> + 'f`) and
/// [`SendFutureSlot`](crate::SendFutureSlot); see those for the whole story.
///
/// # Examples
///
/// ```
/// use core::pin::pin;
/// use hybrid_dispatch::FutureSlot;
///
/// let mut slot = pin!(FutureSlot::<'_, u32>::new());
/// for i in 0..3 {
///     let fut = slot.as_mut().put(async move { i * 2 });
///     # drop(fut);
/// }
/// assert_eq!(slot.growths(), 0);
/// ```
pub struct ReusableSlot<D: ?Sized, Space> {
    /// Inline storage. Reached only through raw pointers (invariant 3);
    /// `UnsafeCell` because futures mutate it behind `&ReusableSlot` views.
    inline: MaybeUninit<UnsafeCell<Space>>,
    /// The grown heap buffer and its layout, kept across calls.
    heap: Option<(NonNull<u8>, Layout)>,
    /// The stored future, if any (invariant 2).
    live: Option<Live>,
    /// Whether the stored future is in the heap buffer.
    in_heap: bool,
    /// Whether the stored future has returned `Ready`.
    done: bool,
    /// How many times the heap buffer was (re)allocated.
    growths: u64,
    _pinned: PhantomPinned,
    /// The slot owns and drops `D` values.
    _owns: PhantomData<D>,
}

// Invariant 1 rests on this: safe code can never move a pinned slot.
static_assertions::assert_not_impl_any!(ReusableSlot<dyn Future<Output = u8>, crate::space::S1>: Unpin);

/// Where the stored future is and the vtable made for it (invariant 2).
#[derive(Clone, Copy)]
struct Live {
    place: NonNull<u8>,
    /// The `Header` of a `VTable<Output>` for the stored type, derived from
    /// the whole vtable.
    vtable: NonNull<Header>,
}

impl Live {
    fn header(&self) -> &'static Header {
        // SAFETY: `vtable` points into a promoted constant, valid for the
        // whole program.
        unsafe { self.vtable.as_ref() }
    }
}

impl<D: ?Sized, Space> ReusableSlot<D, Space> {
    /// An empty slot. Allocates nothing until a future that does not fit
    /// `Space` arrives.
    ///
    /// # Examples
    ///
    /// ```
    /// let slot = hybrid_dispatch::FutureSlot::<'_, u8>::new();
    /// assert_eq!(slot.heap_capacity(), 0);
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        ReusableSlot {
            inline: MaybeUninit::uninit(),
            heap: None,
            live: None,
            in_heap: false,
            done: false,
            growths: 0,
            _pinned: PhantomPinned,
            _owns: PhantomData,
        }
    }

    /// How many times the slot (re)allocated its heap buffer: once per
    /// future larger than any before it that did not fit inline.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::pin::pin;
    /// use hybrid_dispatch::{FutureSlot, space::S1};
    ///
    /// let mut slot = pin!(FutureSlot::<'_, [u64; 8], S1>::new());
    /// for _ in 0..10 {
    ///     drop(slot.as_mut().put(core::future::ready([0u64; 8])));
    /// }
    /// assert_eq!(slot.growths(), 1); // one allocation, reused nine times
    /// ```
    #[must_use]
    pub fn growths(&self) -> u64 {
        self.growths
    }

    /// Size in bytes of the heap buffer the slot keeps (0 if none).
    ///
    /// # Examples
    ///
    /// ```
    /// use core::pin::pin;
    /// use hybrid_dispatch::{FutureSlot, space::S1};
    ///
    /// let mut slot = pin!(FutureSlot::<'_, [u64; 8], S1>::new());
    /// drop(slot.as_mut().put(core::future::ready([0u64; 8])));
    /// assert_eq!(slot.heap_capacity(), 72);
    /// ```
    #[must_use]
    pub fn heap_capacity(&self) -> usize {
        self.heap.map_or(0, |(_, layout)| layout.size())
    }

    /// Drops the stored future, if a leaked [`SlotFuture`] left one.
    fn clear(&mut self) {
        if let Some(live) = self.live.take() {
            // SAFETY: `live` was `Some`, so it describes a stored future
            // that nobody else will drop (invariant 2: its handle is gone,
            // or this is that handle's own drop); `take` makes this the
            // only drop. It is dropped where it lies (invariant 1).
            unsafe { (live.header().drop)(live.place.as_ptr()) };
        }
    }

    /// Where a future of `layout` goes: the inline buffer, a dangling
    /// pointer for zero-sized futures, or the heap buffer (grown if needed).
    /// The slot must be empty.
    fn place_for(&mut self, layout: Layout) -> NonNull<u8> {
        debug_assert!(self.live.is_none());
        let space = Layout::new::<Space>();
        if layout.size() == 0 {
            // Unused: zero-sized futures have their own vtable.
            return NonNull::dangling();
        }
        if layout.size() <= space.size() && layout.align() <= space.align() {
            // Invariant 3: a raw pointer to the field, no `&mut` to it.
            let inline = ptr::addr_of_mut!(self.inline).cast::<u8>();
            // SAFETY: a pointer to a field of `self` is never null.
            return unsafe { NonNull::new_unchecked(inline) };
        }
        match self.heap {
            Some((buffer, have))
                if have.size() >= layout.size() && have.align() >= layout.align() =>
            {
                buffer
            }
            old => {
                let size = layout.size().max(old.map_or(0, |(_, l)| l.size()));
                let align = layout.align().max(old.map_or(1, |(_, l)| l.align()));
                let grown = Layout::from_size_align(size, align)
                    .expect("a larger of two valid layouts is valid");
                if let Some((buffer, have)) = self.heap.take() {
                    // SAFETY: allocated below with exactly `have`; the slot
                    // is empty, so no future lives in it (invariant 1).
                    unsafe { dealloc(buffer.as_ptr(), have) };
                }
                // SAFETY: `grown` has a non-zero size (`layout`'s is).
                let buffer = unsafe { alloc(grown) };
                let Some(buffer) = NonNull::new(buffer) else {
                    handle_alloc_error(grown)
                };
                self.heap = Some((buffer, grown));
                self.growths += 1;
                buffer
            }
        }
    }
}

impl<D: ?Sized, Space> Default for ReusableSlot<D, Space> {
    fn default() -> Self {
        Self::new()
    }
}

/// Builds `put` for one `dyn Future` flavour.
macro_rules! put {
    ($($bounds:tt)*) => {
        impl<'f, T, Space> ReusableSlot<dyn Future<Output = T> $($bounds)* + 'f, Space> {
            /// Stores `future` in the slot — inline if it fits `Space`,
            /// otherwise in the slot's heap buffer, grown if needed — and
            /// returns the handle that polls it in place. A future a leaked
            /// handle left behind is dropped first.
            ///
            /// # Examples
            ///
            /// ```
            /// use core::pin::pin;
            /// use hybrid_dispatch::FutureSlot;
            ///
            /// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
            /// #     let mut f = core::pin::pin!(f);
            /// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
            /// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
            /// # }
            /// let mut slot = pin!(FutureSlot::<'_, u32>::new());
            /// assert_eq!(block_on(slot.as_mut().put(async { 1 })), 1);
            /// assert_eq!(block_on(slot.as_mut().put(async { 2 })), 2);
            /// ```
            pub fn put<'s, F>(self: Pin<&'s mut Self>, future: F) -> SlotFuture<'s, dyn Future<Output = T> $($bounds)* + 'f, Space>
            where
                F: Future<Output = T> $($bounds)* + 'f,
            {
                // SAFETY: nothing is moved out of the slot; its buffers are
                // only written through raw pointers (invariants 1, 3).
                let this = unsafe { self.get_unchecked_mut() };
                this.clear();
                let layout = Layout::new::<F>();
                let place = this.place_for(layout);
                let vtable: &VTable<T> = if layout.size() == 0 {
                    // Nothing to store: the vtable conjures it back from an
                    // aligned dangling pointer.
                    core::mem::forget(future);
                    &VTables::<F>::ZERO_SIZED
                } else {
                    // SAFETY: `place` is valid for writes of an `F` (aligned,
                    // in a buffer of at least its size) and holds no live
                    // value (the slot is empty after `clear`).
                    unsafe { place.cast::<F>().as_ptr().write(future) };
                    &VTables::<F>::INLINE
                };
                this.live = Some(Live {
                    place,
                    // From the whole vtable: `poll` lies past the header.
                    vtable: NonNull::from(vtable).cast::<Header>(),
                });
                this.in_heap = layout.size() != 0 && !crate::layout::fits_inline::<F, Space>();
                this.done = false;
                SlotFuture { slot: this }
            }
        }
    };
}

put!();
put!(+ Send);

impl<D: ?Sized, Space> Drop for ReusableSlot<D, Space> {
    fn drop(&mut self) {
        self.clear();
        if let Some((buffer, layout)) = self.heap.take() {
            // SAFETY: allocated in `place_for` with exactly `layout`; the
            // future in it, if any, was just dropped.
            unsafe { dealloc(buffer.as_ptr(), layout) };
        }
    }
}

// SAFETY: the slot owns at most one `D` (and plain buffers); sending the slot
// sends that `D`, so it is `Send` exactly when `D` is.
unsafe impl<D: ?Sized + Send, Space> Send for ReusableSlot<D, Space> {}

// SAFETY: `&ReusableSlot` gives access to counters and sizes only, never to
// the stored `D`, but stay conservative: `Sync` exactly when `D` is.
unsafe impl<D: ?Sized + Sync, Space> Sync for ReusableSlot<D, Space> {}

impl<D: ?Sized, Space> fmt::Debug for ReusableSlot<D, Space> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("FutureSlot");
        s.field("capacity", &core::mem::size_of::<Space>());
        s.field("heap_capacity", &self.heap_capacity());
        s.field("growths", &self.growths);
        match self.live {
            Some(live) => s.field("holds", &live.header().layout.type_name()),
            None => s.field("holds", &"nothing"),
        };
        s.finish()
    }
}

/// A future stored in a [`ReusableSlot`], polled where it lies; dropping the
/// handle drops the future and frees the slot for the next call.
///
/// Returned by [`ReusableSlot::put`] and by
/// [`DynService::call_in`](crate::DynService::call_in). Polling after
/// completion panics.
///
/// # Examples
///
/// ```
/// use core::pin::pin;
/// use hybrid_dispatch::FutureSlot;
///
/// let mut slot = pin!(FutureSlot::<'_, u8>::new());
/// let fut = slot.as_mut().put(async { 1 });
/// assert!(!fut.is_heap());
/// println!("{fut:?}");
/// ```
pub struct SlotFuture<'s, D: ?Sized, Space> {
    /// The pinned slot, borrowed for as long as the future lives. Never
    /// moved out of (its `Pin` was consumed by `put`).
    slot: &'s mut ReusableSlot<D, Space>,
}

impl<D: ?Sized, Space> SlotFuture<'_, D, Space> {
    /// Whether the future lives in the slot's heap buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::pin::pin;
    /// use hybrid_dispatch::{FutureSlot, space::S1};
    ///
    /// let mut slot = pin!(FutureSlot::<'_, [u8; 32], S1>::new());
    /// assert!(slot.as_mut().put(core::future::ready([0u8; 32])).is_heap());
    /// ```
    #[must_use]
    pub fn is_heap(&self) -> bool {
        self.slot.in_heap
    }

    /// Where the future went (inline, or the slot's reused heap buffer), as
    /// an [`Erasure`](crate::Erasure) to report to
    /// [`Service::observe_erasure`](crate::Service::observe_erasure).
    ///
    /// # Examples
    ///
    /// ```
    /// use core::pin::pin;
    /// use hybrid_dispatch::{FutureSlot, Placement, space::S1};
    ///
    /// let mut slot = pin!(FutureSlot::<'_, [u8; 32], S1>::new());
    /// let fut = slot.as_mut().put(core::future::ready([0u8; 32]));
    /// assert_eq!(fut.erasure().placement(), Placement::SlotHeap);
    /// ```
    #[must_use]
    pub fn erasure(&self) -> crate::Erasure {
        crate::Erasure::new(self.layout(), crate::Placement::of_slot(self.is_heap()))
    }

    fn live(&self) -> Live {
        // A `SlotFuture` exists only while its slot holds its future
        // (invariant 2): `put` sets `live`, only this handle's drop clears it.
        self.slot
            .live
            .expect("a SlotFuture's slot holds its future")
    }

    /// The stored future's size, alignment and type.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::pin::pin;
    /// use hybrid_dispatch::FutureSlot;
    ///
    /// let mut slot = pin!(FutureSlot::<'_, u64>::new());
    /// let fut = slot.as_mut().put(core::future::ready(1u64));
    /// assert_eq!(fut.layout().size(), 16);
    /// ```
    #[must_use]
    pub fn layout(&self) -> FutureLayout {
        self.live().header().layout
    }
}

impl<D: Future + ?Sized, Space> Future for SlotFuture<'_, D, Space> {
    type Output = D::Output;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<D::Output> {
        let live = self.live();
        let slot = &mut *self.slot;
        if slot.done {
            polled_after_completion("SlotFuture", live.header().layout.type_name());
        }
        // SAFETY: `vtable` is the header of a `VTable<D::Output>` made for
        // the stored future (invariant 2; `#[repr(C)]`, header first).
        let vtable = unsafe { live.vtable.cast::<VTable<D::Output>>().as_ref() };
        // SAFETY: `place` holds that future (invariant 2), pinned in the slot
        // (invariant 1) and reached only through this handle while it exists
        // (it borrows the slot mutably).
        let out = unsafe { (vtable.poll)(live.place.as_ptr(), cx) };
        if out.is_ready() {
            slot.done = true;
        }
        out
    }
}

impl<D: ?Sized, Space> Drop for SlotFuture<'_, D, Space> {
    fn drop(&mut self) {
        self.slot.clear();
    }
}

impl<D: ?Sized, Space> fmt::Debug for SlotFuture<'_, D, Space> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let layout = self.layout();
        f.debug_struct("SlotFuture")
            .field("future", &layout.type_name())
            .field("size", &layout.size())
            .field(
                "location",
                &if self.is_heap() {
                    "slot heap buffer"
                } else {
                    "inline"
                },
            )
            .field("terminated", &self.slot.done)
            .finish()
    }
}
