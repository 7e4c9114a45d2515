//! [`InlineBox`]: the pinned, inline-first storage behind
//! [`InlineFuture`](crate::InlineFuture) and
//! [`SendInlineFuture`](crate::SendInlineFuture).
//!
//! Part of the crate's one `unsafe` module (`future`).
//!
//! # Why purpose-built, not `smallbox`
//!
//! The first version stored the future in a `smallbox::SmallBox<dyn Future,
//! Cap>`. Its own `Future`/`DerefMut` take `&mut` to its `Unpin` buffer on
//! every poll, which is undefined behaviour for a self-referential future
//! under Stacked and Tree Borrows (the test
//! `self_reference_survives_polls_inline_and_heap` below shows it under
//! Miri), so we had to cache a second pointer on the first poll; it decides
//! inline-or-heap with a sentinel compare on every access, and its drop
//! could not be inlined: an erased call took more instructions than with
//! this layout (callgrind, 40-byte `async fn`, pending once). Here a per-type
//! static vtable is chosen once, at construction, so neither `poll` nor
//! `drop` branches on the location. `BENCHMARKS.md` has today's numbers,
//! with `smallbox` among the peers.
//!
//! # Invariants
//!
//! The buffer, the vtable and their invariants live in `vtable.rs`
//! ([`OwnedStorage`]); the invariants are stated in `future/mod.rs`. This view
//! upholds **Pinned** (the handle is `!Unpin`; the future is reached mutably
//! only through `Pin<&mut Self>` in `poll` and in the field's own `Drop`)
//! and **Flavour** (the constructors only store an
//! `F: Future<Output = T> (+ Send) + 'a` in an
//! `InlineBox<dyn Future<Output = T> (+ Send) + 'a, _>`).

#![allow(
    unsafe_code,
    reason = "part of the crate's one unsafe module: a type-erased future in an inline buffer or a box"
)]

use alloc::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use core::fmt;
use core::future::Future;
use core::marker::{PhantomData, PhantomPinned};
use core::mem::size_of;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll};

use super::alloc_error::AllocError;
use super::capacity::{Capacity, DefaultCapacity};
use super::vtable::{OwnedStorage, State};
use crate::layout::{FutureLayout, fits_inline};

/// A type-erased future stored inline when it fits `Cap`, on the heap
/// otherwise: what [`DynService::call_dyn`](crate::DynService::call_dyn)
/// returns.
///
/// * **Inline first.** A future whose size and alignment fit `Cap` is
///   written into the handle's own buffer: no allocation. Larger or
///   over-aligned futures go to the heap (one allocation of exactly their
///   size); zero-sized futures never allocate. [`is_heap`](InlineBox::is_heap)
///   and [`layout`](InlineBox::layout) say which happened and why.
/// * **Pinned, never moved.** The handle is `!Unpin` and only polled through
///   `Pin`: the inline bytes *are* the future, so moving the handle after the
///   first poll would break self-referential `async` state. `.await` it, or
///   pin it with [`core::pin::pin!`] where it was returned; both keep it in
///   place. (Moving it *before* the first poll is allowed and safe, but
///   copies the whole buffer, so it costs in proportion to `Cap`.)
/// * **Fused with a clear panic.** Polling after `Ready` panics with
///   "erased future polled after it completed" and the future's type,
///   instead of resuming a finished state machine; polling after a `poll`
///   that panicked says so too ([`has_panicked`](InlineBox::has_panicked)).
/// * **Dropped exactly once**, on completion or cancellation, in place, even
///   when its `poll` or its destructor panics.
///
/// `InlineFuture` is `!Send`; [`SendInlineFuture`] is its `Send` twin.
///
/// # Memory layout
///
/// With the default capacity ([`S15`](crate::capacity::S15), 120 bytes) the
/// handle is 128 bytes on x86-64, the most that moves without a `memcpy`
/// call:
///
/// ```text
///  InlineFuture<'a, T, S15>
///  ┌──────────────┬──────────────────────────── buffer: 120 bytes ─────────────┐
///  │ &'static     │ inline:      the future's own bytes                         │
///  │ vtable ──────┼─┐ heap:      a pointer to the boxed future                  │
///  │              │ │ zero-sized: nothing                                       │
///  └──────────────┴─┼───────────────────────────────────────────────────────────┘
///                   └─► one static vtable per future type, place and state: { drop, layout, poll }
/// ```
///
/// The place is decided once, when the future is erased, by choosing the
/// vtable; `poll` and `drop` then make one indirect call each, with no
/// inline-or-heap branch. Completion is recorded by swapping the vtable
/// pointer (to one whose `poll` panics), not by a flag: the caller branches
/// on `Ready` anyway, so it costs one load and one store per call, and
/// nothing per `Pending` poll.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{InlineFuture, capacity::S4};
///
/// # futures_lite_block_on(async {
/// let fut: InlineFuture<'_, u32, S4> = InlineFuture::new(async { 40 + 2 });
/// assert!(!fut.is_heap());
/// println!("{fut:?}"); // InlineFuture { future: "…{{closure}}", size: 1, … location: "inline" … }
/// assert_eq!(fut.await, 42);
/// # });
/// # fn futures_lite_block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// ```
///
/// Polling after completion panics:
///
/// ```should_panic
/// use core::task::{Context, Waker};
/// use hybrid_dispatch::InlineFuture;
///
/// let mut fut = Box::pin(InlineFuture::<'_, u8>::new(async { 1 }));
/// let mut cx = Context::from_waker(Waker::noop());
/// let _ = fut.as_mut().poll(&mut cx);
/// let _ = fut.as_mut().poll(&mut cx); // panics: polled after it completed
/// ```
pub type InlineFuture<'a, T, Cap = DefaultCapacity> =
    InlineBox<dyn core::future::Future<Output = T> + 'a, Cap>;

/// The `Send` twin of [`InlineFuture`]: the same storage and guarantees,
/// for futures that are `Send`; what
/// [`SendDynService::call_send`](crate::SendDynService::call_send) returns.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::SendInlineFuture;
///
/// #[tokio::main]
/// async fn main() {
///     let fut: SendInlineFuture<'static, u32> = SendInlineFuture::new(async { 7 });
///     assert_eq!(tokio::spawn(fut).await.unwrap(), 7);
/// }
/// ```
///
/// A future that is not `Send` does not fit:
///
/// ```compile_fail
/// use hybrid_dispatch::SendInlineFuture;
/// use std::rc::Rc;
///
/// let rc = Rc::new(1);
/// let fut: SendInlineFuture<'_, i32> = SendInlineFuture::new(async move { *rc });
/// ```
pub type SendInlineFuture<'a, T, Cap = DefaultCapacity> =
    InlineBox<dyn core::future::Future<Output = T> + Send + 'a, Cap>;

/// Pinned storage for one erased value `D` (a `dyn Future` type): inline in
/// `Cap` when it fits, on the heap otherwise.
///
/// Users meet it as [`InlineFuture`](crate::InlineFuture) (for
/// `D = dyn Future<Output = T> + 'a`) and
/// [`SendInlineFuture`](crate::SendInlineFuture) (for
/// `D = dyn Future<Output = T> + Send + 'a`); see those for the whole story.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::InlineFuture;
///
/// let fut: InlineFuture<'_, u32> = InlineFuture::new(async { 7 });
/// assert!(!fut.is_heap());
/// ```
pub struct InlineBox<D: ?Sized, Cap: Capacity> {
    /// The future (inline), a pointer to it (heap), or nothing (zero-sized),
    /// with the vtable that says which, for which type, in which state.
    storage: OwnedStorage<Cap>,
    _pinned: PhantomPinned,
    /// The box owns a `D`: its auto traits and drop check follow `D`'s.
    _owns: PhantomData<D>,
}

// **Pinned** rests on this: safe code can never move a pinned `InlineBox`.
static_assertions::assert_not_impl_any!(InlineBox<dyn Future<Output = u8>, super::capacity::S1>: Unpin);
static_assertions::assert_not_impl_any!(InlineBox<dyn Future<Output = u8> + Send, super::capacity::S1>: Unpin);

/// Builds the `InlineBox` constructors for one `dyn Future` flavour.
macro_rules! constructors {
    ($name:literal $($bounds:tt)*) => {
        impl<'a, T, Cap: Capacity> InlineBox<dyn Future<Output = T> $($bounds)* + 'a, Cap> {
            /// Erases `future`, storing it inline when its size and alignment
            /// fit `Cap` and on the heap otherwise (one allocation of
            /// exactly its size). Zero-sized futures never allocate.
            ///
            /// `Cap` must be at least one pointer in size, to hold the
            /// heap pointer; smaller capacities fail the build.
            ///
            /// # Examples
            ///
            /// ```
            /// use hybrid_dispatch::{InlineFuture, capacity::S1};
            ///
            /// let small = InlineFuture::<'_, u8, S1>::new(async { 1 });
            /// let large = InlineFuture::<'_, [u8; 64], S1>::new(core::future::ready([0u8; 64]));
            /// assert!(!small.is_heap());
            /// assert!(large.is_heap());
            /// ```
            #[inline]
            pub fn new<F>(future: F) -> Self
            where
                F: Future<Output = T> $($bounds)* + 'a,
            {
                let () = super::capacity::PointerRoom::<Cap>::CHECK;
                let storage = if fits_inline::<F, Cap>() {
                    OwnedStorage::inline(future)
                } else {
                    OwnedStorage::boxed(future)
                };
                InlineBox {
                    storage,
                    _pinned: PhantomPinned,
                    _owns: PhantomData,
                }
            }

            /// Erases `future` only if it fits `Cap` inline; otherwise hands
            /// it back untouched. Never allocates.
            ///
            /// # Examples
            ///
            /// ```
            /// use hybrid_dispatch::{InlineFuture, capacity::S1};
            ///
            /// assert!(InlineFuture::<'_, u8, S1>::try_new(async { 1 }).is_ok());
            /// let large = core::future::ready([0u8; 64]);
            /// assert!(InlineFuture::<'_, [u8; 64], S1>::try_new(large).is_err());
            /// ```
            #[inline]
            pub fn try_new<F>(future: F) -> Result<Self, F>
            where
                F: Future<Output = T> $($bounds)* + 'a,
            {
                if fits_inline::<F, Cap>() {
                    Ok(Self::new(future))
                } else {
                    Err(future)
                }
            }

            /// Erases `future` inline when it fits `Cap` and in a box of its
            /// own otherwise, like [`new`](Self::new), but a failed allocation
            /// is an [`AllocError`] (and drops the future) instead of an abort.
            ///
            /// # Errors
            ///
            /// [`AllocError`] when the future does not fit and the allocator
            /// has no memory for it.
            ///
            /// # Examples
            ///
            /// ```
            /// use hybrid_dispatch::{SendInlineFuture, capacity::S1};
            ///
            /// let fut = SendInlineFuture::<'_, [u8; 64], S1>::try_new_boxed(core::future::ready([0; 64]));
            /// assert!(fut.unwrap().is_heap());
            /// ```
            #[inline]
            pub fn try_new_boxed<F>(future: F) -> Result<Self, AllocError>
            where
                F: Future<Output = T> $($bounds)* + 'a,
            {
                Self::try_new_with(move || future).map_err(|(_, error)| error)
            }

            /// [`try_new_boxed`](Self::try_new_boxed), built in place:
            /// `make()`'s future inline when it fits `Cap`, else in a box
            /// allocated before `make` runs, and written there. When that
            /// allocation fails, `make` comes back, not called, with the
            /// error: what a `try_` call returns its request from.
            #[inline]
            pub(crate) fn try_new_with<F, C>(make: C) -> Result<Self, (C, AllocError)>
            where
                F: Future<Output = T> $($bounds)* + 'a,
                C: FnOnce() -> F,
            {
                let () = super::capacity::PointerRoom::<Cap>::CHECK;
                if fits_inline::<F, Cap>() {
                    return Ok(InlineBox::from_storage(OwnedStorage::inline(make())));
                }
                match heap_in_place::<F, _, Cap>(make, true) {
                    Ok(storage) => Ok(InlineBox::from_storage(storage)),
                    Err(make) => Err((make, AllocError::new(FutureLayout::of::<F>()))),
                }
            }
        }

        impl<'a, T, Cap: Capacity> fmt::Debug for InlineBox<dyn Future<Output = T> $($bounds)* + 'a, Cap> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let header = self.storage.header();
                f.debug_struct($name)
                    .field("future", &header.layout.type_name())
                    .field("size", &header.layout.size())
                    .field("align", &header.layout.align())
                    .field("capacity", &size_of::<Cap>())
                    .field(
                        "location",
                        &if header.is_pooled() {
                            "recycled"
                        } else if header.is_boxed() {
                            "heap"
                        } else {
                            "inline"
                        },
                    )
                    .field("state", &header.state)
                    .finish()
            }
        }
    };
}

constructors!("InlineFuture");
constructors!("SendInlineFuture" + Send);

impl<D: ?Sized, Cap: Capacity> InlineBox<D, Cap> {
    /// Wraps a storage built for a `D` (**Flavour**: the callers build it
    /// from an `F: Future<Output = T> (+ Send) + 'a` for this `D`).
    #[inline(always)]
    pub(super) fn from_storage(storage: OwnedStorage<Cap>) -> Self {
        InlineBox {
            storage,
            _pinned: PhantomPinned,
            _owns: PhantomData,
        }
    }

    /// Whether the future lives in a buffer recycled from a
    /// [`RecyclePool`](crate::future::RecyclePool) (see
    /// [`new_recycled`](Self::new_recycled)): no allocation of its own, and
    /// the buffer goes back to the pool when the future is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{SendInlineFuture, future::RecyclePool, layout::FutureLayout};
    ///
    /// let pool = RecyclePool::new(FutureLayout::of::<core::future::Ready<[u8; 256]>>(), 1);
    /// let fut = SendInlineFuture::<'_, [u8; 256]>::new_recycled(&pool, || core::future::ready([0; 256]));
    /// assert!(fut.is_recycled());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_recycled(&self) -> bool {
        self.storage.header().is_pooled()
    }

    /// Whether the future lives in a heap allocation (it did not fit
    /// `Cap`). Zero-sized futures are never on the heap.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{InlineFuture, capacity::S1};
    ///
    /// assert!(InlineFuture::<'_, [u64; 2], S1>::new(core::future::ready([1, 2])).is_heap());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_heap(&self) -> bool {
        self.storage.header().is_boxed()
    }

    /// The erased future's size, alignment and type.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::InlineFuture;
    ///
    /// let fut = InlineFuture::<'_, u64>::new(core::future::ready(5u64));
    /// assert_eq!(fut.layout().size(), 16);
    /// assert!(fut.layout().type_name().contains("Ready"));
    /// ```
    #[inline]
    #[must_use]
    pub fn layout(&self) -> FutureLayout {
        self.storage.header().layout
    }

    /// Where the future went, as an [`Erasure`](crate::layout::Erasure) to report to
    /// [`Service::observe_erasure`](crate::Service::observe_erasure): what a
    /// hand-written erasure (a `Dyn…` twin of your own trait) passes on so
    /// that [`Counted`](crate::Counted) and friends see its calls too.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Counted, InlineFuture, Service, service_fn};
    ///
    /// let svc = Counted::new(service_fn(|x: u8| core::future::ready(x)));
    /// let fut = InlineFuture::<'_, u8>::new(svc.call(1));
    /// svc.observe_erasure(fut.erasure());
    /// assert_eq!(svc.stats().inline, 1);
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

    /// Whether the future has finished: it returned `Ready`, or its `poll`
    /// panicked. Polling a finished future panics with a message that says
    /// which (it is never resumed); it is still dropped with the handle.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::task::{Context, Waker};
    /// use hybrid_dispatch::InlineFuture;
    ///
    /// let mut fut = Box::pin(InlineFuture::<'_, u8>::new(async { 1 }));
    /// assert!(!fut.is_terminated());
    /// let _ = fut.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    /// assert!(fut.is_terminated());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_terminated(&self) -> bool {
        self.storage.header().state != State::Live
    }

    /// Whether a poll of the future panicked. Such a future is finished
    /// ([`is_terminated`](Self::is_terminated)) without having completed:
    /// polling it again panics, dropping it drops what it holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::panic::{AssertUnwindSafe, catch_unwind};
    /// use core::task::{Context, Waker};
    /// use hybrid_dispatch::InlineFuture;
    ///
    /// let mut fut = Box::pin(InlineFuture::<'_, u8>::new(async { panic!("boom") }));
    /// let cx = &mut Context::from_waker(Waker::noop());
    /// assert!(catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))).is_err());
    /// assert!(fut.has_panicked() && fut.is_terminated());
    /// ```
    #[inline]
    #[must_use]
    pub fn has_panicked(&self) -> bool {
        self.storage.header().state == State::Panicked
    }
}

impl<D: Future + ?Sized, Cap: Capacity> Future for InlineBox<D, Cap> {
    type Output = D::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<D::Output> {
        // SAFETY: nothing is moved out of `this` (**Pinned**).
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: the stored future's output is `D::Output` (**Flavour**)
        // and it is pinned, as `self` is (**Pinned**).
        unsafe { this.storage.poll::<D::Output>(cx) }
    }
}

// SAFETY: `InlineBox` owns its `D` like a `Box<D>` does (**Flavour**); the
// vtable is an immutable constant and the capacity is never a value. So it
// may go to another thread exactly when `D` may. (No `Sync`: `D` is a
// `dyn Future` type, never `Sync`.)
unsafe impl<D: ?Sized + Send, Cap: Capacity> Send for InlineBox<D, Cap> {}

/// Builds `make()`'s future in a box of its own, written in place (nowhere
/// for a zero-sized one). `Err(make)` only when `fallible` and the
/// allocation failed; otherwise a failure aborts, as `Box::new` does.
#[inline]
pub(super) fn heap_in_place<F: Future, C: FnOnce() -> F, Cap: Capacity>(
    make: C,
    fallible: bool,
) -> Result<OwnedStorage<Cap>, C> {
    if size_of::<F>() == 0 {
        return Ok(OwnedStorage::boxed(make()));
    }
    let future = box_in_place(make, fallible)?;
    // SAFETY: `box_in_place`: memory of `Layout::new::<F>()`, which is
    // what `Box::<F>::from_raw` frees it with, holding a live `F` owned by
    // the fresh storage from here on.
    Ok(unsafe { OwnedStorage::boxed_raw(future.as_ptr()) })
}

/// `make()`'s value (a future, or a stream: `inline_stream.rs`) in fresh
/// memory of `Layout::new::<T>()`, written there in place, never moved:
/// the caller owns it and frees it with `Box::<T>::from_raw`. Not for a
/// zero-sized `T`. `Err(make)` only when `fallible` and the allocation
/// failed; otherwise a failure aborts, as `Box::new` does. If `make`
/// panics, the memory is freed.
#[inline]
pub(super) fn box_in_place<T, C: FnOnce() -> T>(make: C, fallible: bool) -> Result<NonNull<T>, C> {
    /// Frees the memory unless forgotten (`make` unwound).
    struct Free(NonNull<u8>, Layout);
    impl Drop for Free {
        fn drop(&mut self) {
            // SAFETY: allocated below with this layout, holding no value.
            unsafe { dealloc(self.0.as_ptr(), self.1) };
        }
    }
    let layout = Layout::new::<T>();
    assert!(layout.size() != 0, "checked by every caller");
    // SAFETY: `layout` has a non-zero size (asserted).
    let Some(memory) = NonNull::new(unsafe { alloc(layout) }) else {
        if fallible {
            return Err(make);
        }
        handle_alloc_error(layout)
    };
    let free = Free(memory, layout);
    let value = memory.cast::<T>();
    // SAFETY: fresh memory of `T`'s layout; written where it will be used.
    unsafe { value.as_ptr().write(make()) };
    core::mem::forget(free);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::future::capacity::{S1, S16};
    use alloc::boxed::Box;
    use core::task::Waker;

    fn poll_once<F: Future + ?Sized>(f: Pin<&mut F>) -> Poll<F::Output> {
        f.poll(&mut Context::from_waker(Waker::noop()))
    }

    fn run<F: Future + ?Sized>(mut fut: Pin<&mut F>) -> F::Output {
        loop {
            if let Poll::Ready(v) = poll_once(fut.as_mut()) {
                break v;
            }
        }
    }

    #[test]
    fn layout_is_the_stored_types() {
        async fn three() -> [u64; 3] {
            let held = [1; 3];
            crate::tests_support::YieldOnce::default().await;
            held
        }
        let fut = InlineBox::<dyn Future<Output = [u64; 3]>, S1>::new(three());
        assert_eq!(fut.layout().size(), core::mem::size_of_val(&three()));
        assert_eq!(
            fut.layout().type_name(),
            core::any::type_name_of_val(&three())
        );
        assert!(fut.is_heap());
    }

    #[test]
    fn terminated_only_after_ready() {
        let mut fut = Box::pin(InlineBox::<dyn Future<Output = u8>, S1>::new(async {
            crate::tests_support::YieldOnce::default().await;
            3
        }));
        assert_eq!(poll_once(fut.as_mut()), Poll::Pending);
        assert!(!fut.is_terminated());
        assert_eq!(poll_once(fut.as_mut()), Poll::Ready(3));
        assert!(fut.is_terminated());
    }

    /// A future that keeps a reference into its own state across an await
    /// (the shape of stackfuture #9): each poll must reach the inline bytes
    /// without invalidating that reference, even with `&self` accessors
    /// called between polls. Miri checks the aliasing.
    #[test]
    fn self_reference_survives_polls_inline_and_heap() {
        async fn self_referential(rounds: u32) -> u32 {
            let mut state = [0u32; 4];
            let slot = &mut state[1];
            for i in 0..rounds {
                crate::tests_support::YieldOnce::default().await;
                *slot += i;
            }
            state.iter().sum()
        }
        let rounds = if cfg!(miri) { 3 } else { 50 };
        let expected = (0..rounds).sum::<u32>();
        let inline = InlineBox::<dyn Future<Output = u32>, S16>::new(self_referential(rounds));
        let heap = InlineBox::<dyn Future<Output = u32>, S1>::new(self_referential(rounds));
        assert!(!inline.is_heap());
        assert!(heap.is_heap());
        let mut inline = core::pin::pin!(inline);
        assert_eq!(poll_once(inline.as_mut()), Poll::Pending);
        let _ = alloc::format!("{:?} {}", inline, inline.is_heap());
        assert_eq!(run(inline.as_mut()), expected);
        assert_eq!(run(core::pin::pin!(heap)), expected);
    }

    /// Moving the handle before its first poll moves the unpolled future
    /// with it; the moved copy is the one that runs and is dropped.
    #[test]
    fn moving_before_the_first_poll_is_fine() {
        let text = alloc::string::String::from("moved");
        let fut = InlineBox::<dyn Future<Output = usize>, S16>::new(async move {
            crate::tests_support::YieldOnce::default().await;
            text.len()
        });
        let moved = [fut];
        let [fut] = moved;
        assert_eq!(run(core::pin::pin!(fut)), 5);
    }
}
