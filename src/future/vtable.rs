//! Per-type static vtables shared by every erased-future storage, and
//! [`OwnedStorage`], the buffer + vtable pair that [`InlineBox`](super::InlineBox)
//! and [`InlineOnlyBox`](super::InlineOnlyBox) are typed views of.
//!
//! Part of the crate's one `unsafe` module (`future`); its invariants are
//! stated in `future/mod.rs` and cited here by name.
//!
//! # One vtable per future type, place and state
//!
//! A vtable is chosen once, when a future is stored, for the future's type
//! `F`, for *where* it was put (a [`Site`]: in the buffer itself, behind a
//! box pointer, or nowhere for a zero-sized `F`) and for its *state*
//! ([`State`]). Polling and dropping are then one indirect call each, with no
//! branch on the place and no completion flag to load. The three state
//! vtables of a type and place sit side by side in one constant
//! ([`VTableSet`]): when `poll` returns `Ready`, the storage (whose caller
//! branches on the result anyway) advances its vtable pointer by one vtable,
//! to `Completed`, whose `poll` panics with a clear message and whose `drop`
//! still drops the `F` (it is dropped when the handle is, exactly once). A
//! `poll` that unwinds swaps in `Panicked` the same way, from a guard in the
//! per-type `poll` (no cost on the happy path). `is_terminated` reads the
//! state from the vtable.
//!
//! Rejected: a `done: bool` beside the vtable pointer (the first design). It
//! costs a store at construction, a load and branch on every poll and a store
//! at completion, and makes the handle a word larger. Also rejected: letting
//! the per-type `poll` write the `Completed` pointer itself (it then needs the
//! storage's address in a callee-saved register across the inner `poll`, and
//! its `Ready` test is not merged with the future's own: more instructions
//! per call, measured with `callgrind_dispatch`).

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

use super::capacity::Capacity;
use crate::layout::{FutureLayout, Placement, fits_inline};

/// What the stored future has done so far, as its vtable records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum State {
    /// Not yet `Ready`: polling polls the future.
    Live,
    /// Returned `Ready`; polling again panics.
    Completed,
    /// Its `poll` panicked; polling again panics (the future's own state
    /// after a panic is unspecified, so it is never resumed).
    Panicked,
    /// Nothing is stored (an empty [`ReusableSlot`](super::ReusableSlot)).
    Empty,
}

/// The part of a vtable that does not depend on the future's output, so
/// that `Drop` and `Debug` impls (which know no `D: Future`) can read it.
#[repr(C)]
pub(super) struct Header {
    /// Drops the stored future (and frees its box, for the heap site),
    /// given the address of its [`Storage`].
    pub(super) drop: unsafe fn(*mut u8),
    pub(super) layout: FutureLayout,
    /// Where the future is: in the storage's buffer (or nowhere, zero-sized:
    /// `Inline`), in a box of its own (`Heap`), in memory its storage's
    /// owner manages (a slot's heap buffer: `SlotHeap`), or in a buffer of
    /// a [`RecyclePool`](super::RecyclePool) (`Recycled`). The same word
    /// the counters use.
    pub(super) placement: Placement,
    pub(super) state: State,
}

impl Header {
    /// Whether the future is in a box of its own.
    #[cfg(feature = "alloc")]
    pub(super) fn is_boxed(&self) -> bool {
        self.placement == Placement::Heap
    }

    /// Whether the future is in a buffer of a [`RecyclePool`](super::RecyclePool).
    #[cfg(feature = "alloc")]
    pub(super) fn is_pooled(&self) -> bool {
        #[cfg(feature = "std")]
        return self.placement == Placement::Recycled;
        #[cfg(not(feature = "std"))]
        return false;
    }
}

/// A storage's pointer to its vtable: to the header, derived from the
/// whole vtable so that it can be cast back to reach `poll`.
pub(super) type VTablePtr = NonNull<Header>;

/// Reads the header a vtable pointer points to.
///
/// # Safety
///
/// `vtable` came from [`VTableSet::live`] (or [`completed`] or
/// [`panicked`] of such a pointer) or [`empty`]: it points into a constant or
/// static that lives for the whole program.
unsafe fn header(vtable: VTablePtr) -> &'static Header {
    // SAFETY: the caller's guarantee.
    unsafe { vtable.as_ref() }
}

/// A vtable for futures with output `T`. `#[repr(C)]` with `header` first,
/// so a pointer to the vtable is a pointer to its header. Keep pointers
/// derived from the whole vtable (not from `&vtable.header`), since `poll`
/// lies past the header.
#[repr(C)]
pub(super) struct VTable<T> {
    pub(super) header: Header,
    /// Polls the stored future, given the address of its [`Storage`]; if the
    /// future's `poll` panics, it writes the `Panicked` vtable there.
    pub(super) poll: unsafe fn(*mut u8, &mut Context<'_>) -> Poll<T>,
}

/// The three vtables of one future type at one place, side by side, so that
/// the state a storage's vtable pointer encodes can change by pointer
/// arithmetic within this one constant: `Completed` is one [`VTable`] past
/// `Live`, `Panicked` two. Storages point into it with pointers derived from
/// the whole set ([`VTableSet::live`]), never from one field, so the
/// arithmetic stays within the pointer's provenance.
#[repr(C)]
pub(super) struct VTableSet<T> {
    live: VTable<T>,
    completed: VTable<T>,
    panicked: VTable<T>,
}

impl<T> VTableSet<T> {
    /// The `Live` vtable pointer. Only ever called on a promoted constant
    /// (`&VTables::<F, P>::SET`), so the pointer is valid for the whole
    /// program.
    pub(super) fn live(&self) -> VTablePtr {
        NonNull::from(self).cast::<Header>()
    }
}

/// The vtable of the same future and place once it has returned `Ready`.
///
/// # Safety
///
/// `live` is the `Live` pointer of a [`VTableSet<T>`] (from
/// [`VTableSet::live`]).
unsafe fn completed<T>(live: VTablePtr) -> VTablePtr {
    // SAFETY: the caller's guarantee; `completed` follows `live` in the
    // `#[repr(C)]` set, within the provenance of the whole set.
    unsafe { live.byte_add(core::mem::offset_of!(VTableSet<T>, completed)) }
}

/// The vtable of the same future and place once its `poll` panicked.
///
/// # Safety
///
/// As for [`completed`].
unsafe fn panicked<T>(live: VTablePtr) -> VTablePtr {
    // SAFETY: as for `completed`.
    unsafe { live.byte_add(core::mem::offset_of!(VTableSet<T>, panicked)) }
}

/// The vtable pointer and the inline buffer, at the start of every storage
/// (`#[repr(C)]`): the per-type functions get one pointer, to a `Storage`,
/// and find the vtable pointer at offset 0 and the buffer at
/// [`buffer_offset`], so polling passes one argument and keeps one register
/// across the inner `poll`. [`OwnedStorage`] is a `Storage` that drops what it
/// holds; [`ReusableSlot`](super::ReusableSlot) starts with one.
#[repr(C)]
pub(super) struct Storage<Cap: Capacity> {
    /// [`EMPTY`] or a vtable made for what the buffer holds (**Vtable
    /// describes the storage**).
    vtable: VTablePtr,
    /// The future's bytes, a pointer to it, or nothing. Reached only through
    /// pointers derived from the whole storage (**Raw access**); an
    /// `UnsafeCell` so that `&self` views do not freeze it; `MaybeUninit`
    /// because only part of it is written.
    buffer: MaybeUninit<UnsafeCell<Cap>>,
    /// `!Unpin`, so that the `&mut` its owners take while polling is not a
    /// unique borrow (see **Raw access**).
    _pinned: PhantomPinned,
}

/// Where the buffer starts in a `Storage<Cap>`.
const fn buffer_offset<Cap: Capacity>() -> usize {
    core::mem::offset_of!(Storage<Cap>, buffer)
}

/// How the per-type functions reach a stored `F` from the address of its
/// [`Storage`].
pub(super) trait Site {
    /// Where this site puts the future, for [`Header::placement`].
    const PLACEMENT: Placement;

    /// The stored `F`.
    ///
    /// # Safety
    ///
    /// `storage` points to the `Storage` this place was chosen for, holding
    /// a live `F` there.
    unsafe fn future<F>(storage: *mut u8) -> *mut F;

    /// Drops the stored `F` (and frees its box, for [`Boxed`]).
    ///
    /// # Safety
    ///
    /// As for [`future`](Site::future); the `F` is used never again.
    unsafe fn drop<F>(storage: *mut u8);
}

/// Whether a `Storage<Cap>`'s buffer holds a pointer and an `O` after it
/// ([`Storage::put_pointer_and_owner_at`]).
#[cfg(feature = "std")]
pub(super) struct OwnerRoom<Cap, O>(PhantomData<(Cap, O)>);

#[cfg(feature = "std")]
impl<Cap, O> OwnerRoom<Cap, O> {
    pub(super) const FITS: bool = size_of::<Cap>() >= size_of::<*mut u8>() + size_of::<O>();
}

/// Where [`Storage::put_pointer_and_owner_at`] wrote its `O`: after the
/// pointer in the buffer; maybe unaligned (read it with `read_unaligned`).
///
/// # Safety
///
/// `storage` points to a `Storage<Cap>` whose buffer has room for a pointer
/// and an `O` ([`OwnerRoom::FITS`]).
#[cfg(feature = "std")]
pub(super) unsafe fn owner_in_buffer<Cap: Capacity, O>(storage: *mut u8) -> *mut O {
    // SAFETY: the caller's guarantee: within the storage's buffer.
    unsafe {
        storage
            .add(buffer_offset::<Cap>() + size_of::<*mut u8>())
            .cast::<O>()
    }
}

/// The `F` itself is in the storage's buffer.
pub(super) struct InPlace<Cap>(PhantomData<Cap>);

impl<Cap: Capacity> Site for InPlace<Cap> {
    const PLACEMENT: Placement = Placement::Inline;

    unsafe fn future<F>(storage: *mut u8) -> *mut F {
        // SAFETY: the caller's guarantee: a `Storage<Cap>`, so the buffer
        // is `buffer_offset` bytes in.
        unsafe { storage.add(buffer_offset::<Cap>()).cast::<F>() }
    }

    unsafe fn drop<F>(storage: *mut u8) {
        // SAFETY: the caller's guarantee; dropped where it lies, as `Pin`
        // wants.
        unsafe { Self::future::<F>(storage).drop_in_place() }
    }
}

/// `F` is zero-sized: the storage holds nothing and an aligned dangling
/// pointer stands for it (smallbox #46 mishandled over-aligned ones).
pub(super) struct ZeroSized;

impl Site for ZeroSized {
    const PLACEMENT: Placement = Placement::Inline;

    unsafe fn future<F>(_: *mut u8) -> *mut F {
        debug_assert_eq!(size_of::<F>(), 0);
        // An aligned dangling pointer is a valid pointer to a zero-sized
        // value, and trivially pinned: it occupies no memory.
        NonNull::<F>::dangling().as_ptr()
    }

    unsafe fn drop<F>(_: *mut u8) {
        // SAFETY: as in `future`; the caller owns the (zero-sized) value.
        unsafe { NonNull::<F>::dangling().as_ptr().drop_in_place() }
    }
}

/// The buffer holds a `*mut F` (written unaligned: a capacity may be less
/// aligned than a pointer) to an `F` that lives elsewhere — in a
/// [`ReusableSlot`](super::ReusableSlot)'s heap buffer, which the slot
/// frees itself.
#[cfg(feature = "alloc")]
pub(super) struct Indirect<Cap>(PhantomData<Cap>);

#[cfg(feature = "alloc")]
impl<Cap: Capacity> Site for Indirect<Cap> {
    const PLACEMENT: Placement = Placement::SlotHeap;

    unsafe fn future<F>(storage: *mut u8) -> *mut F {
        // SAFETY: the caller's guarantee: the buffer holds the pointer.
        unsafe {
            storage
                .add(buffer_offset::<Cap>())
                .cast::<*mut F>()
                .read_unaligned()
        }
    }

    unsafe fn drop<F>(storage: *mut u8) {
        // SAFETY: the caller's guarantee; dropped where it lies.
        unsafe { Self::future::<F>(storage).drop_in_place() }
    }
}

/// The buffer holds a `*mut F` from `Box::into_raw`, written unaligned.
#[cfg(feature = "alloc")]
pub(super) struct Boxed<Cap>(PhantomData<Cap>);

#[cfg(feature = "alloc")]
impl<Cap: Capacity> Site for Boxed<Cap> {
    const PLACEMENT: Placement = Placement::Heap;

    unsafe fn future<F>(storage: *mut u8) -> *mut F {
        // SAFETY: the caller's guarantee: the buffer holds the box pointer.
        unsafe { Indirect::<Cap>::future::<F>(storage) }
    }

    unsafe fn drop<F>(storage: *mut u8) {
        // SAFETY: the caller's guarantee. Going through `Box` frees the
        // block even when `F`'s destructor panics.
        drop(unsafe { Box::from_raw(Self::future::<F>(storage)) });
    }
}

/// The vtables of a future type `F` stored at a place `P`, as a promotable
/// constant (`&VTables::<F, P>::SET` lives as long as the program).
pub(super) struct VTables<F, P>(PhantomData<(F, P)>);

impl<F: Future, P: Site> VTables<F, P> {
    const fn header(state: State) -> Header {
        Header {
            drop: P::drop::<F>,
            layout: FutureLayout::of::<F>(),
            placement: P::PLACEMENT,
            state,
        }
    }

    /// The vtables for each state: `Live` (`poll` polls it), `Completed`
    /// (it returned `Ready`: `poll` panics, `drop` drops it) and `Panicked`
    /// (its `poll` panicked: likewise).
    pub(super) const SET: VTableSet<F::Output> = VTableSet {
        live: VTable {
            header: Self::header(State::Live),
            poll: poll_live::<F, P>,
        },
        completed: VTable {
            header: Self::header(State::Completed),
            poll: poll_terminated::<F::Output>,
        },
        panicked: VTable {
            header: Self::header(State::Panicked),
            poll: poll_terminated::<F::Output>,
        },
    };
}

/// The vtable of an empty [`ReusableSlot`](super::ReusableSlot): nothing to
/// drop (and nothing to poll: no handle exists while the slot is empty).
pub(super) static EMPTY: Header = Header {
    drop: drop_nothing,
    layout: FutureLayout::of::<()>(),
    placement: Placement::Inline,
    state: State::Empty,
};

fn drop_nothing(_: *mut u8) {}

/// The pointer to [`EMPTY`].
pub(super) const fn empty() -> VTablePtr {
    // SAFETY: a pointer to a static is never null.
    unsafe { NonNull::new_unchecked((&raw const EMPTY).cast_mut()) }
}

/// Swaps in the `Panicked` vtable if the stored future's `poll` unwinds.
struct PoisonOnUnwind<F: Future, P: Site> {
    storage: *mut u8,
    _vtables: PhantomData<VTables<F, P>>,
}

impl<F: Future, P: Site> Drop for PoisonOnUnwind<F, P> {
    fn drop(&mut self) {
        // SAFETY: `storage` is the `Storage` being polled by the
        // `poll_live` call that made this guard; its vtable pointer is at
        // offset 0 and writable. **Vtable describes the storage**: same `F`,
        // same place.
        unsafe {
            self.storage
                .cast::<VTablePtr>()
                .write(panicked::<F::Output>(VTableSet::live(
                    &VTables::<F, P>::SET,
                )));
        }
    }
}

/// The `poll` of a live future.
///
/// # Safety
///
/// `storage` points to the [`Storage`] `P` was chosen for, which holds a
/// live `F` that is pinned (**Pinned**) and reached by nothing else
/// meanwhile (**Raw access**), and is valid for writes.
unsafe fn poll_live<F: Future, P: Site>(storage: *mut u8, cx: &mut Context<'_>) -> Poll<F::Output> {
    let poison = PoisonOnUnwind::<F, P> {
        storage,
        _vtables: PhantomData,
    };
    // SAFETY: the caller's guarantee; the `&mut F` lives for this call only.
    let future = unsafe { Pin::new_unchecked(&mut *P::future::<F>(storage)) };
    let out = future.poll(cx);
    core::mem::forget(poison);
    out
}

/// The `poll` of a completed or panicked future: a clear panic, never a
/// resumed state machine.
///
/// # Safety
///
/// `storage` points to a [`Storage`] whose vtable pointer came from
/// [`VTableSet::live`] (or [`completed`]/[`panicked`] of one).
#[cold]
#[inline(never)]
unsafe fn poll_terminated<T>(storage: *mut u8, _: &mut Context<'_>) -> Poll<T> {
    // SAFETY: the caller's guarantee.
    let header = unsafe { header(storage.cast::<VTablePtr>().read()) };
    let type_name = header.layout.type_name();
    match header.state {
        State::Panicked => {
            panic!("erased future polled again after its poll panicked (type {type_name})")
        }
        _ => panic!("erased future polled after it completed (type {type_name})"),
    }
}

impl<Cap: Capacity> Storage<Cap> {
    /// A storage that holds nothing (its vtable is [`EMPTY`]).
    pub(super) const fn empty() -> Self {
        Storage {
            vtable: empty(),
            buffer: MaybeUninit::uninit(),
            _pinned: PhantomPinned,
        }
    }

    /// The address the per-type functions take: the whole storage.
    fn addr(&mut self) -> *mut u8 {
        ptr::from_mut(self).cast::<u8>()
    }

    /// The buffer, for writing a future into it.
    pub(super) fn buffer(&mut self) -> *mut u8 {
        ptr::addr_of_mut!(self.buffer).cast::<u8>()
    }

    #[inline]
    pub(super) fn header(&self) -> &'static Header {
        // SAFETY: **Vtable describes the storage**: `EMPTY` or a vtable from
        // `VTableSet::live` (or a state of it).
        unsafe { header(self.vtable) }
    }

    /// Stores `future` in the buffer (nowhere, if it is zero-sized).
    ///
    /// # Safety
    ///
    /// The storage holds nothing that still needs dropping, and will not
    /// move once polled (**Pinned**, the caller's to uphold).
    ///
    /// # Panics
    ///
    /// If `F` does not fit `Cap`; callers check first (at compile time).
    #[inline]
    pub(super) unsafe fn put_inline<F: Future>(&mut self, future: F) {
        assert!(fits_inline::<F, Cap>(), "checked by every caller");
        self.vtable = if size_of::<F>() == 0 {
            // Nothing to store (and an over-aligned zero-sized `F` must not
            // be written to a less aligned buffer): the vtable conjures it
            // from an aligned dangling pointer.
            core::mem::forget(future);
            VTableSet::live(&VTables::<F, ZeroSized>::SET)
        } else {
            // SAFETY: `F` fits the buffer in size and alignment (asserted
            // above), and the buffer holds nothing live (the caller's
            // guarantee).
            unsafe { self.buffer().cast::<F>().write(future) };
            VTableSet::live(&VTables::<F, InPlace<Cap>>::SET)
        };
    }

    /// Records that the buffer points to an `F` stored elsewhere: a box of
    /// its own (`boxed`) or a buffer the owner frees itself.
    ///
    /// # Safety
    ///
    /// `future` points to a live, pinned `F` that the storage now owns (it
    /// drops it; and frees it, if `boxed`: then it is from `Box::into_raw`),
    /// and the storage holds nothing that still needs dropping.
    #[cfg(feature = "alloc")]
    #[inline]
    pub(super) unsafe fn put_pointer<F: Future>(&mut self, future: *mut F, boxed: bool) {
        let () = super::capacity::PointerRoom::<Cap>::CHECK;
        // SAFETY: the buffer holds at least one pointer (`PointerRoom`);
        // written unaligned, so any capacity will do.
        unsafe { self.buffer().cast::<*mut F>().write_unaligned(future) };
        self.vtable = if boxed {
            VTableSet::live(&VTables::<F, Boxed<Cap>>::SET)
        } else {
            VTableSet::live(&VTables::<F, Indirect<Cap>>::SET)
        };
    }

    /// Records that the buffer holds `pointer`, from which place `P` finds
    /// an `F` stored elsewhere (a recycled buffer).
    ///
    /// # Safety
    ///
    /// `P::future::<F>` of this storage, once `pointer` is in its buffer,
    /// points to a live, pinned `F` that the storage now owns (`P::drop`
    /// drops it and releases its memory), and the storage holds nothing that
    /// still needs dropping.
    #[cfg(feature = "std")]
    #[inline]
    pub(super) unsafe fn put_pointer_at<F: Future, P: Site>(&mut self, pointer: *mut u8) {
        let () = super::capacity::PointerRoom::<Cap>::CHECK;
        // SAFETY: the buffer holds at least one pointer (`PointerRoom`);
        // written unaligned, so any capacity will do.
        unsafe { self.buffer().cast::<*mut u8>().write_unaligned(pointer) };
        self.vtable = VTableSet::live(&VTables::<F, P>::SET);
    }

    /// [`put_pointer_at`](Self::put_pointer_at), and `owner` in the buffer
    /// after the pointer (at [`owner_in_buffer`]), for a place `P` that
    /// drops it (`recycled.rs`' `PooledOwned`).
    ///
    /// # Safety
    ///
    /// As for [`put_pointer_at`](Self::put_pointer_at), and `P::drop` drops
    /// the `O` at [`owner_in_buffer`] too. The buffer must have room for
    /// the pointer and an `O` ([`OwnerRoom::FITS`], asserted).
    #[cfg(feature = "std")]
    #[inline]
    pub(super) unsafe fn put_pointer_and_owner_at<F: Future, P: Site, O>(
        &mut self,
        pointer: *mut u8,
        owner: O,
    ) {
        assert!(OwnerRoom::<Cap, O>::FITS, "checked by every caller");
        // SAFETY: the buffer has room for a pointer and an `O` after it
        // (asserted above); both written unaligned, so any capacity will do.
        unsafe {
            self.buffer().cast::<*mut u8>().write_unaligned(pointer);
            self.buffer()
                .add(size_of::<*mut u8>())
                .cast::<O>()
                .write_unaligned(owner);
        }
        self.vtable = VTableSet::live(&VTables::<F, P>::SET);
    }

    /// Polls the stored future.
    ///
    /// # Safety
    ///
    /// A future is stored, `T` is its output type, and `self` is pinned: it
    /// has not moved since the first poll and will not move until the future
    /// is dropped.
    #[inline]
    pub(super) unsafe fn poll<T>(&mut self, cx: &mut Context<'_>) -> Poll<T> {
        // SAFETY: the vtable is a `VTable<T>` (**Vtable describes the
        // storage** and the caller's `T`; `#[repr(C)]`, header first).
        let poll = unsafe { self.vtable.cast::<VTable<T>>().as_ref() }.poll;
        // SAFETY: `poll` was made for what this storage holds (**Vtable
        // describes the storage**), which is pinned (the caller's guarantee)
        // and reached only through `self` (**Raw access**).
        let out = unsafe { poll(self.addr(), cx) };
        if out.is_ready() {
            // SAFETY: only a `Live` vtable's `poll` returns `Ready` (the
            // terminated ones panic), and every `Live` pointer comes from
            // `VTableSet::live` (**Vtable describes the storage**). The same
            // future and place, completed: one `add` to the pointer, no load.
            self.vtable = unsafe { completed::<T>(self.vtable) };
        }
        out
    }

    /// The vtable pointer, for storages whose vtables are not [`VTable`]s
    /// but start with a [`Header`] too (`inline_stream.rs`).
    #[cfg(feature = "alloc")]
    #[inline]
    pub(super) fn vtable(&self) -> VTablePtr {
        self.vtable
    }

    /// Replaces the vtable pointer, for storages that choose their own
    /// vtables (`inline_stream.rs`).
    ///
    /// # Safety
    ///
    /// **Vtable describes the storage**: `vtable` points to a [`Header`]
    /// at the start of a vtable that lives for the whole program and was
    /// made for what the buffer holds now (its type, place and state), or
    /// is [`empty`] and the buffer holds nothing that needs dropping.
    #[cfg(feature = "alloc")]
    #[inline]
    pub(super) unsafe fn set_vtable(&mut self, vtable: VTablePtr) {
        self.vtable = vtable;
    }

    /// Whether the storage holds nothing.
    #[cfg(feature = "alloc")]
    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.vtable == empty()
    }

    /// Drops what the storage holds, if anything, and leaves it empty.
    #[cfg(feature = "alloc")]
    pub(super) fn clear(&mut self) {
        let drop = self.header().drop;
        // Empty first: if the destructor panics, nothing is dropped twice.
        self.vtable = empty();
        // SAFETY: `drop` was made for what the storage held (**Vtable
        // describes the storage**; a no-op for `EMPTY`); the vtable no
        // longer names it, so this is its only drop (**Dropped once**), in
        // place.
        unsafe { drop(self.addr()) };
    }
}

/// A [`Storage`] that owns its future: what
/// [`InlineBox`](super::InlineBox) and [`InlineOnlyBox`](super::InlineOnlyBox)
/// are typed views of. It is never empty: built with a future in it, it
/// drops it in `Drop`, in whatever state (**Dropped once**).
pub(super) struct OwnedStorage<Cap: Capacity> {
    storage: Storage<Cap>,
}

impl<Cap: Capacity> OwnedStorage<Cap> {
    /// Stores `future` in the buffer (nowhere, if it is zero-sized).
    ///
    /// # Panics
    ///
    /// If `F` does not fit `Cap`; callers check first (at compile time).
    #[inline]
    pub(super) fn inline<F: Future>(future: F) -> Self {
        let mut storage = Storage::empty();
        // SAFETY: a fresh storage holds nothing, and it has not been polled:
        // moving it (returning it) moves an unpolled future.
        unsafe { storage.put_inline(future) };
        OwnedStorage { storage }
    }

    /// Boxes `future` and stores the box pointer in the buffer.
    #[cfg(feature = "alloc")]
    #[inline]
    pub(super) fn boxed<F: Future>(future: F) -> Self {
        let mut storage = Storage::empty();
        // SAFETY: a fresh box, owned from here on by the fresh storage.
        unsafe { storage.put_pointer(Box::into_raw(Box::new(future)), true) };
        OwnedStorage { storage }
    }

    /// A storage whose buffer holds `pointer`, from which place `P` finds
    /// the stored `F`.
    ///
    /// # Safety
    ///
    /// As for [`Storage::put_pointer_at`], for a fresh storage.
    #[cfg(feature = "std")]
    #[inline]
    pub(super) unsafe fn pointer_at<F: Future, P: Site>(pointer: *mut u8) -> Self {
        let mut storage = Storage::empty();
        // SAFETY: the caller's guarantee; a fresh storage holds nothing.
        unsafe { storage.put_pointer_at::<F, P>(pointer) };
        OwnedStorage { storage }
    }

    /// A storage whose buffer holds `pointer` and then `owner`
    /// ([`Storage::put_pointer_and_owner_at`]).
    ///
    /// # Safety
    ///
    /// As for [`Storage::put_pointer_and_owner_at`], for a fresh storage.
    #[cfg(feature = "std")]
    #[inline]
    pub(super) unsafe fn pointer_and_owner_at<F: Future, P: Site, O>(
        pointer: *mut u8,
        owner: O,
    ) -> Self {
        let mut storage = Storage::empty();
        // SAFETY: the caller's guarantee; a fresh storage holds nothing.
        unsafe { storage.put_pointer_and_owner_at::<F, P, O>(pointer, owner) };
        OwnedStorage { storage }
    }

    /// A storage that owns the boxed `F` at `future`.
    ///
    /// # Safety
    ///
    /// `future` points to a live `F` in memory allocated with
    /// `Layout::new::<F>()` (so `Box::from_raw` may free it), owned by the
    /// storage from here on.
    #[cfg(feature = "alloc")]
    #[inline]
    pub(super) unsafe fn boxed_raw<F: Future>(future: *mut F) -> Self {
        let mut storage = Storage::empty();
        // SAFETY: the caller's guarantee; a fresh storage holds nothing.
        unsafe { storage.put_pointer(future, true) };
        OwnedStorage { storage }
    }

    #[inline]
    pub(super) fn header(&self) -> &'static Header {
        self.storage.header()
    }

    /// Polls the stored future.
    ///
    /// # Safety
    ///
    /// `T` is the stored future's output type, and `self` is pinned: it
    /// has not moved since the first poll and will not move until dropped.
    #[inline]
    pub(super) unsafe fn poll<T>(&mut self, cx: &mut Context<'_>) -> Poll<T> {
        // SAFETY: the caller's guarantee; an `OwnedStorage` always holds a future.
        unsafe { self.storage.poll(cx) }
    }
}

impl<Cap: Capacity> Drop for OwnedStorage<Cap> {
    #[inline]
    fn drop(&mut self) {
        let storage = &mut self.storage;
        let drop = storage.header().drop;
        // SAFETY: `drop` was made for what the storage holds (**Vtable
        // describes the storage**; every state keeps the future until here);
        // the storage is never used again, so this is its only drop
        // (**Dropped once**), in place. (Unlike `Storage::clear`, no need to
        // empty the vtable first: nothing can see it afterwards.)
        unsafe { drop(storage.addr()) };
    }
}
