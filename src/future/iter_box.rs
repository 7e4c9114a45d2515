//! [`IterBox`]: an erased async iterator that owns the storage of its
//! `next` futures and reuses it for every item. Users meet it as
//! [`BoxAsyncIter`](crate::stream::BoxAsyncIter) and
//! [`SendBoxAsyncIter`](crate::stream::SendBoxAsyncIter).
//!
//! Part of the crate's one `unsafe` module (`future`): like
//! [`GatStream`](crate::stream::GatStream) it keeps a future that borrows its own
//! iterator (**In flight**, stated on the type), here in a
//! [`ReusableSlot`] — the storage `call_in` uses, inline when the future
//! fits and a heap buffer grown once otherwise — instead of a second copy
//! of that machinery. It names the erasure traits of the stream layer
//! above: storage for a future that borrows its owner has to know what
//! makes that future.

#![allow(
    unsafe_code,
    reason = "part of the crate's one unsafe module: an erased iterator that owns the future borrowing it"
)]

use alloc::boxed::Box;
use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll};

use futures_core::Stream;

use super::capacity::{Capacity, PointerRoom};
use super::reusable_slot::ReusableSlot;
use crate::layout::FutureLayout;
use crate::stream::async_iter::{AsyncIter, SendAsyncIter};
use crate::stream::dyn_async_iter::{DynAsyncIter, SendDynAsyncIter};
use crate::stream::next_item::NextItem;

/// An erased async iterator (`It`, a `dyn DynAsyncIter` type) with the
/// storage for its `next` futures (`D`, the `dyn Future` type they erase
/// to): inline in `Cap` when they fit, otherwise in a heap buffer grown
/// once to the largest and reused.
///
/// Users meet it as [`BoxAsyncIter`](crate::stream::BoxAsyncIter) and
/// [`SendBoxAsyncIter`](crate::stream::SendBoxAsyncIter); see those for the
/// whole story.
///
/// # Invariants
///
/// **In flight**: the slot holds a future exactly while an item is in
/// flight. That future was made from a `&mut` to the iterator, and while it
/// lives nothing else reaches the iterator (its layout and type name are
/// read once, when the box is made). It is dropped before the iterator is
/// (field order: the slot first) and before another one is made (a future
/// is made only when the slot is empty).
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::stream::{BoxAsyncIter, unfold};
///
/// let iter: BoxAsyncIter<'_, u8> = BoxAsyncIter::new(unfold(0u8, |n| async move { Some((n, n + 1)) }));
/// assert!(!iter.is_in_flight());
/// ```
pub struct IterBox<It: ?Sized, D: ?Sized, Cap: Capacity> {
    /// The in-flight `next` future, if any (**In flight**). Declared first:
    /// dropped before the iterator it borrows, even if a destructor panics.
    slot: ReusableSlot<D, Cap>,
    /// The erased iterator.
    iter: OwnedIter<It>,
    /// Read from the iterator when the box is made, so that `&self`
    /// accessors never reach the iterator while a future borrows it.
    next_layout: FutureLayout,
    type_name: &'static str,
}

/// A boxed iterator held as a raw pointer (from `Box::into_raw`) and freed
/// on drop: a `Box` field would assert uniqueness whenever the owner is
/// moved or borrowed, which the in-flight future's `&mut` into it would
/// contradict (**Raw access**).
struct OwnedIter<It: ?Sized> {
    ptr: NonNull<It>,
    /// Owns an `It` (drop check, auto traits).
    _owns: PhantomData<Box<It>>,
}

impl<It: ?Sized> OwnedIter<It> {
    fn new(iter: Box<It>) -> Self {
        OwnedIter {
            ptr: NonNull::from(Box::leak(iter)),
            _owns: PhantomData,
        }
    }
}

impl<It: ?Sized> Drop for OwnedIter<It> {
    fn drop(&mut self) {
        // SAFETY: from `Box::leak` in `new`, freed only here. The owning
        // `IterBox` dropped its slot first, so no future borrows it (**In
        // flight**).
        drop(unsafe { Box::from_raw(self.ptr.as_ptr()) });
    }
}

// SAFETY: an `OwnedIter` owns its `It` like a `Box<It>` does; sending it
// sends the `It`. (No `Sync`: it is never shared, and the `IterBox`
// around it is not `Sync` anyway.)
unsafe impl<It: ?Sized + Send> Send for OwnedIter<It> {}

// **Pinned** rests on this (the slot in it makes it so).
static_assertions::assert_not_impl_any!(IterBox<dyn DynAsyncIter<u8>, dyn Future<Output = Option<u8>>, super::capacity::S1>: Unpin);

impl<It: ?Sized, D: ?Sized, Cap: Capacity> IterBox<It, D, Cap> {
    /// Whether an item is in flight: the last poll returned `Pending` (or
    /// the `next` future panicked), and its future waits in the box.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::stream::{BoxAsyncIter, unfold};
    ///
    /// let iter = BoxAsyncIter::<'_, u8>::new(unfold(0u8, |n| async move { Some((n, n)) }));
    /// assert!(!iter.is_in_flight());
    /// ```
    #[must_use]
    pub fn is_in_flight(&self) -> bool {
        self.slot.holds_future()
    }

    /// The layout of the iterator's `next` future: it fits `Cap` (no
    /// allocation ever) or it goes to the heap buffer (one allocation, at
    /// the first item).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::capacity::S1;
    /// use hybrid_dispatch::stream::{BoxAsyncIter, unfold};
    ///
    /// let iter = BoxAsyncIter::<'_, [u64; 8], S1>::new(unfold((), |()| async { Some(([0u64; 8], ())) }));
    /// assert!(!iter.next_layout().fits::<S1>());
    /// ```
    #[must_use]
    pub fn next_layout(&self) -> FutureLayout {
        self.next_layout
    }

    /// How many times the heap buffer for `next` futures was allocated: 0
    /// when they fit `Cap`, otherwise 1 after the first item.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::pin::pin;
    /// use hybrid_dispatch::capacity::S1;
    /// use hybrid_dispatch::stream::{BoxAsyncIter, unfold};
    ///
    /// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
    /// #     let mut f = core::pin::pin!(f);
    /// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// let big = unfold(0u64, |n| async move { Some(([n; 16], n + 1)) }); // a large `next` future
    /// let mut iter = pin!(BoxAsyncIter::<'_, [u64; 16], S1>::new(big));
    /// for _ in 0..100 {
    ///     block_on(iter.as_mut().next());
    /// }
    /// assert_eq!(iter.growths(), 1); // one buffer for 100 items
    /// ```
    #[must_use]
    pub fn growths(&self) -> u64 {
        self.slot.growths()
    }

    /// The next item: the future of one `poll_next`, for `while let` loops
    /// without `futures::StreamExt`. Dropping it early loses nothing: the
    /// item's future stays in the box and the next poll resumes it.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::pin::pin;
    /// use hybrid_dispatch::stream::{BoxAsyncIter, unfold};
    ///
    /// #[tokio::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut iter = pin!(BoxAsyncIter::<'_, u32>::new(unfold(0u32, |n| async move {
    ///         (n < 3).then(|| (n, n + 1))
    ///     })));
    ///     let mut total = 0;
    ///     while let Some(n) = iter.as_mut().next().await {
    ///         total += n;
    ///     }
    ///     assert_eq!(total, 3);
    /// }
    /// ```
    pub fn next(self: Pin<&mut Self>) -> NextItem<'_, Self> {
        NextItem::new(self)
    }
}

/// Builds the constructors, the `Stream` impl and `Debug` for one flavour.
macro_rules! flavour {
    ($name:literal, $dyn_iter:ident, $bound:ident, $start:ident $(+ $send:ident)?) => {
        impl<'a, Item, Cap: Capacity> IterBox<dyn $dyn_iter<Item, Cap> + 'a, dyn Future<Output = Option<Item>> $(+ $send)? + 'a, Cap> {
            #[doc = concat!("Boxes `iter` (one allocation, for the whole iteration) into a `", $name, "`.")]
            ///
            /// Nothing is polled until the box is; the first item whose
            /// `next` future does not fit `Cap` allocates the buffer that
            /// every later one reuses.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use hybrid_dispatch::stream::{", $name, ", unfold};")]
            ///
            #[doc = concat!("let iter = ", $name, "::<'_, u8>::new(unfold(0u8, |n| async move { Some((n, n + 1)) }));")]
            /// assert!(iter.next_layout().size() > 0);
            /// ```
            #[must_use = "streams do nothing unless polled"]
            pub fn new<I>(iter: I) -> Self
            where
                I: $bound<Item = Item> + 'a,
            {
                Self::from_box(Box::new(iter))
            }

            /// Takes an iterator that is already boxed and erased.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use hybrid_dispatch::stream::{", stringify!($dyn_iter), ", ", $name, ", unfold};")]
            ///
            #[doc = concat!("let erased: Box<dyn ", stringify!($dyn_iter), "<u8>> = Box::new(unfold(0u8, |n| async move { Some((n, n)) }));")]
            #[doc = concat!("let iter = ", $name, "::from_box(erased);")]
            /// assert!(iter.iter_type_name().contains("Unfold"));
            /// ```
            #[must_use = "streams do nothing unless polled"]
            pub fn from_box(iter: Box<dyn $dyn_iter<Item, Cap> + 'a>) -> Self {
                let () = PointerRoom::<Cap>::CHECK;
                IterBox {
                    slot: ReusableSlot::new(),
                    next_layout: iter.next_layout(),
                    type_name: iter.iter_type_name(),
                    iter: OwnedIter::new(iter),
                }
            }

            /// The concrete iterator type's name, for diagnostics.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use hybrid_dispatch::stream::{", $name, ", unfold};")]
            ///
            #[doc = concat!("let iter = ", $name, "::<'_, u8>::new(unfold(0u8, |n| async move { Some((n, n)) }));")]
            /// assert!(iter.iter_type_name().contains("Unfold"));
            /// ```
            #[must_use]
            pub fn iter_type_name(&self) -> &'static str {
                self.type_name
            }
        }

        // `Item: 'a, Cap: 'a`: the iterator is borrowed for `'a` (see
        // `poll_next`); both hold for every iterator that yields owned items.
        impl<'a, Item: 'a, Cap: Capacity + 'a> Stream for IterBox<dyn $dyn_iter<Item, Cap> + 'a, dyn Future<Output = Option<Item>> $(+ $send)? + 'a, Cap> {
            type Item = Item;

            #[inline]
            fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Item>> {
                // SAFETY: nothing is moved out of `this` (**Pinned**).
                let this = unsafe { self.get_unchecked_mut() };
                if !this.slot.holds_future() {
                    // SAFETY: **In flight**: the slot is empty, so nothing
                    // borrows the iterator. It stays at its heap address
                    // until `this` drops it, after the slot (field order),
                    // so after the future made here. The `&mut` comes from
                    // the raw pointer (**Raw access**); `'a` is the slot's
                    // lifetime, and the method is generic over it, so the
                    // future can keep the borrow nowhere but in itself.
                    let iter: &'a mut (dyn $dyn_iter<Item, Cap> + 'a) = unsafe { &mut *this.iter.ptr.as_ptr() };
                    // SAFETY: the slot lives in the pinned `this`
                    // (**Pinned**).
                    let slot = unsafe { Pin::new_unchecked(&mut this.slot) };
                    // One `dyn` call makes the future in the slot and polls
                    // it: dropped if ready, left in flight (no handle) if
                    // pending. INVARIANT: **In flight**: the slot holds a
                    // future exactly when this returns `Pending`.
                    return iter.$start(slot, cx);
                }
                // SAFETY: the slot holds a future in flight from an earlier
                // poll, whose output is `Option<Item>` (**Flavour**: the
                // slot's `D`), that no handle owns (it was forgotten),
                // pinned in `this` (**Pinned**).
                let out = unsafe { this.slot.poll_stored::<Option<Item>>(cx) };
                if out.is_ready() {
                    // The borrow ends here: the next poll makes a new one.
                    this.slot.clear();
                }
                out
            }
        }

        impl<'a, Item, Cap: Capacity> fmt::Debug for IterBox<dyn $dyn_iter<Item, Cap> + 'a, dyn Future<Output = Option<Item>> $(+ $send)? + 'a, Cap> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct($name)
                    .field("iter", &self.type_name)
                    .field("next_size", &self.next_layout.size())
                    .field("next_inline", &self.next_layout.fits::<Cap>())
                    .field("in_flight", &self.is_in_flight())
                    .field("growths", &self.growths())
                    .finish()
            }
        }
    };
}

flavour!("BoxAsyncIter", DynAsyncIter, AsyncIter, start_next_in);
flavour!(
    "SendBoxAsyncIter",
    SendDynAsyncIter,
    SendAsyncIter,
    start_next_send_in + Send
);
