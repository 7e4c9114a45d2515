//! Dispatch cost of one SMALL future, seven ways, in one criterion run.
//!
//! The future is a 40-byte `async fn` state machine (its argument and three
//! `u64`s) that awaits, once, a future pending exactly once. Every row builds
//! it, polls it to completion (pending, then ready) with a no-op waker and
//! drops it; only the way of reaching it differs:
//!
//! | row | what |
//! |---|---|
//! | `1_direct_async_fn` | the `async fn` called directly: the baseline |
//! | `2_static_gat` | `service_fn(small)` through `fn<S: Service<u64>>` |
//! | `3_dyn_inline_pinned` | `&dyn DynService` `call_dyn`, pinned where the call returns |
//! | `4_dyn_inline_moved` | the same handle moved once, by value, into a non-inlined poll function |
//! | `5_send_dyn_inline_pinned` | `&dyn SendDynService` `call_send`, pinned in place |
//! | `6_box_dyn_future` | a trait returning `Pin<Box<dyn Future + Send>>`, called through `dyn` |
//! | `7_async_trait` | an `#[async_trait]` trait called through `&dyn` |
//!
//! Rows 3 and 4 both exist because moving a handle after construction costs
//! more than the storage choice (see `DESIGN.md`): "moved once" is what
//! happens when an erased future is `.await`ed inside an `async fn` and lands
//! in its parent's state machine. Each driver loop builds one task `Context`
//! and passes it to every call, as an executor does; its no-op waker goes
//! through `black_box`, so waking is a real call in every row.
//!
//! `cargo bench --bench dispatch` prints, before criterion runs, the future
//! and handle sizes and the exact allocations and bytes per call of each row
//! (a counting `#[global_allocator]`, switched on only while counting), and
//! after it a ratio table with two timings per row: criterion's median
//! estimate (`<target>/criterion/dispatch_small/<row>/new/estimates.json`,
//! only those written by this run) and the median of an interleaved
//! round-robin timer in the same process, which load that drifts during the
//! run (this 2-core machine is shared) cannot skew towards one row.
//! Instructions per call come from the sibling bench `callgrind_dispatch`,
//! which reuses the rows of this file.

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::hint::black_box;
use std::path::PathBuf;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant, SystemTime};

use async_trait::async_trait;
use criterion::{BenchmarkGroup, Criterion, measurement::WallTime};
use hybrid_dispatch::{DynService, InlineFuture, SendDynService, SendInlineFuture, Service};

// ---------------------------------------------------------------------------
// The future under test.

/// Pending the first time it is polled (waking the task), ready the second.
#[derive(Default)]
struct YieldOnce {
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

/// The SMALL future: its argument and three `u64`s live across one pending
/// await (40 bytes: an `async fn` keeps its arguments in a prefix of their
/// own, beside the locals that cross the await).
pub(crate) async fn small(x: u64) -> u64 {
    let a = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let b = x ^ 0xDEAD_BEEF;
    let c = x.rotate_left(17);
    YieldOnce::default().await;
    (a ^ b).wrapping_add(c)
}

/// The task context every driver loop builds once, as an executor does per
/// task poll: a no-op waker, hidden from the optimizer so that waking is a
/// real call in every row (a real waker is never inlinable either).
pub(crate) fn noop_context() -> Context<'static> {
    Context::from_waker(black_box(Waker::noop()))
}

/// Polls a pinned future to completion: no runtime.
#[inline(always)]
fn run_pinned<F: Future + ?Sized>(mut fut: Pin<&mut F>, cx: &mut Context<'_>) -> F::Output {
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(cx) {
            return out;
        }
    }
}

/// Takes a future by value (one move) and polls it: the "moved once" shape.
#[inline(never)]
fn run_moved<F: Future>(fut: F, cx: &mut Context<'_>) -> F::Output {
    run_pinned(pin!(fut), cx)
}

// ---------------------------------------------------------------------------
// The two boxing peers.

/// What `tower::BoxService` and hand-rolled plugin traits do: box every
/// future.
pub(crate) trait BoxFutureService {
    /// Calls the service; the future is always boxed.
    fn call_boxed(&self, x: u64) -> Pin<Box<dyn Future<Output = u64> + Send + '_>>;
}

/// [`BoxFutureService`] around [`small`].
pub(crate) struct BoxedSmall;

impl BoxFutureService for BoxedSmall {
    fn call_boxed(&self, x: u64) -> Pin<Box<dyn Future<Output = u64> + Send + '_>> {
        Box::pin(small(x))
    }
}

/// The same service written with `async-trait` (default, `Send` futures).
#[async_trait]
pub(crate) trait AsyncTraitService {
    /// Calls the service; `async-trait` boxes the future.
    async fn call_at(&self, x: u64) -> u64;
}

/// [`AsyncTraitService`] around [`small`].
pub(crate) struct AsyncTraitSmall;

#[async_trait]
impl AsyncTraitService for AsyncTraitSmall {
    async fn call_at(&self, x: u64) -> u64 {
        small(x).await
    }
}

// ---------------------------------------------------------------------------
// The rows. Each is its own non-inlined function, so that every row pays the
// same call overhead and callgrind can attribute a row's cost inclusively.

#[inline(never)]
pub(crate) fn direct(cx: &mut Context<'_>, x: u64) -> u64 {
    run_pinned(pin!(small(x)), cx)
}

#[inline(never)]
pub(crate) fn static_gat<S: Service<u64, Response = u64>>(
    svc: &S,
    cx: &mut Context<'_>,
    x: u64,
) -> u64 {
    run_pinned(pin!(svc.call(x)), cx)
}

#[inline(never)]
pub(crate) fn dyn_inline_pinned(
    svc: &dyn DynService<u64, u64>,
    cx: &mut Context<'_>,
    x: u64,
) -> u64 {
    run_pinned(pin!(svc.call_dyn(x)), cx)
}

#[inline(never)]
pub(crate) fn dyn_inline_moved(
    svc: &dyn DynService<u64, u64>,
    cx: &mut Context<'_>,
    x: u64,
) -> u64 {
    run_moved(svc.call_dyn(x), cx)
}

#[inline(never)]
pub(crate) fn send_dyn_inline_pinned(
    svc: &dyn SendDynService<u64, u64>,
    cx: &mut Context<'_>,
    x: u64,
) -> u64 {
    run_pinned(pin!(svc.call_send(x)), cx)
}

#[inline(never)]
pub(crate) fn box_dyn_future(svc: &dyn BoxFutureService, cx: &mut Context<'_>, x: u64) -> u64 {
    run_pinned(svc.call_boxed(x).as_mut(), cx)
}

#[inline(never)]
pub(crate) fn async_trait_dyn(svc: &dyn AsyncTraitService, cx: &mut Context<'_>, x: u64) -> u64 {
    run_pinned(svc.call_at(x).as_mut(), cx)
}

/// One way of calling the SMALL future.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Row {
    Direct,
    StaticGat,
    DynInlinePinned,
    DynInlineMoved,
    SendDynInlinePinned,
    BoxDynFuture,
    AsyncTrait,
}

impl Row {
    /// Every row, in table order.
    pub(crate) const ALL: [Row; 7] = [
        Row::Direct,
        Row::StaticGat,
        Row::DynInlinePinned,
        Row::DynInlineMoved,
        Row::SendDynInlinePinned,
        Row::BoxDynFuture,
        Row::AsyncTrait,
    ];

    /// The criterion benchmark id (and the `callgrind_dispatch` argument).
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Row::Direct => "1_direct_async_fn",
            Row::StaticGat => "2_static_gat",
            Row::DynInlinePinned => "3_dyn_inline_pinned",
            Row::DynInlineMoved => "4_dyn_inline_moved",
            Row::SendDynInlinePinned => "5_send_dyn_inline_pinned",
            Row::BoxDynFuture => "6_box_dyn_future",
            Row::AsyncTrait => "7_async_trait",
        }
    }
}

/// Receives one row as a monomorphic closure, so that loops over it (criterion,
/// callgrind, allocation counting) contain no dispatch of their own.
pub(crate) trait RowVisitor<'f> {
    /// Called once with `row` and the function computing it, which may
    /// borrow the fixture for `'f`.
    fn visit<F: Fn(&mut Context<'_>, u64) -> u64 + 'f>(&mut self, row: Row, call: F);
}

/// The services every row needs; `S` is `service_fn(small)`, whose type is
/// unnameable, hence the generic.
pub(crate) struct Fixture<S> {
    svc: S,
    boxed: BoxedSmall,
    async_trait: AsyncTraitSmall,
}

impl<S> Fixture<S>
where
    // `'static`: the higher-ranked `Send` bound of `SendDynService`'s blanket
    // impl ranges over every `'a`, and `S::Future<'a>` exists only for
    // `S: 'a`, so without it the `&dyn SendDynService` coercion fails (E0310).
    S: Service<u64, Response = u64> + Send + Sync + 'static,
    for<'a> S::Future<'a>: Send,
{
    pub(crate) fn new(svc: S) -> Self {
        Fixture {
            svc,
            boxed: BoxedSmall,
            async_trait: AsyncTraitSmall,
        }
    }

    /// Hands `row` to `visitor`; every `&dyn` goes through `black_box` on
    /// each call so that nothing devirtualizes.
    pub(crate) fn visit<'f, V: RowVisitor<'f>>(&'f self, row: Row, visitor: &mut V) {
        match row {
            Row::Direct => visitor.visit(row, direct),
            Row::StaticGat => {
                let svc = &self.svc;
                visitor.visit(row, move |cx, x| static_gat(black_box(svc), cx, x));
            }
            Row::DynInlinePinned => {
                let svc: &dyn DynService<u64, u64> = &self.svc;
                visitor.visit(row, move |cx, x| dyn_inline_pinned(black_box(svc), cx, x));
            }
            Row::DynInlineMoved => {
                let svc: &dyn DynService<u64, u64> = &self.svc;
                visitor.visit(row, move |cx, x| dyn_inline_moved(black_box(svc), cx, x));
            }
            Row::SendDynInlinePinned => {
                let svc: &dyn SendDynService<u64, u64> = &self.svc;
                visitor.visit(row, move |cx, x| {
                    send_dyn_inline_pinned(black_box(svc), cx, x)
                });
            }
            Row::BoxDynFuture => {
                let svc: &dyn BoxFutureService = &self.boxed;
                visitor.visit(row, move |cx, x| box_dyn_future(black_box(svc), cx, x));
            }
            Row::AsyncTrait => {
                let svc: &dyn AsyncTraitService = &self.async_trait;
                visitor.visit(row, move |cx, x| async_trait_dyn(black_box(svc), cx, x));
            }
        }
    }

    /// Asserts that every row computes what the direct call computes.
    pub(crate) fn verify(&self) {
        struct Verify;
        impl RowVisitor<'_> for Verify {
            fn visit<F: Fn(&mut Context<'_>, u64) -> u64>(&mut self, row: Row, call: F) {
                let mut cx = noop_context();
                for x in [0, 1, 42, 0xFFFF_FFFF, u64::MAX] {
                    let expected = direct(&mut cx, black_box(x));
                    let got = call(&mut cx, black_box(x));
                    assert_eq!(got, expected, "row {} for input {x}", row.name());
                }
            }
        }
        for row in Row::ALL {
            self.visit(row, &mut Verify);
        }
    }

    /// Sizes of the SMALL future and of what each row hands its caller.
    pub(crate) fn sizes(&self) -> Vec<(&'static str, usize)> {
        let dyn_svc: &dyn DynService<u64, u64> = &self.svc;
        let erased = dyn_svc.call_dyn(1);
        assert!(!erased.is_heap(), "the SMALL future must stay inline");
        let boxed = self.boxed.call_boxed(1);
        let async_trait = self.async_trait.call_at(1);
        vec![
            ("async fn small (size_of_val)", size_of_val(&small(1))),
            ("2_static_gat future", size_of_val(&self.svc.call(1))),
            (
                "InlineFuture<'_, u64> handle (rows 3, 4)",
                size_of::<InlineFuture<'_, u64>>(),
            ),
            ("  erased future inside it", erased.layout().size()),
            (
                "SendInlineFuture<'_, u64> handle (row 5)",
                size_of::<SendInlineFuture<'_, u64>>(),
            ),
            (
                "Pin<Box<dyn Future>> handle (rows 6, 7)",
                size_of_val(&boxed),
            ),
            ("  row 6 boxed future (heap)", size_of_val(&*boxed)),
            (
                "  row 7 async-trait future (heap)",
                size_of_val(&*async_trait),
            ),
        ]
    }
}

// ---------------------------------------------------------------------------
// Exact allocation counts.

/// The system allocator, counting allocations while [`COUNTING`] is set.
/// Off, it costs one relaxed load per allocation, so the timed rows are not
/// slowed by the counters.
struct CountingAlloc;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static ALLOCATED_BYTES: AtomicU64 = AtomicU64::new(0);

impl CountingAlloc {
    #[inline]
    fn count(size: usize) {
        if COUNTING.load(Relaxed) {
            ALLOCATIONS.fetch_add(1, Relaxed);
            ALLOCATED_BYTES.fetch_add(size as u64, Relaxed);
        }
    }
}

#[allow(
    unsafe_code,
    reason = "a counting global allocator needs `unsafe impl GlobalAlloc`"
)]
// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged, so `System`'s guarantees are ours; counting allocates nothing.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::count(layout.size());
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract for `layout`.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::count(layout.size());
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` (every method above forwards to it)
        // with this `layout`, as the caller guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        Self::count(new_size);
        // SAFETY: as for `dealloc`; `new_size` is valid per the caller.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// Calls per row for the allocation count.
const COUNTED_CALLS: u64 = 10_000;

/// Exact allocations and bytes over [`COUNTED_CALLS`] calls of one row.
#[derive(Clone, Copy, Default)]
pub(crate) struct AllocCount {
    allocations: u64,
    bytes: u64,
}

impl AllocCount {
    fn per_call(self) -> (f64, f64) {
        let calls = COUNTED_CALLS as f64;
        (self.allocations as f64 / calls, self.bytes as f64 / calls)
    }
}

struct CountAllocations(Vec<(Row, AllocCount)>);

impl RowVisitor<'_> for CountAllocations {
    fn visit<F: Fn(&mut Context<'_>, u64) -> u64>(&mut self, row: Row, call: F) {
        let mut cx = noop_context();
        black_box(call(&mut cx, black_box(0))); // anything lazy happens outside the count
        ALLOCATIONS.store(0, Relaxed);
        ALLOCATED_BYTES.store(0, Relaxed);
        COUNTING.store(true, Relaxed);
        for x in 0..COUNTED_CALLS {
            black_box(call(&mut cx, black_box(x)));
        }
        COUNTING.store(false, Relaxed);
        let count = AllocCount {
            allocations: ALLOCATIONS.load(Relaxed),
            bytes: ALLOCATED_BYTES.load(Relaxed),
        };
        self.0.push((row, count));
    }
}

// ---------------------------------------------------------------------------
// Criterion.

/// The criterion group; all rows are in it, so they share one run.
const GROUP: &str = "dispatch_small";

struct Bench<'g, 'c> {
    group: &'g mut BenchmarkGroup<'c, WallTime>,
}

impl RowVisitor<'_> for Bench<'_, '_> {
    fn visit<F: Fn(&mut Context<'_>, u64) -> u64>(&mut self, row: Row, call: F) {
        self.group.bench_function(row.name(), |b| {
            let mut cx = noop_context();
            b.iter(|| call(&mut cx, black_box(12_345)));
        });
    }
}

/// Where criterion writes its results: the same rule as criterion 0.5
/// (`CRITERION_HOME`, else `CARGO_TARGET_DIR/criterion`), with the target
/// directory otherwise taken from this executable's path
/// (`<target>/<profile>/deps/<exe>`) instead of `cargo metadata`.
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
fn median_ns(row: Row, since: SystemTime) -> Option<f64> {
    let path = criterion_dir()?
        .join(GROUP)
        .join(row.name())
        .join("new")
        .join("estimates.json");
    if std::fs::metadata(&path).ok()?.modified().ok()? < since {
        return None; // left over from an earlier run
    }
    let json = std::fs::read_to_string(path).ok()?;
    let median = &json[json.find("\"median\"")?..];
    let estimate = &median[median.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = estimate.find([',', '}'])?;
    estimate[..end].trim().parse().ok()
}

/// Runs one row `iters` times (a monomorphic loop behind one indirect call).
type Batch<'f> = Box<dyn Fn(u64) -> u64 + 'f>;

struct CollectBatches<'f>(Vec<(Row, Batch<'f>)>);

impl<'f> RowVisitor<'f> for CollectBatches<'f> {
    fn visit<F: Fn(&mut Context<'_>, u64) -> u64 + 'f>(&mut self, row: Row, call: F) {
        let batch = move |iters: u64| {
            let mut cx = noop_context();
            let mut acc = 0u64;
            for _ in 0..iters {
                acc = acc.wrapping_add(call(&mut cx, black_box(12_345)));
            }
            acc
        };
        self.0.push((row, Box::new(batch)));
    }
}

/// Rounds of the interleaved timer, and calls per timed batch.
const ROUNDS: usize = 301;
const BATCH: u64 = 10_000;

/// A second opinion beside criterion, robust to load that drifts during the
/// run (this 2-core machine is shared with builds and Miri): every round
/// times one batch of each row in turn, so all rows see the same load; a
/// row's figure is the median over rounds of its ns per call.
fn interleaved_medians(batches: &[(Row, Batch<'_>)]) -> Vec<(Row, f64)> {
    for (_, run) in batches {
        black_box(run(BATCH)); // warm up
    }
    let mut samples = vec![Vec::with_capacity(ROUNDS); batches.len()];
    for _ in 0..ROUNDS {
        for ((_, run), samples) in batches.iter().zip(&mut samples) {
            let start = Instant::now();
            black_box(run(black_box(BATCH)));
            samples.push(start.elapsed().as_secs_f64() * 1e9 / BATCH as f64);
        }
    }
    batches
        .iter()
        .zip(samples)
        .map(|((row, _), mut samples)| {
            samples.sort_by(f64::total_cmp);
            (*row, samples[samples.len() / 2])
        })
        .collect()
}

fn print_ratio_table(allocs: &[(Row, AllocCount)], interleaved: &[(Row, f64)], since: SystemTime) {
    let criterion: Vec<Option<f64>> = Row::ALL.iter().map(|&row| median_ns(row, since)).collect();
    let base = criterion[0];
    let own_base = interleaved[0].1;
    println!(
        "\ntime per call and ratio to 1_direct_async_fn: criterion = median point estimate of \
         this run (estimates.json); interleaved = median of {ROUNDS} round-robin batches of \
         {BATCH} calls"
    );
    println!(
        "{:<26} {:>10} {:>7} {:>12} {:>7} {:>12} {:>11}",
        "row", "criterion", "ratio", "interleaved", "ratio", "allocs/call", "bytes/call"
    );
    for (i, row) in Row::ALL.into_iter().enumerate() {
        let (a, b) = allocs
            .iter()
            .find(|(r, _)| *r == row)
            .map_or((f64::NAN, f64::NAN), |(_, count)| count.per_call());
        let (ns, ratio) = match (criterion[i], base) {
            (Some(m), Some(base)) => (format!("{m:.2}"), format!("{:.2}x", m / base)),
            (Some(m), None) => (format!("{m:.2}"), "-".into()),
            _ => ("not run".into(), "-".into()),
        };
        let own = interleaved[i].1;
        println!(
            "{:<26} {ns:>10} {ratio:>7} {own:>12.2} {:>6.2}x {a:>12.4} {b:>11.1}",
            row.name(),
            own / own_base
        );
    }
    let pinned = Row::ALL.iter().position(|&r| r == Row::DynInlinePinned);
    let at = Row::ALL.iter().position(|&r| r == Row::AsyncTrait);
    if let (Some(p), Some(a)) = (pinned, at) {
        let by_criterion = match (criterion[a], criterion[p]) {
            (Some(a), Some(p)) => format!("{:.2}x", a / p),
            _ => "-".into(),
        };
        println!(
            "async-trait / dyn inline pinned: criterion {by_criterion}, interleaved {:.2}x (target >= 3x)",
            interleaved[a].1 / interleaved[p].1
        );
    }
}

/// Prints sizes and allocation counts, runs criterion, prints the ratios.
pub(crate) fn main() {
    let start = SystemTime::now();
    let fixture = Fixture::new(hybrid_dispatch::service_fn(small));
    fixture.verify();

    println!("sizes (bytes):");
    for (what, size) in fixture.sizes() {
        println!("  {what:<44} {size:>4}");
    }

    let mut counts = CountAllocations(Vec::new());
    for row in Row::ALL {
        fixture.visit(row, &mut counts);
    }
    println!("allocations over {COUNTED_CALLS} calls (exact, counting global allocator):");
    println!(
        "  {:<26} {:>11} {:>11} {:>12} {:>11}",
        "row", "allocs", "bytes", "allocs/call", "bytes/call"
    );
    for (row, count) in &counts.0 {
        let (a, b) = count.per_call();
        println!(
            "  {:<26} {:>11} {:>11} {a:>12.4} {b:>11.1}",
            row.name(),
            count.allocations,
            count.bytes
        );
    }

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
        .configure_from_args();
    let mut group = criterion.benchmark_group(GROUP);
    let mut bench = Bench { group: &mut group };
    for row in Row::ALL {
        fixture.visit(row, &mut bench);
    }
    group.finish();
    criterion.final_summary();

    // Criterion only measures when cargo passes `--bench` (`cargo test
    // --benches` runs each row once instead); neither do we.
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    if !has("--bench") || has("--test") || has("--list") || has("--profile-time") {
        return;
    }
    let mut batches = CollectBatches(Vec::new());
    for row in Row::ALL {
        fixture.visit(row, &mut batches);
    }
    let interleaved = interleaved_medians(&batches.0);
    print_ratio_table(&counts.0, &interleaved, start);
}
