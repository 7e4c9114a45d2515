//! [`AsyncIter`]: the GAT async iterator, and [`SendAsyncIter`], the
//! nameable bound for iterators whose `next` futures are `Send`.

use core::future::Future;

/// An asynchronous iterator whose `next` future is a named type that
/// borrows the iterator mutably: a stream, written as a GAT trait.
///
/// `AsyncIter` is to streams what [`Service`](crate::Service) is to calls.
/// `I::NextFut<'a>` is a concrete type, so a caller that knows `I` awaits
/// `iter.next()` with no allocation and no indirect call: what a loop over
/// an inherent `async fn next(&mut self)` costs. When the type is not known,
/// every `AsyncIter` is also a [`DynAsyncIter`](crate::stream::DynAsyncIter)
/// (and, with `Send` futures, a
/// [`SendDynAsyncIter`](crate::stream::SendDynAsyncIter)), and
/// [`BoxAsyncIter`](crate::stream::BoxAsyncIter) keeps each item's future in
/// one buffer it reuses: zero allocations per item. [`GatStream`] turns any
/// `AsyncIter` into a [`Stream`](futures_core::Stream).
///
/// The name is not `AsyncIterator` on purpose: `core::async_iter::AsyncIterator`
/// (unstable, a `poll_next` trait) may stabilise, and a glob import of
/// both should not clash.
///
/// # Lifetimes
///
/// As in [`Service`](crate::Service), the GAT carries `where Self: 'a` and
/// no `+ 'a` bound: `NextFut<'a>` may hold the `&'a mut Self` it was made
/// from, and implementors write no where clauses of their own. The items
/// themselves do not borrow the iterator (`Item` has no lifetime): this is
/// a stream, not a lending iterator, which is what lets
/// [`GatStream`] hand items out of `poll_next`.
///
/// # Implementing it on stable Rust
///
/// An `async` block's type has no name on stable Rust, so `NextFut` is a
/// future you can name: one you write, a combinator's, or the one
/// [`unfold`](crate::stream::unfold()) builds from an `async` closure over
/// owned state.
///
/// # Examples
///
/// A counter, with a hand-written future that borrows it:
///
/// ```
/// use core::future::Future;
/// use core::pin::Pin;
/// use core::task::{Context, Poll};
/// use hybrid_dispatch::stream::AsyncIter;
///
/// struct Countdown(u32);
///
/// struct Tick<'a>(&'a mut Countdown);
///
/// impl Future for Tick<'_> {
///     type Output = Option<u32>;
///     fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u32>> {
///         let n = &mut self.0.0;
///         Poll::Ready(n.checked_sub(1).map(|next| { *n = next; next }))
///     }
/// }
///
/// impl AsyncIter for Countdown {
///     type Item = u32;
///     type NextFut<'a> = Tick<'a>;
///     fn next(&mut self) -> Tick<'_> {
///         Tick(self)
///     }
/// }
///
/// # fn block_on<F: Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = Context::from_waker(core::task::Waker::noop());
/// #     loop { if let Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// block_on(async {
///     let mut countdown = Countdown(3);
///     let mut seen = Vec::new();
///     while let Some(n) = countdown.next().await {
///         seen.push(n);
///     }
///     assert_eq!(seen, [2, 1, 0]);
/// });
/// ```
///
/// [`GatStream`]: crate::stream::GatStream
pub trait AsyncIter {
    /// What the iterator yields.
    type Item;

    /// The future [`next`](AsyncIter::next) returns; it may borrow the
    /// iterator mutably for `'a`.
    type NextFut<'a>: Future<Output = Option<Self::Item>>
    where
        Self: 'a;

    /// The next item, or `None` when the iterator is exhausted.
    ///
    /// Like a stream after `None`, an exhausted iterator may start yielding
    /// again, or keep returning `None`; callers that need the end to be
    /// final stop at the first `None`.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::stream::{AsyncIter, unfold};
    ///
    /// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
    /// #     let mut f = core::pin::pin!(f);
    /// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// let mut evens = unfold(0u32, |n| async move { (n < 6).then(|| (n, n + 2)) });
    /// assert_eq!(block_on(evens.next()), Some(0));
    /// assert_eq!(block_on(evens.next()), Some(2));
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    fn next<'a>(&'a mut self) -> Self::NextFut<'a>;
}

impl<I: AsyncIter + ?Sized> AsyncIter for &mut I {
    type Item = I::Item;
    type NextFut<'a>
        = I::NextFut<'a>
    where
        Self: 'a;

    #[inline]
    fn next(&mut self) -> I::NextFut<'_> {
        (**self).next()
    }
}

#[cfg(feature = "alloc")]
impl<I: AsyncIter + ?Sized> AsyncIter for alloc::boxed::Box<I> {
    type Item = I::Item;
    type NextFut<'a>
        = I::NextFut<'a>
    where
        Self: 'a;

    #[inline]
    fn next(&mut self) -> I::NextFut<'_> {
        (**self).next()
    }
}

/// An [`AsyncIter`] that may move between threads with its `next` futures:
/// the bound the `Send` erasure
/// ([`SendDynAsyncIter`](crate::stream::SendDynAsyncIter),
/// [`SendBoxAsyncIter`](crate::stream::SendBoxAsyncIter)) takes.
///
/// Implemented for every `AsyncIter` that is `Send + 'static` and whose
/// `next` futures are `Send` for every borrow. The `'static` is rustc's
/// (as for [`SendService`](crate::SendService)): "`NextFut<'a>: Send` for
/// every `'a`" is a higher-ranked bound over a GAT with `where Self: 'a`,
/// which rustc 1.95 proves only for `Self: 'static`. An iterator over
/// borrowed data still gets the local erasure.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::stream::{SendAsyncIter, SendBoxAsyncIter, unfold};
///
/// fn numbers() -> impl SendAsyncIter<Item = u64> {
///     unfold(0u64, |n| async move { (n < 3).then(|| (n, n + 1)) })
/// }
///
/// let boxed: SendBoxAsyncIter<'static, u64> = SendBoxAsyncIter::new(numbers());
/// # drop(boxed);
/// ```
///
/// A `next` future that holds an `Rc` across an await is not `Send`:
///
/// ```compile_fail
/// use std::rc::Rc;
/// use hybrid_dispatch::stream::{SendAsyncIter, unfold};
///
/// fn local() -> impl SendAsyncIter<Item = u64> {
///     unfold(0u64, |n| async move {
///         let rc = Rc::new(n);
///         core::future::ready(()).await;
///         Some((*rc, n + 1))
///     })
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `SendAsyncIter`",
    label = "needs an `AsyncIter` that is `Send + 'static`, with `Send` `next` futures"
)]
pub trait SendAsyncIter: for<'a> AsyncIter<NextFut<'a>: Send> + Send + 'static {}

impl<I> SendAsyncIter for I where I: for<'a> AsyncIter<NextFut<'a>: Send> + Send + 'static {}
