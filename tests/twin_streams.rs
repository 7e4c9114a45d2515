//! Streams in your own trait: `#[dyn_twin]` erases a method returning
//! `impl Stream<Item = T>` into an `InlineStream` (inline when it fits,
//! boxed otherwise; in a registry, recycled), with layouts, placement, counting and the registry's
//! sizing report, and an `async fn next(&mut self)`-style method like any
//! async method. No allocation per item.
#![cfg(all(feature = "std", feature = "macros"))]

mod common;

use std::sync::Arc;

use common::counting_alloc::{Allocs, CountingAlloc, count};
use common::{YieldOnce, block_on};
use futures_core::Stream;
use futures_util::StreamExt;
use hybrid_dispatch::capacity::S4;
use hybrid_dispatch::twin::{CountedTwin, TwinHandle};
use hybrid_dispatch::{TwinRegistry, dyn_twin};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// A log source: a stream of lines borrowing the source, and a cursor.
#[dyn_twin(DynLog, send = SendDynLog)]
trait Log {
    /// Lines from `from` on (the stream borrows `self`).
    fn lines(&self, from: u32) -> impl Stream<Item = u32> + Send + '_;
    /// The next line of the source's own cursor.
    async fn next_line(&mut self) -> Option<u32>;
}

struct Memory {
    lines: Vec<u32>,
    cursor: usize,
}

impl Log for Memory {
    fn lines(&self, from: u32) -> impl Stream<Item = u32> + Send + '_ {
        futures_util::stream::unfold(from as usize, move |at| async move {
            YieldOnce::default().await;
            let line = *self.lines.get(at)?;
            Some((line, at + 1))
        })
    }
    async fn next_line(&mut self) -> Option<u32> {
        let line = self.lines.get(self.cursor).copied();
        self.cursor += 1;
        line
    }
}

fn memory(n: u32) -> Memory {
    Memory {
        lines: (0..n).map(|i| i * 10).collect(),
        cursor: 0,
    }
}

#[test]
fn a_stream_method_is_erased_inline_and_allocates_nothing_per_item() {
    let source = memory(50);
    let erased: &dyn DynLog = &source;
    let layout = erased.lines_layout();
    assert!(layout.size() > 0);
    let (sum, allocs) = count(|| {
        let lines = erased.lines_dyn(10);
        assert!(!lines.is_heap());
        assert_eq!(lines.layout(), layout);
        // The handle is `!Unpin` (the stream may borrow itself): pinned
        // where it is, as a `Pin<&mut _>` is what `next` takes.
        let mut lines = std::pin::pin!(lines);
        block_on(async {
            let mut sum = 0;
            while let Some(line) = lines.as_mut().next().await {
                sum += line;
            }
            sum
        })
        .0
    });
    assert_eq!(sum, (10..50).map(|i| i * 10).sum::<u32>());
    assert_eq!(allocs, Allocs::NONE);
}

#[test]
fn a_stream_too_large_for_the_capacity_is_boxed_once() {
    let source = memory(5);
    let erased: &dyn DynLog<S4> = &source;
    let (sum, allocs) = count(|| {
        let lines = erased.lines_dyn(0);
        assert!(lines.is_heap(), "{} bytes", erased.lines_layout().size());
        block_on(lines.fold(0, |sum, line| async move { sum + line })).0
    });
    assert_eq!(sum, 100);
    assert_eq!(allocs.allocs, 1, "the stream's box, once for all its items");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_send_twin_streams_across_tasks_and_the_bridge_reads_the_same() {
    let shared: Arc<dyn SendDynLog> = Arc::new(memory(4));
    let task = {
        let shared = Arc::clone(&shared);
        tokio::spawn(async move { shared.lines_send(1).collect::<Vec<_>>().await })
    };
    assert_eq!(task.await.unwrap(), [10, 20, 30]);
    // The bridge: `Log` itself on the twin object.
    assert_eq!(shared.lines(2).collect::<Vec<_>>().await, [20, 30]);
    let mut boxed: Box<dyn SendDynLog> = Box::new(memory(2));
    assert_eq!(boxed.next_line().await, Some(0));
    assert_eq!(boxed.next_line_send().await, Some(10));
    assert_eq!(boxed.next_line().await, None);
}

#[test]
fn stream_methods_are_counted_and_sized_in_the_registry() {
    let counted = CountedTwin::new::<dyn DynLog>(memory(3));
    let erased: &dyn DynLog = &counted;
    assert_eq!(block_on(erased.lines_dyn(0).count()).0, 3);
    let stats = counted.stats();
    let lines = stats.get("lines").unwrap();
    assert_eq!((lines.calls, lines.inline, lines.heap), (1, 1, 0));

    let logs: TwinRegistry<dyn SendDynLog<S4>> = TwinRegistry::new();
    let handle = logs.register("memory", memory(3)).unwrap();
    assert_eq!(block_on(handle.lines_send(0).count()).0, 3);
    let sizing = TwinHandle::sizing(&handle);
    let (name, row) = &sizing[0];
    assert_eq!(*name, "lines");
    assert!(!row.is_inline(), "the stream spills S4");
    assert!(row.is_recycled(), "{row:?}");
    let lines = *logs.stats().get("memory").unwrap().get("lines").unwrap();
    assert_eq!((lines.calls, lines.recycled, lines.heap), (1, 1, 0));
}

/// A registered implementor's stream that does not fit the capacity is
/// built in a buffer of the method's pool, which it gives back when it is
/// dropped, ended or abandoned: once the pool holds a buffer, a call's
/// stream allocates nothing, through the handle, the bridge and by name.
#[test]
fn a_registered_stream_too_large_for_the_capacity_is_recycled() {
    let logs: TwinRegistry<dyn SendDynLog<S4>> = TwinRegistry::new();
    let handle = logs.register("memory", memory(5)).unwrap();
    let warm = handle.lines_send(0);
    assert!(warm.is_recycled() && !warm.is_heap());
    drop(warm);
    let (sums, allocs) = count(|| {
        let ended = block_on(
            handle
                .lines_send(0)
                .fold(0, |sum, line| async move { sum + line }),
        )
        .0;
        let bridged = block_on(
            handle
                .lines(1)
                .fold(0, |sum, line| async move { sum + line }),
        )
        .0;
        let by_name = block_on(logs.get("memory").unwrap().lines_send(2).count()).0;
        // Abandoned after one item.
        let mut abandoned = Box::pin(handle.lines_send(0));
        let first = block_on(abandoned.next()).0;
        drop(abandoned);
        (ended, bridged, by_name, first)
    });
    assert_eq!(sums, (100, 100, 3, Some(0)));
    // The `Box::pin` of the abandoned handle, and nothing else.
    assert_eq!(allocs.allocs, 1, "{allocs:?}");
    let pool = TwinHandle::pool_stats(&handle, "lines").unwrap();
    assert_eq!((pool.misses, pool.idle), (1, 1));
    let lines = *logs.stats().get("memory").unwrap().get("lines").unwrap();
    assert_eq!((lines.calls, lines.recycled, lines.heap), (5, 5, 0));
    // What the calls allocated: the pool's one miss, a buffer.
    assert_eq!(
        (lines.allocations, lines.allocated_bytes),
        (1, pool.buffer_bytes)
    );
}

/// A stream the trait declares `+ 'static`: it owns what it reads.
#[dyn_twin(DynTicks, send = SendDynTicks)]
trait Ticks {
    fn ticks(&self, n: u32) -> impl Stream<Item = u32> + Send + 'static;
}

/// Its stream holds 64 bytes of state: too large for `S4`.
struct Ticker;

impl Ticks for Ticker {
    fn ticks(&self, n: u32) -> impl Stream<Item = u32> + Send + 'static {
        let pad = [1u32; 16];
        futures_util::stream::unfold(0, move |at| async move {
            YieldOnce::default().await;
            (at < n).then(|| (at * pad[at as usize % 16], at + 1))
        })
    }
}

/// A `'static` stream of a registered implementor is recycled in a buffer
/// that keeps its pool alive: it outlives the handle and the registry, and
/// its buffer is freed with the pool when it is dropped.
#[test]
fn a_static_stream_keeps_its_pool_after_the_registry_is_gone() {
    let ticks: TwinRegistry<dyn SendDynTicks<S4>> = TwinRegistry::new();
    let handle = ticks.register("ticker", Ticker).unwrap();
    let stream = handle.ticks_send(3);
    assert!(
        stream.is_recycled(),
        "{} bytes",
        handle.ticks_layout().size()
    );
    drop((handle, ticks));
    assert_eq!(block_on(stream.collect::<Vec<_>>()).0, [0, 1, 2]);
}
