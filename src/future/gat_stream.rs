//! [`GatStream`]: a [`Stream`] over any [`AsyncIter`], keeping the
//! in-flight `next` future — which borrows the iterator mutably — pinned
//! inside itself.
//!
//! Part of the crate's one `unsafe` module (`future`): a `GatStream` is
//! self-referential (its future points at its iterator), which safe Rust
//! cannot express. Besides the module's invariants (**Pinned**, **Raw
//! access**, **Dropped once**), it keeps one of its own, stated on the
//! type: **In flight**. It stores the future with its concrete type, so
//! the static path costs what awaiting `iter.next()` in a loop costs: no
//! vtable, no allocation, the future inline whatever its size.
//!
//! It names `AsyncIter` from the core layer above: storage for a future
//! that borrows its owner has to know what makes that future.

#![allow(
    unsafe_code,
    reason = "part of the crate's one unsafe module: a stream that owns the future borrowing its iterator"
)]

use core::cell::UnsafeCell;
use core::fmt;
use core::future::Future;
use core::marker::PhantomPinned;
use core::mem::{ManuallyDrop, MaybeUninit};
use core::pin::Pin;
use core::ptr;
use core::task::{Context, Poll};

use futures_core::Stream;

use crate::stream::async_iter::AsyncIter;
use crate::stream::next_item::NextItem;

/// Whether a `next` future is stored, as [`GatStream`] records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flight {
    /// No future: the iterator is borrowed by nothing.
    Idle,
    /// A future is stored, not yet `Ready`.
    Polling,
    /// A future is stored and its `poll` panicked: it is never polled again
    /// (its state after a panic is unspecified), only dropped.
    Panicked,
}

/// A [`Stream`] over an [`AsyncIter`]: each `poll_next` polls the iterator's
/// `next` future, which the stream keeps inside itself (pinned, next to the
/// iterator it borrows) until it yields.
///
/// That makes `GatStream` self-referential, so it is `!Unpin`: pin it
/// (`pin!`, `Box::pin`) before polling, as with any `async` block. Moving
/// it before the first poll is fine. The future is stored with its concrete
/// type: no allocation and no indirect call, whatever the future's size.
/// For a `dyn` stream whose iterator type is erased, use
/// [`BoxAsyncIter`](crate::stream::BoxAsyncIter).
///
/// After the iterator returns `None` the stream polls it again if polled
/// again (a stream may do anything then; the iterator decides). If the
/// `next` future's `poll` panics, the panic propagates and polling the
/// stream again panics too; the future is dropped with the stream.
///
/// # Invariants
///
/// **In flight**: `next` holds a live future exactly when `state` is not
/// `Idle`. That future was made from a `&mut` to `iter`, and while it
/// lives nothing else reaches `iter` (no reference to it is made; `&self`
/// methods read only `state`). It is dropped, in place, before `iter` is
/// dropped or moved out, and before another future is made.
///
/// # Examples
///
/// ```
/// use core::pin::pin;
/// use hybrid_dispatch::stream::{GatStream, unfold};
///
/// #[tokio::main(flavor = "current_thread")]
/// async fn main() {
///     let lines = unfold(0u32, |n| async move {
///         tokio::task::yield_now().await; // a real await: the future is in flight across polls
///         (n < 3).then(|| (format!("line {n}"), n + 1))
///     });
///     let mut stream = pin!(GatStream::new(lines));
///     let mut seen = Vec::new();
///     while let Some(line) = stream.as_mut().next().await {
///         seen.push(line);
///     }
///     assert_eq!(seen, ["line 0", "line 1", "line 2"]);
/// }
/// ```
///
/// It is a `futures_core::Stream`, so stream combinators accept it:
///
/// ```
/// use futures_util::StreamExt;
/// use hybrid_dispatch::stream::{GatStream, unfold};
///
/// #[tokio::main(flavor = "current_thread")]
/// async fn main() {
///     let iter = unfold(1u64, |n| async move { (n <= 4).then(|| (n, n + 1)) });
///     let squares: Vec<u64> = Box::pin(GatStream::new(iter)).map(|n| n * n).collect().await;
///     assert_eq!(squares, [1, 4, 9, 16]);
/// }
/// ```
pub struct GatStream<'a, I: AsyncIter + 'a> {
    /// The in-flight `next` future (**In flight**). `'a` is a stand-in:
    /// the future really borrows `iter`, for as long as **In flight** lets
    /// it live. An `UnsafeCell` so that `&self` views do not freeze it (it
    /// may point into itself), and reached only through raw pointers
    /// (**Raw access**).
    next: UnsafeCell<MaybeUninit<I::NextFut<'a>>>,
    state: Flight,
    /// The iterator; an `UnsafeCell` for the same reasons as `next`.
    iter: UnsafeCell<I>,
    /// `!Unpin`: the future points at `iter` (**Pinned**), and the `&mut
    /// Self` that `poll_next` takes is not a unique borrow (**Raw access**).
    _pinned: PhantomPinned,
}

// **Pinned** rests on this: safe code can never move a pinned `GatStream`.
static_assertions::assert_not_impl_any!(GatStream<'static, crate::stream::unfold::Unfold<u8, fn(u8) -> core::future::Ready<Option<(u8, u8)>>, core::future::Ready<Option<(u8, u8)>>>>: Unpin);

/// Marks the stream's future as panicked if its `poll` unwinds.
struct PoisonOnUnwind {
    state: *mut Flight,
}

impl Drop for PoisonOnUnwind {
    fn drop(&mut self) {
        // SAFETY: `state` is the polled stream's field, valid for the whole
        // `poll_next` that made this guard; nothing else refers to it.
        unsafe { self.state.write(Flight::Panicked) };
    }
}

impl<'a, I: AsyncIter + 'a> GatStream<'a, I> {
    /// A stream over `iter`. Nothing is polled, or allocated, until the
    /// stream is.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::stream::{GatStream, unfold};
    ///
    /// let stream = GatStream::new(unfold((), |()| async { Some((1u8, ())) }));
    /// assert!(!stream.is_in_flight());
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub const fn new(iter: I) -> Self {
        GatStream {
            next: UnsafeCell::new(MaybeUninit::uninit()),
            state: Flight::Idle,
            iter: UnsafeCell::new(iter),
            _pinned: PhantomPinned,
        }
    }

    /// Whether a `next` future is stored: the stream returned `Pending` for
    /// the current item (or that future panicked).
    ///
    /// # Examples
    ///
    /// ```
    /// use core::pin::pin;
    /// use core::task::{Context, Poll, Waker};
    /// use futures_core::Stream;
    /// use hybrid_dispatch::stream::{GatStream, unfold};
    ///
    /// let mut stream = pin!(GatStream::new(unfold(0u8, |n| async move {
    ///     tokio::task::yield_now().await;
    ///     Some((n, n + 1))
    /// })));
    /// let cx = &mut Context::from_waker(Waker::noop());
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// # let _guard = rt.enter();
    /// assert!(stream.as_mut().poll_next(cx).is_pending());
    /// assert!(stream.is_in_flight());
    /// assert_eq!(stream.as_mut().poll_next(cx), Poll::Ready(Some(0)));
    /// assert!(!stream.is_in_flight());
    /// ```
    #[must_use]
    pub fn is_in_flight(&self) -> bool {
        self.state != Flight::Idle
    }

    /// The next item: the future of one `poll_next`, for `while let` loops
    /// without `futures::StreamExt`. Dropping it early loses nothing (see
    /// [`NextItem`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use core::pin::pin;
    /// use hybrid_dispatch::stream::{GatStream, unfold};
    ///
    /// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
    /// #     let mut f = core::pin::pin!(f);
    /// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// let mut stream = pin!(GatStream::new(unfold(3u8, |n| async move { n.checked_sub(1).map(|m| (m, m)) })));
    /// let mut items = Vec::new();
    /// while let Some(n) = block_on(stream.as_mut().next()) {
    ///     items.push(n);
    /// }
    /// assert_eq!(items, [2, 1, 0]);
    /// ```
    pub fn next(self: Pin<&mut Self>) -> NextItem<'_, Self> {
        NextItem::new(self)
    }

    /// The iterator back, dropping a future in flight first.
    ///
    /// Only an unpinned stream can be given back by value, and an unpinned
    /// stream has no future in flight (one is made only by polling, which
    /// pins); the check is there all the same.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::stream::{GatStream, unfold};
    ///
    /// let stream = GatStream::new(unfold(5u8, |n| async move { Some((n, n)) }));
    /// let iter = stream.into_inner();
    /// # drop(iter);
    /// ```
    #[must_use]
    pub fn into_inner(self) -> I {
        let mut this = ManuallyDrop::new(self);
        this.drop_in_flight();
        // SAFETY: `this` is never dropped (`ManuallyDrop`), so `iter` is
        // read out exactly once (**Dropped once**); no future borrows it
        // any more (**In flight**: just dropped).
        unsafe { ptr::addr_of!(this.iter).cast::<I>().read() }
    }

    /// Drops the stored future, if any, and marks the stream idle.
    fn drop_in_flight(&mut self) {
        if self.state != Flight::Idle {
            // Idle first: if the destructor panics, nothing is dropped twice.
            self.state = Flight::Idle;
            // SAFETY: **In flight**: a live future was stored; nothing will
            // read it again (the state says idle), so this is its only
            // drop (**Dropped once**), in place (**Pinned**), through a raw
            // pointer (**Raw access**).
            unsafe {
                ptr::addr_of_mut!(self.next)
                    .cast::<I::NextFut<'a>>()
                    .drop_in_place();
            }
        }
    }
}

impl<'a, I: AsyncIter + 'a> Stream for GatStream<'a, I> {
    type Item = I::Item;

    #[inline]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<I::Item>> {
        // SAFETY: nothing is moved out of `this` (**Pinned**).
        let this = unsafe { self.get_unchecked_mut() };
        let next = ptr::addr_of_mut!(this.next).cast::<I::NextFut<'a>>();
        match this.state {
            Flight::Idle => {
                // SAFETY: **In flight**: idle, so nothing borrows `iter`.
                // The `&mut` is made from a raw pointer (**Raw access**) and
                // lives, inside the future, until the future is dropped:
                // before `iter` is (`Drop`, `into_inner`), and `iter` never
                // moves meanwhile (**Pinned**). `'a` is what the field is
                // typed with; `next` is generic over it, so the future can
                // keep the borrow nowhere but in itself.
                let iter: &'a mut I = unsafe { &mut *ptr::addr_of_mut!(this.iter).cast::<I>() };
                let future = iter.next();
                // SAFETY: idle: `next` holds nothing live. Written in place,
                // where it stays until dropped (**Pinned**).
                unsafe { next.write(future) };
                // INVARIANT: **In flight**: a live future is stored.
                this.state = Flight::Polling;
            }
            Flight::Polling => {}
            Flight::Panicked => panic!(
                "GatStream polled again after its `next` future panicked (iterator {})",
                core::any::type_name::<I>()
            ),
        }
        let poison = PoisonOnUnwind {
            state: ptr::addr_of_mut!(this.state),
        };
        // SAFETY: **In flight**: a live future is stored; it has not moved
        // since it was written and will not (**Pinned**); the `&mut` lives
        // for this call only.
        let out = unsafe { Pin::new_unchecked(&mut *next) }.poll(cx);
        core::mem::forget(poison);
        if out.is_ready() {
            this.drop_in_flight();
        }
        out
    }
}

impl<'a, I: AsyncIter + 'a> Drop for GatStream<'a, I> {
    fn drop(&mut self) {
        // The future first: it borrows `iter`, which the field drop glue
        // drops right after (even if this destructor panics).
        self.drop_in_flight();
    }
}

impl<'a, I: AsyncIter + 'a> fmt::Debug for GatStream<'a, I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatStream")
            .field("iter", &core::any::type_name::<I>())
            .field("next_size", &core::mem::size_of::<I::NextFut<'a>>())
            .field("state", &self.state)
            .finish()
    }
}
