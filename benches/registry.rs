//! What the registry adds to a `dyn` call, in one criterion run.
//!
//! The service is the SMALL future of `benches/dispatch.rs`
//! (`support/workload.rs`, `work::<SMALL>`): a 40-byte `async fn` holding its
//! state across one await that is pending exactly once. Every row builds it, polls it to completion with a no-op waker
//! (pending, then ready) while it stays pinned where the call returned it,
//! and drops it; only the way of reaching the service differs:
//!
//! | row | what |
//! |---|---|
//! | `1_dyn_send` | `&dyn SendDynService` `call_send`: the baseline |
//! | `2_handle` | a pre-resolved `Handle::call` (counts the call, in flight until it ends) |
//! | `3_by_name` | `Registry::call(name)` among 16 services: snapshot load (no lock, no `Arc` clone), the hashed index, the call |
//! | `4_counted_dyn` | `&dyn SendDynService` on `Counted<S>`: the core's own counters, for scale |
//! | `5_lookup_only` | `Registry::handle(name)` and drop it: the lookup without the call |
//!
//! `cargo bench -p benches --bench registry -- --callgrind` prints each row's
//! instructions per call instead (valgrind, a few seconds). `BENCH_NAMES=8`
//! registers 8 names instead of 16, and then looks up the last one (the
//! worst case of a map that compares names in turn).
//!
//! `cargo bench -p benches --bench registry -- --in-flight` times a call by
//! name (`pin!(registry.dispatch(name, x))`, a ready service) on 1 and 2
//! threads while each holds 0 to 1000 other calls by name in flight (each
//! holds a snapshot of the names until it ends): what a server with many
//! requests awaiting plugins on each worker thread pays per call.
//!
//! `cargo bench -p benches --bench registry` prints the exact allocations per call of
//! each row (the counting `#[global_allocator]` of `support/counting_alloc.rs`),
//! runs criterion on one pinned CPU (see `support/harness.rs`), then prints
//! each row's time and its ratio to `1_dyn_send` twice: criterion's median
//! (`<target>/criterion/registry/<row>/new/estimates.json`, only if written
//! by this run) and the median of an interleaved round-robin timer in the
//! same process, which load that drifts during the run (a shared machine)
//! cannot skew towards one row.

use std::future::Future;
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime};

use criterion::{BenchmarkGroup, measurement::WallTime};
use hybrid_dispatch::{Counted, Handle, Registry, SendDynService, service_fn};

#[allow(dead_code, reason = "each bench uses its part of the shared support")]
#[path = "support/mod.rs"]
mod support;

use support::counting_alloc::{self, CountingAlloc};
use support::harness::{criterion, criterion_median, measuring, pin_to_one_core};
use support::interleaved::{Batch, Plan, Timing, interleaved};
use support::workload::{SMALL, work};

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

// ---------------------------------------------------------------------------
// The service under test is `work::<SMALL>` (`support/workload.rs`); its driver:

/// Polls a pinned future to completion with a no-op waker: no runtime.
#[inline(always)]
fn run_pinned<F: Future + ?Sized>(mut fut: Pin<&mut F>) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

// ---------------------------------------------------------------------------
// The rows: each its own non-inlined function, so every row pays the same
// call overhead around the code it measures.

#[inline(never)]
fn dyn_send(svc: &dyn SendDynService<u64, u64>, x: u64) -> u64 {
    run_pinned(pin!(svc.call_send(x)))
}

#[inline(never)]
fn handle(handle: &Handle<u64, u64>, x: u64) -> u64 {
    run_pinned(pin!(handle.call(x)))
}

#[inline(never)]
fn by_name(registry: &Registry<u64, u64>, name: &str, x: u64) -> u64 {
    match registry.call(name, x) {
        Ok(fut) => run_pinned(pin!(fut)),
        Err(err) => panic!("{err}"),
    }
}

#[inline(never)]
fn lookup_only(registry: &Registry<u64, u64>, name: &str) -> u64 {
    match registry.handle(name) {
        Ok(handle) => handle.name().len() as u64,
        Err(err) => panic!("{err}"),
    }
}

const GROUP: &str = "registry";
const BASELINE: &str = "1_dyn_send";
const ROWS: [&str; 5] = [
    BASELINE,
    "2_handle",
    "3_by_name",
    "4_counted_dyn",
    "5_lookup_only",
];
/// How many names are registered: 16, or `BENCH_NAMES`.
fn names() -> usize {
    std::env::var("BENCH_NAMES").map_or(16, |n| {
        n.parse()
            .ok()
            .filter(|&n| n > 0)
            .expect("BENCH_NAMES: a number of names, at least 1")
    })
}

/// The name looked up: `plugin-07`, in the middle of 16 names, or the
/// last of fewer (where a map that compares names in turn finds it last).
fn name() -> &'static str {
    let at = names().min(8) - 1;
    Box::leak(format!("plugin-{at:02}").into_boxed_str())
}

/// Everything the rows call, built once.
struct Fixture {
    plain: Box<dyn SendDynService<u64, u64>>,
    counted: Box<dyn SendDynService<u64, u64>>,
    registry: Registry<u64, u64>,
    handle: Handle<u64, u64>,
    name: &'static str,
}

impl Fixture {
    fn new() -> Self {
        let registry = Registry::new();
        let name = name();
        for i in 0..names() {
            registry
                .register(&format!("plugin-{i:02}"), service_fn(work::<SMALL>))
                .expect("fresh names");
        }
        Fixture {
            plain: Box::new(service_fn(work::<SMALL>)),
            counted: Box::new(Counted::new(service_fn(work::<SMALL>))),
            handle: registry.handle(name).expect("registered"),
            registry,
            name,
        }
    }

    /// Hands every row, as a closure, to `visitor`.
    fn visit<'f>(&'f self, visitor: &mut impl Visitor<'f>) {
        visitor.visit(ROWS[0], move |x| dyn_send(&*self.plain, x));
        visitor.visit(ROWS[1], move |x| handle(&self.handle, x));
        visitor.visit(ROWS[2], move |x| by_name(&self.registry, self.name, x));
        visitor.visit(ROWS[3], move |x| dyn_send(&*self.counted, x));
        visitor.visit(ROWS[4], move |_| lookup_only(&self.registry, self.name));
    }
}

/// Something done with each row: benchmarked, counted, batched.
trait Visitor<'f> {
    fn visit<F: Fn(u64) -> u64 + 'f>(&mut self, row: &'static str, call: F);
}

struct Bench<'g, 'c>(&'g mut BenchmarkGroup<'c, WallTime>);

impl<'f> Visitor<'f> for Bench<'_, '_> {
    fn visit<F: Fn(u64) -> u64 + 'f>(&mut self, row: &'static str, call: F) {
        self.0
            .bench_function(row, |b| b.iter(|| call(black_box(12_345))));
    }
}

const COUNTED_CALLS: u64 = 10_000;

/// Exact allocations (count, bytes) per call of each row.
struct CountAllocations(Vec<(&'static str, f64, f64)>);

impl<'f> Visitor<'f> for CountAllocations {
    fn visit<F: Fn(u64) -> u64 + 'f>(&mut self, row: &'static str, call: F) {
        black_box(call(1)); // first-call effects (lazy statics) are not per-call costs
        let allocs = counting_alloc::count(|| {
            for i in 0..COUNTED_CALLS {
                black_box(call(black_box(i)));
            }
        });
        let per_call = |n: u64| n as f64 / COUNTED_CALLS as f64;
        self.0
            .push((row, per_call(allocs.allocs), per_call(allocs.bytes)));
    }
}

struct CollectBatches<'f>(Vec<(&'static str, Batch<'f>)>);

impl<'f> Visitor<'f> for CollectBatches<'f> {
    fn visit<F: Fn(u64) -> u64 + 'f>(&mut self, row: &'static str, call: F) {
        let batch = move |iters: u64| {
            let mut acc = 0u64;
            for _ in 0..iters {
                acc = acc.wrapping_add(call(black_box(12_345)));
            }
            acc
        };
        self.0.push((row, Box::new(batch)));
    }
}

/// The interleaved timer: 3 blocks of 67 rounds of 10,000 calls per row.
const PLAN: Plan = Plan {
    blocks: 3,
    rounds: 67,
    batch: 10_000,
};

fn print_results(allocs: &[(&'static str, f64, f64)], timings: &[Timing], since: SystemTime) {
    let criterion: Vec<Option<f64>> = ROWS
        .iter()
        .map(|row| criterion_median(GROUP, row, since))
        .collect();
    let plan = PLAN.or_quick();
    println!(
        "\nns per call and ratio to {BASELINE}: criterion = median of this run; interleaved = \
         median over {} round-robin rounds of {} calls, ratio paired per round (in parentheses \
         the lowest and highest of {} block medians)",
        plan.blocks * plan.rounds,
        plan.batch,
        plan.blocks
    );
    println!(
        "{:<16} {:>10} {:>7} {:>12} {:>20} {:>12} {:>11}",
        "row", "criterion", "ratio", "interleaved", "ratio", "allocs/call", "bytes/call"
    );
    for (i, row) in ROWS.iter().enumerate() {
        let (ns, ratio) = match (criterion[i], criterion[0]) {
            (Some(m), Some(base)) => (format!("{m:.2}"), format!("{:.2}x", m / base)),
            _ => ("-".into(), "-".into()),
        };
        let (_, a, b) = allocs[i];
        println!(
            "{row:<16} {ns:>10} {ratio:>7} {:>12.2} {:>20} {a:>12.4} {b:>11.1}",
            timings[i].ns,
            timings[i].cell()
        );
    }
    let ratio = |a: usize, b: usize| match (criterion[a], criterion[b]) {
        (Some(a), Some(b)) => format!("{:.2}x", a / b),
        _ => "-".into(),
    };
    let diff = |a: usize, b: usize| match (criterion[a], criterion[b]) {
        (Some(a), Some(b)) => format!("{:+.2} ns", a - b),
        _ => "-".into(),
    };
    println!(
        "handle / dyn:          criterion {}, interleaved {:.2}x (target <= 1.1x)",
        ratio(1, 0),
        timings[1].ratio
    );
    println!(
        "handle / counted dyn:  criterion {}, interleaved {:.2}x (both count with two atomic adds)",
        ratio(1, 3),
        timings[1].ns / timings[3].ns
    );
    println!(
        "by name - handle:      criterion {}, interleaved {:+.2} ns (the lookup's added cost)",
        diff(2, 1),
        timings[2].ns - timings[1].ns
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `--repeat ROW N`: what `--callgrind` runs under valgrind.
    if let Some(at) = args.iter().position(|a| a == "--repeat") {
        let fixture = Fixture::new();
        let mut batches = CollectBatches(Vec::new());
        fixture.visit(&mut batches);
        let (_, run) = batches
            .0
            .iter_mut()
            .find(|(row, _)| *row == args[at + 1])
            .expect("a row of ROWS");
        run(100); // warm
        black_box(run(args[at + 2].parse().expect("N")));
        return;
    }
    if let Some(at) = args.iter().position(|a| a == "--callgrind") {
        callgrind(args.get(at + 1).map_or(20_000, |n| n.parse().expect("N")));
        return;
    }
    if args.iter().any(|a| a == "--in-flight") {
        in_flight();
        return;
    }
    let start = SystemTime::now();
    let pinned = pin_to_one_core();
    let fixture = Fixture::new();
    let mut check = CollectBatches(Vec::new());
    fixture.visit(&mut check);
    let expected = (check.0[0].1)(1);
    for (row, run) in check.0.iter_mut().take(4) {
        assert_eq!(run(1), expected, "row {row} answers like the baseline");
    }

    let mut counts = CountAllocations(Vec::new());
    fixture.visit(&mut counts);
    println!("allocations per call (exact, over {COUNTED_CALLS} calls):");
    for (row, allocs, bytes) in &counts.0 {
        println!("  {row:<16} {allocs:>8.4} allocs {bytes:>8.1} bytes");
    }

    let mut criterion = criterion(Duration::from_millis(500), Duration::from_millis(1500), 30);
    let mut group = criterion.benchmark_group(GROUP);
    fixture.visit(&mut Bench(&mut group));
    group.finish();
    criterion.final_summary();

    // `cargo test --benches` runs criterion in test mode: no timing wanted.
    if !measuring() {
        return;
    }
    let mut batches = CollectBatches(Vec::new());
    fixture.visit(&mut batches);
    let mut runs: Vec<Batch<'_>> = batches.0.into_iter().map(|(_, run)| run).collect();
    let timings = interleaved(&mut runs, |_| 0, PLAN.or_quick());
    println!("\n{pinned}");
    print_results(&counts.0, &timings, start);
    println!("(registry stats after the run: {})", fixture.handle.stats());
}

/// Instructions per call of each row, `(Ir(2N) - Ir(N)) / N` under
/// callgrind: stable on a shared machine, where the times are not.
fn callgrind(n: u64) {
    let exe = std::env::current_exe().expect("the bench's path");
    let exe = exe.to_str().expect("a UTF-8 path");
    println!(
        "instructions per call among {} names, looking up {} (callgrind, (Ir(2N) - Ir(N)) / N, N = {n}):",
        names(),
        name()
    );
    for row in ROWS {
        let ir = |n: u64| {
            let name = format!("cg.registry.{row}.{n}");
            support::valgrind::ir_total_of(exe, &["--repeat", row, &n.to_string()], &name)
        };
        let (once, twice) = (ir(n), ir(2 * n));
        println!("  {row:<16} {:>6.0}", (twice - once) as f64 / n as f64);
    }
}

/// `--in-flight`: ns per call by name while each thread holds `held` calls
/// by name that have not ended (a service that never answers), median of
/// 5 runs of 200,000 calls per thread.
fn in_flight() {
    let registry: Registry<u64, u64> = Registry::new();
    registry
        .register(
            "waits",
            service_fn(|x: u64| async move {
                std::future::pending::<()>().await;
                x
            }),
        )
        .unwrap();
    registry
        .register("answers", service_fn(|x: u64| async move { x + 1 }))
        .unwrap();
    println!("## A call by name while calls by name are in flight (ns per call, each thread)\n");
    println!("| threads | held in flight per thread | ns per call |");
    println!("|---:|---:|---|");
    for threads in [1, 2] {
        for held in [0, 15, 16, 64, 127, 1000] {
            let mut runs: Vec<Vec<f64>> = vec![Vec::new(); threads];
            for _ in 0..5 {
                let times: Vec<f64> = std::thread::scope(|scope| {
                    let workers: Vec<_> = (0..threads)
                        .map(|_| scope.spawn(|| calls_while_held(&registry, held)))
                        .collect();
                    workers.into_iter().map(|w| w.join().unwrap()).collect()
                });
                for (run, time) in runs.iter_mut().zip(times) {
                    run.push(time);
                }
            }
            let medians: Vec<String> = runs
                .into_iter()
                .map(|mut run| {
                    run.sort_by(f64::total_cmp);
                    format!("{:.1}", run[run.len() / 2])
                })
                .collect();
            println!("| {threads} | {held} | {} |", medians.join(", "));
        }
    }
    // The cost on the other side: a registration retires the names'
    // snapshot these calls hold, and each ending call's drop then looks for
    // the last holder (a scan of every thread's slots, under the lock).
    println!("\n| calls in flight on one thread, then a registration | µs until all have ended |");
    println!("|---:|---:|");
    for held in [16, 64, 1000] {
        let mut runs: Vec<f64> = (0..5)
            .map(|run| {
                let waiting: Vec<_> = (0..held as u64)
                    .map(|x| registry.call("waits", x).unwrap())
                    .collect();
                registry
                    .register(
                        &format!("added-{held}-{run}"),
                        service_fn(|x: u64| async move { x }),
                    )
                    .unwrap();
                let started = std::time::Instant::now();
                drop(waiting);
                started.elapsed().as_nanos() as f64 / 1000.0
            })
            .collect();
        runs.sort_by(f64::total_cmp);
        println!("| {held} | {:.1} |", runs[runs.len() / 2]);
    }
}

/// On this thread: `held` calls of `waits` made and kept, then ns per
/// awaited call of `answers` by name.
fn calls_while_held(registry: &Registry<u64, u64>, held: usize) -> f64 {
    let waiting: Vec<_> = (0..held as u64)
        .map(|x| registry.call("waits", x).unwrap())
        .collect();
    let n = 200_000u64;
    let mut cx = Context::from_waker(Waker::noop());
    let started = std::time::Instant::now();
    let mut sum = 0;
    for x in 0..n {
        let mut call = pin!(registry.dispatch(black_box("answers"), x));
        loop {
            if let Poll::Ready(answer) = call.as_mut().poll(&mut cx) {
                sum += answer.unwrap();
                break;
            }
        }
    }
    black_box(sum);
    let ns = started.elapsed().as_nanos() as f64 / n as f64;
    drop(waiting);
    ns
}
