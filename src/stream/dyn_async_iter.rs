//! [`DynAsyncIter`]: every [`AsyncIter`] as a `dyn` object, and
//! [`SendDynAsyncIter`], its `Send` twin for every [`SendAsyncIter`].

use core::future::Future;
use core::mem::ManuallyDrop;
use core::pin::{Pin, pin};
use core::task::{Context, Poll};

use crate::capacity::{Capacity, DefaultCapacity};
use crate::future::capacity::PointerRoom;
use crate::future::inline_box::{InlineFuture, SendInlineFuture};
use crate::future::reusable_slot::{FutureSlot, SendFutureSlot, SlotFuture};
use crate::layout::FutureLayout;
use crate::stream::async_iter::{AsyncIter, SendAsyncIter};

/// An [`AsyncIter`] behind `dyn`: implemented for every `AsyncIter` whose
/// item is `Item`, as [`DynService`](crate::DynService) is for every
/// [`Service`](crate::Service).
///
/// You rarely call it directly: [`BoxAsyncIter`](crate::stream::BoxAsyncIter)
/// owns a `dyn DynAsyncIter` and a buffer for its `next` futures, and reuses
/// that buffer for every item (zero allocations per item, any future size);
/// it is also a [`Stream`](futures_core::Stream). The methods here are what
/// it is built from:
///
/// * [`next_in`](DynAsyncIter::next_in) writes the `next` future into a
///   [`FutureSlot`]. The future borrows the iterator for the slot's whole
///   lifetime `'f`, so a slot made in a loop's scope serves one item:
///   `BoxAsyncIter` is the loop.
/// * [`next_dyn`](DynAsyncIter::next_dyn) erases the future into an
///   [`InlineFuture`]: no allocation while it fits `Cap`, one per item
///   when it does not.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::stream::{DynAsyncIter, unfold};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// async fn sum(iter: &mut dyn DynAsyncIter<u64>) -> u64 {
///     let mut total = 0;
///     while let Some(x) = iter.next_dyn().await {
///         total += x;
///     }
///     total
/// }
///
/// let mut squares = unfold(1u64, |n| async move { (n <= 4).then(|| (n * n, n + 1)) });
/// assert_eq!(block_on(sum(&mut squares)), 1 + 4 + 9 + 16);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `DynAsyncIter<{Item}>`",
    label = "needs an `AsyncIter` whose `Item` is `{Item}`",
    note = "`hybrid_dispatch::stream::unfold` makes an `AsyncIter` from state and an async closure"
)]
pub trait DynAsyncIter<Item, Cap: Capacity = DefaultCapacity> {
    /// Writes the `next` future into `slot` (inline when it fits `Cap`,
    /// in the slot's heap buffer otherwise) and returns the handle that
    /// polls it there.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::pin::pin;
    /// use hybrid_dispatch::FutureSlot;
    /// use hybrid_dispatch::stream::{DynAsyncIter, unfold};
    ///
    /// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
    /// #     let mut f = core::pin::pin!(f);
    /// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// let mut iter = unfold(7u8, |n| async move { Some((n, n + 1)) });
    /// let erased: &mut dyn DynAsyncIter<u8> = &mut iter;
    /// let slot = pin!(FutureSlot::new());
    /// assert_eq!(block_on(erased.next_in(slot)), Some(7));
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    fn next_in<'s, 'f>(
        &'f mut self,
        slot: Pin<&'s mut FutureSlot<'f, Option<Item>, Cap>>,
    ) -> SlotFuture<'s, dyn Future<Output = Option<Item>> + 'f, Cap>;

    /// Starts the next item in `slot` and polls it once, in one `dyn` call:
    /// what [`BoxAsyncIter`](crate::stream::BoxAsyncIter)'s `poll_next`
    /// does when no item is in flight. If the item is ready, its future is
    /// dropped before returning; if it is pending, the future stays in the
    /// slot without a handle (as a leaked one's would), for the owner to
    /// poll where it lies. Not useful without such an owner, hence hidden.
    #[doc(hidden)]
    fn start_next_in<'f>(
        &'f mut self,
        slot: Pin<&mut FutureSlot<'f, Option<Item>, Cap>>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Item>>;

    /// The `next` future, erased into an [`InlineFuture`]: no allocation
    /// while it fits `Cap`, one per item when it does not.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::stream::{DynAsyncIter, unfold};
    ///
    /// let mut iter = unfold(0u8, |n| async move { Some((n, n + 1)) });
    /// let erased: &mut dyn DynAsyncIter<u8> = &mut iter;
    /// assert!(!erased.next_dyn().is_heap());
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    fn next_dyn(&mut self) -> InlineFuture<'_, Option<Item>, Cap>;

    /// The layout of the iterator's `next` future, without calling it: where
    /// it will live is known before the first item.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::stream::{DynAsyncIter, unfold};
    ///
    /// let iter = unfold(0u8, |n| async move { Some((n, n + 1)) });
    /// let erased: &dyn DynAsyncIter<u8> = &iter;
    /// assert!(erased.next_layout().fits::<hybrid_dispatch::capacity::DefaultCapacity>());
    /// ```
    fn next_layout(&self) -> FutureLayout;

    /// The concrete iterator type's name, for diagnostics.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::stream::{DynAsyncIter, unfold};
    ///
    /// let iter = unfold(0u8, |n| async move { Some((n, n + 1)) });
    /// let erased: &dyn DynAsyncIter<u8> = &iter;
    /// assert!(erased.iter_type_name().contains("Unfold"));
    /// ```
    fn iter_type_name(&self) -> &'static str;
}

static_assertions::assert_obj_safe!(DynAsyncIter<u8>);

impl<I, Cap: Capacity> DynAsyncIter<I::Item, Cap> for I
where
    I: AsyncIter,
{
    #[inline]
    fn next_in<'s, 'f>(
        &'f mut self,
        slot: Pin<&'s mut FutureSlot<'f, Option<I::Item>, Cap>>,
    ) -> SlotFuture<'s, dyn Future<Output = Option<I::Item>> + 'f, Cap> {
        let () = PointerRoom::<Cap>::CHECK;
        slot.put(self.next())
    }

    #[inline]
    fn start_next_in<'f>(
        &'f mut self,
        slot: Pin<&mut FutureSlot<'f, Option<I::Item>, Cap>>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<I::Item>> {
        start(slot.put_with(|| self.next()), cx)
    }

    #[inline]
    fn next_dyn(&mut self) -> InlineFuture<'_, Option<I::Item>, Cap> {
        InlineFuture::new(self.next())
    }

    fn next_layout(&self) -> FutureLayout {
        FutureLayout::of::<I::NextFut<'_>>()
    }

    fn iter_type_name(&self) -> &'static str {
        core::any::type_name::<I>()
    }
}

/// The `Send` twin of [`DynAsyncIter`]: an erased iterator that may move
/// to another thread with its `next` futures, which are `Send`.
///
/// Implemented for every [`SendAsyncIter`] (an `AsyncIter` that is
/// `Send + 'static` with `Send` `next` futures); one `AsyncIter` impl gives
/// both erasures. [`SendBoxAsyncIter`](crate::stream::SendBoxAsyncIter)
/// owns one.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::stream::{SendDynAsyncIter, unfold};
///
/// #[tokio::main]
/// async fn main() {
///     let mut iter: Box<dyn SendDynAsyncIter<u32>> =
///         Box::new(unfold(0u32, |n| async move { (n < 3).then(|| (n, n + 1)) }));
///     let total = tokio::spawn(async move {
///         let mut total = 0;
///         while let Some(x) = iter.next_send_dyn().await {
///             total += x;
///         }
///         total
///     });
///     assert_eq!(total.await.unwrap(), 3);
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `SendDynAsyncIter<{Item}>`",
    label = "needs a `SendAsyncIter` whose `Item` is `{Item}`",
    note = "the `Send` erasure takes an `AsyncIter` that is `Send + 'static` and whose `next` futures are `Send` for every borrow"
)]
pub trait SendDynAsyncIter<Item, Cap: Capacity = DefaultCapacity>:
    DynAsyncIter<Item, Cap> + Send
{
    /// [`DynAsyncIter::next_in`] with a [`SendFutureSlot`].
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::SendFutureSlot;
    /// use hybrid_dispatch::stream::{SendDynAsyncIter, unfold};
    ///
    /// let mut iter = unfold(0u8, |n| async move { Some((n, n + 1)) });
    /// let erased: &mut dyn SendDynAsyncIter<u8> = &mut iter;
    /// let mut slot = Box::pin(SendFutureSlot::new());
    /// assert!(!erased.next_send_in(slot.as_mut()).is_heap());
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    fn next_send_in<'s, 'f>(
        &'f mut self,
        slot: Pin<&'s mut SendFutureSlot<'f, Option<Item>, Cap>>,
    ) -> SlotFuture<'s, dyn Future<Output = Option<Item>> + Send + 'f, Cap>;

    /// [`DynAsyncIter::start_next_in`] with a [`SendFutureSlot`].
    #[doc(hidden)]
    fn start_next_send_in<'f>(
        &'f mut self,
        slot: Pin<&mut SendFutureSlot<'f, Option<Item>, Cap>>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Item>>;

    /// [`DynAsyncIter::next_dyn`] with a `Send` future.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::stream::{SendDynAsyncIter, unfold};
    ///
    /// let mut iter = unfold(0u8, |n| async move { Some((n, n + 1)) });
    /// let erased: &mut dyn SendDynAsyncIter<u8> = &mut iter;
    /// let fut: hybrid_dispatch::SendInlineFuture<'_, Option<u8>> = erased.next_send_dyn();
    /// # drop(fut);
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    fn next_send_dyn(&mut self) -> SendInlineFuture<'_, Option<Item>, Cap>;
}

static_assertions::assert_obj_safe!(SendDynAsyncIter<u8>);

impl<I, Cap: Capacity> SendDynAsyncIter<I::Item, Cap> for I
where
    I: SendAsyncIter,
{
    #[inline]
    fn next_send_in<'s, 'f>(
        &'f mut self,
        slot: Pin<&'s mut SendFutureSlot<'f, Option<I::Item>, Cap>>,
    ) -> SlotFuture<'s, dyn Future<Output = Option<I::Item>> + Send + 'f, Cap> {
        let () = PointerRoom::<Cap>::CHECK;
        slot.put(self.next())
    }

    #[inline]
    fn start_next_send_in<'f>(
        &'f mut self,
        slot: Pin<&mut SendFutureSlot<'f, Option<I::Item>, Cap>>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<I::Item>> {
        start(slot.put_with(|| self.next()), cx)
    }

    #[inline]
    fn next_send_dyn(&mut self) -> SendInlineFuture<'_, Option<I::Item>, Cap> {
        SendInlineFuture::new(self.next())
    }
}

/// Polls a just-stored `next` future once: dropped with its handle when
/// ready, left in its slot (the handle never dropped) when pending or when
/// its `poll` panics, so that the owner finds it there either way (and a
/// panicked one panics again if polled, as it would have without this
/// shortcut). Inlined into each iterator's `start_next_in`, where the
/// vtable just written is a known constant, so the first poll and the drop
/// are direct calls.
#[inline]
fn start<D, Cap, T>(handle: SlotFuture<'_, D, Cap>, cx: &mut Context<'_>) -> Poll<T>
where
    D: Future<Output = T> + ?Sized,
    Cap: Capacity,
{
    let mut handle = ManuallyDrop::new(handle);
    let out = pin!(&mut *handle).poll(cx);
    if out.is_ready() {
        drop(ManuallyDrop::into_inner(handle));
    }
    out
}
