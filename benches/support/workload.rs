//! The future under test and the task context every driver polls it with.
//!
//! [`work::<W>`](work) is an `async fn` that keeps its argument and a
//! `[u64; W]` across one await of a future pending exactly once, so it is
//! `8 × W + 24` bytes. The benches use three sizes ([`SMALL`], [`MEDIUM`],
//! [`LARGE`]); `compare` instantiates more.

use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Payload words of the SMALL future: 40 bytes, inside the default 128-byte
/// inline capacity.
pub(crate) const SMALL: usize = 2;
/// Payload words of the MEDIUM future: 304 bytes, over the default capacity.
pub(crate) const MEDIUM: usize = 35;
/// Payload words of the LARGE future: 1048 bytes.
pub(crate) const LARGE: usize = 128;

/// The future under test: its argument and `[u64; W]` live across one
/// pending await, so it is `8 × W + 24` bytes. `black_box(&state)` makes the
/// whole array real (the optimizer may not drop stores to it) without a
/// loop reading it back.
pub(crate) async fn work<const W: usize>(x: u64) -> u64 {
    let state = [x.wrapping_mul(0x9E37_79B9_7F4A_7C15); W];
    YieldOnce::default().await;
    black_box(&state)[W - 1] ^ x
}

/// Pending once (waking the task), then ready: the one real await point of
/// every future under test.
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

/// The task context every driver loop builds once, as an executor does per
/// task poll: a no-op waker, hidden from the optimizer so that waking is a
/// real call in every row (a real waker is never inlinable either).
pub(crate) fn noop_context() -> Context<'static> {
    Context::from_waker(black_box(Waker::noop()))
}
