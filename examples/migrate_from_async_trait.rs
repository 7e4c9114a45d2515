//! Migrating from `#[async_trait]`: the same service written both ways,
//! both called through `dyn`, with allocations (counting allocator, exact)
//! and time per call (median of repeated timed batches) side by side.
//!
//! Run: `cargo run --release --example migrate_from_async_trait`

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use counting_alloc::{CountingAlloc, count};
use hybrid_dispatch::{SendDynService, Service, service_fn};

// Counts every allocation (the allocator is at the end of this file).
#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Pending once, then ready: stands in for the I/O a real service awaits.
#[derive(Debug, Default)]
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// The service's state.
#[derive(Clone, Copy, Debug)]
struct Pricer {
    base: u64,
    per_item: u64,
}

// ---------------------------------------------------------------------------
// Before: `#[async_trait]`. Every call boxes its future.

#[async_trait]
trait Quote {
    async fn quote(&self, items: u32) -> u64;
}

#[async_trait]
impl Quote for Pricer {
    async fn quote(&self, items: u32) -> u64 {
        YieldOnce::default().await;
        self.base + self.per_item * u64::from(items)
    }
}

// ---------------------------------------------------------------------------
// After (1): `service_fn`. No trait to declare; the closure's future owns
// what it needs (here a `Copy` of the state; an `Arc` clone for larger state).

fn pricer_service(
    pricer: Pricer,
) -> impl Service<u32, Response = u64> + SendDynService<u32, u64> + 'static {
    service_fn(move |items: u32| async move {
        YieldOnce::default().await;
        pricer.base + pricer.per_item * u64::from(items)
    })
}

// After (2): keep the struct and implement `Service` with a named future
// that borrows `&self`, as the `async fn` did. More code on stable Rust
// (the future is written by hand), no copy of the state per call.

/// The future of `Pricer`'s `Service` impl.
#[derive(Debug)]
struct QuoteFuture<'a> {
    pricer: &'a Pricer,
    items: u32,
    wait: YieldOnce,
}

impl Future for QuoteFuture<'_> {
    type Output = u64;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        if Pin::new(&mut self.wait).poll(cx).is_pending() {
            return Poll::Pending;
        }
        Poll::Ready(self.pricer.base + self.pricer.per_item * u64::from(self.items))
    }
}

impl Service<u32> for Pricer {
    type Response = u64;
    type Future<'a> = QuoteFuture<'a>;

    fn call(&self, items: u32) -> QuoteFuture<'_> {
        QuoteFuture {
            pricer: self,
            items,
            wait: YieldOnce::default(),
        }
    }
}

// ---------------------------------------------------------------------------
// Measurement.

/// Polls a future to completion where it lies: the erased handle is pinned
/// where the call returned it, as `.await` does, so the rows measure the
/// calls, not a copy of the handle into this function.
macro_rules! block_on {
    ($fut:expr) => {
        poll_pinned(core::pin::pin!($fut))
    };
}

fn poll_pinned<F: Future + ?Sized>(mut fut: Pin<&mut F>) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// Median time per call of each of `calls`, over `rounds` batches of
/// `batch` calls. The rows take turns within each round, so a drift in CPU
/// frequency or a noisy neighbour hits them all alike.
fn median_per_call(rounds: usize, batch: u32, calls: &[&dyn Fn(u32) -> u64]) -> Vec<f64> {
    let mut samples = vec![Vec::with_capacity(rounds); calls.len()];
    for _ in 0..rounds {
        for (call, samples) in calls.iter().zip(&mut samples) {
            let start = Instant::now();
            for i in 0..batch {
                black_box(call(black_box(i)));
            }
            samples.push(start.elapsed().as_secs_f64() * 1e9 / f64::from(batch));
        }
    }
    samples
        .into_iter()
        .map(|mut s| {
            s.sort_by(f64::total_cmp);
            s[rounds / 2]
        })
        .collect()
}

fn main() {
    let pricer = Pricer {
        base: 100,
        per_item: 7,
    };
    let before: Arc<dyn Quote + Send + Sync> = Arc::new(pricer);
    let after_fn: Arc<dyn SendDynService<u32, u64>> = Arc::new(pricer_service(pricer));
    let after_struct: Arc<dyn SendDynService<u32, u64>> = Arc::new(pricer);

    // Same answers.
    assert_eq!(block_on!(before.quote(3)), 121);
    assert_eq!(block_on!(after_fn.call_send(3)), 121);
    assert_eq!(block_on!(after_struct.call_send(3)), 121);

    let (rounds, batch) = if cfg!(debug_assertions) {
        (5, 10_000)
    } else {
        (21, 200_000)
    };
    type Row<'a> = (&'a str, Box<dyn Fn(u32) -> u64 + 'a>);
    let rows: [Row<'_>; 4] = [
        (
            "#[async_trait], dyn Quote",
            Box::new(|i| block_on!(before.quote(i))),
        ),
        (
            "service_fn, dyn SendDynService",
            Box::new(|i| block_on!(after_fn.call_send(i))),
        ),
        (
            "impl Service, dyn SendDynService",
            Box::new(|i| block_on!(after_struct.call_send(i))),
        ),
        (
            "impl Service, static call",
            Box::new(|i| block_on!(pricer.call(i))),
        ),
    ];

    println!(
        "one call = build the future, poll it twice (pending once), drop it; \
         median of {rounds} batches of {batch} calls{}",
        if cfg!(debug_assertions) {
            " (debug build: run with --release for real numbers)"
        } else {
            ""
        }
    );
    println!(
        "{:<34} {:>8} {:>8} {:>10} {:>10}",
        "", "allocs", "bytes", "ns/call", "vs before"
    );
    let calls: Vec<&dyn Fn(u32) -> u64> = rows.iter().map(|(_, call)| &**call).collect();
    let times = median_per_call(rounds, batch, &calls);
    for ((name, call), ns) in rows.iter().zip(&times) {
        let (_, allocs) = count(|| call(1));
        println!(
            "{name:<34} {:>8} {:>8} {:>10.1} {:>9.2}x",
            allocs.allocs,
            allocs.bytes,
            ns,
            ns / times[0],
        );
    }
}

// ---------------------------------------------------------------------------
// A counting allocator, so that the allocations printed below are exact:
// every allocation is counted on the thread that makes it.

#[allow(
    unsafe_code,
    reason = "a GlobalAlloc impl is unsafe by definition; it only forwards to System"
)]
mod counting_alloc {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        static ALLOCS: Cell<u64> = const { Cell::new(0) };
        static BYTES: Cell<u64> = const { Cell::new(0) };
    }

    /// Forwards to [`System`], counting on the calling thread.
    #[derive(Debug)]
    pub(crate) struct CountingAlloc;

    // SAFETY: every method forwards to `System` with the arguments it was
    // given; the counters are const-initialised thread-locals, which never
    // allocate. (`realloc` and `alloc_zeroed` keep their default bodies,
    // which call these two.)
    unsafe impl GlobalAlloc for CountingAlloc {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
            let _ = BYTES.try_with(|c| c.set(c.get() + layout.size() as u64));
            // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
            unsafe { System.alloc(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: forwarded unchanged; the caller upholds `dealloc`'s contract.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    /// What this thread allocated.
    #[derive(Clone, Copy, Debug, Default)]
    pub(crate) struct Allocs {
        pub(crate) allocs: u64,
        pub(crate) bytes: u64,
    }

    fn now() -> Allocs {
        Allocs {
            allocs: ALLOCS.with(Cell::get),
            bytes: BYTES.with(Cell::get),
        }
    }

    /// Runs `f`; returns its result and what this thread allocated meanwhile.
    pub(crate) fn count<R>(f: impl FnOnce() -> R) -> (R, Allocs) {
        let before = now();
        let out = f();
        let after = now();
        let allocs = Allocs {
            allocs: after.allocs - before.allocs,
            bytes: after.bytes - before.bytes,
        };
        (out, allocs)
    }
}
