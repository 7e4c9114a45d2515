//! [`InlineStreamBox`]: the pinned, inline-first storage behind
//! [`InlineStream`](crate::InlineStream) and
//! [`SendInlineStream`](crate::SendInlineStream), what a `#[dyn_twin]`
//! method returning `impl Stream` returns through `dyn`.
//!
//! Part of the crate's one `unsafe` module (`future`); its invariants are
//! stated in `future/mod.rs` and cited here by name.
//!
//! # The futures' storage, with stream vtables
//!
//! The buffer, the vtable pointer and the places (in the buffer, in a box,
//! nowhere for a zero-sized stream) are the futures' own ([`Storage`],
//! [`InPlace`], [`Boxed`], [`ZeroSized`] in `vtable.rs`); only the vtables
//! differ. A stream's vtable starts with the same [`Header`] (drop, layout,
//! place, state), so dropping, `is_heap`, `layout` and `erasure` read it
//! exactly as for a future, and adds `poll_next` and `size_hint`. Its states
//! differ in meaning:
//!
//! * `Live`: polling polls the stream, which may return `Some` any number
//!   of times.
//! * `Completed`, here "ended": the stream returned `None`. It is **fused**:
//!   polling again returns `None` without reaching the stream (whose
//!   behaviour after `None` is unspecified), and it is dropped with the
//!   handle.
//! * `Panicked`: its `poll_next` panicked; polling again panics with a
//!   clear message (the stream's state after a panic is unspecified, so it
//!   is never resumed), and it is dropped with the handle.
//!
//! Rejected: making `vtable.rs`'s future vtables generic over "poll a
//! future" and "poll a stream". Their `Completed` state panics where a
//! stream's returns `None`, `Ready` completes a future where only
//! `Ready(None)` ends a stream, and a stream also wants `size_hint`: a kind
//! parameter would thread through every future constructor and the slot for
//! two functions' difference. The stream vtables live here instead, with
//! their own set type and offsets, and `vtable.rs` only gained the two
//! accessors ([`Storage::vtable`], [`Storage::set_vtable`]) that let a
//! storage choose a vtable it did not make.
//!
//! `size_hint` takes `&S` while the stream may be suspended with references
//! into itself, as every owner of a stream does (`Box<dyn Stream>` too):
//! the `Stream` contract lets any holder of a pinned stream call it.
//! `tests/inline_stream.rs` calls it between polls of a self-referential
//! `GatStream` under Miri (both borrow models). Not every stream takes that
//! shared borrow well under Stacked Borrows: `futures_util`'s `unfold` over
//! an `async` block that holds a borrow across an `await` is reported even
//! in a plain `pin!`, by its own shared reborrow of its state (Tree Borrows
//! accepts it); the storage borrows a stream no more than `Box` does.
//!
//! # Invariants
//!
//! **Vtable describes the storage** (the vtable is a [`StreamVTable`] from a
//! [`StreamVTableSet`] made for the stream's type and place: established in
//! [`store`], advanced only to the ended or panicked vtable of the same set),
//! **Pinned** (the handle is `!Unpin`; the stream is reached mutably only
//! through `Pin<&mut Self>` in `poll_next` and in `Drop`), **Raw access**
//! (the per-type functions get a pointer to the whole [`Storage`]),
//! **Dropped once** (`Drop` empties the storage before dropping, and a
//! stream is dropped only there) and **Flavour** (the constructors only
//! store an `S: Stream<Item = T> (+ Send) + 'a` in an
//! `InlineStreamBox<dyn Stream<Item = T> (+ Send) + 'a, _>`).

#![allow(
    unsafe_code,
    reason = "part of the crate's one unsafe module: a type-erased stream in an inline buffer or a box"
)]

use alloc::boxed::Box;
use core::fmt;
use core::marker::{PhantomData, PhantomPinned};
use core::mem::{offset_of, size_of};
use core::pin::Pin;
use core::ptr::{self, NonNull};
use core::task::{Context, Poll};

use futures_core::stream::{FusedStream, Stream};

#[cfg(feature = "std")]
use super::alloc_error::AllocError;
use super::capacity::{Capacity, DefaultCapacity, PointerRoom};
#[cfg(feature = "std")]
use super::inline_box::box_in_place;
#[cfg(feature = "std")]
use super::recycled::{Lender, Pooled, RecyclePool, fill_block};
use super::vtable::{Boxed, Header, InPlace, Site, State, Storage, VTablePtr, ZeroSized};
use crate::layout::{FutureLayout, fits_inline};
#[cfg(feature = "std")]
use alloc::sync::Arc;

/// A type-erased [`Stream`] stored inline when it fits `Cap`, on the heap
/// otherwise: what a [`#[dyn_twin]`](crate::dyn_twin) method that returns
/// `impl Stream<Item = T>` returns through `dyn`. The stream counterpart of
/// [`InlineFuture`](crate::InlineFuture), with the same storage.
///
/// * **Inline first.** A stream whose size and alignment fit `Cap` is
///   written into the handle's own buffer: no allocation. Larger or
///   over-aligned streams go to the heap (one allocation of exactly their
///   size, for the whole stream, not per item), or, built with
///   [`new_recycled`](InlineStreamBox::new_recycled), to a buffer of a
///   [`RecyclePool`](crate::future::RecyclePool) that they give back when
///   dropped (what a [`TwinRegistry`](crate::twin::TwinRegistry) entry's
///   stream methods do); zero-sized streams never allocate.
///   [`is_heap`](InlineStreamBox::is_heap),
///   [`is_recycled`](InlineStreamBox::is_recycled),
///   [`layout`](InlineStreamBox::layout) and
///   [`erasure`](InlineStreamBox::erasure) say which happened and why.
/// * **Pinned, never moved.** The handle is `!Unpin` and only polled through
///   `Pin`: the inline bytes *are* the stream, which may point into itself
///   (an `async` block inside `unfold`, say). Pin it with
///   [`core::pin::pin!`] where it was returned. (Moving it *before* the
///   first poll is allowed and safe.)
/// * **Fused.** Once the stream returns `None`, every later `poll_next`
///   returns `None` again without polling the stream
///   ([`FusedStream::is_terminated`] then says `true`).
/// * **A panic ends it.** If the stream's `poll_next` panics, polling again
///   panics with "erased stream polled again after its poll_next panicked"
///   and the stream's type; it is never resumed
///   ([`has_panicked`](InlineStreamBox::has_panicked)).
/// * **Dropped exactly once**, whenever the handle is (mid-stream, after
///   `None`, after a panic), in place, even when its destructor panics.
///
/// `size_hint` is the stream's own while it runs (as `Pin<Box<dyn Stream>>`
/// forwards it) and `(0, Some(0))` once it has ended or panicked. `InlineStream` is `!Send`; [`SendInlineStream`] is
/// its `Send` twin.
///
/// # Memory layout
///
/// As [`InlineFuture`](crate::InlineFuture)'s: a vtable pointer and the
/// buffer, 128 bytes with the default capacity on 64-bit targets. The vtable
/// (one static per stream type, place and state) holds `drop`, the layout,
/// `poll_next` and `size_hint`.
///
/// # Examples
///
/// ```
/// use core::pin::pin;
/// use core::task::{Context, Poll, Waker};
/// use futures_core::Stream;
/// use hybrid_dispatch::InlineStream;
///
/// struct Countdown(u8);
/// impl Stream for Countdown {
///     type Item = u8;
///     fn poll_next(mut self: core::pin::Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u8>> {
///         if self.0 == 0 { return Poll::Ready(None); }
///         self.0 -= 1;
///         Poll::Ready(Some(self.0))
///     }
/// }
///
/// let stream: InlineStream<'_, u8> = InlineStream::new(Countdown(2));
/// assert!(!stream.is_heap());
/// println!("{stream:?}"); // InlineStream { stream: "…Countdown", size: 1, … location: "inline", … }
/// let mut stream = pin!(stream);
/// let cx = &mut Context::from_waker(Waker::noop());
/// assert_eq!(stream.as_mut().poll_next(cx), Poll::Ready(Some(1)));
/// assert_eq!(stream.as_mut().poll_next(cx), Poll::Ready(Some(0)));
/// assert_eq!(stream.as_mut().poll_next(cx), Poll::Ready(None));
/// assert_eq!(stream.as_mut().poll_next(cx), Poll::Ready(None)); // fused
/// ```
pub type InlineStream<'a, T, Cap = DefaultCapacity> =
    InlineStreamBox<dyn Stream<Item = T> + 'a, Cap>;

/// The `Send` twin of [`InlineStream`]: the same storage and guarantees, for
/// streams that are `Send`.
///
/// # Examples
///
/// ```
/// use futures_core::Stream;
/// use hybrid_dispatch::SendInlineStream;
///
/// # struct Once(Option<u32>);
/// # impl Stream for Once {
/// #     type Item = u32;
/// #     fn poll_next(mut self: core::pin::Pin<&mut Self>, _: &mut core::task::Context<'_>) -> core::task::Poll<Option<u32>> {
/// #         core::task::Poll::Ready(self.0.take())
/// #     }
/// # }
/// #[tokio::main]
/// async fn main() {
///     let stream: SendInlineStream<'static, u32> = SendInlineStream::new(Once(Some(7)));
///     let task = tokio::spawn(async move {
///         let mut stream = core::pin::pin!(stream);
///         core::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await
///     });
///     assert_eq!(task.await.unwrap(), Some(7));
/// }
/// ```
///
/// A stream that is not `Send` does not fit:
///
/// ```compile_fail
/// use futures_core::Stream;
/// use hybrid_dispatch::SendInlineStream;
/// use std::rc::Rc;
///
/// struct Shared(Rc<u8>);
/// impl Stream for Shared {
///     type Item = u8;
///     fn poll_next(self: core::pin::Pin<&mut Self>, _: &mut core::task::Context<'_>) -> core::task::Poll<Option<u8>> {
///         core::task::Poll::Ready(Some(*self.0))
///     }
/// }
/// let stream: SendInlineStream<'_, u8> = SendInlineStream::new(Shared(Rc::new(1)));
/// ```
pub type SendInlineStream<'a, T, Cap = DefaultCapacity> =
    InlineStreamBox<dyn Stream<Item = T> + Send + 'a, Cap>;

/// Pinned storage for one erased stream `D` (a `dyn Stream` type): inline in
/// `Cap` when it fits, on the heap otherwise.
///
/// Users meet it as [`InlineStream`](crate::InlineStream) (for
/// `D = dyn Stream<Item = T> + 'a`) and
/// [`SendInlineStream`](crate::SendInlineStream) (for
/// `D = dyn Stream<Item = T> + Send + 'a`); see those for the whole story.
///
/// # Invariants
///
/// `storage` always holds a stream (it is never empty before `Drop`), under
/// a vtable from the `StreamVTableSet` made for that stream's type and place (**Vtable describes the storage**), whose item
/// type is `D`'s (**Flavour**).
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{InlineStream, capacity::S1};
///
/// # struct Empty;
/// # impl futures_core::Stream for Empty {
/// #     type Item = u8;
/// #     fn poll_next(self: core::pin::Pin<&mut Self>, _: &mut core::task::Context<'_>) -> core::task::Poll<Option<u8>> {
/// #         core::task::Poll::Ready(None)
/// #     }
/// # }
/// let stream: InlineStream<'_, u8, S1> = InlineStream::new(Empty);
/// assert!(!stream.is_heap()); // zero-sized: stored nowhere
/// ```
pub struct InlineStreamBox<D: ?Sized, Cap: Capacity> {
    /// The stream (inline), a pointer to it (heap) or to the pool block it
    /// is in (recycled), or nothing (zero-sized), with the vtable that says
    /// which, for which type, in which state.
    storage: Storage<Cap>,
    _pinned: PhantomPinned,
    /// The box owns a `D`: its auto traits and drop check follow `D`'s.
    _owns: PhantomData<D>,
}

// **Pinned** rests on this: safe code can never move a pinned box.
static_assertions::assert_not_impl_any!(InlineStreamBox<dyn Stream<Item = u8>, super::capacity::S1>: Unpin);
static_assertions::assert_not_impl_any!(InlineStreamBox<dyn Stream<Item = u8> + Send, super::capacity::S1>: Unpin);

/// A stream's vtable: a [`Header`] first (`#[repr(C)]`), so that a pointer
/// to it is a storage's [`VTablePtr`] and the header-only code (`drop`,
/// `layout`, `Debug`) reads it as it reads a future's. Pointers are derived
/// from the whole [`StreamVTableSet`], since the functions lie past the
/// header.
#[repr(C)]
struct StreamVTable<T> {
    header: Header,
    /// Polls the stored stream, given the address of its [`Storage`]; if
    /// the stream's `poll_next` panics, it writes the `Panicked` vtable there.
    poll_next: unsafe fn(*mut u8, &mut Context<'_>) -> Poll<Option<T>>,
    /// The stored stream's `size_hint`, given the address of its `Storage`.
    size_hint: unsafe fn(*const u8) -> (usize, Option<usize>),
}

/// The three vtables of one stream type at one place, side by side: `ended`
/// (the header's `Completed`) one [`StreamVTable`] past `live`, `panicked`
/// two, so that a state change is pointer arithmetic within the provenance
/// of this one constant (as `vtable.rs`'s `VTableSet` does for futures).
#[repr(C)]
struct StreamVTableSet<T> {
    live: StreamVTable<T>,
    ended: StreamVTable<T>,
    panicked: StreamVTable<T>,
}

impl<T> StreamVTableSet<T> {
    /// The `Live` vtable pointer. Only ever called on a promoted constant
    /// (`&StreamVTables::<S, P>::SET`), valid for the whole program.
    fn live(&self) -> VTablePtr {
        NonNull::from(self).cast::<Header>()
    }
}

/// The vtable of the same stream and place once it has returned `None`.
///
/// # Safety
///
/// `live` is the `Live` pointer of a [`StreamVTableSet<T>`] (from
/// [`StreamVTableSet::live`]).
unsafe fn ended<T>(live: VTablePtr) -> VTablePtr {
    // SAFETY: the caller's guarantee; `ended` follows `live` in the
    // `#[repr(C)]` set, within the provenance of the whole set.
    unsafe { live.byte_add(offset_of!(StreamVTableSet<T>, ended)) }
}

/// The vtable of the same stream and place once its `poll_next` panicked.
///
/// # Safety
///
/// As for [`ended`].
unsafe fn panicked<T>(live: VTablePtr) -> VTablePtr {
    // SAFETY: as for `ended`.
    unsafe { live.byte_add(offset_of!(StreamVTableSet<T>, panicked)) }
}

/// The vtables of a stream type `S` stored at a place `P`, as a promotable
/// constant.
struct StreamVTables<S, P>(PhantomData<(S, P)>);

impl<S: Stream, P: Site> StreamVTables<S, P> {
    const fn header(state: State) -> Header {
        Header {
            drop: P::drop::<S>,
            layout: FutureLayout::of::<S>(),
            placement: P::PLACEMENT,
            state,
        }
    }

    const SET: StreamVTableSet<S::Item> = StreamVTableSet {
        live: StreamVTable {
            header: Self::header(State::Live),
            poll_next: poll_next_live::<S, P>,
            size_hint: size_hint_live::<S, P>,
        },
        ended: StreamVTable {
            header: Self::header(State::Completed),
            poll_next: poll_next_ended::<S::Item>,
            size_hint: size_hint_ended,
        },
        panicked: StreamVTable {
            header: Self::header(State::Panicked),
            poll_next: poll_next_panicked::<S::Item>,
            size_hint: size_hint_ended,
        },
    };

    /// The `Live` pointer of this type and place.
    fn live() -> VTablePtr {
        StreamVTableSet::live(&Self::SET)
    }
}

/// Swaps in the `Panicked` vtable if the stored stream's `poll_next` unwinds.
struct PoisonOnUnwind<S: Stream, P: Site> {
    storage: *mut u8,
    _vtables: PhantomData<StreamVTables<S, P>>,
}

impl<S: Stream, P: Site> Drop for PoisonOnUnwind<S, P> {
    fn drop(&mut self) {
        // SAFETY: `storage` is the `Storage` being polled by the
        // `poll_next_live` call that made this guard, writable, with its
        // vtable pointer at offset 0 (`#[repr(C)]`). **Vtable describes the
        // storage**: same `S`, same place, now panicked.
        unsafe {
            self.storage
                .cast::<VTablePtr>()
                .write(panicked::<S::Item>(StreamVTables::<S, P>::live()));
        }
    }
}

/// The `poll_next` of a live stream.
///
/// # Safety
///
/// `storage` points to the [`Storage`] `P` was chosen for, which holds a
/// live `S` that is pinned (**Pinned**) and reached by nothing else
/// meanwhile (**Raw access**), and is valid for writes.
unsafe fn poll_next_live<S: Stream, P: Site>(
    storage: *mut u8,
    cx: &mut Context<'_>,
) -> Poll<Option<S::Item>> {
    let poison = PoisonOnUnwind::<S, P> {
        storage,
        _vtables: PhantomData,
    };
    // SAFETY: the caller's guarantee; the `&mut S` lives for this call only.
    let stream = unsafe { Pin::new_unchecked(&mut *P::future::<S>(storage)) };
    let out = stream.poll_next(cx);
    core::mem::forget(poison);
    out
}

/// The `size_hint` of a live stream.
///
/// # Safety
///
/// `storage` points to the [`Storage`] `P` was chosen for, which holds a
/// live `S` that nothing reaches mutably meanwhile.
unsafe fn size_hint_live<S: Stream, P: Site>(storage: *const u8) -> (usize, Option<usize>) {
    // SAFETY: the caller's guarantee. `P::future` only computes or reads a
    // pointer; the `&S` lives for this call, in which nothing writes the
    // stream.
    unsafe { &*P::future::<S>(storage.cast_mut()) }.size_hint()
}

/// The `poll_next` of an ended stream: fused, the stream is not reached.
fn poll_next_ended<T>(_: *mut u8, _: &mut Context<'_>) -> Poll<Option<T>> {
    Poll::Ready(None)
}

/// The `size_hint` of an ended or panicked stream: no more items.
fn size_hint_ended(_: *const u8) -> (usize, Option<usize>) {
    (0, Some(0))
}

/// The `poll_next` of a stream whose `poll_next` panicked: a clear panic,
/// never a resumed state machine.
///
/// # Safety
///
/// `storage` points to a [`Storage`] whose vtable pointer is this one.
#[cold]
#[inline(never)]
unsafe fn poll_next_panicked<T>(storage: *mut u8, _: &mut Context<'_>) -> Poll<Option<T>> {
    // SAFETY: the caller's guarantee: offset 0 holds a vtable pointer into
    // a `StreamVTableSet` constant, which lives for the whole program.
    let header = unsafe { storage.cast::<VTablePtr>().read().as_ref() };
    panic!(
        "erased stream polled again after its poll_next panicked (type {})",
        header.layout.type_name()
    )
}

/// `stream` in a fresh storage: in the buffer when it fits `Cap`, nowhere
/// when it is zero-sized, in a box of its own otherwise.
#[inline]
fn store<S: Stream, Cap: Capacity>(stream: S) -> Storage<Cap> {
    let () = PointerRoom::<Cap>::CHECK;
    let mut storage = Storage::<Cap>::empty();
    let vtable = if !fits_inline::<S, Cap>() {
        // SAFETY: the buffer holds at least one pointer (`PointerRoom`);
        // written unaligned, so any capacity will do. The box is owned by
        // the storage from here on and freed by `Boxed::drop`.
        unsafe {
            storage
                .buffer()
                .cast::<*mut S>()
                .write_unaligned(Box::into_raw(Box::new(stream)));
        }
        StreamVTables::<S, Boxed<Cap>>::live()
    } else if size_of::<S>() == 0 {
        // Nothing to store (and an over-aligned zero-sized `S` must not be
        // written to a less aligned buffer): the vtable conjures it from an
        // aligned dangling pointer.
        core::mem::forget(stream);
        StreamVTables::<S, ZeroSized>::live()
    } else {
        // SAFETY: `S` fits the buffer in size and alignment, and the fresh
        // buffer holds nothing.
        unsafe { storage.buffer().cast::<S>().write(stream) };
        StreamVTables::<S, InPlace<Cap>>::live()
    };
    // SAFETY: INVARIANT: **Vtable describes the storage**: the live vtable
    // of `S` at the place it was just put. The storage has not been polled,
    // so returning it moves an unpolled stream (**Pinned**).
    unsafe { storage.set_vtable(vtable) };
    storage
}

/// `make()`'s stream stored as [`store`] would, except that one which does
/// not fit `Cap` goes into a block of `lender`'s pool when the pool accepts
/// it, built there in place (`fill_block`): the storage's buffer holds the
/// block's address and its `Pooled` place drops the stream and gives the
/// block back. With the [`Erasure`](crate::layout::Erasure) it made (what
/// the take allocated: a miss). `Err(make)` only when `fallible` and an
/// allocation (a miss, or a box) failed; `make` has not run then.
#[cfg(feature = "std")]
#[inline]
fn store_recycled<S: Stream, Cap: Capacity, L: Lender, C: FnOnce() -> S>(
    lender: L,
    make: C,
    fallible: bool,
) -> Result<(Storage<Cap>, crate::layout::Erasure), C> {
    let () = PointerRoom::<Cap>::CHECK;
    let layout = FutureLayout::of::<S>();
    let storage = if fits_inline::<S, Cap>() {
        store::<S, Cap>(make())
    } else if !lender.pool().accepts::<S>() {
        store_boxed::<S, Cap, C>(make, fallible)?
    } else {
        let (block, allocated) = fill_block(&lender, make, fallible)?;
        let mut storage = Storage::<Cap>::empty();
        // SAFETY: the buffer holds at least one pointer (`PointerRoom`);
        // written unaligned, so any capacity will do. The fresh storage
        // holds nothing yet.
        unsafe { storage.buffer().cast::<*mut u8>().write_unaligned(block) };
        // SAFETY: INVARIANT: **Vtable describes the storage**: the buffer
        // holds the address of a block holding a live `S` at its offset
        // (`fill_block`: the pool accepts `S`), owned from here on by this
        // storage, whose `Pooled` place drops it and gives the block back
        // as `L::Keep` says (**Pool outlives its blocks**: a borrowed
        // pool's callers tie the stream's lifetime to the borrow; a shared
        // one's count was just written at offset 0). The block does not
        // move while the stream is in it, and the stream has not been
        // polled (**Pinned**).
        unsafe { storage.set_vtable(StreamVTables::<S, Pooled<Cap, L::Keep>>::live()) };
        return Ok((storage, crate::layout::Erasure::recycled(layout, allocated)));
    };
    let placement = crate::layout::Placement::of_handle(storage.header().is_boxed());
    Ok((storage, crate::layout::Erasure::new(layout, placement)))
}

/// `make()`'s stream in a box of its own, built there in place (a
/// zero-sized one as [`store`] keeps it: no allocation). `Err(make)` only
/// when `fallible` and the allocation failed; `make` has not run then.
#[cfg(feature = "std")]
#[inline]
fn store_boxed<S: Stream, Cap: Capacity, C: FnOnce() -> S>(
    make: C,
    fallible: bool,
) -> Result<Storage<Cap>, C> {
    let () = PointerRoom::<Cap>::CHECK;
    if size_of::<S>() == 0 {
        return Ok(store::<S, Cap>(make()));
    }
    let stream = box_in_place(make, fallible)?;
    let mut storage = Storage::<Cap>::empty();
    // SAFETY: the buffer holds at least one pointer (`PointerRoom`);
    // written unaligned, so any capacity will do. The fresh storage holds
    // nothing yet.
    unsafe {
        storage
            .buffer()
            .cast::<*mut S>()
            .write_unaligned(stream.as_ptr())
    };
    // SAFETY: INVARIANT: **Vtable describes the storage**: the buffer holds
    // a pointer from `box_in_place`, memory of `Layout::new::<S>()` holding
    // a live `S`, owned from here on by this storage, whose `Boxed` place
    // drops and frees it with `Box::from_raw`. The box does not move, and
    // the stream has not been polled (**Pinned**).
    unsafe { storage.set_vtable(StreamVTables::<S, Boxed<Cap>>::live()) };
    Ok(storage)
}

/// Builds the constructors and `Debug` for one `dyn Stream` flavour.
macro_rules! constructors {
    ($name:literal $($bounds:tt)*) => {
        impl<'a, T, Cap: Capacity> InlineStreamBox<dyn Stream<Item = T> $($bounds)* + 'a, Cap> {
            /// Erases `stream`, storing it inline when its size and alignment
            /// fit `Cap` and on the heap otherwise (one allocation of
            /// exactly its size). Zero-sized streams never allocate.
            ///
            /// `Cap` must be at least one pointer in size, to hold the
            /// heap pointer; smaller capacities fail the build.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use hybrid_dispatch::{", $name, ", capacity::S1};")]
            ///
            /// # struct Words<const N: usize>([u64; N]);
            /// # impl<const N: usize> futures_core::Stream for Words<N> {
            /// #     type Item = u64;
            /// #     fn poll_next(self: core::pin::Pin<&mut Self>, _: &mut core::task::Context<'_>) -> core::task::Poll<Option<u64>> {
            /// #         core::task::Poll::Ready(None)
            /// #     }
            /// # }
            /// // `Words<N>` is a stream of `N` words.
            #[doc = concat!("let small = ", $name, "::<'_, u64, S1>::new(Words([0; 1]));")]
            #[doc = concat!("let large = ", $name, "::<'_, u64, S1>::new(Words([0; 8]));")]
            /// assert!(!small.is_heap());
            /// assert!(large.is_heap());
            /// ```
            #[inline]
            #[must_use = "streams do nothing unless polled"]
            pub fn new<S>(stream: S) -> Self
            where
                S: Stream<Item = T> $($bounds)* + 'a,
            {
                // INVARIANT: **Flavour**: `S` has `D`'s item type and
                // bounds; `store` establishes the rest.
                Self::from_storage(store::<S, Cap>(stream))
            }

            /// Erases `stream` only if it fits `Cap` inline; otherwise
            /// hands it back untouched. Never allocates.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use hybrid_dispatch::{", $name, ", capacity::S1};")]
            ///
            /// # struct Words<const N: usize>([u64; N]);
            /// # impl<const N: usize> futures_core::Stream for Words<N> {
            /// #     type Item = u64;
            /// #     fn poll_next(self: core::pin::Pin<&mut Self>, _: &mut core::task::Context<'_>) -> core::task::Poll<Option<u64>> {
            /// #         core::task::Poll::Ready(None)
            /// #     }
            /// # }
            #[doc = concat!("assert!(", $name, "::<'_, u64, S1>::try_new(Words([0; 1])).is_ok());")]
            #[doc = concat!("assert!(", $name, "::<'_, u64, S1>::try_new(Words([0; 8])).is_err());")]
            /// ```
            #[inline]
            pub fn try_new<S>(stream: S) -> Result<Self, S>
            where
                S: Stream<Item = T> $($bounds)* + 'a,
            {
                if fits_inline::<S, Cap>() {
                    Ok(Self::new(stream))
                } else {
                    Err(stream)
                }
            }

            /// Erases `make()`'s stream: inline when it fits `Cap`, else in a
            /// buffer taken from `pool` when the pool's layout holds it
            /// (built there, not copied), else on the heap. The buffer goes
            /// back to `pool` when the stream is dropped (ended, abandoned
            /// or panicked); a steady stream of such streams allocates
            /// nothing once the pool holds a buffer per stream open at
            /// once. The stream borrows the pool; for one that must not,
            /// [`new_recycled_arc`](Self::new_recycled_arc).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use hybrid_dispatch::{", $name, ", capacity::S1, future::RecyclePool, layout::FutureLayout};")]
            ///
            /// # struct Words([u64; 8]);
            /// # impl futures_core::Stream for Words {
            /// #     type Item = u64;
            /// #     fn poll_next(self: core::pin::Pin<&mut Self>, _: &mut core::task::Context<'_>) -> core::task::Poll<Option<u64>> {
            /// #         core::task::Poll::Ready(None)
            /// #     }
            /// # }
            /// let pool = RecyclePool::new(FutureLayout::of::<Words>(), 4);
            #[doc = concat!("let stream = ", $name, "::<'_, u64, S1>::new_recycled(&pool, || Words([0; 8]));")]
            /// assert!(stream.is_recycled() && !stream.is_heap());
            /// drop(stream); // its buffer goes back to the pool
            /// assert_eq!(pool.stats().idle, 1);
            /// ```
            #[cfg(feature = "std")]
            #[inline]
            #[must_use = "streams do nothing unless polled"]
            pub fn new_recycled<S, C>(pool: &'a RecyclePool, make: C) -> Self
            where
                S: Stream<Item = T> $($bounds)* + 'a,
                C: FnOnce() -> S,
            {
                Self::recycled_erasure(pool, make).0
            }

            /// [`new_recycled`](Self::new_recycled), with the
            /// [`Erasure`](crate::layout::Erasure) it made: where the
            /// stream went and what this call allocated.
            #[cfg(feature = "std")]
            #[inline]
            pub(crate) fn recycled_erasure<S, C>(
                pool: &'a RecyclePool,
                make: C,
            ) -> (Self, crate::layout::Erasure)
            where
                S: Stream<Item = T> $($bounds)* + 'a,
                C: FnOnce() -> S,
            {
                let Ok(stored) = Self::recycled_in(pool, make, false) else {
                    unreachable!("an infallible store aborts instead of failing")
                };
                stored
            }

            /// `make()`'s stream stored by `store_recycled` from `lender`'s
            /// pool, in a box of this flavour. `Err(make)` only when
            /// `fallible` and an allocation failed.
            #[cfg(feature = "std")]
            #[inline]
            fn recycled_in<L: Lender, S, C>(
                lender: L,
                make: C,
                fallible: bool,
            ) -> Result<(Self, crate::layout::Erasure), C>
            where
                S: Stream<Item = T> $($bounds)* + 'a,
                C: FnOnce() -> S,
            {
                let (storage, erasure) = store_recycled::<S, Cap, L, C>(lender, make, fallible)?;
                // INVARIANT: **Flavour**: `S` has `D`'s item type and
                // bounds; `store_recycled` establishes the rest.
                Ok((Self::from_storage(storage), erasure))
            }

            /// [`new_recycled`](Self::new_recycled) for a pool in an `Arc`:
            /// a buffer the stream takes keeps the pool alive (one count of
            /// the `Arc`, taken with the buffer), so the stream borrows
            /// nothing of it and lives as long as `S` may.
            ///
            /// # Examples
            ///
            /// ```
            /// use std::sync::Arc;
            #[doc = concat!("use hybrid_dispatch::{", $name, ", capacity::S1, future::RecyclePool, layout::FutureLayout};")]
            ///
            /// # struct Words([u64; 8]);
            /// # impl futures_core::Stream for Words {
            /// #     type Item = u64;
            /// #     fn poll_next(self: core::pin::Pin<&mut Self>, _: &mut core::task::Context<'_>) -> core::task::Poll<Option<u64>> {
            /// #         core::task::Poll::Ready(None)
            /// #     }
            /// # }
            /// let pool = Arc::new(RecyclePool::new(FutureLayout::of::<Words>(), 4));
            #[doc = concat!("let stream: ", $name, "<'static, u64, S1> = ", $name, "::new_recycled_arc(&pool, || Words([0; 8]));")]
            /// drop(pool); // the stream's buffer keeps it alive
            /// assert!(stream.is_recycled());
            /// ```
            #[cfg(feature = "std")]
            #[inline]
            #[must_use = "streams do nothing unless polled"]
            pub fn new_recycled_arc<S, C>(pool: &Arc<RecyclePool>, make: C) -> Self
            where
                S: Stream<Item = T> $($bounds)* + 'a,
                C: FnOnce() -> S,
            {
                Self::recycled_erasure_arc(pool, make).0
            }

            /// [`new_recycled_arc`](Self::new_recycled_arc), with the
            /// [`Erasure`](crate::layout::Erasure) it made.
            #[cfg(feature = "std")]
            #[inline]
            pub(crate) fn recycled_erasure_arc<S, C>(
                pool: &Arc<RecyclePool>,
                make: C,
            ) -> (Self, crate::layout::Erasure)
            where
                S: Stream<Item = T> $($bounds)* + 'a,
                C: FnOnce() -> S,
            {
                let Ok(stored) = Self::recycled_in(pool, make, false) else {
                    unreachable!("an infallible store aborts instead of failing")
                };
                stored
            }

            /// [`new_recycled`](Self::new_recycled), but a failed allocation
            /// (a miss, or a box for a stream the pool does not take) is an
            /// [`AllocError`](crate::future::AllocError) instead of an
            /// abort, and `make` is not called then.
            ///
            /// # Errors
            ///
            /// [`AllocError`](crate::future::AllocError) when the stream
            /// needs memory and the allocator has none.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use hybrid_dispatch::{", $name, ", capacity::S1, future::RecyclePool, layout::FutureLayout};")]
            ///
            /// # struct Words([u64; 8]);
            /// # impl futures_core::Stream for Words {
            /// #     type Item = u64;
            /// #     fn poll_next(self: core::pin::Pin<&mut Self>, _: &mut core::task::Context<'_>) -> core::task::Poll<Option<u64>> {
            /// #         core::task::Poll::Ready(None)
            /// #     }
            /// # }
            /// let pool = RecyclePool::new(FutureLayout::of::<Words>(), 4);
            #[doc = concat!("let stream = ", $name, "::<'_, u64, S1>::try_new_recycled(&pool, || Words([0; 8]));")]
            /// assert!(stream.unwrap().is_recycled());
            /// ```
            #[cfg(feature = "std")]
            #[inline]
            pub fn try_new_recycled<S, C>(pool: &'a RecyclePool, make: C) -> Result<Self, AllocError>
            where
                S: Stream<Item = T> $($bounds)* + 'a,
                C: FnOnce() -> S,
            {
                match Self::recycled_in(pool, make, true) {
                    Ok((stream, _)) => Ok(stream),
                    Err(_) => Err(AllocError::new(FutureLayout::of::<S>())),
                }
            }

            /// [`new_recycled_arc`](Self::new_recycled_arc), but a failed
            /// allocation is an [`AllocError`](crate::future::AllocError)
            /// instead of an abort (and takes no count of the pool), and
            /// `make` is not called then.
            ///
            /// # Errors
            ///
            /// [`AllocError`](crate::future::AllocError) when the stream
            /// needs memory and the allocator has none.
            ///
            /// # Examples
            ///
            /// ```
            /// use std::sync::Arc;
            #[doc = concat!("use hybrid_dispatch::{", $name, ", capacity::S1, future::RecyclePool, layout::FutureLayout};")]
            ///
            /// # struct Words([u64; 8]);
            /// # impl futures_core::Stream for Words {
            /// #     type Item = u64;
            /// #     fn poll_next(self: core::pin::Pin<&mut Self>, _: &mut core::task::Context<'_>) -> core::task::Poll<Option<u64>> {
            /// #         core::task::Poll::Ready(None)
            /// #     }
            /// # }
            /// let pool = Arc::new(RecyclePool::new(FutureLayout::of::<Words>(), 4));
            #[doc = concat!("let stream: ", $name, "<'static, u64, S1> = ", $name, "::try_new_recycled_arc(&pool, || Words([0; 8])).unwrap();")]
            /// assert!(stream.is_recycled());
            /// ```
            #[cfg(feature = "std")]
            #[inline]
            pub fn try_new_recycled_arc<S, C>(pool: &Arc<RecyclePool>, make: C) -> Result<Self, AllocError>
            where
                S: Stream<Item = T> $($bounds)* + 'a,
                C: FnOnce() -> S,
            {
                match Self::recycled_in(pool, make, true) {
                    Ok((stream, _)) => Ok(stream),
                    Err(_) => Err(AllocError::new(FutureLayout::of::<S>())),
                }
            }

            /// Erases `stream` inline when it fits `Cap` and in a box of its
            /// own otherwise, like [`new`](Self::new), but a failed
            /// allocation is an [`AllocError`](crate::future::AllocError)
            /// (and drops the stream) instead of an abort.
            ///
            /// # Errors
            ///
            /// [`AllocError`](crate::future::AllocError) when the stream
            /// does not fit and the allocator has no memory for it.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use hybrid_dispatch::{", $name, ", capacity::S1};")]
            ///
            /// # struct Words([u64; 8]);
            /// # impl futures_core::Stream for Words {
            /// #     type Item = u64;
            /// #     fn poll_next(self: core::pin::Pin<&mut Self>, _: &mut core::task::Context<'_>) -> core::task::Poll<Option<u64>> {
            /// #         core::task::Poll::Ready(None)
            /// #     }
            /// # }
            #[doc = concat!("let stream = ", $name, "::<'_, u64, S1>::try_new_boxed(Words([0; 8]));")]
            /// assert!(stream.unwrap().is_heap());
            /// ```
            #[cfg(feature = "std")]
            #[inline]
            pub fn try_new_boxed<S>(stream: S) -> Result<Self, AllocError>
            where
                S: Stream<Item = T> $($bounds)* + 'a,
            {
                let storage = if fits_inline::<S, Cap>() {
                    store::<S, Cap>(stream)
                } else {
                    match store_boxed::<S, Cap, _>(move || stream, true) {
                        Ok(storage) => storage,
                        Err(_) => return Err(AllocError::new(FutureLayout::of::<S>())),
                    }
                };
                // INVARIANT: **Flavour**: `S` has `D`'s item type and
                // bounds; `store` and `store_boxed` establish the rest.
                Ok(Self::from_storage(storage))
            }
        }

        impl<'a, T, Cap: Capacity> fmt::Debug for InlineStreamBox<dyn Stream<Item = T> $($bounds)* + 'a, Cap> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let header = self.storage.header();
                f.debug_struct($name)
                    .field("stream", &header.layout.type_name())
                    .field("size", &header.layout.size())
                    .field("align", &header.layout.align())
                    .field("capacity", &size_of::<Cap>())
                    .field("location", &if header.is_boxed() {
                        "heap"
                    } else if header.is_pooled() {
                        "recycled"
                    } else {
                        "inline"
                    })
                    .field("state", &match header.state {
                        State::Live => "live",
                        State::Completed => "ended",
                        State::Panicked => "panicked",
                        State::Empty => "empty",
                    })
                    .finish()
            }
        }
    };
}

constructors!("InlineStream");
constructors!("SendInlineStream" + Send);

impl<D: ?Sized, Cap: Capacity> InlineStreamBox<D, Cap> {
    /// Wraps a storage built for a `D` (**Flavour**: the constructors
    /// build it from an `S: Stream<Item = T> (+ Send) + 'a` for this `D`).
    #[inline(always)]
    fn from_storage(storage: Storage<Cap>) -> Self {
        InlineStreamBox {
            storage,
            _pinned: PhantomPinned,
            _owns: PhantomData,
        }
    }

    /// Whether the stream lives in a heap allocation (it did not fit
    /// `Cap`). Zero-sized streams are never on the heap.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{InlineStream, capacity::S1};
    ///
    /// # struct Words([u64; 4]);
    /// # impl futures_core::Stream for Words {
    /// #     type Item = u64;
    /// #     fn poll_next(self: core::pin::Pin<&mut Self>, _: &mut core::task::Context<'_>) -> core::task::Poll<Option<u64>> {
    /// #         core::task::Poll::Ready(None)
    /// #     }
    /// # }
    /// assert!(InlineStream::<'_, u64, S1>::new(Words([0; 4])).is_heap());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_heap(&self) -> bool {
        self.storage.header().is_boxed()
    }

    /// Whether the stream lives in a buffer of a
    /// [`RecyclePool`](crate::future::RecyclePool)
    /// ([`new_recycled`](InlineStreamBox::new_recycled)), which it gives
    /// back when dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{InlineStream, capacity::S1, future::RecyclePool, layout::FutureLayout};
    ///
    /// # struct Words([u64; 4]);
    /// # impl futures_core::Stream for Words {
    /// #     type Item = u64;
    /// #     fn poll_next(self: core::pin::Pin<&mut Self>, _: &mut core::task::Context<'_>) -> core::task::Poll<Option<u64>> {
    /// #         core::task::Poll::Ready(None)
    /// #     }
    /// # }
    /// let pool = RecyclePool::new(FutureLayout::of::<Words>(), 1);
    /// assert!(InlineStream::<'_, u64, S1>::new_recycled(&pool, || Words([0; 4])).is_recycled());
    /// assert!(!InlineStream::<'_, u64, S1>::new(Words([0; 4])).is_recycled());
    /// ```
    #[cfg(feature = "std")]
    #[inline]
    #[must_use]
    pub fn is_recycled(&self) -> bool {
        self.storage.header().is_pooled()
    }

    /// The erased stream's size, alignment and type.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::InlineStream;
    ///
    /// # struct Words([u64; 4]);
    /// # impl futures_core::Stream for Words {
    /// #     type Item = u64;
    /// #     fn poll_next(self: core::pin::Pin<&mut Self>, _: &mut core::task::Context<'_>) -> core::task::Poll<Option<u64>> {
    /// #         core::task::Poll::Ready(None)
    /// #     }
    /// # }
    /// let stream = InlineStream::<'_, u64>::new(Words([0; 4]));
    /// assert_eq!(stream.layout().size(), 32);
    /// assert!(stream.layout().type_name().ends_with("Words"));
    /// ```
    #[inline]
    #[must_use]
    pub fn layout(&self) -> FutureLayout {
        self.storage.header().layout
    }

    /// Where the stream went, as the same [`Erasure`](crate::layout::Erasure)
    /// an erased future reports, so that
    /// [`Service::observe_erasure`](crate::Service::observe_erasure),
    /// [`Counted`](crate::Counted) and the registries count streams as they
    /// count futures (once per stream, not per item).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{InlineStream, layout::Placement, capacity::S1};
    ///
    /// # struct Words<const N: usize>([u64; N]);
    /// # impl<const N: usize> futures_core::Stream for Words<N> {
    /// #     type Item = u64;
    /// #     fn poll_next(self: core::pin::Pin<&mut Self>, _: &mut core::task::Context<'_>) -> core::task::Poll<Option<u64>> {
    /// #         core::task::Poll::Ready(None)
    /// #     }
    /// # }
    /// let spilled = InlineStream::<'_, u64, S1>::new(Words([0; 8])).erasure();
    /// assert_eq!(spilled.placement(), Placement::Heap);
    /// assert_eq!(spilled.allocated_bytes(), 64);
    /// ```
    #[inline]
    #[must_use]
    pub fn erasure(&self) -> crate::layout::Erasure {
        let header = self.storage.header();
        crate::layout::Erasure::new(
            header.layout,
            crate::layout::Placement::of_header(header.is_boxed(), header.is_pooled()),
        )
    }

    /// Whether the stream has finished: it returned `None` (later polls
    /// return `None` again), or its `poll_next` panicked (later polls
    /// panic). Also [`FusedStream::is_terminated`].
    ///
    /// # Examples
    ///
    /// ```
    /// use core::task::{Context, Waker};
    /// use futures_core::Stream;
    /// use hybrid_dispatch::InlineStream;
    ///
    /// # struct Empty;
    /// # impl Stream for Empty {
    /// #     type Item = u8;
    /// #     fn poll_next(self: core::pin::Pin<&mut Self>, _: &mut Context<'_>) -> core::task::Poll<Option<u8>> {
    /// #         core::task::Poll::Ready(None)
    /// #     }
    /// # }
    /// let mut stream = Box::pin(InlineStream::<'_, u8>::new(Empty));
    /// assert!(!stream.is_terminated());
    /// let _ = stream.as_mut().poll_next(&mut Context::from_waker(Waker::noop()));
    /// assert!(stream.is_terminated());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_terminated(&self) -> bool {
        self.storage.header().state != State::Live
    }

    /// Whether a `poll_next` of the stream panicked. Such a stream is
    /// finished ([`is_terminated`](Self::is_terminated)): polling it again
    /// panics, dropping it drops what it holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::panic::{AssertUnwindSafe, catch_unwind};
    /// use core::task::{Context, Waker};
    /// use futures_core::Stream;
    /// use hybrid_dispatch::InlineStream;
    ///
    /// # struct Boom;
    /// # impl Stream for Boom {
    /// #     type Item = u8;
    /// #     fn poll_next(self: core::pin::Pin<&mut Self>, _: &mut Context<'_>) -> core::task::Poll<Option<u8>> {
    /// #         panic!("boom")
    /// #     }
    /// # }
    /// let mut stream = Box::pin(InlineStream::<'_, u8>::new(Boom));
    /// let cx = &mut Context::from_waker(Waker::noop());
    /// assert!(catch_unwind(AssertUnwindSafe(|| stream.as_mut().poll_next(cx))).is_err());
    /// assert!(stream.has_panicked() && stream.is_terminated());
    /// ```
    #[inline]
    #[must_use]
    pub fn has_panicked(&self) -> bool {
        self.storage.header().state == State::Panicked
    }
}

impl<D: Stream + ?Sized, Cap: Capacity> Stream for InlineStreamBox<D, Cap> {
    type Item = D::Item;

    #[inline]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<D::Item>> {
        // SAFETY: nothing is moved out of `this` (**Pinned**).
        let this = unsafe { self.get_unchecked_mut() };
        let vtable = this.storage.vtable();
        // SAFETY: the vtable is a `StreamVTable<D::Item>` (**Vtable describes
        // the storage** and **Flavour**; `#[repr(C)]`, header first) in a
        // constant that lives for the whole program.
        let poll_next = unsafe { vtable.cast::<StreamVTable<D::Item>>().as_ref() }.poll_next;
        let storage = ptr::from_mut(&mut this.storage).cast::<u8>();
        // SAFETY: `poll_next` was made for what this storage holds (**Vtable
        // describes the storage**), which is pinned, as `self` is
        // (**Pinned**), and reached only through `storage` (**Raw access**).
        let out = unsafe { poll_next(storage, cx) };
        if let Poll::Ready(None) = out {
            // The end of the stream (once), or a poll after it (every later
            // one): only a live vtable moves on. Not on the `Some` path.
            if this.storage.header().state == State::Live {
                // SAFETY: a `Live` pointer comes from `StreamVTableSet::live`
                // of a `StreamVTableSet<D::Item>` (**Vtable describes the
                // storage**, **Flavour**). INVARIANT: the same stream and
                // place, ended; it stays stored until `Drop`.
                unsafe { this.storage.set_vtable(ended::<D::Item>(vtable)) };
            }
        }
        out
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        // SAFETY: as in `poll_next`.
        let size_hint = unsafe {
            self.storage
                .vtable()
                .cast::<StreamVTable<D::Item>>()
                .as_ref()
        }
        .size_hint;
        // SAFETY: `size_hint` was made for what this storage holds (**Vtable
        // describes the storage**); `&self` means nothing reaches it mutably.
        unsafe { size_hint(ptr::from_ref(&self.storage).cast::<u8>()) }
    }
}

impl<D: Stream + ?Sized, Cap: Capacity> FusedStream for InlineStreamBox<D, Cap> {
    #[inline]
    fn is_terminated(&self) -> bool {
        InlineStreamBox::is_terminated(self)
    }
}

impl<D: ?Sized, Cap: Capacity> Drop for InlineStreamBox<D, Cap> {
    #[inline]
    fn drop(&mut self) {
        // **Dropped once**: `clear` empties the vtable before running the
        // stream's destructor (a panicking destructor cannot lead to a second
        // drop) and frees the box, if any, even then. Nothing moves: `self`
        // is dropped in place.
        self.storage.clear();
    }
}

// SAFETY: `InlineStreamBox` owns its `D` like a `Box<D>` does (**Flavour**);
// the vtable is an immutable constant and the capacity is never a value. So
// it may go to another thread exactly when `D` may. (No `Sync`: `D` is a
// `dyn Stream` type, never `Sync`.)
unsafe impl<D: ?Sized + Send, Cap: Capacity> Send for InlineStreamBox<D, Cap> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::future::capacity::{S1, S16};

    /// Yields `0..n`, pending once before each item, keeping a `&mut` into
    /// its own state across the `Pending` (the shape `async_stream` makes).
    struct SelfRef {
        state: [u32; 4],
        /// Points into `state` once polled (and never moved since).
        slot: *mut u32,
        pending: bool,
        n: u32,
        _pinned: PhantomPinned,
    }

    impl Stream for SelfRef {
        type Item = u32;
        fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u32>> {
            // SAFETY: test code, never moved out of.
            let this = unsafe { self.get_unchecked_mut() };
            if this.slot.is_null() {
                this.slot = &raw mut this.state[1];
            }
            if !this.pending {
                this.pending = true;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            this.pending = false;
            // SAFETY: points into `this`, which has not moved since.
            let slot = unsafe { &mut *this.slot };
            if *slot == this.n {
                return Poll::Ready(None);
            }
            *slot += 1;
            Poll::Ready(Some(*slot - 1))
        }
    }

    #[test]
    fn vtable_state_follows_the_stream() {
        let stream = InlineStreamBox::<dyn Stream<Item = u32>, S16>::new(SelfRef {
            state: [0; 4],
            slot: ptr::null_mut(),
            pending: false,
            n: 2,
            _pinned: PhantomPinned,
        });
        let mut stream = core::pin::pin!(stream);
        let cx = &mut Context::from_waker(core::task::Waker::noop());
        let mut items = alloc::vec::Vec::new();
        loop {
            assert!(!stream.is_terminated());
            match stream.as_mut().poll_next(cx) {
                Poll::Ready(Some(n)) => items.push(n),
                Poll::Ready(None) => break,
                Poll::Pending => {}
            }
        }
        assert_eq!(items, [0, 1]);
        assert_eq!(stream.storage.header().state, State::Completed);
        assert_eq!(stream.as_mut().poll_next(cx), Poll::Ready(None));
        // Still the same set's `ended` vtable, not one further.
        assert_eq!(stream.storage.header().state, State::Completed);
        assert_eq!(stream.size_hint(), (0, Some(0)));
        let heap = InlineStreamBox::<dyn Stream<Item = u32>, S1>::new(SelfRef {
            state: [0; 4],
            slot: ptr::null_mut(),
            pending: false,
            n: 0,
            _pinned: PhantomPinned,
        });
        assert!(heap.is_heap());
    }

    #[cfg(feature = "std")]
    fn self_ref(n: u32) -> SelfRef {
        SelfRef {
            state: [0; 4],
            slot: ptr::null_mut(),
            pending: false,
            n,
            _pinned: PhantomPinned,
        }
    }

    /// Polls `stream` to its end with a no-op waker; its items.
    #[cfg(feature = "std")]
    fn drain<D: Stream<Item = u32> + ?Sized, Cap: Capacity>(
        stream: Pin<&mut InlineStreamBox<D, Cap>>,
    ) -> alloc::vec::Vec<u32>
    where
        InlineStreamBox<D, Cap>: Stream<Item = u32>,
    {
        let mut stream = stream;
        let cx = &mut Context::from_waker(core::task::Waker::noop());
        let mut items = alloc::vec::Vec::new();
        loop {
            match stream.as_mut().poll_next(cx) {
                Poll::Ready(Some(n)) => items.push(n),
                Poll::Ready(None) => return items,
                Poll::Pending => {}
            }
        }
    }

    /// A stream too large for the capacity is built in a buffer of the
    /// pool (a self-referential one: it must not move there), polled in
    /// place, and gives the buffer back when dropped; the next one takes
    /// that buffer (no second miss).
    #[cfg(feature = "std")]
    #[test]
    fn a_recycled_stream_lives_in_its_buffer_and_gives_it_back() {
        let pool = RecyclePool::new(FutureLayout::of::<SelfRef>(), 2);
        for round in 0..3 {
            let (stream, erasure) =
                InlineStreamBox::<dyn Stream<Item = u32>, S1>::recycled_erasure(&pool, || {
                    self_ref(2)
                });
            assert!(stream.is_recycled() && !stream.is_heap());
            assert_eq!(
                stream.erasure().placement(),
                crate::layout::Placement::Recycled
            );
            // The first take allocates the buffer (a miss); later ones reuse it.
            assert_eq!(erasure.allocated_bytes() > 0, round == 0);
            let mut stream = core::pin::pin!(stream);
            assert_eq!(drain(stream.as_mut()), [0, 1]);
            assert!(stream.is_terminated());
            assert_eq!(pool.stats().idle, 0);
        }
        assert_eq!((pool.stats().misses, pool.stats().idle), (1, 1));
    }

    /// Counts its drops; panics at the poll after its first item.
    #[cfg(feature = "std")]
    struct Faulty {
        drops: std::sync::Arc<core::sync::atomic::AtomicUsize>,
        polls: u32,
        _room: [u64; 8],
    }

    #[cfg(feature = "std")]
    impl Drop for Faulty {
        fn drop(&mut self) {
            self.drops
                .fetch_add(1, core::sync::atomic::Ordering::Relaxed);
        }
    }

    #[cfg(feature = "std")]
    impl Stream for Faulty {
        type Item = u32;
        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u32>> {
            self.polls += 1;
            assert!(self.polls < 2, "the stream's poll_next panicked");
            Poll::Ready(Some(self.polls))
        }
    }

    /// Abandoned after an item, or after its `poll_next` panicked, a
    /// recycled stream is dropped once and its buffer goes back.
    #[cfg(feature = "std")]
    #[test]
    fn a_recycled_stream_abandoned_or_panicked_is_dropped_once() {
        use core::sync::atomic::Ordering::Relaxed;
        let pool = RecyclePool::new(FutureLayout::of::<Faulty>(), 2);
        let drops = std::sync::Arc::new(core::sync::atomic::AtomicUsize::new(0));
        let make = || Faulty {
            drops: drops.clone(),
            polls: 0,
            _room: [0; 8],
        };
        let cx = &mut Context::from_waker(core::task::Waker::noop());
        // Abandoned after its first item.
        let mut stream = Box::pin(InlineStreamBox::<dyn Stream<Item = u32>, S1>::new_recycled(
            &pool, make,
        ));
        assert_eq!(stream.as_mut().poll_next(cx), Poll::Ready(Some(1)));
        drop(stream);
        assert_eq!((drops.load(Relaxed), pool.stats().idle), (1, 1));
        // Panicked at its second poll: poisoned, dropped with the handle.
        let mut stream = Box::pin(InlineStreamBox::<dyn Stream<Item = u32>, S1>::new_recycled(
            &pool, make,
        ));
        assert_eq!(stream.as_mut().poll_next(cx), Poll::Ready(Some(1)));
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            stream.as_mut().poll_next(cx)
        }));
        assert!(panicked.is_err() && stream.has_panicked());
        assert_eq!((drops.load(Relaxed), pool.stats().idle), (1, 0));
        drop(stream);
        assert_eq!((drops.load(Relaxed), pool.stats().idle), (2, 1));
        assert_eq!(pool.stats().misses, 1);
    }

    /// A stream in a buffer of a shared pool keeps the pool alive after the
    /// last other count is dropped; dropping the stream frees both.
    #[cfg(feature = "std")]
    #[test]
    fn a_recycled_stream_of_a_shared_pool_keeps_it_alive() {
        let pool = Arc::new(RecyclePool::new(FutureLayout::of::<SelfRef>(), 1));
        let stream: InlineStreamBox<dyn Stream<Item = u32>, S1> =
            InlineStreamBox::<dyn Stream<Item = u32>, S1>::new_recycled_arc(&pool, || self_ref(3));
        assert_eq!(Arc::strong_count(&pool), 2);
        drop(pool);
        let mut stream = Box::pin(stream);
        assert!(stream.is_recycled());
        assert_eq!(drain(stream.as_mut()), [0, 1, 2]);
    }

    /// A stream that fits stays inline, and one the pool's buffers cannot
    /// hold is boxed: neither takes a buffer.
    #[cfg(feature = "std")]
    #[test]
    fn a_pool_lends_only_to_streams_that_need_and_fit_its_buffers() {
        let pool = RecyclePool::new(FutureLayout::of::<[u8; 8]>(), 1);
        let (fits, erasure) =
            InlineStreamBox::<dyn Stream<Item = u32>, S16>::recycled_erasure(&pool, || self_ref(1));
        assert!(!fits.is_recycled() && !fits.is_heap());
        assert_eq!(erasure.placement(), crate::layout::Placement::Inline);
        let (boxed, erasure) =
            InlineStreamBox::<dyn Stream<Item = u32>, S1>::recycled_erasure(&pool, || self_ref(1));
        assert!(boxed.is_heap() && !boxed.is_recycled());
        assert_eq!(erasure.placement(), crate::layout::Placement::Heap);
        assert_eq!(pool.stats().misses, 0);
        let mut boxed = Box::pin(boxed);
        assert_eq!(drain(boxed.as_mut()), [0]);
    }

    /// A `make` that panics leaves nothing behind: a block it was to fill
    /// goes back to the pool, and a box it was to fill is freed (Miri
    /// reports a leak otherwise).
    #[cfg(feature = "std")]
    #[test]
    fn a_stream_whose_make_panics_leaves_nothing_behind() {
        let pool = RecyclePool::new(FutureLayout::of::<SelfRef>(), 2);
        let in_block = std::panic::catch_unwind(|| {
            InlineStreamBox::<dyn Stream<Item = u32>, S1>::new_recycled(&pool, || -> SelfRef {
                panic!("make unwinds")
            })
        });
        assert!(in_block.is_err());
        assert_eq!((pool.stats().misses, pool.stats().idle), (1, 1));
        let small = RecyclePool::new(FutureLayout::of::<[u8; 8]>(), 2);
        let in_box = std::panic::catch_unwind(|| {
            InlineStreamBox::<dyn Stream<Item = u32>, S1>::try_new_recycled(
                &small,
                || -> SelfRef { panic!("make unwinds") },
            )
        });
        assert!(in_box.is_err());
        assert_eq!(small.stats().misses, 0);
    }
}
