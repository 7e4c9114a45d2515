//! Shared test support: a counting allocator, futures with known shapes,
//! drop counters and a no-runtime `block_on`.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test binary uses a different subset of this module"
)]

pub mod counting_alloc;

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

/// Pending once (waking the task), then ready.
#[derive(Debug, Default)]
pub struct YieldOnce {
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

/// A service whose future is `Payload<N>`, pending `req` times.
#[derive(Debug, Default)]
pub struct Fixed<const N: usize>;

impl<const N: usize> hybrid_dispatch::Service<u32> for Fixed<N> {
    type Response = usize;
    type Future<'a> = Payload<N>;
    fn call(&self, pending: u32) -> Payload<N> {
        Payload::new(pending)
    }
}

/// Polls `fut` to completion on the current thread with a no-op waker,
/// returning the output and how many polls it took.
pub fn block_on<F: Future>(fut: F) -> (F::Output, usize) {
    let mut fut = core::pin::pin!(fut);
    poll_pinned(fut.as_mut())
}

/// Polls an already pinned future to completion.
pub fn poll_pinned<F: Future + ?Sized>(mut fut: Pin<&mut F>) -> (F::Output, usize) {
    let mut cx = Context::from_waker(Waker::noop());
    let mut polls = 0;
    loop {
        polls += 1;
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return (out, polls);
        }
    }
}

/// Polls once.
pub fn poll_once<F: Future + ?Sized>(fut: Pin<&mut F>) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(Waker::noop()))
}

/// Counts drops of the values it hands out.
#[derive(Clone, Debug, Default)]
pub struct DropCounter(Arc<AtomicUsize>);

impl DropCounter {
    pub fn token(&self) -> DropToken {
        DropToken(Arc::clone(&self.0), false)
    }
    pub fn panicking_token(&self) -> DropToken {
        DropToken(Arc::clone(&self.0), true)
    }
    pub fn drops(&self) -> usize {
        self.0.load(SeqCst)
    }
}

/// Increments its counter when dropped; panics afterwards if asked to.
#[derive(Debug)]
pub struct DropToken(Arc<AtomicUsize>, bool);

impl Drop for DropToken {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
        if self.1 {
            panic!("DropToken asked to panic in drop");
        }
    }
}

/// A future of exactly `N` bytes of payload (plus its state) that holds a
/// `DropToken`, is pending `pending` times, may panic in `poll`, and returns
/// the sum of its payload.
#[derive(Debug)]
pub struct Payload<const N: usize> {
    pub payload: [u8; N],
    pub pending: u32,
    pub panic_in_poll: bool,
    pub token: Option<DropToken>,
}

impl<const N: usize> Payload<N> {
    pub fn new(pending: u32) -> Self {
        Payload {
            payload: [1; N],
            pending,
            panic_in_poll: false,
            token: None,
        }
    }
    pub fn with_token(mut self, token: DropToken) -> Self {
        self.token = Some(token);
        self
    }
    pub fn panicking(mut self) -> Self {
        self.panic_in_poll = true;
        self
    }
}

impl<const N: usize> Future for Payload<N> {
    type Output = usize;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        if self.panic_in_poll {
            panic!("Payload asked to panic in poll");
        }
        if self.pending > 0 {
            self.pending -= 1;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(self.payload.iter().map(|&b| usize::from(b)).sum())
    }
}
