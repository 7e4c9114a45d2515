//! A 3-method trait (`small`, `large`, `name`) called through `dyn`: the
//! `#[dyn_twin]` twin (inline `_dyn`, a reused slot `_in`, `inline_only`,
//! and the trait itself on the twin object through the bridge), against
//! `dynosaur` and `#[async_trait]` (both box every `dyn` call), `call_dyn`
//! on a `Service` returning the same future, and the static call. SMALL is a
//! 40-byte future, LARGE a 1 KiB one; each pending once. Shapes: *pinned*
//! (polled where the call returned it) and *awaited* (inside an outer
//! `async` block, polled through `&mut dyn Future`, as an executor would).
//!
//! ```text
//! cargo bench -p benches --bench twin                                  # criterion + allocations per call
//! cargo bench -p benches --bench twin -- --measure 20000               # instructions per call (callgrind)
//! cargo bench -p benches --bench twin -- --measure 20000 small         # a size (or a row, or a shape)
//! ```
//!
//! `--measure N [SEL…]` runs each selected cell under
//! `valgrind --tool=callgrind` with N and 2N calls and prints
//! `(Ir(2N) - Ir(N)) / N`, with the ratios that matter for a twin
//! (to `async_trait` and to `call_dyn`). The allocation counts come from a
//! counting global allocator (one relaxed atomic add per allocation, paid
//! only by the rows that allocate).

use core::future::Future;
use core::hint::black_box;
use core::pin::{Pin, pin};
use core::task::{Context, Poll, Waker};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

// The benches' callgrind runner (`support/valgrind.rs`; this bench uses
// nothing else of `support`).
#[path = "support/valgrind.rs"]
#[allow(dead_code, reason = "the bench uses a part")]
mod valgrind;

use async_trait::async_trait;
use criterion::Criterion;
use hybrid_dispatch::{DynService, FutureSlot, Service, dyn_twin};

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

// --- the futures ----------------------------------------------------------------------

/// Pending once (waking), then the sum of its payload.
struct Payload<const N: usize> {
    words: [u64; N],
    yielded: bool,
}

impl<const N: usize> Payload<N> {
    #[inline]
    fn new(x: u64) -> Self {
        Payload {
            words: [x; N],
            yielded: false,
        }
    }
}

impl<const N: usize> Future for Payload<N> {
    type Output = u64;
    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        if !self.yielded {
            self.yielded = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(self.words[0] + self.words[N - 1])
    }
}

/// 40 bytes.
type Small = Payload<4>;
/// 1032 bytes.
type Large = Payload<128>;

// --- the trait, four ways --------------------------------------------------------------

#[dyn_twin(DynWork)]
trait Work {
    fn small(&self, x: u64) -> impl Future<Output = u64>;
    fn large(&self, x: u64) -> impl Future<Output = u64>;
    fn name(&self) -> &str;
}

/// The capacity that holds LARGE inline (1032 bytes).
type Roomy = [u64; 130];

#[dyn_twin(DynInlineWork, inline_only)]
trait InlineWork {
    fn small(&self, x: u64) -> impl Future<Output = u64>;
    fn large(&self, x: u64) -> impl Future<Output = u64>;
    fn name(&self) -> &str;
}

#[dynosaur::dynosaur(DynDynoWork = dyn(box) DynoWork)]
trait DynoWork {
    fn small(&self, x: u64) -> impl Future<Output = u64>;
    fn large(&self, x: u64) -> impl Future<Output = u64>;
    fn name(&self) -> &str;
}

#[async_trait(?Send)]
trait AtWork {
    async fn small(&self, x: u64) -> u64;
    async fn large(&self, x: u64) -> u64;
    fn name(&self) -> &str;
}

struct Worker;

impl Work for Worker {
    #[inline]
    fn small(&self, x: u64) -> impl Future<Output = u64> {
        Small::new(x)
    }
    #[inline]
    fn large(&self, x: u64) -> impl Future<Output = u64> {
        Large::new(x)
    }
    fn name(&self) -> &str {
        "worker"
    }
}

impl InlineWork for Worker {
    #[inline]
    fn small(&self, x: u64) -> impl Future<Output = u64> {
        Small::new(x)
    }
    #[inline]
    fn large(&self, x: u64) -> impl Future<Output = u64> {
        Large::new(x)
    }
    fn name(&self) -> &str {
        "worker"
    }
}

impl DynoWork for Worker {
    #[inline]
    fn small(&self, x: u64) -> impl Future<Output = u64> {
        Small::new(x)
    }
    #[inline]
    fn large(&self, x: u64) -> impl Future<Output = u64> {
        Large::new(x)
    }
    fn name(&self) -> &str {
        "worker"
    }
}

#[async_trait(?Send)]
impl AtWork for Worker {
    async fn small(&self, x: u64) -> u64 {
        Small::new(x).await
    }
    async fn large(&self, x: u64) -> u64 {
        Large::new(x).await
    }
    fn name(&self) -> &str {
        "worker"
    }
}

/// The `Service` baseline: `call_dyn` on the same futures.
struct SmallService;
struct LargeService;

impl Service<u64> for SmallService {
    type Response = u64;
    type Future<'a> = Small;
    #[inline]
    fn call(&self, x: u64) -> Small {
        Small::new(x)
    }
}

impl Service<u64> for LargeService {
    type Response = u64;
    type Future<'a> = Large;
    #[inline]
    fn call(&self, x: u64) -> Large {
        Large::new(x)
    }
}

// --- rows ------------------------------------------------------------------------------

const SIZES: [&str; 2] = ["small", "large"];
const ROWS: [&str; 8] = [
    "static",
    "call_dyn",
    "twin_dyn",
    "twin_slot",
    "twin_inline_only",
    "twin_bridge",
    "dynosaur",
    "async_trait",
];
const SHAPES: [&str; 2] = ["pinned", "awaited"];

/// The objects, erased once (as a registry or a plugin list would hold them).
struct Objects<'a> {
    twin: &'a dyn DynWork,
    /// Inline-only with room for LARGE: every method of an implementor
    /// must fit (its vtable instantiates them all), so SMALL's handle is
    /// this large too.
    inline_small: &'a dyn DynInlineWork<Roomy>,
    inline_large: &'a dyn DynInlineWork<Roomy>,
    dyno: &'a DynDynoWork<'a>,
    at: &'a dyn AtWork,
    small_service: &'a dyn DynService<u64, u64>,
    large_service: &'a dyn DynService<u64, u64>,
}

#[inline(never)]
fn poll_pinned<F: Future + ?Sized>(mut fut: Pin<&mut F>) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// Polls an outer future through `dyn Future`, as an executor polls a task.
#[inline(never)]
fn poll_dyn(fut: Pin<&mut dyn Future<Output = u64>>) -> u64 {
    poll_pinned(fut)
}

/// One call of `row` on `size` in `shape`.
macro_rules! shaped {
    ($shape:expr, $make:expr) => {
        if $shape == "pinned" {
            poll_pinned(pin!($make))
        } else {
            poll_dyn(pin!(async { $make.await }))
        }
    };
}

/// Runs `n` calls; returns a checksum so nothing is optimised away. `slot`
/// is the `twin_slot` rows' reusable slot, kept across calls.
#[inline(never)]
fn run<'a>(
    objects: &Objects<'a>,
    mut slot: Pin<&mut FutureSlot<'a, u64>>,
    size: &str,
    row: &str,
    shape: &str,
    n: u64,
) -> u64 {
    let large = size == "large";
    let mut sum = 0u64;
    let worker = &Worker;
    for i in 0..n {
        let x = black_box(i);
        let out = match (row, large) {
            ("static", false) => shaped!(shape, Work::small(black_box(worker), x)),
            ("static", true) => shaped!(shape, Work::large(black_box(worker), x)),
            ("call_dyn", false) => shaped!(shape, black_box(objects.small_service).call_dyn(x)),
            ("call_dyn", true) => shaped!(shape, black_box(objects.large_service).call_dyn(x)),
            ("twin_dyn", false) => shaped!(shape, black_box(objects.twin).small_dyn(x)),
            ("twin_dyn", true) => shaped!(shape, black_box(objects.twin).large_dyn(x)),
            ("twin_slot", false) => {
                shaped!(shape, black_box(objects.twin).small_in(slot.as_mut(), x))
            }
            ("twin_slot", true) => {
                shaped!(shape, black_box(objects.twin).large_in(slot.as_mut(), x))
            }
            ("twin_inline_only", false) => {
                shaped!(shape, black_box(objects.inline_small).small_dyn(x))
            }
            ("twin_inline_only", true) => {
                shaped!(shape, black_box(objects.inline_large).large_dyn(x))
            }
            ("twin_bridge", false) => shaped!(shape, Work::small(black_box(objects.twin), x)),
            ("twin_bridge", true) => shaped!(shape, Work::large(black_box(objects.twin), x)),
            ("dynosaur", false) => shaped!(shape, black_box(objects.dyno).small(x)),
            ("dynosaur", true) => shaped!(shape, black_box(objects.dyno).large(x)),
            ("async_trait", false) => shaped!(shape, black_box(objects.at).small(x)),
            ("async_trait", true) => shaped!(shape, black_box(objects.at).large(x)),
            _ => unreachable!("unknown row {row}"),
        };
        sum = sum.wrapping_add(out);
    }
    black_box(sum)
}

fn with_objects<R>(f: impl FnOnce(&Objects<'_>) -> R) -> R {
    let worker = Worker;
    let dyno = DynDynoWork::from_ref(&worker);
    let objects = Objects {
        twin: &worker,
        inline_small: &worker,
        inline_large: &worker,
        dyno,
        at: &worker,
        small_service: &SmallService,
        large_service: &LargeService,
    };
    assert_eq!(objects.twin.name_dyn(), "worker");
    assert_eq!(objects.inline_small.name_dyn(), "worker");
    assert_eq!(objects.dyno.name(), AtWork::name(objects.at));
    f(&objects)
}

/// Allocations and bytes per call of every cell (after one warm-up call, so
/// a slot's one growth is not counted).
fn allocation_table(objects: &Objects<'_>) {
    const CALLS: u64 = 1000;
    println!("allocations per call (bytes per call), after one warm-up call:");
    print!("{:<18}", "row");
    for size in SIZES {
        for shape in SHAPES {
            print!("{:>18}", format!("{size}/{shape}"));
        }
    }
    println!();
    for row in ROWS {
        print!("{row:<18}");
        for size in SIZES {
            for shape in SHAPES {
                let mut slot = pin!(FutureSlot::new());
                run(objects, slot.as_mut(), size, row, shape, 1);
                let (a, b) = (ALLOCS.load(Relaxed), BYTES.load(Relaxed));
                run(objects, slot.as_mut(), size, row, shape, CALLS);
                let allocs = (ALLOCS.load(Relaxed) - a) as f64 / CALLS as f64;
                let bytes = (BYTES.load(Relaxed) - b) as f64 / CALLS as f64;
                print!("{:>18}", format!("{allocs} ({bytes})"));
            }
        }
        println!();
    }
    println!();
}

fn cells() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut cells = Vec::new();
    for size in SIZES {
        for row in ROWS {
            for shape in SHAPES {
                cells.push((size, row, shape));
            }
        }
    }
    cells
}

/// Instructions per call under callgrind: `(Ir(2N) - Ir(N)) / N`.
fn measure(n: u64, sels: &[String]) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let dir = std::env::temp_dir().join("hybrid-dispatch-twin-callgrind");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let selected: Vec<_> = cells()
        .into_iter()
        .filter(|(size, row, shape)| {
            sels.is_empty() || sels.iter().any(|s| s == size || s == row || s == shape)
        })
        .collect();
    let ir = |cell: &(&str, &str, &str), calls: u64| -> Result<u64, String> {
        let out = dir.join(format!("{}-{}-{}-{calls}.out", cell.0, cell.1, cell.2));
        let status = std::process::Command::new("valgrind")
            .arg("--tool=callgrind")
            .arg(format!("--callgrind-out-file={}", out.display()))
            .arg(&exe)
            .args(["--run", cell.0, cell.1, cell.2, &calls.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("running valgrind: {e}"))?;
        if !status.success() {
            return Err(format!("valgrind failed on {cell:?}"));
        }
        valgrind::total_ir(&out)
    };
    let mut results = Vec::new();
    for cell in &selected {
        let per_call = (ir(cell, 2 * n)? as f64 - ir(cell, n)? as f64) / n as f64;
        results.push((*cell, per_call));
    }
    let get = |size: &str, row: &str, shape: &str| {
        results
            .iter()
            .find(|((s, r, sh), _)| *s == size && *r == row && *sh == shape)
            .map(|(_, v)| *v)
    };
    println!("instructions per call (callgrind, (Ir(2N) - Ir(N)) / N, N = {n})");
    for size in SIZES {
        for shape in SHAPES {
            let at = get(size, "async_trait", shape);
            let base = get(size, "call_dyn", shape);
            println!("\n{size} / {shape}:");
            println!(
                "{:<18}{:>10}{:>16}{:>14}",
                "row", "instr", "÷ async_trait", "÷ call_dyn"
            );
            for row in ROWS {
                let Some(v) = get(size, row, shape) else {
                    continue;
                };
                let ratio = |b: Option<f64>| b.map_or("-".into(), |b| format!("{:.2}", v / b));
                println!("{row:<18}{v:>10.1}{:>16}{:>14}", ratio(at), ratio(base));
            }
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
        // One cell, N times: what `--measure` runs under valgrind.
        let [size, row, shape, n] = [1, 2, 3, 4].map(|i| args[at + i].clone());
        let n: u64 = n.parse().expect("a call count");
        with_objects(|objects| {
            let mut slot = pin!(FutureSlot::new());
            black_box(run(objects, slot.as_mut(), &size, &row, &shape, n))
        });
        return;
    }
    if let Some(at) = args.iter().position(|a| a == "--measure") {
        let rest = &args[at + 1..];
        let (n, sels) = match rest.first().and_then(|a| a.parse::<u64>().ok()) {
            Some(n) => (n, &rest[1..]),
            None => (20_000, rest),
        };
        if let Err(e) = measure(n, sels) {
            eprintln!("twin bench: {e}");
            std::process::exit(1);
        }
        return;
    }
    with_objects(|objects| {
        // Every row computes the same thing.
        for size in SIZES {
            let mut slot = pin!(FutureSlot::new());
            let expected = run(objects, slot.as_mut(), size, "static", "pinned", 3);
            for (s, row, shape) in cells() {
                if s == size {
                    let out = run(objects, slot.as_mut(), size, row, shape, 3);
                    assert_eq!(out, expected, "{size}/{row}/{shape}");
                }
            }
        }
        allocation_table(objects);
        let mut criterion = Criterion::default().configure_from_args();
        for size in SIZES {
            let mut group = criterion.benchmark_group(format!("twin/{size}"));
            for row in ROWS {
                for shape in SHAPES {
                    let id = format!("{row}/{shape}");
                    let mut slot = pin!(FutureSlot::new());
                    group.bench_function(id, |b| {
                        b.iter(|| run(objects, slot.as_mut(), size, row, shape, 1))
                    });
                }
            }
            group.finish();
        }
        criterion.final_summary();
    });
}
