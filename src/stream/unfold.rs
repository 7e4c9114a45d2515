//! [`unfold`]: an [`AsyncIter`] from owned state and an `async` closure,
//! with [`Unfold`] and its `next` future [`UnfoldNext`].

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};

use crate::stream::async_iter::AsyncIter;

/// An [`AsyncIter`] that threads `state` through `f`: each `next` moves the
/// state into `f(state)`, whose future yields `Some((item, next_state))` or
/// `None` to end.
///
/// The way to write an `AsyncIter` with `async` code on stable Rust: the
/// closure's future is a type parameter, so `NextFut` has a name
/// ([`UnfoldNext`]) without `impl Trait` in associated types. What
/// `futures::stream::unfold` is for streams. If a `next` future is dropped
/// before it finishes, the state it held is gone with it and the iterator
/// ends (yields `None` from then on).
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
/// // Pages of a paginated source: the cursor is the state.
/// let mut pages = unfold(Some(0u32), |cursor| async move {
///     let page = cursor?;
///     let next = if page < 2 { Some(page + 1) } else { None };
///     Some((format!("page {page}"), next))
/// });
/// block_on(async {
///     while let Some(page) = pages.next().await {
///         println!("{page}");
///     }
/// });
/// ```
pub fn unfold<St, F, Fut, T>(state: St, f: F) -> Unfold<St, F, Fut>
where
    F: FnMut(St) -> Fut,
    Fut: Future<Output = Option<(T, St)>>,
{
    Unfold {
        state: Some(state),
        f,
        _fut: PhantomData,
    }
}

/// The [`AsyncIter`] [`unfold`] returns.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::stream::{Unfold, unfold};
///
/// let iter = unfold(0u8, |n| core::future::ready(Some((n, n + 1))));
/// assert!(format!("{iter:?}").starts_with("Unfold"));
/// ```
pub struct Unfold<St, F, Fut> {
    /// `None` while a `next` future holds it, and once the iterator ended.
    state: Option<St>,
    f: F,
    /// `Fut` is what `f` returns, not something `Unfold` holds.
    _fut: PhantomData<fn() -> Fut>,
}

impl<St, F, Fut> fmt::Debug for Unfold<St, F, Fut> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unfold")
            .field("state", &core::any::type_name::<St>())
            .field("ended", &self.state.is_none())
            .finish()
    }
}

impl<St, F, Fut, T> AsyncIter for Unfold<St, F, Fut>
where
    F: FnMut(St) -> Fut,
    Fut: Future<Output = Option<(T, St)>>,
{
    type Item = T;
    type NextFut<'a>
        = UnfoldNext<'a, St, Fut>
    where
        Self: 'a;

    #[inline]
    fn next(&mut self) -> UnfoldNext<'_, St, Fut> {
        let future = self.state.take().map(&mut self.f);
        UnfoldNext {
            state: &mut self.state,
            future,
        }
    }
}

pin_project_lite::pin_project! {
    /// The `next` future of [`Unfold`]: runs `f(state)` and puts the next
    /// state back into the iterator.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::stream::{AsyncIter, unfold};
    ///
    /// let mut iter = unfold(0u8, |n| core::future::ready(Some((n, n + 1))));
    /// let next = iter.next();
    /// assert!(format!("{next:?}").starts_with("UnfoldNext"));
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct UnfoldNext<'a, St, Fut> {
        state: &'a mut Option<St>,
        #[pin]
        future: Option<Fut>,
    }
}

impl<St, Fut> fmt::Debug for UnfoldNext<'_, St, Fut> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnfoldNext")
            .field("future", &core::any::type_name::<Fut>())
            .field("done", &self.future.is_none())
            .finish()
    }
}

impl<St, Fut, T> Future for UnfoldNext<'_, St, Fut>
where
    Fut: Future<Output = Option<(T, St)>>,
{
    type Output = Option<T>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut this = self.project();
        let Some(future) = this.future.as_mut().as_pin_mut() else {
            return Poll::Ready(None);
        };
        let out = match future.poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(out) => out,
        };
        // Dropped now, not with the handle: the state is back in the
        // iterator, and a second poll finds nothing to resume.
        this.future.set(None);
        Poll::Ready(out.map(|(item, state)| {
            **this.state = Some(state);
            item
        }))
    }
}
