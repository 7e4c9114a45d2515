//! What the registry adds to a `dyn` call, in one criterion run.
//!
//! The service is the SMALL future of `benches/dispatch.rs`: a 40-byte
//! `async fn` holding three `u64`s across one await that is pending exactly
//! once. Every row builds it, polls it to completion with a no-op waker
//! (pending, then ready) while it stays pinned where the call returned it,
//! and drops it; only the way of reaching the service differs:
//!
//! | row | what |
//! |---|---|
//! | `1_dyn_send` | `&dyn SendDynService` `call_send`: the baseline |
//! | `2_handle` | a pre-resolved `Handle::call` (counts the call, in flight until dropped) |
//! | `3_by_name` | `Registry::call(name)` among 16 services: read lock, lookup, `Arc` clone |
//! | `4_counted_dyn` | `&dyn SendDynService` on `Counted<S>`: the core's own counters, for scale |
//! | `5_lookup_only` | `Registry::handle(name)` and drop it: the lookup without the call |
//!
//! `cargo bench --bench registry` prints the exact allocations per call of
//! each row (the tests' counting `#[global_allocator]`), runs criterion, then prints
//! each row's time and its ratio to `1_dyn_send` twice: criterion's median
//! (`<target>/criterion/registry/<row>/new/estimates.json`, only if written
//! by this run) and the median of an interleaved round-robin timer in the
//! same process, which load that drifts during the run (a shared machine)
//! cannot skew towards one row.

use std::future::Future;
use std::hint::black_box;
use std::path::PathBuf;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant, SystemTime};

use criterion::{BenchmarkGroup, Criterion, measurement::WallTime};
use hybrid_dispatch::{Counted, Handle, Registry, SendDynService, service_fn};

// ---------------------------------------------------------------------------
// Allocation counting: the tests' counting allocator (per thread; the
// crate's one audited `GlobalAlloc`), so this file needs no `unsafe`.

// The tests' support: `YieldOnce` and the counting allocator.
#[path = "../tests/common/mod.rs"]
mod common;

use common::{YieldOnce, counting_alloc};

#[global_allocator]
static GLOBAL: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc;

// ---------------------------------------------------------------------------
// The service under test.

/// The SMALL future of `benches/dispatch.rs` (40 bytes).
async fn small(x: u64) -> u64 {
    let a = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let b = x ^ 0xDEAD_BEEF;
    let c = x.rotate_left(17);
    YieldOnce::default().await;
    (a ^ b).wrapping_add(c)
}

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
/// The name looked up: in the middle of 16 registered names.
const NAME: &str = "plugin-07";

/// Everything the rows call, built once.
struct Fixture {
    plain: Box<dyn SendDynService<u64, u64>>,
    counted: Box<dyn SendDynService<u64, u64>>,
    registry: Registry<u64, u64>,
    handle: Handle<u64, u64>,
}

impl Fixture {
    fn new() -> Self {
        let registry = Registry::new();
        for i in 0..16 {
            registry
                .register(&format!("plugin-{i:02}"), service_fn(small))
                .expect("fresh names");
        }
        Fixture {
            plain: Box::new(service_fn(small)),
            counted: Box::new(Counted::new(service_fn(small))),
            handle: registry.handle(NAME).expect("registered"),
            registry,
        }
    }

    /// Hands every row, as a closure, to `visitor`.
    fn visit<'f>(&'f self, visitor: &mut impl Visitor<'f>) {
        visitor.visit(ROWS[0], move |x| dyn_send(&*self.plain, x));
        visitor.visit(ROWS[1], move |x| handle(&self.handle, x));
        visitor.visit(ROWS[2], move |x| by_name(&self.registry, NAME, x));
        visitor.visit(ROWS[3], move |x| dyn_send(&*self.counted, x));
        visitor.visit(ROWS[4], move |_| lookup_only(&self.registry, NAME));
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
        let ((), allocs) = counting_alloc::count(|| {
            for i in 0..COUNTED_CALLS {
                black_box(call(black_box(i)));
            }
        });
        let per_call = |n: u64| n as f64 / COUNTED_CALLS as f64;
        self.0
            .push((row, per_call(allocs.allocs), per_call(allocs.bytes)));
    }
}

/// Runs one row `iters` times: a monomorphic loop behind one indirect call.
type Batch<'f> = Box<dyn Fn(u64) -> u64 + 'f>;

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

const ROUNDS: usize = 201;
const BATCH: u64 = 10_000;

/// Every round times one batch of each row in turn, so all rows see the
/// same machine load; a row's figure is its median ns per call over rounds.
fn interleaved_medians(batches: &[(&'static str, Batch<'_>)]) -> Vec<f64> {
    for (_, run) in batches {
        black_box(run(BATCH));
    }
    let mut samples = vec![Vec::with_capacity(ROUNDS); batches.len()];
    for _ in 0..ROUNDS {
        for ((_, run), samples) in batches.iter().zip(&mut samples) {
            let start = Instant::now();
            black_box(run(black_box(BATCH)));
            samples.push(start.elapsed().as_secs_f64() * 1e9 / BATCH as f64);
        }
    }
    samples
        .into_iter()
        .map(|mut samples| {
            samples.sort_by(f64::total_cmp);
            samples[samples.len() / 2]
        })
        .collect()
}

/// Where criterion writes its results (criterion 0.5's rule, with the
/// target directory taken from this executable's path,
/// `<target>/<profile>/deps/<exe>`).
fn criterion_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return Some(home.into());
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return Some(PathBuf::from(target).join("criterion"));
    }
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.parent()?.parent()?.join("criterion"))
}

/// Criterion's median point estimate (ns) for `row`, if this run wrote it.
fn criterion_median_ns(row: &str, since: SystemTime) -> Option<f64> {
    let path = criterion_dir()?
        .join(GROUP)
        .join(row)
        .join("new")
        .join("estimates.json");
    if std::fs::metadata(&path).ok()?.modified().ok()? < since {
        return None;
    }
    let json = std::fs::read_to_string(path).ok()?;
    let median = &json[json.find("\"median\"")?..];
    let key = "\"point_estimate\":";
    let estimate = &median[median.find(key)? + key.len()..];
    let end = estimate.find([',', '}'])?;
    estimate[..end].trim().parse().ok()
}

fn print_results(allocs: &[(&'static str, f64, f64)], interleaved: &[f64], since: SystemTime) {
    let criterion: Vec<Option<f64>> = ROWS
        .iter()
        .map(|row| criterion_median_ns(row, since))
        .collect();
    println!(
        "\nns per call and ratio to {BASELINE}: criterion = median of this run; \
         interleaved = median of {ROUNDS} round-robin batches of {BATCH} calls"
    );
    println!(
        "{:<16} {:>10} {:>7} {:>12} {:>7} {:>12} {:>11}",
        "row", "criterion", "ratio", "interleaved", "ratio", "allocs/call", "bytes/call"
    );
    for (i, row) in ROWS.iter().enumerate() {
        let (ns, ratio) = match (criterion[i], criterion[0]) {
            (Some(m), Some(base)) => (format!("{m:.2}"), format!("{:.2}x", m / base)),
            _ => ("-".into(), "-".into()),
        };
        let (_, a, b) = allocs[i];
        println!(
            "{row:<16} {ns:>10} {ratio:>7} {:>12.2} {:>6.2}x {a:>12.4} {b:>11.1}",
            interleaved[i],
            interleaved[i] / interleaved[0]
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
        interleaved[1] / interleaved[0]
    );
    println!(
        "handle / counted dyn:  criterion {}, interleaved {:.2}x (both count with two atomic adds)",
        ratio(1, 3),
        interleaved[1] / interleaved[3]
    );
    println!(
        "by name - handle:      criterion {}, interleaved {:+.2} ns (the lookup's added cost)",
        diff(2, 1),
        interleaved[2] - interleaved[1]
    );
}

fn main() {
    let start = SystemTime::now();
    let fixture = Fixture::new();
    for (row, expected) in [(0, 0), (1, 0), (2, 0), (3, 0)] {
        let mut check = CollectBatches(Vec::new());
        fixture.visit(&mut check);
        assert_eq!(
            check.0[row].1(1),
            check.0[expected].1(1),
            "row {} answers like the baseline",
            ROWS[row]
        );
    }

    let mut counts = CountAllocations(Vec::new());
    fixture.visit(&mut counts);
    println!("allocations per call (exact, over {COUNTED_CALLS} calls):");
    for (row, allocs, bytes) in &counts.0 {
        println!("  {row:<16} {allocs:>8.4} allocs {bytes:>8.1} bytes");
    }

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500))
        .sample_size(30)
        .configure_from_args();
    let mut group = criterion.benchmark_group(GROUP);
    fixture.visit(&mut Bench(&mut group));
    group.finish();
    criterion.final_summary();

    // `cargo test --benches` runs criterion in test mode: no timing wanted.
    let args: Vec<String> = std::env::args().collect();
    if ["--test", "--list", "--profile-time"]
        .iter()
        .any(|flag| args.iter().any(|a| a == flag))
    {
        return;
    }
    let mut batches = CollectBatches(Vec::new());
    fixture.visit(&mut batches);
    let interleaved = interleaved_medians(&batches.0);
    print_results(&counts.0, &interleaved, start);
    println!("(registry stats after the run: {})", fixture.handle.stats());
}
