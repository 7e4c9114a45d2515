//! A user's own multi-method trait (`fetch`, `process`, `store`, each with
//! its own future) on both paths: static (no allocation) and through a
//! `dyn` twin built on `InlineFuture` (inline, no allocation). Also the
//! "one `Service` per method" formulation. See `examples/multi_method.rs`.
#![cfg(feature = "alloc")]

mod common;

use core::future::{Future, Ready, ready};
use core::pin::Pin;
use core::task::{Context, Poll};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::Mutex;

use common::counting_alloc::{Allocs, CountingAlloc, count};
use common::{DropCounter, DropToken, YieldOnce, block_on, poll_once};
use hybrid_dispatch::capacity::DefaultCapacity;
use hybrid_dispatch::{Counted, DynService, InlineFuture, Service, layout::fits_inline};
use static_assertions::assert_obj_safe;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const NONE: Allocs = Allocs::NONE;

const ROUNDS: u64 = if cfg!(miri) { 2 } else { 50 };

// --- A. one GAT per method, plus a `Dyn` twin -------------------------------

trait Repository {
    type FetchFuture<'a>: Future<Output = Option<u64>>
    where
        Self: 'a;
    type ProcessFuture<'a>: Future<Output = u64>
    where
        Self: 'a;
    type StoreFuture<'a>: Future<Output = usize>
    where
        Self: 'a;

    fn fetch<'a>(&'a self, key: u64) -> Self::FetchFuture<'a>;
    fn process<'a>(&'a self, value: u64) -> Self::ProcessFuture<'a>;
    fn store<'a>(&'a self, key: u64, bytes: &'a [u8]) -> Self::StoreFuture<'a>;
}

trait DynRepository {
    fn fetch_dyn(&self, key: u64) -> InlineFuture<'_, Option<u64>>;
    fn process_dyn(&self, value: u64) -> InlineFuture<'_, u64>;
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

assert_obj_safe!(DynRepository);

/// A `BTreeMap` (unlike `HashMap`, an empty one allocates nothing and
/// removal frees its node, so allocation counts stay exact per call).
#[derive(Debug, Default)]
struct Memory {
    data: Mutex<BTreeMap<u64, u64>>,
    processed: Cell<u64>,
}

struct FetchFuture<'a> {
    repo: &'a Memory,
    key: u64,
}

impl Future for FetchFuture<'_> {
    type Output = Option<u64>;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u64>> {
        Poll::Ready(self.repo.data.lock().unwrap().get(&self.key).copied())
    }
}

/// An `async` block would do, but its type has no name on stable; this
/// one also carries a drop token, to check cancellation through `dyn`.
struct ProcessFuture<'a> {
    repo: &'a Memory,
    value: u64,
    yielded: bool,
    _token: Option<DropToken>,
}

impl Future for ProcessFuture<'_> {
    type Output = u64;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        if !self.yielded {
            self.yielded = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.repo.processed.set(self.repo.processed.get() + 1);
        Poll::Ready(self.value * 3 + 1)
    }
}

struct StoreFuture<'a> {
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
    type ProcessFuture<'a> = ProcessFuture<'a>;
    type StoreFuture<'a> = StoreFuture<'a>;

    fn fetch<'a>(&'a self, key: u64) -> FetchFuture<'a> {
        FetchFuture { repo: self, key }
    }
    fn process<'a>(&'a self, value: u64) -> ProcessFuture<'a> {
        ProcessFuture {
            repo: self,
            value,
            yielded: false,
            _token: None,
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

const _: () = assert!(fits_inline::<FetchFuture<'static>, DefaultCapacity>());
const _: () = assert!(fits_inline::<ProcessFuture<'static>, DefaultCapacity>());
const _: () = assert!(fits_inline::<StoreFuture<'static>, DefaultCapacity>());

async fn pipeline_static<R: Repository>(repo: &R, key: u64, bytes: &[u8]) -> Option<u64> {
    repo.store(key, bytes).await;
    let value = repo.fetch(key).await?;
    Some(repo.process(value).await)
}

async fn pipeline_dyn(repo: &dyn DynRepository, key: u64, bytes: &[u8]) -> Option<u64> {
    repo.store_dyn(key, bytes).await;
    let value = repo.fetch_dyn(key).await?;
    Some(repo.process_dyn(value).await)
}

/// Stores one key first: the map's first node is the only allocation.
fn warmed_up() -> Memory {
    let repo = Memory::default();
    block_on(repo.store(0, &[]));
    repo
}

#[test]
fn static_path_allocates_nothing() {
    let repo = warmed_up();
    for round in 0..ROUNDS {
        let bytes = [round as u8, 2, 3];
        let ((out, polls), allocs) = count(|| block_on(pipeline_static(&repo, 0, &bytes)));
        let sum = u64::from(bytes[0]) + 5;
        assert_eq!((out, polls), (Some(sum * 3 + 1), 2));
        assert_eq!(allocs, NONE);
    }
    assert_eq!(repo.processed.get(), ROUNDS);
}

#[test]
fn dyn_path_is_inline_and_allocates_nothing() {
    let repo = warmed_up();
    let erased: &dyn DynRepository = &repo;
    let bytes = [1u8, 2, 3];
    let (placements, allocs) = count(|| {
        let fetch = erased.fetch_dyn(0);
        let process = erased.process_dyn(0);
        let store = erased.store_dyn(0, &bytes);
        [fetch.is_heap(), process.is_heap(), store.is_heap()]
    });
    assert_eq!(placements, [false; 3]);
    assert_eq!(allocs, NONE);
    for _ in 0..ROUNDS {
        let ((out, polls), allocs) = count(|| block_on(pipeline_dyn(erased, 0, &bytes)));
        assert_eq!((out, polls), (Some(19), 2));
        assert_eq!(allocs, NONE);
    }
}

#[test]
fn store_then_fetch_sees_the_value_and_missing_keys_are_none() {
    let repo = Memory::default();
    let erased: &dyn DynRepository = &repo;
    let input = vec![10u8, 20];
    assert_eq!(block_on(erased.store_dyn(7, &input)).0, 2);
    drop(input); // the store future borrowed it; it has completed
    assert_eq!(block_on(erased.fetch_dyn(7)).0, Some(30));
    assert_eq!(block_on(erased.fetch_dyn(8)).0, None);
    assert_eq!(block_on(repo.fetch(7)).0, Some(30));
}

#[test]
fn cancelled_dyn_future_drops_its_contents_once() {
    let repo = Memory::default();
    let drops = DropCounter::default();
    // Built by hand to carry a token; erased exactly like the blanket impl.
    let mut fut = Box::pin(InlineFuture::<'_, u64>::new(ProcessFuture {
        repo: &repo,
        value: 1,
        yielded: false,
        _token: Some(drops.token()),
    }));
    assert!(!fut.is_heap());
    assert!(poll_once(fut.as_mut()).is_pending());
    drop(fut);
    assert_eq!(drops.drops(), 1);
    assert_eq!(repo.processed.get(), 0);
}

// --- B. one `Service` per method --------------------------------------------

struct Fetch(u64);
struct Process(u64);
struct Store(u64, u64);

#[derive(Debug, Default)]
struct Table {
    data: Mutex<BTreeMap<u64, u64>>,
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
    type Future<'a> = ProcessAsync;
    fn call(&self, Process(value): Process) -> ProcessAsync {
        ProcessAsync {
            value,
            yielded: YieldOnce::default(),
        }
    }
}

struct ProcessAsync {
    value: u64,
    yielded: YieldOnce,
}

impl Future for ProcessAsync {
    type Output = u64;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        match Pin::new(&mut self.yielded).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => Poll::Ready(self.value * 3 + 1),
        }
    }
}

impl Service<Store> for Table {
    type Response = ();
    type Future<'a> = Ready<()>;
    fn call(&self, Store(key, value): Store) -> Ready<()> {
        self.data.lock().unwrap().insert(key, value);
        ready(())
    }
}

trait DynTable:
    DynService<Fetch, Option<u64>> + DynService<Process, u64> + DynService<Store, ()>
{
}

impl<T> DynTable for T where
    T: DynService<Fetch, Option<u64>> + DynService<Process, u64> + DynService<Store, ()>
{
}

assert_obj_safe!(DynTable);

#[test]
fn one_service_per_method_static_and_dyn_allocate_nothing() {
    let table = Counted::new(Table::default());
    block_on(table.call(Store(0, 0)));
    let ((out, _), allocs) = count(|| {
        block_on(async {
            table.call(Store(0, 6)).await;
            let value = table.call(Fetch(0)).await?;
            Some(table.call(Process(value)).await)
        })
    });
    assert_eq!((out, allocs), (Some(19), NONE));

    let erased: &dyn DynTable = &table;
    let ((out, _), allocs) = count(|| {
        block_on(async {
            // The request's type selects the supertrait, and so the method.
            erased.call_dyn(Store(0, 7)).await;
            let value = erased.call_dyn(Fetch(0)).await?;
            Some(erased.call_dyn(Process(value)).await)
        })
    });
    assert_eq!((out, allocs), (Some(22), NONE));
    // `Counted` wraps all three methods; it saw every erasure, inline.
    let stats = table.stats();
    assert_eq!((stats.calls, stats.inline, stats.heap), (7, 3, 0));
}
