//! The classic demonstration: one `Service` impl, called statically and
//! through `dyn`, with each future's size, where it lives and the
//! allocations a counting allocator saw — and the same calls through
//! `#[async_trait]` for contrast.
//!
//! Run: `cargo run --release --example real_world_usage`

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use counting_alloc::{Allocs, CountingAlloc, count};
use hybrid_dispatch::capacity::{DefaultCapacity, S32};
use hybrid_dispatch::{
    Counted, DynService, SendDynService, Service, layout::FutureLayout, service_fn,
};

// Counts every allocation (the allocator is at the end of this file).
#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

// ---------------------------------------------------------------------------
// A GAT service whose future borrows both the service and its input:
// counts words, yielding to the scheduler between chunks of the input.

/// Counts the words of a text, `chunk` bytes per poll.
#[derive(Debug)]
struct WordCount {
    chunk: usize,
}

/// The named future of `WordCount`: borrows the service for `'a` and the
/// text for `'r`.
struct Counting<'a, 'r> {
    svc: &'a WordCount,
    rest: &'r str,
    words: usize,
    in_word: bool,
}

impl Future for Counting<'_, '_> {
    type Output = usize;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        let this = &mut *self;
        let mut end = this.svc.chunk.min(this.rest.len());
        while !this.rest.is_char_boundary(end) {
            end += 1;
        }
        let (now, later) = this.rest.split_at(end);
        for c in now.chars() {
            let in_word = !c.is_whitespace();
            if in_word && !this.in_word {
                this.words += 1;
            }
            this.in_word = in_word;
        }
        this.rest = later;
        if this.rest.is_empty() {
            Poll::Ready(this.words)
        } else {
            // Let other tasks run between chunks.
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

impl<'r> Service<&'r str> for WordCount {
    type Response = usize;
    type Future<'a> = Counting<'a, 'r>;

    fn call<'a>(&'a self, text: &'r str) -> Counting<'a, 'r> {
        Counting {
            svc: self,
            rest: text,
            words: 0,
            in_word: false,
        }
    }
}

/// The same service written the `async-trait` way.
#[async_trait]
trait WordCounter {
    async fn count(&self, text: &str) -> usize;
}

#[async_trait]
impl WordCounter for WordCount {
    async fn count(&self, text: &str) -> usize {
        self.call(text).await
    }
}

// ---------------------------------------------------------------------------
// Owned-request services from `async` blocks, on stable, via `service_fn`.

type Db = Arc<tokio::sync::RwLock<HashMap<u64, String>>>;

async fn lookup(db: Db, id: u64) -> Option<String> {
    db.read().await.get(&id).cloned()
}

/// A report whose future carries a 2 KiB scratch buffer across an await:
/// too large for any sensible inline capacity, so it spills.
async fn report(id: u64) -> Option<String> {
    let mut scratch = [0u8; 2048];
    scratch[(id % 2048) as usize] = 1;
    tokio::task::yield_now().await;
    Some(format!(
        "report-{}",
        scratch.iter().map(|&b| u64::from(b)).sum::<u64>() + id
    ))
}

#[async_trait]
trait Lookup {
    async fn lookup(&self, id: u64) -> Option<String>;
}

struct DbLookup(Db);

#[async_trait]
impl Lookup for DbLookup {
    async fn lookup(&self, id: u64) -> Option<String> {
        lookup(self.0.clone(), id).await
    }
}

fn main() {
    // No runtime: every future here is polled by `measure` with a no-op
    // waker on this thread, so the per-thread counting allocator sees
    // exactly what each call does (tokio's sync primitives and `yield_now`
    // work without a runtime).
    let text = "the quick brown fox jumps over the lazy dog ".repeat(8);
    let svc = WordCount { chunk: 64 };
    println!(
        "inline capacity (DefaultCapacity): {} bytes\n",
        size_of::<DefaultCapacity>()
    );

    println!("== WordCount: a GAT service whose future borrows its &str input ==");
    println!(
        "future layout, known before calling: {}",
        FutureLayout::of_service::<WordCount, &str>()
    );
    let m = measure(|| svc.call(&text));
    println!(
        "static      : {} words, future {:>4} bytes on the caller's stack, {}",
        m.out,
        m.size,
        m.allocs()
    );

    let erased: &dyn for<'r> DynService<&'r str, usize> = &svc;
    let m = measure(|| erased.call_dyn(&text));
    println!(
        "dyn         : {} words, future {:>4} bytes {}, {}",
        m.out,
        m.inner_size,
        m.place,
        m.allocs()
    );

    let shared: &dyn for<'r> SendDynService<&'r str, usize> = &svc;
    let m = measure(|| shared.call_send(&text));
    println!(
        "dyn Send    : {} words, future {:>4} bytes {}, {}",
        m.out,
        m.inner_size,
        m.place,
        m.allocs()
    );

    let boxed: &dyn WordCounter = &svc;
    let m = measure(|| boxed.count(&text));
    println!("async-trait : {} words, {}", m.out, m.allocs());

    println!("\n== Owned requests from async blocks (service_fn), with counters ==");
    let db: Db = Arc::new(tokio::sync::RwLock::new(
        (0..100).map(|i| (i, format!("item-{i}"))).collect(),
    ));
    let lookups = Counted::new(service_fn({
        let db = db.clone();
        move |id: u64| lookup(db.clone(), id)
    }));
    let reports = Counted::new(service_fn(report));
    let services: [(&str, &dyn DynService<u64, Option<String>>); 2] =
        [("lookup", &lookups), ("report", &reports)];
    for (name, erased) in services {
        let m = measure(|| erased.call_dyn(42));
        println!(
            "{name:<11} : -> {:<18} future {:>4} bytes {}, {}",
            format!("{:?}", m.out),
            m.inner_size,
            m.place,
            m.allocs()
        );
    }
    // The lookup's future is 136 bytes: over the default 120. Give this
    // dyn type a larger capacity and it stays inline — same service.
    let roomy: &dyn DynService<u64, Option<String>, S32> = &lookups;
    let m = measure(|| roomy.call_dyn(42));
    println!(
        "lookup, S32 : -> {:<18} future {:>4} bytes {}, {}",
        format!("{:?}", m.out),
        m.inner_size,
        m.place,
        m.allocs()
    );
    println!("(each response's String is one of the allocations counted)");
    let via_trait: &dyn Lookup = &DbLookup(db.clone());
    let m = measure(|| via_trait.lookup(42));
    println!("lookup via async-trait: -> {:?}, {}", m.out, m.allocs());
    println!("counters: lookup {}", lookups.stats());
    println!("counters: report {}", reports.stats());

    typical_sizes();
}

/// What one call did.
struct Measured<T> {
    out: T,
    /// Size of the value the call returned (the handle, for `dyn` calls).
    size: usize,
    /// Size of the erased future inside, for `dyn` calls.
    inner_size: usize,
    place: &'static str,
    counted: Allocs,
}

impl<T> Measured<T> {
    fn allocs(&self) -> String {
        format!(
            "{} allocation(s), {} bytes",
            self.counted.allocs, self.counted.bytes
        )
    }
}

/// Where an erased future lives; `None` for futures that are not erased.
trait Placement {
    fn placement(&self) -> Option<(usize, bool)> {
        None
    }
}
impl<T, Cap: hybrid_dispatch::capacity::Capacity> Placement
    for hybrid_dispatch::InlineFuture<'_, T, Cap>
{
    fn placement(&self) -> Option<(usize, bool)> {
        Some((self.layout().size(), self.is_heap()))
    }
}
impl<T, Cap: hybrid_dispatch::capacity::Capacity> Placement
    for hybrid_dispatch::SendInlineFuture<'_, T, Cap>
{
    fn placement(&self) -> Option<(usize, bool)> {
        Some((self.layout().size(), self.is_heap()))
    }
}
impl<T: ?Sized> Placement for Pin<Box<T>> {}
impl Placement for Counting<'_, '_> {}

/// Makes the future, polls it to completion where it lies and drops it,
/// counting this thread's allocations throughout.
fn measure<F: Future + Placement>(make: impl FnOnce() -> F) -> Measured<F::Output> {
    let (fut, made) = count(make);
    let size = size_of_val(&fut);
    let (inner_size, heap) = fut.placement().unwrap_or((size, false));
    let (out, polled) = count(move || {
        let mut fut = core::pin::pin!(fut);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        loop {
            if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
                break out;
            }
        }
    });
    Measured {
        out,
        size,
        inner_size,
        place: if heap { "on the heap" } else { "inline     " },
        counted: Allocs {
            allocs: made.allocs + polled.allocs,
            bytes: made.bytes + polled.bytes,
        },
    }
}

fn typical_sizes() {
    println!(
        "\n== Sizes of ordinary tokio-based async fn futures (what the default 120 bytes keeps inline) =="
    );
    let (tx, _rx) = tokio::sync::mpsc::channel::<u64>(4);
    let lock = tokio::sync::RwLock::new(HashMap::<u64, String>::new());
    let sem = tokio::sync::Semaphore::new(1);
    let notify = tokio::sync::Notify::new();
    let (_otx, orx) = tokio::sync::oneshot::channel::<u64>();
    let rows: [(&str, usize); 9] = [
        ("oneshot::Receiver awaited", size_of_val(&receive(orx))),
        ("one yield_now().await", size_of_val(&report_small(1))),
        ("Notify::notified().await", size_of_val(&notified(&notify))),
        (
            "borrowed &str input, one await, format!",
            size_of_val(&process("a", "b")),
        ),
        (
            "semaphore permit, then an inner async fn",
            size_of_val(&limited(&sem, 1)),
        ),
        (
            "RwLock::read().await + HashMap::get",
            size_of_val(&get(&lock, 1)),
        ),
        ("time::sleep(..).await", size_of_val(&sleep_then(1))),
        (
            "RwLock::write().await + insert",
            size_of_val(&put(&lock, 1)),
        ),
        (
            "mpsc::Sender::send(..).await",
            size_of_val(&async { tx.send(1).await.is_ok() }),
        ),
    ];
    for (what, size) in rows {
        let fits = size <= size_of::<DefaultCapacity>();
        println!(
            "{what:<42} {size:>4} bytes  {}",
            if fits { "inline" } else { "spills" }
        );
    }
}

async fn receive(rx: tokio::sync::oneshot::Receiver<u64>) -> u64 {
    rx.await.unwrap_or(0)
}
async fn notified(notify: &tokio::sync::Notify) {
    notify.notified().await;
}
async fn report_small(x: u64) -> u64 {
    tokio::task::yield_now().await;
    x + 1
}
async fn process(prefix: &str, input: &str) -> String {
    tokio::task::yield_now().await;
    format!("{prefix}{input}")
}
async fn limited(sem: &tokio::sync::Semaphore, k: u64) -> u64 {
    let _permit = sem.acquire().await.unwrap();
    report_small(k).await
}
async fn get(lock: &tokio::sync::RwLock<HashMap<u64, String>>, k: u64) -> Option<String> {
    lock.read().await.get(&k).cloned()
}
async fn put(lock: &tokio::sync::RwLock<HashMap<u64, String>>, k: u64) {
    lock.write().await.insert(k, String::new());
}
async fn sleep_then(k: u64) -> u64 {
    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    k
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
