//! Recycled storage against the peers, on futures of real sizes: a tokio
//! `sleep`, a `RwLock` write, an `mpsc` send, 1 KiB and 3 KiB of state, and
//! a 40-byte `async fn` for reference, and 304 bytes of state. The same
//! services are also registered as plugins of a `#[dyn_twin]` trait in a
//! `TwinRegistry` (the twin rows). Every call goes through a call site
//! that is not inlined (`#[inline(never)]`, returning the future) and is
//! awaited inside an outer `async fn`, as application code does.
//!
//! ```text
//! cargo bench -p benches --bench recycled                       # all four tables
//! cargo bench -p benches --bench recycled -- --single           # one thread: time ratios, allocations
//! cargo bench -p benches --bench recycled -- --concurrent       # 8 tasks on a 2-worker runtime
//! cargo bench -p benches --bench recycled -- --callgrind 2000   # instructions per call (valgrind)
//! BENCH_QUICK=1 cargo bench -p benches --bench recycled         # a tenth of the rounds
//! BENCH_SIZES=small,304B BENCH_ROWS=handle,by_name BENCH_ROUNDS=21 cargo bench -p benches --bench recycled -- --concurrent
//!                                                               # some sizes and rows (the ratios' bases always run)
//! ```
//!
//! * **Allocations per call**: a counting allocator, switched on only while
//!   counting (the switch is one relaxed load per `malloc`/`free`, paid by
//!   every row alike), after a warm-up, over 1000 calls.
//! * **Time, one thread**: interleaved rounds (each round times a batch of
//!   every row, in rotating order), the median over rounds of each row's
//!   time over `async-trait`'s (and `ReusableBoxFuture`'s) in the same round.
//! * **Time, 8 tasks on 2 workers**: each round spawns 8 tasks that each make
//!   `CONCURRENT_CALLS` awaited calls through one shared object (a
//!   `ReusableBoxFuture` row keeps one per task, as it must); rows
//!   interleaved; median ratio to `async-trait`, `ReusableBoxFuture` and
//!   `call_send`. Driven from a spawned thread, whose stack does not move
//!   with the size of the environment as `main`'s does (which moved every
//!   row of this table by up to 1.7x).
//! * **Instructions**: `(Ir(2N) - Ir(N)) / N` under callgrind, one thread.

#![allow(
    unsafe_code,
    reason = "the counting allocator forwards to System; a GlobalAlloc impl is unsafe by definition"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use async_trait::async_trait;

#[allow(dead_code, reason = "each bench uses its part of the shared support")]
#[path = "support/mod.rs"]
mod support;
use hybrid_dispatch::capacity::S1;
use hybrid_dispatch::twin::{TwinHandle, TwinRef};
use hybrid_dispatch::{
    Handle, Recycled, Registry, SendDynService, SendInlineFuture, SendService, TwinRegistry,
    dyn_twin, service_fn,
};
use tokio_util::sync::ReusableBoxFuture;

// ---------------------------------------------------------------- allocator

/// Counts this thread's allocations while [`COUNTING`] is on.
struct CountingAlloc;

static COUNTING: AtomicBool = AtomicBool::new(false);

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards every call unchanged to `System`.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Relaxed) {
            ALLOCS.with(|a| a.set(a.get() + 1));
        }
        // SAFETY: forwarded unchanged; the caller upholds the contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged; the caller upholds the contract.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Relaxed) {
            ALLOCS.with(|a| a.set(a.get() + 1));
        }
        // SAFETY: forwarded unchanged; the caller upholds the contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

fn count_allocs(f: impl FnOnce()) -> u64 {
    let before = ALLOCS.with(Cell::get);
    COUNTING.store(true, Relaxed);
    f();
    COUNTING.store(false, Relaxed);
    ALLOCS.with(Cell::get) - before
}

// ---------------------------------------------------------------- services

/// Pending once, then ready (wakes itself): the shape of a real await.
#[derive(Default)]
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

/// A service of `u64` to `u64` with `Send` futures.
trait Svc: SendService<u64, Response = u64> {}
impl<S: SendService<u64, Response = u64>> Svc for S {}

fn small() -> impl Svc {
    service_fn(|x: u64| async move {
        let state = [x, x + 1, x + 2];
        YieldOnce::default().await;
        state.iter().sum()
    })
}

fn sleep() -> impl Svc {
    service_fn(|x: u64| async move {
        // Elapsed before it starts: the whole `Sleep` (timer entry and all)
        // is in the future, and the call costs a timer registration, not a
        // wait (a deadline before the driver's start fires at once, even
        // when nothing drives the timer). Not `now - 1s`: once the runtime
        // is older than that (under valgrind, a loaded machine), such a
        // deadline waits for the driver to turn, which the one-thread rows'
        // `block_on` never does, and the row never ends.
        tokio::time::sleep_until(before_any_runtime()).await;
        x
    })
}

/// An instant before the bench's runtimes were built (`main` takes it
/// first).
fn before_any_runtime() -> tokio::time::Instant {
    static BEFORE: std::sync::OnceLock<tokio::time::Instant> = std::sync::OnceLock::new();
    *BEFORE.get_or_init(|| {
        let before = tokio::time::Instant::now();
        // The driver rounds a deadline up to its next millisecond.
        std::thread::sleep(Duration::from_millis(2));
        before
    })
}

fn lock() -> impl Svc {
    let lock = Arc::new(tokio::sync::RwLock::new(0u64));
    service_fn(move |x: u64| {
        let lock = Arc::clone(&lock);
        async move {
            let mut value = lock.write().await;
            *value = value.wrapping_add(x);
            YieldOnce::default().await; // held across an await
            *value
        }
    })
}

fn send() -> impl Svc {
    let (tx, rx) = tokio::sync::mpsc::channel::<u64>(1024);
    let rx = Arc::new(std::sync::Mutex::new(rx));
    service_fn(move |x: u64| {
        let tx = tx.clone();
        let rx = Arc::clone(&rx);
        async move {
            tx.send(x).await.unwrap();
            rx.lock().unwrap().try_recv().unwrap()
        }
    })
}

fn b304() -> impl Svc {
    service_fn(|x: u64| async move {
        let state = [x; 36];
        YieldOnce::default().await;
        state[(x % 36) as usize]
    })
}

fn kib1() -> impl Svc {
    service_fn(|x: u64| async move {
        let state = [x; 128];
        YieldOnce::default().await;
        state[(x % 128) as usize]
    })
}

fn kib3() -> impl Svc {
    service_fn(|x: u64| async move {
        let state = [x; 384];
        YieldOnce::default().await;
        state[(x % 384) as usize]
    })
}

// ---------------------------------------------------------------- peers

/// The `async-trait` peer: a box per call.
#[async_trait]
trait AtService: Send + Sync {
    async fn call(&self, x: u64) -> u64;
}

struct At<S>(S);

#[async_trait]
impl<S: Svc> AtService for At<S> {
    async fn call(&self, x: u64) -> u64 {
        self.0.call(x).await
    }
}

/// The `ReusableBoxFuture` peer: the caller owns a box per task and the
/// service writes its future into it (reusing the allocation when the
/// layout matches).
trait RbService: Send + Sync {
    fn call_rb<'a>(&'a self, slot: &mut ReusableBoxFuture<'a, u64>, x: u64);
}

impl<S: Svc> RbService for S {
    fn call_rb<'a>(&'a self, slot: &mut ReusableBoxFuture<'a, u64>, x: u64) {
        slot.set(self.call(x));
    }
}

/// Your own trait, with its `Send` twin: the twin rows call a
/// `TwinRegistry` of these, each plugin awaiting the same service the other
/// rows call (as the `async-trait` peer does).
#[dyn_twin(DynPlugin, send = SendDynPlugin)]
trait Plugin {
    async fn call(&self, x: u64) -> u64;
}

struct Plug<S>(S);

impl<S: Svc> Plugin for Plug<S> {
    async fn call(&self, x: u64) -> u64 {
        self.0.call(x).await
    }
}

type Twins = TwinRegistry<dyn SendDynPlugin>;

/// The same plugin with a future declared `+ 'static` (one a
/// `tokio::spawn` takes): it owns what it uses, so the plugin holds its
/// service in an `Arc` and clones it per call, and the twin recycles the
/// future in a buffer that holds a count of its pool (the
/// `twin_static` row).
#[dyn_twin(DynDetached, send = SendDynDetached)]
trait Detached {
    fn call(&self, x: u64) -> impl Future<Output = u64> + Send + 'static;
}

struct PlugArc<S>(Arc<S>);

impl<S: Svc> Detached for PlugArc<S> {
    #[allow(
        clippy::manual_async_fn,
        reason = "an `async fn` would borrow `self`: this future must not"
    )]
    fn call(&self, x: u64) -> impl Future<Output = u64> + Send + 'static {
        let svc = Arc::clone(&self.0);
        async move { svc.call(x).await }
    }
}

// ---------------------------------------------------------------- rows

/// A batch of `n` static calls from `from`.
type StaticBatch = Box<dyn Fn(u64, u64) -> BoxedBatch + Send + Sync>;
type BoxedBatch = Pin<Box<dyn Future<Output = u64> + Send>>;

/// Everything a row may call, for one size.
struct Subjects {
    name: &'static str,
    layout: usize,
    /// The static floor: a whole batch of direct calls (one box per
    /// batch, none per call).
    direct: StaticBatch,
    at: Arc<dyn AtService>,
    rb: Arc<dyn RbService>,
    shared: Arc<dyn SendDynService<u64, u64>>,
    recycled: Arc<Recycled<u64, u64>>,
    recycled_s1: Arc<Recycled<u64, u64, S1>>,
    handle: Handle<u64, u64>,
    handle_s1: Handle<u64, u64, S1>,
    registry: Registry<u64, u64>,
    /// The plugin's future's size (the service's, plus the plugin's own
    /// `async fn` around it).
    twin_layout: usize,
    twin: TwinHandle<dyn SendDynPlugin>,
    twins: Twins,
    /// The same plugin outside any registry: what a twin handle's call is
    /// set against (no counting wrapper, no tracking, no pool: a future
    /// that does not fit is boxed).
    twin_bare: Arc<dyn SendDynPlugin>,
    /// The `+ 'static` plugin's future's size.
    detached_layout: usize,
    detached: TwinHandle<dyn SendDynDetached>,
}

fn subjects<S: Svc>(name: &'static str, make: impl Fn() -> S) -> Subjects {
    let svc = make();
    let layout = hybrid_dispatch::layout::FutureLayout::of_service::<S, u64>().size();
    let registry = Registry::new();
    let handle = registry.register(name, make()).unwrap();
    let registry_s1 = Registry::<u64, u64, S1>::new();
    let handle_s1 = registry_s1.register(name, make()).unwrap();
    let twins = Twins::new();
    let twin = twins.register(name, Plug(make())).unwrap();
    let detached = TwinRegistry::<dyn SendDynDetached>::new()
        .register(name, PlugArc(Arc::new(make())))
        .unwrap();
    let direct = {
        let svc = Arc::new(make());
        Box::new(move |from: u64, n: u64| -> BoxedBatch {
            let svc = Arc::clone(&svc);
            Box::pin(async move {
                let mut acc = 0u64;
                for x in from..from + n {
                    acc = acc.wrapping_add(black_box(site_static(&*svc, black_box(x)).await));
                }
                acc
            })
        })
    };
    Subjects {
        name,
        layout,
        direct,
        at: Arc::new(At(make())),
        rb: Arc::new(make()),
        shared: Arc::new(svc),
        recycled: Arc::new(Recycled::new(Arc::new(make()))),
        recycled_s1: Arc::new(Recycled::new(Arc::new(make()))),
        handle,
        handle_s1,
        registry,
        twin_layout: twin.call_layout().size(),
        twin,
        twins,
        twin_bare: Arc::new(Plug(make())),
        detached_layout: detached.call_layout().size(),
        detached,
    }
}

/// The rows, in table order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Row {
    Static,
    AsyncTrait,
    ReusableBox,
    CallSend,
    Recycled,
    RecycledS1,
    Handle,
    HandleS1,
    ByName,
    Dispatch,
    TwinHandle,
    TwinByName,
    TwinStatic,
    TwinBare,
}

impl Row {
    const ALL: [Row; 14] = [
        Row::Static,
        Row::AsyncTrait,
        Row::ReusableBox,
        Row::CallSend,
        Row::Recycled,
        Row::RecycledS1,
        Row::Handle,
        Row::HandleS1,
        Row::ByName,
        Row::Dispatch,
        Row::TwinHandle,
        Row::TwinByName,
        Row::TwinStatic,
        Row::TwinBare,
    ];

    fn name(self) -> &'static str {
        match self {
            Row::Static => "static call (floor)",
            Row::AsyncTrait => "async-trait (Box per call)",
            Row::ReusableBox => "ReusableBoxFuture (one per task)",
            Row::CallSend => "Arc<dyn SendDynService>::call_send",
            Row::Recycled => "Recycled wrapper (128 B handle)",
            Row::RecycledS1 => "Recycled wrapper, S1 (16 B handle)",
            Row::Handle => "Registry handle (default)",
            Row::HandleS1 => "Registry<S1> handle (16 B)",
            Row::ByName => "Registry by name",
            Row::Dispatch => "Registry by name, `pin!(dispatch(..))`",
            Row::TwinHandle => "twin, TwinRegistry handle",
            Row::TwinByName => "twin, TwinRegistry by name",
            Row::TwinStatic => "twin, `+ 'static` future, handle",
            Row::TwinBare => "twin, bare `Arc<dyn SendDynPlugin>` (no registry)",
        }
    }

    /// The size of the future this row's call erases.
    fn future_bytes(self, s: &Subjects) -> usize {
        match self {
            Row::TwinHandle | Row::TwinByName | Row::TwinBare => s.twin_layout,
            Row::TwinStatic => s.detached_layout,
            _ => s.layout,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Row::Static => "static",
            Row::AsyncTrait => "async_trait",
            Row::ReusableBox => "reusable_box",
            Row::CallSend => "call_send",
            Row::Recycled => "recycled",
            Row::RecycledS1 => "recycled_s1",
            Row::Handle => "handle",
            Row::HandleS1 => "handle_s1",
            Row::ByName => "by_name",
            Row::Dispatch => "dispatch",
            Row::TwinHandle => "twin_handle",
            Row::TwinByName => "twin_by_name",
            Row::TwinStatic => "twin_static",
            Row::TwinBare => "twin_bare",
        }
    }
}

// The call sites, never inlined: each returns the future its row awaits.

#[inline(never)]
fn site_static<S: Svc>(s: &S, x: u64) -> S::Future<'_> {
    s.call(x)
}

#[inline(never)]
fn site_at(s: &dyn AtService, x: u64) -> Pin<Box<dyn Future<Output = u64> + Send + '_>> {
    s.call(x)
}

#[inline(never)]
fn site_rb<'a>(s: &'a dyn RbService, slot: &mut ReusableBoxFuture<'a, u64>, x: u64) {
    s.call_rb(slot, x);
}

#[inline(never)]
fn site_send(s: &dyn SendDynService<u64, u64>, x: u64) -> SendInlineFuture<'_, u64> {
    s.call_send(x)
}

#[inline(never)]
fn site_recycled(s: &Recycled<u64, u64>, x: u64) -> SendInlineFuture<'_, u64> {
    s.call(x)
}

#[inline(never)]
fn site_recycled_s1(s: &Recycled<u64, u64, S1>, x: u64) -> SendInlineFuture<'_, u64, S1> {
    s.call(x)
}

#[inline(never)]
fn site_handle(h: &Handle<u64, u64>, x: u64) -> hybrid_dispatch::registry::RegistryFuture<'_, u64> {
    h.call(x)
}

#[inline(never)]
fn site_handle_s1(
    h: &Handle<u64, u64, S1>,
    x: u64,
) -> hybrid_dispatch::registry::RegistryFuture<'_, u64, S1> {
    h.call(x)
}

#[inline(never)]
fn site_name(
    r: &Registry<u64, u64>,
    name: &str,
    x: u64,
) -> impl Future<Output = u64> + Send + 'static {
    r.call(name, x).unwrap()
}

#[inline(never)]
fn site_dispatch(
    r: &Registry<u64, u64>,
    name: &str,
    x: u64,
) -> impl Future<Output = Result<u64, hybrid_dispatch::Error>> + Send + 'static {
    r.dispatch(name, x)
}

#[inline(never)]
fn site_twin(h: &TwinHandle<dyn SendDynPlugin>, x: u64) -> impl Future<Output = u64> + Send + '_ {
    h.call_send(x)
}

#[inline(never)]
fn site_twin_bare(p: &dyn SendDynPlugin, x: u64) -> impl Future<Output = u64> + Send + '_ {
    p.call_send(x)
}

#[inline(never)]
fn site_detached(
    h: &TwinHandle<dyn SendDynDetached>,
    x: u64,
) -> impl Future<Output = u64> + Send + 'static {
    h.call_send(x)
}

/// The lookup of a twin by name for one call: `get` holds the registry's
/// snapshot (no lock, no `Arc` cloned); the call is then [`site_twin_ref`]'s.
#[inline(never)]
fn site_twin_get(r: &Twins, name: &str) -> TwinRef<dyn SendDynPlugin> {
    r.get(name).unwrap()
}

/// [`site_twin`], through what [`site_twin_get`] found.
#[inline(never)]
fn site_twin_ref(h: &TwinRef<dyn SendDynPlugin>, x: u64) -> impl Future<Output = u64> + Send + '_ {
    h.call_send(x)
}

/// `calls` awaited calls of `row`, each inside an outer `async fn`, from
/// one task: what a batch runs.
async fn calls(s: &Subjects, row: Row, from: u64, calls: u64) -> u64 {
    if row == Row::Static {
        return (s.direct)(from, calls).await;
    }
    let mut acc = 0u64;
    let mut slot = ReusableBoxFuture::new(async { 0u64 });
    for x in from..from + calls {
        let x = black_box(x);
        let out = match row {
            Row::Static => unreachable!("a batch of its own"),
            Row::AsyncTrait => site_at(&*s.at, x).await,
            Row::ReusableBox => {
                site_rb(&*s.rb, &mut slot, x);
                (&mut slot).await
            }
            Row::CallSend => site_send(&*s.shared, x).await,
            Row::Recycled => site_recycled(&s.recycled, x).await,
            Row::RecycledS1 => site_recycled_s1(&s.recycled_s1, x).await,
            Row::Handle => site_handle(&s.handle, x).await,
            Row::HandleS1 => site_handle_s1(&s.handle_s1, x).await,
            Row::ByName => site_name(&s.registry, s.name, x).await,
            Row::Dispatch => pin!(site_dispatch(&s.registry, s.name, x)).await.unwrap(),
            Row::TwinHandle => site_twin(&s.twin, x).await,
            // The `TwinRef` is a temporary of this statement: held for the
            // call, dropped after it.
            Row::TwinByName => site_twin_ref(&site_twin_get(&s.twins, s.name), x).await,
            Row::TwinStatic => site_detached(&s.detached, x).await,
            Row::TwinBare => site_twin_bare(&*s.twin_bare, x).await,
        };
        acc = acc.wrapping_add(black_box(out));
    }
    acc
}

/// Polls `fut` to completion on this thread with a no-op waker (every
/// service here wakes itself or completes).
fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// Every size, or those `BENCH_SIZES` names (`small,304B`).
fn all_subjects() -> Vec<Subjects> {
    let sizes = env_list("BENCH_SIZES");
    let every = vec![
        subjects("small", small),
        subjects("sleep", sleep),
        subjects("lock", lock),
        subjects("send", send),
        subjects("304B", b304),
        subjects("1KiB", kib1),
        subjects("3KiB", kib3),
    ];
    every
        .into_iter()
        .filter(|s| sizes.as_ref().is_none_or(|v| v.iter().any(|n| n == s.name)))
        .collect()
}

fn quick() -> bool {
    std::env::var_os("BENCH_QUICK").is_some()
}

/// A comma-separated list from the environment, if set.
fn env_list(var: &str) -> Option<Vec<String>> {
    let value = std::env::var(var).ok()?;
    Some(value.split(',').map(|v| v.trim().to_owned()).collect())
}

/// Whether `row` runs: every row, or those `BENCH_ROWS` names by key (the
/// three the ratios divide by always run).
fn selected(row: Row) -> bool {
    matches!(row, Row::AsyncTrait | Row::ReusableBox | Row::CallSend)
        || env_list("BENCH_ROWS").is_none_or(|rows| rows.iter().any(|r| r == row.key()))
}

/// The rounds of a table: `BENCH_ROUNDS`, else `full` (a tenth of it,
/// rounded up to 3, with `BENCH_QUICK`).
fn rounds(full: usize) -> usize {
    match std::env::var("BENCH_ROUNDS") {
        Ok(n) => n.parse().expect("BENCH_ROUNDS: a number"),
        Err(_) if quick() => (full / 10).max(3),
        Err(_) => full,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

// ---------------------------------------------------------------- single thread

fn single(all: &[Subjects]) {
    let rounds = rounds(31);
    let batch = 2_000;
    println!("## One thread: allocations per call and time ratios\n");
    println!(
        "| size | future bytes | row | allocations / call | ns / call | ÷ async-trait | ÷ ReusableBoxFuture |"
    );
    println!("|---|---:|---|---:|---:|---:|---:|");
    for s in all {
        // Allocations per call in steady state: 2000 calls minus 1000 calls
        // (what a batch allocates once, its `ReusableBoxFuture`, cancels).
        let allocs: Vec<f64> = Row::ALL
            .iter()
            .map(|&row| {
                if !selected(row) {
                    return f64::NAN;
                }
                block_on(calls(s, row, 0, 100));
                let once = count_allocs(|| {
                    black_box(block_on(calls(s, row, 0, 1000)));
                });
                let twice = count_allocs(|| {
                    black_box(block_on(calls(s, row, 0, 2000)));
                });
                twice.saturating_sub(once) as f64 / 1000.0
            })
            .collect();
        // Interleaved timing.
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); Row::ALL.len()];
        for round in 0..rounds {
            for k in 0..Row::ALL.len() {
                let i = (k + round) % Row::ALL.len();
                if !selected(Row::ALL[i]) {
                    continue;
                }
                let start = Instant::now();
                black_box(block_on(calls(s, Row::ALL[i], 0, batch)));
                times[i].push(start.elapsed().as_nanos() as f64 / batch as f64);
            }
        }
        let ratio = |i: usize, base: usize| {
            median((0..rounds).map(|r| times[i][r] / times[base][r]).collect())
        };
        for (i, row) in Row::ALL.iter().enumerate() {
            if !selected(*row) {
                continue;
            }
            println!(
                "| {} | {} | {} | {:.3} | {:.1} | {:.2} | {:.2} |",
                s.name,
                row.future_bytes(s),
                row.name(),
                allocs[i],
                median(times[i].clone()),
                ratio(i, 1),
                ratio(i, 2)
            );
        }
    }
    println!();
}

// ---------------------------------------------------------------- concurrent

const TASKS: u64 = 8;
const CONCURRENT_CALLS: u64 = 20_000;

fn concurrent(all: Vec<Subjects>) {
    let rounds = rounds(11);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    println!("## 8 tasks on a 2-worker runtime, {CONCURRENT_CALLS} awaited calls each\n");
    println!("| size | row | ns / call | ÷ async-trait | ÷ ReusableBoxFuture | ÷ call_send |");
    println!("|---|---|---:|---:|---:|---:|");
    let all: Vec<Arc<Subjects>> = all.into_iter().map(Arc::new).collect();
    for s in &all {
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); Row::ALL.len()];
        for round in 0..rounds {
            for k in 0..Row::ALL.len() {
                let i = (k + round) % Row::ALL.len();
                let row = Row::ALL[i];
                if !selected(row) {
                    continue;
                }
                let start = Instant::now();
                rt.block_on(async {
                    let tasks: Vec<_> = (0..TASKS)
                        .map(|t| {
                            let s = Arc::clone(s);
                            tokio::spawn(async move {
                                calls(&s, row, t * CONCURRENT_CALLS, CONCURRENT_CALLS).await
                            })
                        })
                        .collect();
                    for task in tasks {
                        black_box(task.await.unwrap());
                    }
                });
                times[i]
                    .push(start.elapsed().as_nanos() as f64 / (TASKS * CONCURRENT_CALLS) as f64);
            }
        }
        let ratio = |i: usize, base: usize| {
            median((0..rounds).map(|r| times[i][r] / times[base][r]).collect())
        };
        for (i, row) in Row::ALL.iter().enumerate() {
            if !selected(*row) {
                continue;
            }
            println!(
                "| {} | {} | {:.1} | {:.2} | {:.2} | {:.2} |",
                s.name,
                row.name(),
                median(times[i].clone()),
                ratio(i, 1),
                ratio(i, 2),
                ratio(i, 3)
            );
        }
    }
    println!();
}

// ---------------------------------------------------------------- callgrind

/// Runs one row `n` times (what `--callgrind` runs under valgrind).
fn repeat(all: &[Subjects], size: &str, key: &str, n: u64) {
    let s = all.iter().find(|s| s.name == size).expect("size");
    let row = *Row::ALL.iter().find(|r| r.key() == key).expect("row");
    block_on(calls(s, row, 0, 100)); // warm: pools, boxes, lazy statics
    black_box(block_on(calls(s, row, 0, n)));
}

fn instructions(exe: &str, size: &str, key: &str, n: u64) -> u64 {
    let n = n.to_string();
    let name = format!("cg.recycled.{size}.{key}.{n}");
    support::valgrind::ir_total_of(exe, &["--repeat", size, key, &n], &name)
}

fn callgrind(all: &[Subjects], n: u64) {
    let exe = std::env::current_exe().unwrap();
    let exe = exe.to_str().unwrap();
    println!("## Instructions per call (callgrind, (Ir(2N) - Ir(N)) / N, N = {n})\n");
    print!("| size |");
    for row in Row::ALL {
        print!(" {} |", row.key());
    }
    println!("\n|---|{}", "---:|".repeat(Row::ALL.len()));
    for s in all {
        print!("| {} ({} B, twin {} B) |", s.name, s.layout, s.twin_layout);
        for row in Row::ALL {
            let one = instructions(exe, s.name, row.key(), n);
            let two = instructions(exe, s.name, row.key(), 2 * n);
            print!(" {} |", (two.saturating_sub(one)) / n);
        }
        println!();
    }
    println!();
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    before_any_runtime();
    // The sleep row needs a time driver in its context.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let _context = rt.enter();
    let all = all_subjects();
    if let Some(at) = args.iter().position(|a| a == "--repeat") {
        let n = args[at + 3].parse().unwrap();
        repeat(&all, &args[at + 1], &args[at + 2], n);
        return;
    }
    let every = !args.iter().any(|a| a.starts_with("--"));
    if every || args.iter().any(|a| a == "--single") {
        single(&all);
    }
    if let Some(at) = args.iter().position(|a| a == "--callgrind") {
        let n = args
            .get(at + 1)
            .and_then(|a| a.parse().ok())
            .unwrap_or(2_000);
        callgrind(&all, n);
    }
    if every || args.iter().any(|a| a == "--concurrent") {
        drop(_context);
        // Driven from a thread of its own, not from `main`: driven from
        // `main`, every row of this table ran at one of two speeds (about
        // 25 or 42 ns a `call_send` at 40 bytes) depending on the size of
        // the process's environment, that is on where `main`'s stack
        // starts; a spawned thread's stack is placed the same way whatever
        // the environment (BENCHMARKS.md, "The 8-task table and the
        // environment").
        std::thread::spawn(move || concurrent(all))
            .join()
            .expect("the 8-task table panicked");
    }
}
