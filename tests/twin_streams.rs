//! Streams in your own trait: `#[dyn_twin]` erases a method returning
//! `impl Stream<Item = T>` into an `InlineStream` (inline when it fits,
//! boxed otherwise), with layouts, placement, counting and the registry's
//! sizing report, and an `async fn next(&mut self)`-style method like any
//! async method. No allocation per item.

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
    assert_eq!(
        logs.stats()
            .get("memory")
            .unwrap()
            .get("lines")
            .unwrap()
            .heap,
        1
    );
}
