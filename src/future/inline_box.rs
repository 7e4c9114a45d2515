//! [`InlineBox`]: the pinned, inline-first storage behind
//! [`InlineFuture`](crate::InlineFuture) and
//! [`SendInlineFuture`](crate::SendInlineFuture).
//!
//! This is the only module of the crate with `unsafe` code. Its invariants:
//!
//! 1. **Structural pinning of `storage`.** An `InlineBox` is `!Unpin`, and
//!    the only way to reach the future mutably is [`InlineBox::poll`], which
//!    takes `Pin<&mut Self>`. So once the future has been polled, the bytes
//!    of `storage` — which hold the future itself when it is inline — never
//!    move until the `InlineBox` is dropped. (A `SmallBox` that is *moved*
//!    moves its inline bytes; that is why the box is never handed out.)
//! 2. **One pointer after the first poll.** The first poll derives a pointer
//!    to the future from `storage` and keeps it in `pinned`; every later
//!    poll, and the drop of an inline future, goes through that pointer and
//!    never through `SmallBox`'s `Deref`/`DerefMut`/`Future` again.
//!    `SmallBox::deref_mut` takes `&mut` to its (`Unpin`) buffer field; under
//!    Stacked Borrows that retag invalidates every reference the future
//!    holds into itself, so polling a self-referential `async` future
//!    through it twice is undefined behaviour (Miri reports it; see the test
//!    `self_reference_survives_polls_inline_and_heap`).
//! 3. **Drop in place.** `Drop` drops an inline future where it lies; only a
//!    heap future's *pointer* is moved (to a `Box`), never the future.
//! 4. **`layout` and `heap` describe the stored value.** They are taken when
//!    `new` stores the value and never change.

#![allow(
    unsafe_code,
    reason = "the crate's one unsafe module: pin projection and drop of the inline buffer"
)]

use core::fmt;
use core::future::Future;
use core::marker::PhantomPinned;
use core::mem::ManuallyDrop;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll};

use smallbox::SmallBox;

use crate::layout::FutureLayout;

/// Gives every type a `'static` [`FutureLayout`], built at compile time.
///
/// Promoting `&<F as StaticLayout>::LAYOUT` to `'static` costs one pointer in
/// the handle instead of the 32 bytes of a `FutureLayout`, and lets `Debug`
/// and `layout()` work without touching the (pinned) future.
trait StaticLayout {
    const LAYOUT: FutureLayout;
}

impl<F> StaticLayout for F {
    const LAYOUT: FutureLayout = FutureLayout::of::<F>();
}

/// Pinned storage for one erased value `D` (a `dyn Future` type): inline in
/// `Space` when it fits, on the heap otherwise.
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
pub struct InlineBox<D: ?Sized, Space> {
    /// The value, inline or on the heap. Structurally pinned (invariant 1);
    /// `ManuallyDrop` so that `Drop` decides how to drop it (invariant 3).
    /// Never dropped anywhere else.
    storage: ManuallyDrop<SmallBox<D, Space>>,
    /// The pinned future's address, taken on the first poll (invariant 2);
    /// `None` before it.
    pinned: Option<NonNull<D>>,
    /// The stored value's layout (invariant 4).
    layout: &'static FutureLayout,
    /// Whether the value took a heap allocation (invariant 4).
    heap: bool,
    /// Set when the future returned `Ready`; polling again panics.
    done: bool,
    /// Keeps `InlineBox` `!Unpin` even when `D` is `Unpin`.
    _pinned: PhantomPinned,
}

/// Builds the `InlineBox` constructors for one `dyn Future` flavour.
macro_rules! constructors {
    ($($bounds:tt)*) => {
        impl<'a, T, Space> InlineBox<dyn Future<Output = T> $($bounds)* + 'a, Space> {
            /// Erases `future`, storing it inline when its size and alignment
            /// fit `Space` and on the heap otherwise. Zero-sized futures never
            /// allocate.
            ///
            /// # Examples
            ///
            /// ```
            /// use hybrid_dispatch::{InlineFuture, space::S1};
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
                let storage: SmallBox<dyn Future<Output = T> $($bounds)* + 'a, Space> =
                    // The macro's unsafe block passes a pointer to `future`
                    // coerced to the trait object, so its metadata matches
                    // the value it copies.
                    smallbox::smallbox!(future);
                let layout: &'static FutureLayout = &<F as StaticLayout>::LAYOUT;
                InlineBox {
                    // smallbox keeps over-aligned zero-sized values "out of
                    // line" behind a dangling pointer: no allocation.
                    heap: storage.is_heap() && layout.size() != 0,
                    storage: ManuallyDrop::new(storage),
                    pinned: None,
                    layout,
                    done: false,
                    _pinned: PhantomPinned,
                }
            }

            /// Erases `future` only if it fits `Space` inline; otherwise hands
            /// it back untouched. Never allocates.
            ///
            /// # Examples
            ///
            /// ```
            /// use hybrid_dispatch::{InlineFuture, space::S1};
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
                if crate::layout::fits_inline::<F, Space>() {
                    Ok(Self::new(future))
                } else {
                    Err(future)
                }
            }
        }
    };
}

constructors!();
constructors!(+ Send);

impl<D: ?Sized, Space> InlineBox<D, Space> {
    /// Whether the future lives in a heap allocation (it did not fit
    /// `Space`). Zero-sized futures are never on the heap.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{InlineFuture, space::S1};
    ///
    /// assert!(InlineFuture::<'_, [u64; 2], S1>::new(core::future::ready([1, 2])).is_heap());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_heap(&self) -> bool {
        self.heap
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
        *self.layout
    }

    /// Whether the future has completed (returned `Ready`). Polling a
    /// completed future panics.
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
        self.done
    }
}

impl<D: Future + ?Sized, Space> Future for InlineBox<D, Space> {
    type Output = D::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<D::Output> {
        // SAFETY: nothing is moved out of `this`: the fields written below
        // are plain data and `storage` is only reached through a pointer
        // (invariant 1).
        let this = unsafe { self.get_unchecked_mut() };
        assert!(
            !this.done,
            "InlineFuture polled after it completed (type {})",
            this.layout.type_name()
        );
        let future = match this.pinned {
            Some(future) => future,
            None => {
                // The first poll: the future holds no references into itself
                // yet, so going through `DerefMut` once is harmless
                // (invariant 2).
                let future = NonNull::from(&mut **this.storage);
                this.pinned = Some(future);
                future
            }
        };
        // SAFETY: `future` points into `storage` (or its heap block), which
        // is initialized until `Drop`; `self` is pinned, so by structural
        // pinning (invariant 1) the future is too; the `&mut` is unique
        // because `this` is, and it ends with this call.
        let out = unsafe { Pin::new_unchecked(&mut *future.as_ptr()) }.poll(cx);
        if out.is_ready() {
            this.done = true;
        }
        out
    }
}

impl<D: ?Sized, Space> Drop for InlineBox<D, Space> {
    fn drop(&mut self) {
        match self.pinned {
            Some(future) if !self.storage.is_heap() => {
                // SAFETY: an inline future that has been polled: dropped in
                // place (invariant 3) through the pointer of invariant 2, so
                // its self-references stay valid during its destructor.
                // `storage` is `ManuallyDrop` and is not touched again, so
                // this is the only drop; inline storage owns no allocation.
                unsafe { future.as_ptr().drop_in_place() };
            }
            _ if self.storage.is_heap() => {
                // SAFETY: `storage` is initialized and this is the only place
                // it is taken; `self` is not used afterwards. Moving the
                // `SmallBox` moves only the heap pointer, not the pinned
                // future (invariant 3). Going through `Box` frees the block
                // even when the future's destructor panics; `SmallBox`'s own
                // `Drop` would leak it.
                let storage = unsafe { ManuallyDrop::take(&mut self.storage) };
                drop(SmallBox::into_box(storage));
            }
            _ => {
                // SAFETY: never polled, so never pinned: nothing refers into
                // the future and `SmallBox`'s own drop is sound. `storage` is
                // initialized and dropped only here.
                unsafe { ManuallyDrop::drop(&mut self.storage) };
            }
        }
    }
}

// SAFETY: `InlineBox` owns its `D` like a `Box<D>` does; the `NonNull` in
// `pinned` only points into that owned value. So it may go to another thread
// exactly when `D` may.
unsafe impl<D: ?Sized + Send, Space> Send for InlineBox<D, Space> {}

// SAFETY: as for `Send`: sharing `&InlineBox` shares at most `&D`.
unsafe impl<D: ?Sized + Sync, Space> Sync for InlineBox<D, Space> {}

impl<D: ?Sized, Space> fmt::Debug for InlineBox<D, Space> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InlineFuture")
            .field("future", &self.layout.type_name())
            .field("size", &self.layout.size())
            .field("align", &self.layout.align())
            .field("capacity", &core::mem::size_of::<Space>())
            .field("location", &if self.is_heap() { "heap" } else { "inline" })
            .field("terminated", &self.done)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::S1;
    use alloc::boxed::Box;
    use core::task::Waker;

    fn poll_once<F: Future + ?Sized>(f: Pin<&mut F>) -> Poll<F::Output> {
        f.poll(&mut Context::from_waker(Waker::noop()))
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
    fn done_is_set_only_by_ready() {
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
    /// without invalidating that reference. Miri checks the aliasing.
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
        let inline =
            InlineBox::<dyn Future<Output = u32>, crate::space::S16>::new(self_referential(rounds));
        let heap = InlineBox::<dyn Future<Output = u32>, S1>::new(self_referential(rounds));
        assert!(!inline.is_heap());
        assert!(heap.is_heap());
        fn run<F: Future + ?Sized>(mut fut: Pin<&mut F>) -> F::Output {
            loop {
                if let Poll::Ready(v) = poll_once(fut.as_mut()) {
                    break v;
                }
            }
        }
        assert_eq!(run(core::pin::pin!(inline)), expected);
        assert_eq!(run(core::pin::pin!(heap)), expected);
    }
}
