//! Futures for unit tests.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

/// Pending once (waking the task), then ready.
#[derive(Debug, Default)]
pub(crate) struct YieldOnce {
    yielded: bool,
}

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            Poll::Ready(())
        } else {
            self.yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}
