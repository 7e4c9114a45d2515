//! 1,000,000 items through an async iterator, seven ways: the static GAT
//! path (`iter.next().await` on the concrete type), `GatStream` (static),
//! `BoxAsyncIter` (erased; `next` futures in storage it reuses),
//! `DynAsyncIter::next_dyn` (erased; one `InlineFuture` per item),
//! `Pin<Box<dyn Stream>>` (the whole stream boxed once), `#[async_trait]`
//! on `async fn next(&mut self)` and `dynosaur` on `fn next(&mut self) ->
//! impl Future` (both box every item's future). Every item's future is
//! pending once (waking) before it yields, and is SMALL (a 48-byte future)
//! or LARGE (1,056 bytes); the loop runs inside an outer `async` block
//! polled through `Pin<&mut dyn Future>`, as an executor polls a task.
//!
//! ```text
//! cargo bench -p benches --bench stream                          # allocations + ns per item (1,000,000 items, interleaved medians)
//! BENCH_CRITERION=1 cargo bench -p benches --bench stream          # the same rows under criterion (1,000 items per iteration)
//! cargo bench -p benches --bench stream -- --measure 20000       # instructions per item (callgrind)
//! cargo bench -p benches --bench stream -- --measure 20000 small # one size (or row)
//! ```
//!
//! `--measure N` runs each selected cell under `valgrind --tool=callgrind`
//! with N and 2N items and prints `(Ir(2N) - Ir(N)) / N`: making the
//! stream, start-up and exit cancel out. Allocations come from a counting
//! global allocator (a relaxed atomic add per allocation, paid only by the
//! rows that allocate).

use core::future::Future;
use core::hint::black_box;
use core::pin::{Pin, pin};
use core::task::{Context, Poll, Waker};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

// The benches' callgrind runner (`support/valgrind.rs`; this bench uses
// nothing else of `support`).
#[path = "support/valgrind.rs"]
#[allow(dead_code, reason = "the bench uses a part")]
mod valgrind;

use async_trait::async_trait;
use criterion::{Criterion, Throughput};
use futures_core::Stream;
use futures_util::StreamExt;
use hybrid_dispatch::stream::{AsyncIter, BoxAsyncIter, DynAsyncIter, GatStream};

// --- counting allocator -------------------------------------------------------------

struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

#[allow(
    unsafe_code,
    reason = "a GlobalAlloc impl is unsafe by definition; it only forwards to System"
)]
// SAFETY: forwards every call to `System` unchanged; counting touches only
// atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size() as u64, Relaxed);
        // SAFETY: the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

// --- the iterator ---------------------------------------------------------------------

/// Yields `0..end`; each item's future borrows the iterator, carries `W`
/// words of payload and is pending once.
struct Counter<const W: usize> {
    next: u64,
    end: u64,
}

struct CounterNext<'a, const W: usize> {
    iter: &'a mut Counter<W>,
    words: [u64; W],
    yielded: bool,
}

impl<const W: usize> Future for CounterNext<'_, W> {
    type Output = Option<u64>;
    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
        if !self.yielded {
            self.yielded = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let this = &mut *self;
        if this.iter.next == this.iter.end {
            return Poll::Ready(None);
        }
        this.iter.next += 1;
        Poll::Ready(Some(this.words[0] + this.words[W - 1]))
    }
}

impl<const W: usize> AsyncIter for Counter<W> {
    type Item = u64;
    type NextFut<'a> = CounterNext<'a, W>;
    #[inline]
    fn next(&mut self) -> CounterNext<'_, W> {
        let x = self.next;
        CounterNext {
            iter: self,
            words: [x; W],
            yielded: false,
        }
    }
}

/// Payload words of the SMALL `next` future (48 bytes in all).
const SMALL_WORDS: usize = 4;
/// Payload words of the LARGE `next` future (1,056 bytes in all).
const LARGE_WORDS: usize = 130;

// The sizes the docs above promise.
const _: () = assert!(core::mem::size_of::<CounterNext<'static, SMALL_WORDS>>() == 48);
const _: () = assert!(core::mem::size_of::<CounterNext<'static, LARGE_WORDS>>() == 1056);

// --- the peers ------------------------------------------------------------------------

#[async_trait(?Send)]
trait AtIter {
    async fn next(&mut self) -> Option<u64>;
}

#[async_trait(?Send)]
impl<const W: usize> AtIter for Counter<W> {
    async fn next(&mut self) -> Option<u64> {
        AsyncIter::next(self).await
    }
}

#[dynosaur::dynosaur(DynDynoIter = dyn(box) DynoIter)]
trait DynoIter {
    fn next(&mut self) -> impl Future<Output = Option<u64>>;
}

impl<const W: usize> DynoIter for Counter<W> {
    #[inline]
    fn next(&mut self) -> impl Future<Output = Option<u64>> {
        AsyncIter::next(self)
    }
}

// --- rows -----------------------------------------------------------------------------

const SIZES: [&str; 2] = ["small", "large"];
const ROWS: [&str; 7] = [
    "static_gat",
    "gat_stream",
    "box_async_iter",
    "next_dyn",
    "pin_box_dyn_stream",
    "async_trait",
    "dynosaur",
];

/// Polls an outer future through `dyn Future`, as an executor polls a task.
#[inline(never)]
fn poll_dyn(mut fut: Pin<&mut dyn Future<Output = u64>>) -> u64 {
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// Drains a pinned stream inside the task, one `StreamExt::next().await`
/// per item (the same loop for every `Stream` row).
async fn sum_stream<S: Stream<Item = u64> + ?Sized>(mut stream: Pin<&mut S>) -> u64 {
    let mut sum = 0u64;
    while let Some(x) = stream.next().await {
        sum = sum.wrapping_add(x);
    }
    sum
}

/// Makes an iterator of `n` items and sums them the `row` way; returns the
/// sum so nothing is optimised away.
#[inline(never)]
fn run_with<const W: usize>(row: &str, n: u64) -> u64 {
    let iter = black_box(Counter::<W> { next: 0, end: n });
    match row {
        "static_gat" => poll_dyn(pin!(async move {
            let mut iter = iter;
            let mut sum = 0u64;
            while let Some(x) = AsyncIter::next(&mut iter).await {
                sum = sum.wrapping_add(x);
            }
            sum
        })),
        "gat_stream" => poll_dyn(pin!(
            async move { sum_stream(pin!(GatStream::new(iter))).await }
        )),
        "box_async_iter" => poll_dyn(pin!(async move {
            let erased: BoxAsyncIter<'static, u64> = BoxAsyncIter::new(iter);
            sum_stream(pin!(erased)).await
        })),
        "next_dyn" => poll_dyn(pin!(async move {
            let mut iter = iter;
            let erased: &mut dyn DynAsyncIter<u64> = black_box(&mut iter);
            let mut sum = 0u64;
            while let Some(x) = erased.next_dyn().await {
                sum = sum.wrapping_add(x);
            }
            sum
        })),
        "pin_box_dyn_stream" => poll_dyn(pin!(async move {
            let mut boxed: Pin<Box<dyn Stream<Item = u64>>> = Box::pin(GatStream::new(iter));
            sum_stream(boxed.as_mut()).await
        })),
        "async_trait" => poll_dyn(pin!(async move {
            let mut iter = iter;
            let erased: &mut dyn AtIter = black_box(&mut iter);
            let mut sum = 0u64;
            while let Some(x) = erased.next().await {
                sum = sum.wrapping_add(x);
            }
            sum
        })),
        "dynosaur" => poll_dyn(pin!(async move {
            let mut iter = iter;
            let erased = black_box(DynDynoIter::from_mut(&mut iter));
            let mut sum = 0u64;
            while let Some(x) = erased.next().await {
                sum = sum.wrapping_add(x);
            }
            sum
        })),
        _ => unreachable!("unknown row {row}"),
    }
}

fn run_small(row: &str, n: u64) -> u64 {
    run_with::<{ SMALL_WORDS }>(row, n)
}

fn run_large(row: &str, n: u64) -> u64 {
    run_with::<{ LARGE_WORDS }>(row, n)
}

fn run(size: &str, row: &str, n: u64) -> u64 {
    match size {
        "small" => run_small(row, n),
        "large" => run_large(row, n),
        _ => unreachable!("unknown size {size}"),
    }
}

const ITEMS: u64 = 1_000_000;

/// Allocations and bytes per item over `ITEMS` items (the stream's own
/// allocations at creation included, spread over the items).
fn allocation_table() {
    println!("allocations per item (bytes per item), {ITEMS} items, stream creation included:");
    println!("{:<20}{:>22}{:>22}", "row", "small", "large");
    for row in ROWS {
        print!("{row:<20}");
        for size in SIZES {
            let (a, b) = (ALLOCS.load(Relaxed), BYTES.load(Relaxed));
            black_box(run(size, row, ITEMS));
            let allocs = ALLOCS.load(Relaxed) - a;
            let bytes = BYTES.load(Relaxed) - b;
            print!(
                "{:>22}",
                format!(
                    "{} ({:.1}) [{allocs}]",
                    allocs as f64 / ITEMS as f64,
                    bytes as f64 / ITEMS as f64
                )
            );
        }
        println!();
    }
    println!();
}

/// Nanoseconds per item: rounds that each run every row once over `ITEMS`
/// items (round-robin, so drift hits every row alike). Prints the median
/// per row, and the ratios the targets are about as medians of per-round
/// ratios (each round's row against the same round's baseline), which other
/// work on the machine disturbs less than a ratio of medians.
fn time_table() {
    let rounds = if std::env::var_os("BENCH_QUICK").is_some() {
        5
    } else {
        21
    };
    println!("ns per item, median of {rounds} interleaved rounds of {ITEMS} items;");
    println!("ratios: median of the per-round ratios");
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    for size in SIZES {
        let mut samples: Vec<Vec<f64>> = vec![Vec::new(); ROWS.len()];
        for _ in 0..rounds {
            for (i, row) in ROWS.iter().enumerate() {
                let start = Instant::now();
                black_box(run(size, row, ITEMS));
                samples[i].push(start.elapsed().as_nanos() as f64 / ITEMS as f64);
            }
        }
        let index = |name: &str| ROWS.iter().position(|r| *r == name).unwrap();
        let (at, boxed) = (index("async_trait"), index("pin_box_dyn_stream"));
        let ratio = |i: usize, base: usize| {
            median(
                samples[i]
                    .iter()
                    .zip(&samples[base])
                    .map(|(a, b)| a / b)
                    .collect(),
            )
        };
        println!("\n{size}:");
        println!(
            "{:<20}{:>10}{:>16}{:>22}",
            "row", "ns/item", "÷ async_trait", "÷ Pin<Box<dyn Stream>>"
        );
        for (i, row) in ROWS.iter().enumerate() {
            println!(
                "{row:<20}{:>10.2}{:>16.2}{:>22.2}",
                median(samples[i].clone()),
                ratio(i, at),
                ratio(i, boxed)
            );
        }
    }
    println!();
}

/// Instructions per item under callgrind: `(Ir(2N) - Ir(N)) / N`.
fn measure(n: u64, sels: &[String]) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let dir = std::env::temp_dir().join("hybrid-dispatch-stream-callgrind");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let ir = |size: &str, row: &str, items: u64| -> Result<u64, String> {
        let out = dir.join(format!("{size}-{row}-{items}.out"));
        let status = std::process::Command::new("valgrind")
            .arg("--tool=callgrind")
            .arg(format!("--callgrind-out-file={}", out.display()))
            .arg(&exe)
            .args(["--run", size, row, &items.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("running valgrind: {e}"))?;
        if !status.success() {
            return Err(format!("valgrind failed on {size}/{row}"));
        }
        valgrind::total_ir(&out)
    };
    println!("instructions per item (callgrind, (Ir(2N) - Ir(N)) / N, N = {n})");
    for size in SIZES {
        if !sels.is_empty()
            && !sels.iter().any(|s| s == size)
            && !sels.iter().any(|s| ROWS.contains(&s.as_str()))
        {
            continue;
        }
        let mut results = Vec::new();
        for row in ROWS {
            if sels.iter().any(|s| ROWS.contains(&s.as_str())) && !sels.iter().any(|s| s == row) {
                continue;
            }
            let per_item = (ir(size, row, 2 * n)? as f64 - ir(size, row, n)? as f64) / n as f64;
            results.push((row, per_item));
        }
        let get = |name: &str| results.iter().find(|(r, _)| *r == name).map(|(_, v)| *v);
        let (at, boxed) = (get("async_trait"), get("pin_box_dyn_stream"));
        println!("\n{size}:");
        println!(
            "{:<20}{:>10}{:>16}{:>22}",
            "row", "instr", "÷ async_trait", "÷ Pin<Box<dyn Stream>>"
        );
        for (row, v) in &results {
            let ratio = |b: Option<f64>| b.map_or("-".into(), |b| format!("{:.2}", v / b));
            println!("{row:<20}{v:>10.1}{:>16}{:>22}", ratio(at), ratio(boxed));
        }
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if let Some(at) = args.iter().position(|a| a == "--run") {
        // One cell, N items: what `--measure` runs under valgrind.
        let [size, row, n] = [1, 2, 3].map(|i| args[at + i].clone());
        black_box(run(&size, &row, n.parse().expect("an item count")));
        return;
    }
    if let Some(at) = args.iter().position(|a| a == "--measure") {
        let rest = &args[at + 1..];
        let (n, sels) = match rest.first().and_then(|a| a.parse::<u64>().ok()) {
            Some(n) => (n, &rest[1..]),
            None => (20_000, rest),
        };
        if let Err(e) = measure(n, sels) {
            eprintln!("stream bench: {e}");
            std::process::exit(1);
        }
        return;
    }
    // Every row computes the same sum.
    for size in SIZES {
        let expected = run(size, "static_gat", 1000);
        for row in ROWS {
            assert_eq!(run(size, row, 1000), expected, "{size}/{row}");
        }
    }
    let measuring = std::env::args().any(|a| a == "--bench");
    if !measuring {
        // `cargo test --benches`: the check above is the test.
        return;
    }
    if std::env::var_os("BENCH_CRITERION").is_some() {
        const PER_ITER: u64 = 1000;
        let mut criterion = Criterion::default().configure_from_args();
        for size in SIZES {
            let mut group = criterion.benchmark_group(format!("stream/{size}"));
            group.throughput(Throughput::Elements(PER_ITER));
            for row in ROWS {
                group.bench_function(row, |b| b.iter(|| run(size, row, PER_ITER)));
            }
            group.finish();
        }
        criterion.final_summary();
        return;
    }
    allocation_table();
    time_table();
}
