//! [`TimedFuture`]: the future of [`Timed`](crate::layer::Timed).

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use std::time::Instant;

use pin_project_lite::pin_project;

use crate::layer::LatencyHistogram;

pin_project! {
    /// The future returned by [`Timed`](crate::layer::Timed): the inner
    /// future, timed from its first poll to its completion.
    ///
    /// Adds a histogram reference and an `Option<Instant>` (24 bytes on
    /// 64-bit Linux) to the inner future.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::future::Ready;
    /// use hybrid_dispatch::layer::{Timed, TimedFuture};
    /// use hybrid_dispatch::{Service, service_fn};
    ///
    /// let svc = Timed::new(service_fn(core::future::ready::<u8> as fn(u8) -> Ready<u8>));
    /// let fut: TimedFuture<'_, Ready<u8>> = svc.call(1);
    /// drop(fut); // never polled: not counted
    /// assert_eq!((svc.stats().count, svc.stats().cancelled), (0, 0));
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct TimedFuture<'a, Fut> {
        #[pin]
        inner: Fut,
        histogram: &'a LatencyHistogram,
        // `Some` from the first poll until completion, so that the drop hook
        // can tell "cancelled while running" from "finished" and "never
        // started" without a separate flag.
        started: Option<Instant>,
    }

    impl<Fut> PinnedDrop for TimedFuture<'_, Fut> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if this.started.is_some() {
                this.histogram.record_cancelled();
            }
        }
    }
}

impl<'a, Fut> TimedFuture<'a, Fut> {
    pub(crate) const fn new(inner: Fut, histogram: &'a LatencyHistogram) -> Self {
        TimedFuture {
            inner,
            histogram,
            started: None,
        }
    }
}

impl<Fut: Future> Future for TimedFuture<'_, Fut> {
    type Output = Fut::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Fut::Output> {
        let this = self.project();
        let started = *this.started.get_or_insert_with(Instant::now);
        let out = ready!(this.inner.poll(cx));
        this.histogram.record(started.elapsed());
        *this.started = None;
        Poll::Ready(out)
    }
}

impl<Fut> fmt::Debug for TimedFuture<'_, Fut> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimedFuture")
            .field("inner", &core::any::type_name::<Fut>())
            .field("started", &self.started)
            .finish_non_exhaustive()
    }
}
