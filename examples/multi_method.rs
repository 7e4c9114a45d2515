//! Multi-method traits: a `Repository` with `fetch`, `process` and `store`,
//! each with its own future type, called statically (no allocation) and
//! through `dyn` (futures erased inline, no allocation), built from this
//! crate's pieces in two ways:
//!
//! * **A. your own trait, one GAT per method, plus a `Dyn…` twin** with a
//!   blanket impl that erases each future into an [`InlineFuture`]. The trait
//!   reads like the `async fn` trait you had; method inputs can borrow with
//!   the method's own lifetime (`store(&'a self, bytes: &'a [u8])`).
//! * **B. one [`Service`] per method**, the method chosen by the request
//!   type (`Fetch`, `Process`, `Store`). No new trait to write or erase: the
//!   `dyn` twin is a one-line supertrait of [`DynService`]s, and every
//!   middleware (`Timed`, `Counted`, …) wraps all methods at once.
//!
//! Run: `cargo run --example multi_method`

// The tests' counting allocator, shared rather than copied.
#[path = "../tests/common/counting_alloc.rs"]
#[allow(
    dead_code,
    unreachable_pub,
    reason = "shared with the tests, which use all of it"
)]
mod counting_alloc;

use core::future::{Future, Ready, ready};
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::collections::HashMap;
use std::sync::Mutex;

use counting_alloc::{CountingAlloc, count};
use hybrid_dispatch::layer::Timed;
use hybrid_dispatch::{DynService, InlineFuture, SendInlineFuture, Service, layout::FutureLayout};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

// ---------------------------------------------------------------------------
// A. Your own trait: one GAT per method.

/// A key-value repository with three asynchronous steps.
pub trait Repository {
    /// The future of [`fetch`](Repository::fetch).
    type FetchFuture<'a>: Future<Output = Option<u64>>
    where
        Self: 'a;
    /// The future of [`process`](Repository::process).
    type ProcessFuture<'a>: Future<Output = u64>
    where
        Self: 'a;
    /// The future of [`store`](Repository::store); it borrows `bytes`.
    type StoreFuture<'a>: Future<Output = usize>
    where
        Self: 'a;

    /// Looks `key` up.
    fn fetch<'a>(&'a self, key: u64) -> Self::FetchFuture<'a>;
    /// Transforms a value (yields once: pretend it is CPU work in chunks).
    fn process<'a>(&'a self, value: u64) -> Self::ProcessFuture<'a>;
    /// Stores the checksum of `bytes` under `key`, returning how many bytes
    /// it read. In your own trait an input can simply borrow for `'a`.
    fn store<'a>(&'a self, key: u64, bytes: &'a [u8]) -> Self::StoreFuture<'a>;
}

/// The `dyn` twin: the same methods, each future erased into an
/// [`InlineFuture`] (inline when it fits the default 128-byte space). You
/// write it once per trait; the blanket impl below gives it to every
/// `Repository`.
pub trait DynRepository {
    /// [`Repository::fetch`], erased.
    fn fetch_dyn(&self, key: u64) -> InlineFuture<'_, Option<u64>>;
    /// [`Repository::process`], erased.
    fn process_dyn(&self, value: u64) -> InlineFuture<'_, u64>;
    /// [`Repository::store`], erased.
    fn store_dyn<'a>(&'a self, key: u64, bytes: &'a [u8]) -> InlineFuture<'a, usize>;
}

impl<R: Repository> DynRepository for R {
    fn fetch_dyn(&self, key: u64) -> InlineFuture<'_, Option<u64>> {
        InlineFuture::new(self.fetch(key))
    }
    fn process_dyn(&self, value: u64) -> InlineFuture<'_, u64> {
        InlineFuture::new(self.process(value))
    }
    fn store_dyn<'a>(&'a self, key: u64, bytes: &'a [u8]) -> InlineFuture<'a, usize> {
        InlineFuture::new(self.store(key, bytes))
    }
}

/// The `Send` twin, for `Arc<dyn SendRepository>` across tokio tasks: the
/// same blanket impl with `Send` bounds (written with `for<'a>`, which
/// needs `'static`, as [`SendDynService`](hybrid_dispatch::SendDynService)
/// explains).
pub trait SendRepository: Send + Sync {
    /// [`Repository::fetch`], erased, `Send`.
    fn fetch_send(&self, key: u64) -> SendInlineFuture<'_, Option<u64>>;
}

impl<R> SendRepository for R
where
    R: Repository + Send + Sync + 'static,
    for<'a> R::FetchFuture<'a>: Send,
{
    fn fetch_send(&self, key: u64) -> SendInlineFuture<'_, Option<u64>> {
        SendInlineFuture::new(self.fetch(key))
    }
}

/// An in-memory repository.
#[derive(Debug, Default)]
pub struct Memory {
    data: Mutex<HashMap<u64, u64>>,
}

/// Borrows the repository; looks up on first poll.
#[derive(Debug)]
pub struct FetchFuture<'a> {
    repo: &'a Memory,
    key: u64,
}

impl Future for FetchFuture<'_> {
    type Output = Option<u64>;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u64>> {
        Poll::Ready(self.repo.data.lock().unwrap().get(&self.key).copied())
    }
}

/// Pending once, then ready.
#[derive(Debug)]
pub struct ProcessFuture {
    value: u64,
    yielded: bool,
}

impl Future for ProcessFuture {
    type Output = u64;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        if !self.yielded {
            self.yielded = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(self.value * 3 + 1)
    }
}

/// Borrows the repository and the input bytes.
#[derive(Debug)]
pub struct StoreFuture<'a> {
    repo: &'a Memory,
    key: u64,
    bytes: &'a [u8],
}

impl Future for StoreFuture<'_> {
    type Output = usize;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<usize> {
        let sum = self.bytes.iter().map(|&b| u64::from(b)).sum();
        self.repo.data.lock().unwrap().insert(self.key, sum);
        Poll::Ready(self.bytes.len())
    }
}

impl Repository for Memory {
    type FetchFuture<'a> = FetchFuture<'a>;
    type ProcessFuture<'a> = ProcessFuture;
    type StoreFuture<'a> = StoreFuture<'a>;

    fn fetch<'a>(&'a self, key: u64) -> FetchFuture<'a> {
        FetchFuture { repo: self, key }
    }
    fn process(&self, value: u64) -> ProcessFuture {
        ProcessFuture {
            value,
            yielded: false,
        }
    }
    fn store<'a>(&'a self, key: u64, bytes: &'a [u8]) -> StoreFuture<'a> {
        StoreFuture {
            repo: self,
            key,
            bytes,
        }
    }
}

// Fail the build, not a benchmark, if a future outgrows the inline space.
const _: () = assert!(hybrid_dispatch::layout::fits_inline::<
    FetchFuture<'static>,
    hybrid_dispatch::space::DefaultSpace,
>());
const _: () = assert!(hybrid_dispatch::layout::fits_inline::<
    StoreFuture<'static>,
    hybrid_dispatch::space::DefaultSpace,
>());

/// One pipeline run, generic: monomorphized, nothing erased.
async fn pipeline_static<R: Repository>(repo: &R, key: u64, bytes: &[u8]) -> Option<u64> {
    repo.store(key, bytes).await;
    let value = repo.fetch(key).await?;
    Some(repo.process(value).await)
}

/// The same run through `dyn`: one compiled copy for every repository.
async fn pipeline_dyn(repo: &dyn DynRepository, key: u64, bytes: &[u8]) -> Option<u64> {
    repo.store_dyn(key, bytes).await;
    let value = repo.fetch_dyn(key).await?;
    Some(repo.process_dyn(value).await)
}

// ---------------------------------------------------------------------------
// B. One `Service` per method, chosen by the request type.

/// `fetch`'s request.
#[derive(Debug)]
pub struct Fetch(pub u64);
/// `process`'s request.
#[derive(Debug)]
pub struct Process(pub u64);
/// `store`'s request (owned here: a `Service<&'r [u8]>` works too, see the
/// `Service` docs).
#[derive(Debug)]
pub struct Store(pub u64, pub u64);

/// The repository as three services.
#[derive(Debug, Default)]
pub struct Table {
    data: Mutex<HashMap<u64, u64>>,
}

impl Service<Fetch> for Table {
    type Response = Option<u64>;
    type Future<'a> = Ready<Option<u64>>;
    fn call(&self, Fetch(key): Fetch) -> Self::Future<'_> {
        ready(self.data.lock().unwrap().get(&key).copied())
    }
}

impl Service<Process> for Table {
    type Response = u64;
    type Future<'a> = ProcessFuture;
    fn call(&self, Process(value): Process) -> ProcessFuture {
        ProcessFuture {
            value,
            yielded: false,
        }
    }
}

impl Service<Store> for Table {
    type Response = ();
    type Future<'a> = Ready<()>;
    fn call(&self, Store(key, value): Store) -> Ready<()> {
        // Eager for brevity; a real store would do this in its future.
        self.data.lock().unwrap().insert(key, value);
        ready(())
    }
}

/// The `dyn` twin is a supertrait list; the blanket impl is one line.
pub trait DynTable:
    DynService<Fetch, Option<u64>> + DynService<Process, u64> + DynService<Store, ()>
{
}

impl<T> DynTable for T where
    T: DynService<Fetch, Option<u64>> + DynService<Process, u64> + DynService<Store, ()>
{
}

async fn table_dyn(table: &dyn DynTable, key: u64, value: u64) -> Option<u64> {
    // The request type picks the method, statically and through `dyn` alike.
    table.call_dyn(Store(key, value)).await;
    let value = table.call_dyn(Fetch(key)).await?;
    Some(table.call_dyn(Process(value)).await)
}

// ---------------------------------------------------------------------------

fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = core::pin::pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

fn main() {
    let repo = Memory::default();
    block_on(repo.store(0, b"warm-up")); // the map's first insert allocates

    println!("A. one GAT per method + a Dyn twin");
    for (name, layout) in [
        ("fetch", FutureLayout::of::<FetchFuture<'_>>()),
        ("process", FutureLayout::of::<ProcessFuture>()),
        ("store", FutureLayout::of::<StoreFuture<'_>>()),
    ] {
        println!("  {name:<8} future {layout}");
    }
    let bytes = [1u8, 2, 3];
    let (out, allocs) = count(|| block_on(pipeline_static(&repo, 0, &bytes)));
    println!(
        "  static  pipeline -> {out:?}, {} allocations",
        allocs.allocs
    );
    assert_eq!((out, allocs.allocs), (Some(19), 0));

    let erased: &dyn DynRepository = &repo;
    let fut = erased.fetch_dyn(0);
    println!("  dyn fetch future inline: {}", !fut.is_heap());
    drop(fut);
    let (out, allocs) = count(|| block_on(pipeline_dyn(erased, 0, &bytes)));
    println!(
        "  dyn     pipeline -> {out:?}, {} allocations",
        allocs.allocs
    );
    assert_eq!((out, allocs.allocs), (Some(19), 0));

    let shared: std::sync::Arc<dyn SendRepository> = std::sync::Arc::new(repo);
    let fetched = std::thread::spawn(move || block_on(shared.fetch_send(0)))
        .join()
        .unwrap();
    println!("  Send twin, fetched on another thread: {fetched:?}");

    println!("B. one Service per method");
    let table = Table::default();
    block_on(table.call(Store(0, 0)));
    let (out, allocs) = count(|| {
        block_on(async {
            table.call(Store(1, 6)).await;
            let v = table.call(Fetch(1)).await?;
            Some(table.call(Process(v)).await)
        })
    });
    println!(
        "  static  pipeline -> {out:?}, {} allocations",
        allocs.allocs
    );
    assert_eq!((out, allocs.allocs), (Some(19), 0));
    let (out, allocs) = count(|| block_on(table_dyn(&table, 1, 6)));
    println!(
        "  dyn     pipeline -> {out:?}, {} allocations",
        allocs.allocs
    );
    assert_eq!((out, allocs.allocs), (Some(19), 0));

    // Middleware applies to every method at once. (`Timed::new`, not
    // `.timed()`: `ServiceExt` is generic over the request, and `Table` has
    // three.)
    let timed = Timed::new(table);
    block_on(timed.call(Process(1)));
    block_on(timed.call(Fetch(1)));
    let stats = timed.stats();
    println!(
        "  Timed<Table>: {} calls timed (both methods share the histogram), mean {:?}",
        stats.count,
        stats.mean().unwrap()
    );
}
