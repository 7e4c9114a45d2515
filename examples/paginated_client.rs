//! Two event sources behind one `dyn` type, drained with zero allocations
//! per item by the erasure: a paginated API client (each page is a request
//! with latency) and a log tailer (lines arriving on a channel), both
//! `AsyncIter`s, erased into `SendBoxAsyncIter<'static, Event>` and each
//! drained on its own task of a multi-threaded runtime.
//!
//! Shows: writing an `AsyncIter` on stable Rust two ways (`unfold` over
//! owned state, and a hand-written `next` future that borrows the
//! iterator), erasing different iterator types into one type, where each
//! `next` future lives (inline, or one heap buffer grown once), the
//! allocations of a whole drain counted exactly, and the same iterator as
//! a `futures_core::Stream`.
//!
//! Run: `cargo run --example paginated_client`

use core::future::Future;
use core::pin::{Pin, pin};
use core::task::{Context, Poll};
use std::time::Duration;

use counting_alloc::{CountingAlloc, count};
use hybrid_dispatch::capacity::DefaultCapacity;
use hybrid_dispatch::stream::{AsyncIter, GatStream, SendBoxAsyncIter, unfold};
use tokio::sync::mpsc;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// What every source yields.
#[derive(Debug)]
enum Event {
    Order { id: u32, cents: u64 },
    Log(String),
}

// ---------------------------------------------------------------------------
// Source 1: a paginated API. `fetch_page` stands for an HTTP request; the
// iterator buffers one page and asks for the next when it runs out.

/// One page of orders and the cursor of the next page.
struct Page {
    orders: Vec<(u32, u64)>,
    next: Option<u32>,
}

/// The "server": pages of `per_page` orders, `pages` pages in all.
async fn fetch_page(cursor: u32, per_page: u32, pages: u32) -> Page {
    tokio::time::sleep(Duration::from_millis(2)).await; // the round trip
    let first = cursor * per_page;
    Page {
        orders: (first..first + per_page)
            .map(|id| (id, u64::from(id) * 100 + 99))
            .collect(),
        next: (cursor + 1 < pages).then_some(cursor + 1),
    }
}

/// The client's state between items: the page being handed out, and where
/// the next one starts.
struct Cursor {
    page: std::vec::IntoIter<(u32, u64)>,
    next: Option<u32>,
}

/// An `AsyncIter` over every order of every page. `unfold` names the
/// `next` future for us (an `async` block has no name on stable Rust).
fn orders(per_page: u32, pages: u32) -> impl hybrid_dispatch::stream::SendAsyncIter<Item = Event> {
    let start = Cursor {
        page: Vec::new().into_iter(),
        next: Some(0),
    };
    unfold(start, move |mut cursor| async move {
        loop {
            if let Some((id, cents)) = cursor.page.next() {
                return Some((Event::Order { id, cents }, cursor));
            }
            let page = fetch_page(cursor.next?, per_page, pages).await;
            cursor = Cursor {
                page: page.orders.into_iter(),
                next: page.next,
            };
        }
    })
}

// ---------------------------------------------------------------------------
// Source 2: a log tailer. Its `next` future is written by hand and borrows
// the tailer mutably: the shape `GatStream` and `SendBoxAsyncIter` keep
// pinned next to the iterator it points into.

/// Lines arriving on a channel, numbered as they come.
struct LogTail {
    lines: mpsc::Receiver<String>,
    seen: u64,
}

/// `LogTail`'s `next` future: the next line, or `None` once every sender
/// is gone.
struct NextLine<'a> {
    tail: &'a mut LogTail,
}

impl Future for NextLine<'_> {
    type Output = Option<Event>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        let tail = &mut *self.tail;
        tail.lines.poll_recv(cx).map(|line| {
            let line = line?;
            tail.seen += 1;
            Some(Event::Log(format!("#{} {line}", tail.seen)))
        })
    }
}

impl AsyncIter for LogTail {
    type Item = Event;
    type NextFut<'a> = NextLine<'a>;

    fn next(&mut self) -> NextLine<'_> {
        NextLine { tail: self }
    }
}

// ---------------------------------------------------------------------------

/// Drains one erased source, returning how many events it yielded and the
/// cents of its orders; allocations are counted on this thread.
async fn drain(name: &str, source: SendBoxAsyncIter<'static, Event>) -> (u64, u64) {
    let mut source = pin!(source);
    let mut events = 0;
    let mut cents = 0;
    while let Some(event) = source.as_mut().next().await {
        events += 1;
        match event {
            Event::Order { cents: c, .. } => cents += c,
            Event::Log(line) if events <= 2 => println!("  {name}: {line}"),
            Event::Log(_) => {}
        }
    }
    println!(
        "  {name}: {events} events; next buffer grown {} time(s)",
        source.growths()
    );
    (events, cents)
}

/// `hybrid_dispatch::stream::unfold::Unfold<…>` → `Unfold`.
fn short_name(type_name: &str) -> &str {
    let outer = type_name.split('<').next().unwrap_or(type_name);
    outer.rsplit("::").next().unwrap_or(outer)
}

fn describe(name: &str, source: &SendBoxAsyncIter<'static, Event>) {
    let layout = source.next_layout();
    let place = if layout.fits::<DefaultCapacity>() {
        "inline, in the box's own buffer"
    } else {
        "in a heap buffer allocated once, at the first item"
    };
    println!(
        "{name:<8} {:<8} next future {:>3} bytes: {place}",
        short_name(source.iter_type_name()),
        layout.size()
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("a runtime");

    const PER_PAGE: u32 = 50;
    const PAGES: u32 = 20;
    const LINES: u64 = 1000;

    let (tx, rx) = mpsc::channel(64);
    let sources: Vec<(&str, SendBoxAsyncIter<'static, Event>)> = vec![
        ("orders", SendBoxAsyncIter::new(orders(PER_PAGE, PAGES))),
        (
            "logs",
            SendBoxAsyncIter::new(LogTail { lines: rx, seen: 0 }),
        ),
    ];
    println!("two iterator types, one type behind `dyn`:");
    for (name, source) in &sources {
        describe(name, source);
    }

    println!("\ndraining each on its own task:");
    runtime.block_on(async move {
        let producer = tokio::spawn(async move {
            for i in 0..LINES {
                tx.send(format!("GET /item/{i} 200"))
                    .await
                    .expect("the tailer is alive");
            }
        });
        let tasks: Vec<_> = sources
            .into_iter()
            .map(|(name, source)| tokio::spawn(drain(name, source)))
            .collect();
        let mut totals = Vec::new();
        for task in tasks {
            totals.push(task.await.expect("the task ran"));
        }
        producer.await.expect("the producer ran");
        assert_eq!(totals[0].0, u64::from(PER_PAGE * PAGES));
        assert_eq!(totals[1].0, LINES);
        println!("orders total: {} cents", totals[0].1);
    });

    // Exact allocations of a whole drain, on one thread: the pages the client
    // fetches allocate (one `Vec` each), the erased iterator adds nothing per
    // item. A boxing erasure (`async-trait`, `dynosaur`) would add one
    // allocation per order on top.
    let local = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    let source = SendBoxAsyncIter::new(orders(PER_PAGE, PAGES));
    let ((events, _), allocs) = count(|| local.block_on(drain("orders", source)));
    println!(
        "\none thread, {events} orders from {PAGES} pages: {} allocations in all ({:.2} per item)",
        allocs.allocs,
        allocs.allocs as f64 / events as f64
    );
    assert_eq!(
        allocs.allocs,
        u64::from(PAGES) + 1,
        "one allocation per page, one for the `next` buffer"
    );

    // The same kind of iterator as a `futures_core::Stream`, statically: the
    // `next` future lives inside the `GatStream`, no box at all.
    let stream = GatStream::new(orders(5, 2));
    let collected = local.block_on(async {
        let mut stream = pin!(stream);
        let mut ids = Vec::new();
        while let Some(Event::Order { id, .. }) = stream.as_mut().next().await {
            ids.push(id);
        }
        ids
    });
    println!("as a Stream (GatStream): order ids {collected:?}");
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
    }

    /// Forwards to [`System`], counting on the calling thread.
    #[derive(Debug)]
    pub(crate) struct CountingAlloc;

    // SAFETY: every method forwards to `System` with the arguments it was
    // given; the counter is a const-initialised thread-local, which never
    // allocates. (`realloc` and `alloc_zeroed` keep their default bodies,
    // which call these two.)
    unsafe impl GlobalAlloc for CountingAlloc {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
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
    }

    /// Runs `f`; returns its result and what this thread allocated meanwhile.
    pub(crate) fn count<R>(f: impl FnOnce() -> R) -> (R, Allocs) {
        let before = ALLOCS.with(Cell::get);
        let out = f();
        let after = ALLOCS.with(Cell::get);
        (
            out,
            Allocs {
                allocs: after - before,
            },
        )
    }
}
