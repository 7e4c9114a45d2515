//! [`NextItem`]: the future of one item of a pinned stream.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_core::Stream;

/// The next item of a pinned [`Stream`]: what
/// [`GatStream::next`](crate::stream::GatStream::next) and
/// [`BoxAsyncIter::next`](crate::stream::BoxAsyncIter::next) return (the
/// same as `futures::StreamExt::next`, without the dependency).
///
/// Dropping it before it completes loses nothing: the item in flight stays
/// in the stream, and the next `next` (or `poll_next`) resumes it. So it is
/// safe to race in a `select!`.
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
/// let mut stream = pin!(GatStream::new(unfold(1u8, |n| async move { Some((n, n * 2)) })));
/// assert_eq!(block_on(stream.as_mut().next()), Some(1));
/// assert_eq!(block_on(stream.as_mut().next()), Some(2));
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct NextItem<'s, S: ?Sized> {
    stream: Pin<&'s mut S>,
}

impl<'s, S: ?Sized> NextItem<'s, S> {
    pub(crate) fn new(stream: Pin<&'s mut S>) -> Self {
        NextItem { stream }
    }
}

impl<S: Stream + ?Sized> Future for NextItem<'_, S> {
    type Output = Option<S::Item>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        self.stream.as_mut().poll_next(cx)
    }
}

impl<S: ?Sized> fmt::Debug for NextItem<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NextItem")
            .field("stream", &core::any::type_name::<S>())
            .finish()
    }
}
