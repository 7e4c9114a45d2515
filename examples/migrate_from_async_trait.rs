//! Migrating from `#[async_trait]` to `#[dyn_twin]`: the one-line change on
//! the trait, and what it buys, measured in this process.
//!
//! ```text
//! -#[async_trait]
//! +#[hybrid_dispatch::dyn_twin(DynQuote, send = SendDynQuote)]
//!  trait Quote {
//!      async fn quote(&self, items: u32) -> u64;
//!      async fn in_stock(&self, items: u32) -> bool;
//!  }
//!
//! -#[async_trait]
//!  impl Quote for Pricer { async fn quote(..) { .. } async fn in_stock(..) { .. } }
//!
//! -let svc: Arc<dyn Quote + Send + Sync> = Arc::new(pricer);
//! +let svc: Arc<dyn SendDynQuote> = Arc::new(pricer);
//!  let price = svc.quote(3).await; // unchanged: 1 allocation before, 0 after
//! ```
//!
//! The impl loses its attribute and keeps its plain `async fn`s; static calls
//! stop allocating; calls through `dyn` keep their text (the attribute
//! implements `Quote` for `dyn SendDynQuote`) and store the future inline
//! instead of boxing it. `svc.quote_send(3)` is the same call returning the
//! crate's handle, which says where the future lives (`is_heap()`). Without
//! `Send` (`#[async_trait(?Send)]`, `Box<dyn Quote>`), leave `send` out:
//! `#[dyn_twin(DynQuote)]` and `Box<dyn DynQuote>` (the `local` module below).
//!
//! The table below the demonstration prints, per call, the allocations
//! (exact, and asserted) and the time as a ratio to async-trait, all rows
//! interleaved in one run; each call is an `async fn` awaiting the method,
//! polled as an executor polls a task.
//!
//! A service with a single method needs no trait at all: see
//! `hybrid_dispatch::Service` and `service_fn`.
//!
//! ```text
//! cargo run --release --example migrate_from_async_trait               # the table
//! cargo run --release --example migrate_from_async_trait -- --run ROW N  # one row, N calls
//! ```
//!
//! `--run` is for instruction counts: run it under
//! `valgrind --tool=callgrind` with N and 2N calls; `(Ir(2N) - Ir(N)) / N`
//! is one call (rows: `async_trait`, `bridge`, `send`, `in_place`, `static`,
//! `async_trait_static`).

use core::future::Future;
use core::pin::{Pin, pin};
use core::task::{Context, Poll, Waker};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use counting_alloc::{CountingAlloc, count};
use hybrid_dispatch::capacity::DefaultCapacity;

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
    stock: u32,
}

/// Before: `#[async_trait]` on the trait and on every impl. Every call boxes
/// its future, through `dyn` and statically alike.
mod before {
    use async_trait::async_trait;

    use super::{Pricer, YieldOnce};

    #[async_trait]
    pub(crate) trait Quote {
        async fn quote(&self, items: u32) -> u64;
        async fn in_stock(&self, items: u32) -> bool;
    }

    #[async_trait]
    impl Quote for Pricer {
        async fn quote(&self, items: u32) -> u64 {
            YieldOnce::default().await;
            self.base + self.per_item * u64::from(items)
        }
        async fn in_stock(&self, items: u32) -> bool {
            YieldOnce::default().await;
            items <= self.stock
        }
    }

    /// A caller: an `async fn` awaiting the method, for any `Quote`
    /// (`Pricer` or `dyn Quote + Send + Sync`).
    pub(crate) async fn checkout<Q: Quote + ?Sized>(svc: &Q, items: u32) -> u64 {
        svc.quote(items).await
    }
}

/// After: one attribute on the trait; the impl is plain `async fn`.
mod after {
    use super::{Pricer, YieldOnce};

    #[hybrid_dispatch::dyn_twin(DynQuote, send = SendDynQuote)]
    pub(crate) trait Quote {
        async fn quote(&self, items: u32) -> u64;
        async fn in_stock(&self, items: u32) -> bool;
    }

    impl Quote for Pricer {
        async fn quote(&self, items: u32) -> u64 {
            YieldOnce::default().await;
            self.base + self.per_item * u64::from(items)
        }
        async fn in_stock(&self, items: u32) -> bool {
            YieldOnce::default().await;
            items <= self.stock
        }
    }

    /// The same caller, unchanged: for `Pricer` (a static call) and for
    /// `dyn SendDynQuote` (through the bridge impl the attribute generates).
    pub(crate) async fn checkout<Q: Quote + ?Sized>(svc: &Q, items: u32) -> u64 {
        svc.quote(items).await
    }

    /// Through the twin's own method, which returns the crate's handle.
    pub(crate) async fn checkout_send(svc: &dyn SendDynQuote, items: u32) -> u64 {
        svc.quote_send(items).await
    }

    /// The same, with the handle pinned where the call returns it: the call
    /// writes it into this `async fn`'s state and `.await` moves only the
    /// `Pin`, not the 128-byte handle.
    pub(crate) async fn checkout_in_place(svc: &dyn SendDynQuote, items: u32) -> u64 {
        core::pin::pin!(svc.quote_send(items)).await
    }
}

/// `#[async_trait(?Send)]` becomes `#[dyn_twin(DynQuote)]`, and
/// `Box<dyn Quote>` becomes `Box<dyn DynQuote>`.
mod local {
    use std::rc::Rc;

    use super::{Pricer, YieldOnce};

    #[hybrid_dispatch::dyn_twin(DynQuote)]
    pub(crate) trait Quote {
        async fn quote(&self, items: u32) -> u64;
    }

    /// Holds its prices in an `Rc`: its futures are not `Send`, which
    /// `send = …` would reject in this impl.
    pub(crate) struct Shared(pub(crate) Rc<Pricer>);

    impl Quote for Shared {
        async fn quote(&self, items: u32) -> u64 {
            YieldOnce::default().await;
            self.0.base + self.0.per_item * u64::from(items)
        }
    }
}

/// Polls a future to completion with a no-op waker.
fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// [`block_on`] through `dyn Future`, as an executor polls a task: each
/// poll is a separate call, so what the future keeps across its `.await`
/// (async-trait's `Box`, the twin's handle) really lives in it. Polled in
/// one inlined loop instead, the optimiser can see a whole call and, for
/// async-trait's static call, remove the allocation no executor would.
#[inline(never)]
fn poll_task(fut: Pin<&mut dyn Future<Output = u64>>) -> u64 {
    block_on(fut)
}

/// One call: the caller's `async fn`, polled as a task.
macro_rules! call {
    ($fut:expr) => {
        poll_task(pin!($fut))
    };
}

/// Calls `call` with `0..n`. The timer, the allocation count and `--run`
/// all go through this loop, so they measure the same machine code.
#[inline(never)]
fn batch(call: &dyn Fn(u32) -> u64, n: u32) -> u64 {
    let mut sum = 0u64;
    for i in 0..n {
        sum = sum.wrapping_add(call(black_box(i)));
    }
    sum
}

/// Per-call time of each of `calls`, over `rounds` batches of `n` calls:
/// the median nanoseconds, and the quartiles of the ratio to `calls[0]`.
/// The rows take turns within each round (starting one row later each
/// round), and a row's ratio is taken against the baseline of the same
/// round, so a drift in CPU frequency or a noisy neighbour hits all alike.
fn interleaved(rounds: usize, n: u32, calls: &[&dyn Fn(u32) -> u64]) -> Vec<(f64, [f64; 3])> {
    let mut ns = vec![Vec::with_capacity(rounds); calls.len()];
    for round in 0..rounds {
        for k in 0..calls.len() {
            let row = (round + k) % calls.len();
            let start = Instant::now();
            black_box(batch(black_box(calls[row]), n));
            ns[row].push(start.elapsed().as_secs_f64() * 1e9 / f64::from(n));
        }
    }
    let quartiles = |mut s: Vec<f64>| {
        s.sort_by(f64::total_cmp);
        [s[s.len() / 4], s[s.len() / 2], s[s.len() * 3 / 4]]
    };
    ns.iter()
        .map(|row| {
            let ratios = row.iter().zip(&ns[0]).map(|(t, base)| t / base).collect();
            (quartiles(row.clone())[1], quartiles(ratios))
        })
        .collect()
}

/// One row of the table.
struct Row<'a> {
    /// Its name for `--run`.
    key: &'static str,
    /// What it calls, on what.
    name: &'static str,
    /// Allocations per call, asserted.
    allocs: u64,
    /// One call.
    call: Box<dyn Fn(u32) -> u64 + 'a>,
}

fn main() {
    let pricer = Pricer {
        base: 100,
        per_item: 7,
        stock: 10,
    };
    // Before and after, as the application holds them.
    let before: Arc<dyn before::Quote + Send + Sync> = Arc::new(pricer);
    let after: Arc<dyn after::SendDynQuote> = Arc::new(pricer);

    let rows = [
        Row {
            key: "async_trait",
            name: "#[async_trait]  Arc<dyn Quote + Send + Sync>  svc.quote(x)",
            allocs: 1,
            call: Box::new(|i| call!(before::checkout(black_box(&*before), i))),
        },
        Row {
            key: "bridge",
            name: "#[dyn_twin]     Arc<dyn SendDynQuote>         svc.quote(x)",
            allocs: 0,
            call: Box::new(|i| call!(after::checkout(black_box(&*after), i))),
        },
        Row {
            key: "send",
            name: "#[dyn_twin]     Arc<dyn SendDynQuote>         svc.quote_send(x)",
            allocs: 0,
            call: Box::new(|i| call!(after::checkout_send(black_box(&*after), i))),
        },
        Row {
            key: "in_place",
            name: "#[dyn_twin]     Arc<dyn SendDynQuote>         pin!(svc.quote_send(x))",
            allocs: 0,
            call: Box::new(|i| call!(after::checkout_in_place(black_box(&*after), i))),
        },
        Row {
            key: "static",
            name: "#[dyn_twin]     Pricer (static call)          svc.quote(x)",
            allocs: 0,
            call: Box::new(|i| call!(after::checkout(black_box(&pricer), i))),
        },
        Row {
            key: "async_trait_static",
            name: "#[async_trait]  Pricer (static call)          svc.quote(x)",
            allocs: 1,
            call: Box::new(|i| call!(before::checkout(black_box(&pricer), i))),
        },
    ];

    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, row, n] = &args[..] {
        assert_eq!(
            flag, "--run",
            "usage: migrate_from_async_trait [--run ROW N]"
        );
        // One row, N calls: for `valgrind --tool=callgrind` (module docs).
        let n: u32 = n.parse().expect("a call count");
        let row = rows
            .iter()
            .find(|r| r.key == row)
            .expect("a row: async_trait, bridge, send, static, async_trait_static");
        black_box(batch(black_box(&*row.call), n));
        return;
    }

    // Same answers, every way; the call site did not change.
    for row in &rows {
        assert_eq!((row.call)(3), 121, "{}", row.name);
    }
    println!(
        "before: Arc<dyn Quote + Send + Sync>  svc.quote(3).await = {}, in_stock(11) = {}",
        block_on(before.quote(3)),
        block_on(before.in_stock(11)),
    );
    println!(
        "after:  Arc<dyn SendDynQuote>         svc.quote(3).await = {}, in_stock(11) = {}",
        block_on(after::Quote::quote(&*after, 3)),
        block_on(after::Quote::in_stock(&*after, 11)),
    );
    let layout = after.quote_layout();
    let handle = after.quote_send(3);
    println!(
        "        svc.quote_send(3): a {}-byte future, inline space {} bytes, is_heap() = {}",
        layout.size(),
        size_of::<DefaultCapacity>(),
        handle.is_heap(),
    );
    assert!(layout.fits::<DefaultCapacity>() && !handle.is_heap());
    assert_eq!(block_on(handle), 121);

    // `Arc<dyn SendDynQuote>` is `Send + Sync`: it moves to another thread.
    let moved = Arc::clone(&after);
    let there = std::thread::spawn(move || block_on(after::checkout(&*moved, 4)));
    println!(
        "        moved to another thread: svc.quote(4).await = {}",
        there.join().unwrap()
    );

    // `?Send`: `Box<dyn Quote>` became `Box<dyn DynQuote>`.
    let local: Box<dyn local::DynQuote> = Box::new(local::Shared(std::rc::Rc::new(pricer)));
    let (price, allocs) = count(|| block_on(local::Quote::quote(&*local, 3)));
    println!(
        "?Send:  Box<dyn DynQuote>             svc.quote(3).await = {price}, {} allocations",
        allocs.allocs
    );
    assert_eq!((price, allocs.allocs), (121, 0));
    println!();

    let (rounds, n) = if cfg!(debug_assertions) {
        (5, 10_000)
    } else {
        (121, 100_000)
    };
    println!(
        "one call = an `async fn` awaiting svc.quote(x) (pending once, then ready), \
         polled as a task\n(through `dyn Future`, no-op waker); time: median of {rounds} \
         batches of {n} calls, rows interleaved;\nratio: median [quartiles] of per-round \
         ratios{}",
        if cfg!(debug_assertions) {
            " (debug build: run with --release for real numbers)"
        } else {
            ""
        }
    );
    let calls: Vec<&dyn Fn(u32) -> u64> = rows.iter().map(|row| &*row.call).collect();
    let times = interleaved(rounds, n, &calls);
    println!(
        "{:<70} {:>6} {:>5} {:>8}  vs async-trait",
        "", "allocs", "bytes", "ns/call"
    );
    for (row, (ns, [q1, ratio, q3])) in rows.iter().zip(&times) {
        const CALLS: u32 = 100;
        let (_, allocs) = count(|| batch(black_box(&*row.call), CALLS));
        let per_call = allocs.allocs / u64::from(CALLS);
        let bytes = allocs.bytes / u64::from(CALLS);
        println!(
            "{:<70} {per_call:>6} {bytes:>5} {ns:>8.1}  {ratio:.2}× [{q1:.2}–{q3:.2}]",
            row.name
        );
        assert_eq!(allocs.allocs, row.allocs * u64::from(CALLS), "{}", row.name);
    }
}

// ---------------------------------------------------------------------------
// A counting allocator, so that the allocations printed above are exact:
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
