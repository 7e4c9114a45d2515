//! [`ReusableSlot`]: caller-owned storage that erased futures are written
//! into, one after another, without moving and — once it is large enough —
//! without allocating. Users meet it as [`FutureSlot`](super::FutureSlot)
//! and [`SendFutureSlot`](super::SendFutureSlot).
//!
//! Part of the crate's one `unsafe` module (`future`); its invariants are
//! stated in `future/mod.rs`. The slot is a [`Storage`] (vtable pointer and
//! inline buffer) plus a heap buffer: a future that fits is written into the
//! storage's buffer, a larger one into the heap buffer with a pointer to it
//! in the storage's buffer. **Dropped once**: the stored future is dropped by
//! the [`SlotFuture`] that handed it out, or — when that handle was leaked —
//! by the next `put` or the slot's own `Drop` (`Storage::clear` empties the
//! vtable before it drops, so a destructor that panics never runs twice).
//! Futures are `'f`-bounded by the slot's type (inside `D`), so a leaked one
//! is still valid whenever the slot drops it. **Pinned**: futures are only
//! written through `Pin<&mut ReusableSlot>`, so the inline buffer never
//! moves while a future lives in it, and the heap buffer is freed and
//! replaced only while the slot is empty.

#![allow(
    unsafe_code,
    reason = "part of the crate's one unsafe module: placement of futures in caller-owned storage"
)]

use alloc::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use core::fmt;
use core::future::Future;
use core::marker::{PhantomData, PhantomPinned};
use core::mem::size_of;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll};

use super::capacity::{Capacity, DefaultCapacity};
use super::vtable::{Header, State, Storage};
use crate::layout::{Erasure, FutureLayout, Placement, fits_inline};

/// Caller-owned storage that erased futures are written into one after
/// another: the *reusable slot* strategy.
///
/// [`DynService::call_in`](crate::DynService::call_in) writes the service's
/// future into the slot and returns a [`SlotFuture`] that polls it where it
/// lies. A future that fits `Cap` goes in the slot's inline buffer; a
/// larger one goes in a heap buffer that the slot keeps for the next call and
/// grows only when a larger future arrives ([`growths`](ReusableSlot::growths)
/// counts that). In a loop, that is **zero allocations amortized for futures
/// of any size**, and the future is never moved after it is written (the
/// slot is pinned), so the buffer size costs nothing per call.
///
/// This is the idea of tokio-util's `ReusableBoxFuture`, but inline first,
/// for `!Send` futures too ([`SendFutureSlot`] is the `Send` one), for any
/// size, and for any service behind `dyn`.
///
/// `'f` bounds the futures the slot may hold: a future that borrows the
/// service or the request must outlive the slot. Create the slot after the
/// service and inputs it will serve — typically right before a hot loop.
///
/// # Examples
///
/// ```
/// use core::pin::pin;
/// use hybrid_dispatch::{DynService, FutureSlot, service_fn, capacity::S1};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let svc = service_fn(|x: u64| {
///     let scratch = [x; 64]; // a 512-byte future: larger than any inline buffer here
///     async move { scratch.iter().sum::<u64>() }
/// });
/// let erased: &dyn DynService<u64, u64, S1> = &svc;
/// let mut slot = pin!(FutureSlot::new());
/// for i in 0..100 {
///     assert_eq!(block_on(erased.call_in(slot.as_mut(), i)), i * 64);
/// }
/// assert_eq!(slot.growths(), 1); // one allocation for 100 calls
/// ```
pub type FutureSlot<'f, T, Cap = DefaultCapacity> =
    ReusableSlot<dyn core::future::Future<Output = T> + 'f, Cap>;

/// The `Send` twin of [`FutureSlot`]: holds only `Send` futures, so a task
/// that keeps it across `.await`s can be spawned on a multi-threaded
/// runtime.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use hybrid_dispatch::{SendDynService, SendFutureSlot, service_fn};
///
/// #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// async fn main() {
///     let svc: Arc<dyn SendDynService<u64, u64>> = Arc::new(service_fn(|x: u64| async move { x + 1 }));
///     let total = tokio::spawn(async move {
///         let mut slot = Box::pin(SendFutureSlot::new());
///         let mut total = 0;
///         for i in 0..10 {
///             total += svc.call_send_in(slot.as_mut(), i).await;
///         }
///         total
///     });
///     assert_eq!(total.await.unwrap(), 55);
/// }
/// ```
pub type SendFutureSlot<'f, T, Cap = DefaultCapacity> =
    ReusableSlot<dyn core::future::Future<Output = T> + Send + 'f, Cap>;

/// Caller-owned, reusable storage for one erased future at a time: inline
/// in `Cap` when the future fits, otherwise in a heap buffer the slot
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
pub struct ReusableSlot<D: ?Sized, Cap: Capacity> {
    /// The vtable of the stored future (empty when none) and the inline
    /// buffer: the future, or a pointer into `heap`.
    storage: Storage<Cap>,
    /// The grown heap buffer, kept across calls.
    heap: Option<HeapBuffer>,
    /// How many times the heap buffer was (re)allocated.
    growths: u64,
    _pinned: PhantomPinned,
    /// The slot owns and drops `D` values.
    _owns: PhantomData<D>,
}

// **Pinned** rests on this: safe code can never move a pinned slot.
static_assertions::assert_not_impl_any!(ReusableSlot<dyn Future<Output = u8>, super::capacity::S1>: Unpin);

/// A heap block allocated for futures that do not fit inline; freed when
/// dropped, so that a slot whose stored future panics in its destructor
/// still frees it.
struct HeapBuffer {
    /// From `alloc(layout)`, never null; `layout` has a non-zero size.
    ptr: NonNull<u8>,
    layout: Layout,
}

impl HeapBuffer {
    fn new(layout: Layout) -> Self {
        debug_assert!(layout.size() != 0);
        // SAFETY: `layout` has a non-zero size (callers only ask for
        // non-zero-sized futures).
        let ptr = unsafe { alloc(layout) };
        let Some(ptr) = NonNull::new(ptr) else {
            handle_alloc_error(layout)
        };
        HeapBuffer { ptr, layout }
    }

    #[inline]
    fn holds(&self, layout: Layout) -> bool {
        self.layout.size() >= layout.size() && self.layout.align() >= layout.align()
    }
}

impl Drop for HeapBuffer {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with exactly `layout`. The slot drops a
        // `HeapBuffer` only while no future lives in it (**Pinned**).
        unsafe { dealloc(self.ptr.as_ptr(), self.layout) };
    }
}

impl<D: ?Sized, Cap: Capacity> ReusableSlot<D, Cap> {
    /// An empty slot. Allocates nothing until a future that does not fit
    /// `Cap` arrives.
    ///
    /// # Examples
    ///
    /// ```
    /// let slot = hybrid_dispatch::FutureSlot::<'_, u8>::new();
    /// assert_eq!(slot.heap_capacity(), 0);
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        let () = super::capacity::PointerRoom::<Cap>::CHECK;
        ReusableSlot {
            storage: Storage::empty(),
            heap: None,
            growths: 0,
            _pinned: PhantomPinned,
            _owns: PhantomData,
        }
    }
}

impl<D: ?Sized, Cap: Capacity> ReusableSlot<D, Cap> {
    /// How many times the slot (re)allocated its heap buffer: once per
    /// future larger than any before it that did not fit inline.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::pin::pin;
    /// use hybrid_dispatch::{FutureSlot, capacity::S1};
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
    /// use hybrid_dispatch::{FutureSlot, capacity::S1};
    ///
    /// let mut slot = pin!(FutureSlot::<'_, [u64; 8], S1>::new());
    /// drop(slot.as_mut().put(core::future::ready([0u64; 8])));
    /// assert_eq!(slot.heap_capacity(), 72);
    /// ```
    #[must_use]
    pub fn heap_capacity(&self) -> usize {
        self.heap.as_ref().map_or(0, |heap| heap.layout.size())
    }

    fn header(&self) -> &'static Header {
        self.storage.header()
    }

    /// Drops the future a leaked [`SlotFuture`] left behind. Out of line:
    /// leaking a handle is rare, and `put` only checks for it.
    #[cold]
    #[inline(never)]
    fn drop_leaked(&mut self) {
        self.storage.clear();
    }

    /// The heap buffer, grown if it cannot hold `layout`, and whether it
    /// grew. The slot must be empty (a grown buffer replaces the old one).
    /// Inlined: reusing the buffer is the steady state, a check and a load.
    #[inline]
    fn heap_for(&mut self, layout: Layout) -> (NonNull<u8>, bool) {
        debug_assert_eq!(self.header().state, State::Empty);
        match &self.heap {
            Some(heap) if heap.holds(layout) => (heap.ptr, false),
            _ => (self.grow_heap(layout), true),
        }
    }

    /// Replaces the heap buffer with one that holds `layout`: once per
    /// future larger than any before it, so out of line.
    #[cold]
    #[inline(never)]
    fn grow_heap(&mut self, layout: Layout) -> NonNull<u8> {
        let grown = self.grown_for(layout);
        // The old buffer is freed first; nothing lives in it.
        self.heap = None;
        let heap = self.heap.insert(HeapBuffer::new(grown));
        self.growths += 1;
        heap.ptr
    }

    /// What the heap buffer grows to for a `layout` it cannot hold: large
    /// and aligned enough for it and for everything it held before.
    fn grown_for(&self, layout: Layout) -> Layout {
        let (size, align) = self
            .heap
            .as_ref()
            .map_or((0, 1), |old| (old.layout.size(), old.layout.align()));
        Layout::from_size_align(layout.size().max(size), layout.align().max(align))
            .expect("the larger of two valid layouts is valid")
    }

    /// Whether a future is stored: one a leaked handle left behind, or one
    /// an owner keeps in flight across polls without a handle
    /// ([`IterBox`](super::IterBox)).
    pub(super) fn holds_future(&self) -> bool {
        !self.storage.is_empty()
    }

    /// Polls the stored future where it lies, without a [`SlotFuture`]:
    /// for an owner that keeps it in flight across polls.
    ///
    /// # Safety
    ///
    /// A future is stored, `T` is its output type, no [`SlotFuture`] for it
    /// is alive, and the slot is pinned (**Pinned**).
    #[inline]
    pub(super) unsafe fn poll_stored<T>(&mut self, cx: &mut Context<'_>) -> Poll<T> {
        debug_assert!(self.holds_future());
        // SAFETY: the caller's guarantee; the vtable was chosen for the
        // stored future (**Vtable describes the storage**).
        unsafe { self.storage.poll::<T>(cx) }
    }

    /// Drops the stored future, if any, and leaves the slot empty (the
    /// heap buffer stays for the next future).
    pub(super) fn clear(&mut self) {
        self.storage.clear();
    }

    /// Where [`put`](Self::put) would store a future of `layout` now, told
    /// before the future exists: for the hooks of `&mut self` twin methods,
    /// which hear before the call (the future then borrows `self`).
    pub(crate) fn erasure_for(&self, layout: FutureLayout) -> Erasure {
        if layout.fits::<Cap>() {
            return Erasure::new(layout, Placement::Inline);
        }
        let needed = Layout::from_size_align(layout.size(), layout.align())
            .expect("the layout of a type is valid");
        match &self.heap {
            Some(heap) if heap.holds(needed) => Erasure::new(layout, Placement::SlotHeap),
            _ => Erasure::slot_grown(layout, self.grown_for(needed).size()),
        }
    }
}

impl<D: ?Sized, Cap: Capacity> Default for ReusableSlot<D, Cap> {
    fn default() -> Self {
        Self::new()
    }
}

/// Builds `put` for one `dyn Future` flavour.
macro_rules! put {
    ($name:literal $($bounds:tt)*) => {
        impl<'f, T, Cap: Capacity> ReusableSlot<dyn Future<Output = T> $($bounds)* + 'f, Cap> {
            /// Stores `future` in the slot — inline if it fits `Cap`,
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
            pub fn put<'s, F>(self: Pin<&'s mut Self>, future: F) -> SlotFuture<'s, dyn Future<Output = T> $($bounds)* + 'f, Cap>
            where
                F: Future<Output = T> $($bounds)* + 'f,
            {
                self.put_with(move || future)
            }

            /// [`put`](Self::put) with the future made by `make` once its
            /// place is ready (the slot emptied, the heap buffer grown), so
            /// that an inlined `make` writes it there directly: a large
            /// future passed to `put` by value is first built on the stack
            /// and then copied. If `make` panics the slot stays empty.
            #[inline]
            pub(crate) fn put_with<'s, F>(self: Pin<&'s mut Self>, make: impl FnOnce() -> F) -> SlotFuture<'s, dyn Future<Output = T> $($bounds)* + 'f, Cap>
            where
                F: Future<Output = T> $($bounds)* + 'f,
            {
                // SAFETY: nothing is moved out of the slot (**Pinned**).
                let this = unsafe { self.get_unchecked_mut() };
                if !this.storage.is_empty() {
                    this.drop_leaked();
                }
                let grew = if !fits_inline::<F, Cap>() {
                    let (place, grew) = this.heap_for(Layout::new::<F>());
                    let place = place.cast::<F>();
                    // SAFETY: the heap buffer is large and aligned enough for
                    // an `F` and holds nothing (the slot was just emptied);
                    // it is freed only while the slot is empty, so the
                    // storage may own the `F` in it (**Pinned**: it never
                    // moves).
                    unsafe {
                        place.as_ptr().write(make());
                        this.storage.put_pointer(place.as_ptr(), false);
                    }
                    grew
                } else {
                    // SAFETY: the storage was just emptied; it lives in the
                    // pinned slot (**Pinned**).
                    unsafe { this.storage.put_inline(make()) };
                    false
                };
                SlotFuture { slot: this, grew }
            }
        }

        impl<'f, T, Cap: Capacity> fmt::Debug for ReusableSlot<dyn Future<Output = T> $($bounds)* + 'f, Cap> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let header = self.header();
                let mut s = f.debug_struct($name);
                s.field("capacity", &size_of::<Cap>());
                s.field("heap_capacity", &self.heap_capacity());
                s.field("growths", &self.growths);
                match header.state {
                    State::Empty => s.field("holds", &"nothing"),
                    _ => s.field("holds", &header.layout.type_name()),
                };
                s.finish()
            }
        }
    };
}

put!("FutureSlot");
put!("SendFutureSlot" + Send);

impl<D: ?Sized, Cap: Capacity> Drop for ReusableSlot<D, Cap> {
    fn drop(&mut self) {
        // Taken out first, so that it is freed even when the stored future's
        // destructor panics (the local is dropped while unwinding).
        let heap = self.heap.take();
        self.storage.clear();
        drop(heap);
    }
}

// SAFETY: the slot owns at most one `D` (and plain buffers); sending the slot
// sends that `D`, so it is `Send` exactly when `D` is. (No `Sync`: `D` is a
// `dyn Future` type, never `Sync`.)
unsafe impl<D: ?Sized + Send, Cap: Capacity> Send for ReusableSlot<D, Cap> {}

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
pub struct SlotFuture<'s, D: ?Sized, Cap: Capacity> {
    /// The pinned slot, borrowed for as long as the future lives. Never
    /// moved out of (its `Pin` was consumed by `put`).
    slot: &'s mut ReusableSlot<D, Cap>,
    /// Whether the slot (re)allocated its heap buffer for this future; kept
    /// here, not in the slot, so that `put` stores nothing for it (an
    /// unobserved call drops it unread).
    grew: bool,
}

impl<D: ?Sized, Cap: Capacity> SlotFuture<'_, D, Cap> {
    /// Whether the future lives in the slot's heap buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::pin::pin;
    /// use hybrid_dispatch::{FutureSlot, capacity::S1};
    ///
    /// let mut slot = pin!(FutureSlot::<'_, [u8; 32], S1>::new());
    /// assert!(slot.as_mut().put(core::future::ready([0u8; 32])).is_heap());
    /// ```
    #[must_use]
    pub fn is_heap(&self) -> bool {
        self.slot.header().placement == Placement::SlotHeap
    }

    /// Where the future went (inline, or the slot's heap buffer — and the
    /// bytes allocated if that buffer had to grow for it), as an
    /// [`Erasure`](crate::layout::Erasure) to report to
    /// [`Service::observe_erasure`](crate::Service::observe_erasure).
    ///
    /// # Examples
    ///
    /// ```
    /// use core::pin::pin;
    /// use hybrid_dispatch::{FutureSlot, layout::Placement, capacity::S1};
    ///
    /// let mut slot = pin!(FutureSlot::<'_, [u8; 32], S1>::new());
    /// let fut = slot.as_mut().put(core::future::ready([0u8; 32]));
    /// assert_eq!(fut.erasure().placement(), Placement::SlotHeap);
    /// ```
    #[must_use]
    pub fn erasure(&self) -> Erasure {
        if self.grew {
            Erasure::slot_grown(self.layout(), self.slot.heap_capacity())
        } else {
            Erasure::new(self.layout(), Placement::of_slot(self.is_heap()))
        }
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
        self.slot.header().layout
    }

    /// Whether the future has finished (returned `Ready`, or its `poll`
    /// panicked); polling again panics.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::pin::pin;
    /// use core::task::{Context, Waker};
    /// use hybrid_dispatch::FutureSlot;
    ///
    /// let mut slot = pin!(FutureSlot::<'_, u8>::new());
    /// let mut fut = slot.as_mut().put(async { 1 });
    /// let _ = pin!(&mut fut).poll(&mut Context::from_waker(Waker::noop()));
    /// assert!(fut.is_terminated());
    /// ```
    #[must_use]
    pub fn is_terminated(&self) -> bool {
        matches!(self.slot.header().state, State::Completed | State::Panicked)
    }
}

impl<D: Future + ?Sized, Cap: Capacity> Future for SlotFuture<'_, D, Cap> {
    type Output = D::Output;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<D::Output> {
        // SAFETY: while a `SlotFuture` exists its slot holds its future
        // (**Dropped once**: only this handle's drop empties the slot while
        // it borrows it), whose output is `D::Output` (**Flavour**), pinned
        // in the slot (**Pinned**) and reached only through this handle.
        unsafe { self.slot.storage.poll::<D::Output>(cx) }
    }
}

impl<D: ?Sized, Cap: Capacity> Drop for SlotFuture<'_, D, Cap> {
    fn drop(&mut self) {
        self.slot.storage.clear();
    }
}

impl<D: ?Sized, Cap: Capacity> fmt::Debug for SlotFuture<'_, D, Cap> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header = self.slot.header();
        f.debug_struct("SlotFuture")
            .field("future", &header.layout.type_name())
            .field("size", &header.layout.size())
            .field(
                "location",
                &if self.is_heap() {
                    "slot heap buffer"
                } else {
                    "inline"
                },
            )
            .field("state", &header.state)
            .finish()
    }
}
