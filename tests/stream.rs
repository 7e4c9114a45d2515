//! Async iterators as a user sees them: the static path, `GatStream` (a
//! `Stream` over any `AsyncIter`, holding the in-flight `next` future that
//! borrows its iterator) and the erased `BoxAsyncIter`: items, the stream
//! contract (futures-test), drops exactly once (mid-item, after a panic)
//! and exact allocation counts. Run under Miri in CI.
#![cfg(feature = "alloc")]

mod common;

use core::future::Future;
use core::pin::{Pin, pin};
use core::task::{Context, Poll, Waker};
use std::panic::{AssertUnwindSafe, catch_unwind};

use common::counting_alloc::{Allocs, CountingAlloc, count};
use common::{DropCounter, DropToken, YieldOnce, block_on};
use futures_core::Stream;
use futures_test::future::FutureTestExt;
use futures_test::stream::StreamTestExt;
use hybrid_dispatch::FutureSlot;
use hybrid_dispatch::capacity::{S1, S16};
use hybrid_dispatch::stream::{
    AsyncIter, BoxAsyncIter, DynAsyncIter, GatStream, SendBoxAsyncIter, unfold,
};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

fn items() -> u64 {
    if cfg!(miri) { 5 } else { 200 }
}

/// Counts up to `end`, writing each step through the `&mut` its `next`
/// future holds, after one `Pending`: the shape that makes `GatStream`
/// self-referential. `N` pads the future, to put it inline or in the heap
/// buffer; `panic_at` makes that item's future panic in `poll`; each future
/// holds a drop token.
struct Counter<const N: usize> {
    next: u64,
    end: u64,
    panic_at: Option<u64>,
    /// Panic in that item's first poll (before its `Pending`), not its second.
    panic_early: bool,
    drops: DropCounter,
    _iter_token: DropToken,
}

impl<const N: usize> Counter<N> {
    fn new(end: u64, drops: &DropCounter) -> Self {
        Counter {
            next: 0,
            end,
            panic_at: None,
            panic_early: false,
            drops: drops.clone(),
            _iter_token: drops.token(),
        }
    }
}

struct CounterNext<'a, const N: usize> {
    iter: &'a mut Counter<N>,
    pad: [u8; N],
    yielded: YieldOnce,
    _token: DropToken,
}

impl<const N: usize> Future for CounterNext<'_, N> {
    type Output = Option<u64>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
        if self.iter.panic_early && self.iter.panic_at == Some(self.iter.next) {
            panic!("next future asked to panic in its first poll");
        }
        if Pin::new(&mut self.yielded).poll(cx).is_pending() {
            return Poll::Pending;
        }
        let this = &mut *self;
        if this.iter.panic_at == Some(this.iter.next) {
            panic!("next future asked to panic");
        }
        if this.iter.next == this.iter.end {
            return Poll::Ready(None);
        }
        this.iter.next += 1;
        Poll::Ready(Some(this.iter.next - 1 + u64::from(this.pad[0])))
    }
}

impl<const N: usize> AsyncIter for Counter<N> {
    type Item = u64;
    type NextFut<'a> = CounterNext<'a, N>;
    fn next(&mut self) -> CounterNext<'_, N> {
        let token = self.drops.token();
        CounterNext {
            iter: self,
            pad: [0; N],
            yielded: YieldOnce::default(),
            _token: token,
        }
    }
}

/// Small enough for every capacity used here but `S1`.
type Small = Counter<8>;
/// Larger than `S16`: the erased iterator keeps it in its heap buffer.
type Large = Counter<256>;

fn drain<S: Stream + ?Sized>(mut stream: Pin<&mut S>) -> Vec<S::Item> {
    let mut cx = Context::from_waker(Waker::noop());
    let mut out = Vec::new();
    loop {
        match stream.as_mut().poll_next(&mut cx) {
            Poll::Ready(Some(item)) => out.push(item),
            Poll::Ready(None) => return out,
            Poll::Pending => {}
        }
    }
}

/// How many items `stream` yields before `None`, without allocating.
fn count_items<S: Stream + ?Sized>(mut stream: Pin<&mut S>) -> u64 {
    let mut cx = Context::from_waker(Waker::noop());
    let mut n = 0;
    loop {
        match stream.as_mut().poll_next(&mut cx) {
            Poll::Ready(Some(_)) => n += 1,
            Poll::Ready(None) => return n,
            Poll::Pending => {}
        }
    }
}

#[test]
fn the_static_path_awaits_the_named_future_without_allocating() {
    let drops = DropCounter::default();
    let mut iter = Small::new(items(), &drops);
    let ((), allocs) = count(|| {
        block_on(async {
            let mut expected = 0;
            while let Some(n) = iter.next().await {
                assert_eq!(n, expected);
                expected += 1;
            }
            assert_eq!(expected, items());
        });
    });
    assert_eq!(allocs, Allocs::NONE);
}

#[test]
fn gat_stream_yields_every_item_and_allocates_nothing() {
    let drops = DropCounter::default();
    let (got, allocs) = count(|| {
        let stream = pin!(GatStream::new(Large::new(items(), &drops)));
        let mut cx = Context::from_waker(Waker::noop());
        let mut stream = stream;
        let mut got = 0;
        loop {
            match stream.as_mut().poll_next(&mut cx) {
                Poll::Ready(Some(n)) => {
                    assert_eq!(n, got);
                    got += 1;
                }
                Poll::Ready(None) => break,
                Poll::Pending => assert!(stream.is_in_flight()),
            }
        }
        got
    });
    assert_eq!(got, items());
    assert_eq!(allocs, Allocs::NONE);
}

#[test]
fn gat_stream_passes_the_futures_test_stream_contract() {
    // The stream under `interleave_pending` and `assert_unmoved` (a poller
    // that sees extra `Pending`s and must not move it), each `next` future
    // under `pending_once` and `assert_unmoved` (the stream must keep it
    // where it was first polled).
    let iter = unfold(0u32, |n| {
        async move { (n < 5).then(|| (n * 10, n + 1)) }
            .pending_once()
            .assert_unmoved()
    });
    let stream = GatStream::new(iter).interleave_pending().assert_unmoved();
    assert_eq!(drain(pin!(stream)), [0, 10, 20, 30, 40]);

    let drops = DropCounter::default();
    let stream = GatStream::new(Small::new(3, &drops))
        .interleave_pending()
        .assert_unmoved();
    assert_eq!(drain(pin!(stream)), [0, 1, 2]);
}

#[test]
fn box_async_iter_passes_the_futures_test_stream_contract() {
    for heap in [false, true] {
        let iter = unfold(0u32, move |n| {
            let pad = [n as u8; 200];
            async move {
                if heap {
                    YieldOnce::default().await;
                    let _ = pad;
                }
                (n < 5).then(|| (n * 10, n + 1))
            }
            .pending_once()
            .assert_unmoved()
        });
        let erased: BoxAsyncIter<'_, u32> = BoxAsyncIter::new(iter);
        let stream = erased.interleave_pending().assert_unmoved();
        assert_eq!(drain(pin!(stream)), [0, 10, 20, 30, 40]);
    }
}

/// A `next` future that keeps a reference into its own state across an
/// await (an `async` block that borrows a local): polled in place inline
/// and in the heap buffer, with Miri checking the aliasing.
#[test]
fn self_referential_next_futures_survive_polls() {
    fn iter() -> impl AsyncIter<Item = u32> {
        unfold(0u32, move |n| async move {
            let mut state = [n; 4];
            let slot = &mut state[1];
            YieldOnce::default().await;
            *slot += 1;
            YieldOnce::default().await;
            (n < 4).then(|| (state.iter().sum(), n + 1))
        })
    }
    assert_eq!(drain(pin!(GatStream::new(iter()))), [1, 5, 9, 13]);
    let inline: BoxAsyncIter<'_, u32, S16> = BoxAsyncIter::new(iter());
    assert!(inline.next_layout().fits::<S16>());
    assert_eq!(drain(pin!(inline)), [1, 5, 9, 13]);
    let heap: BoxAsyncIter<'_, u32, S1> = BoxAsyncIter::new(iter());
    assert!(!heap.next_layout().fits::<S1>());
    assert_eq!(drain(pin!(heap)), [1, 5, 9, 13]);
}

#[test]
fn box_async_iter_allocates_nothing_per_item_inline() {
    let drops = DropCounter::default();
    let mut iter = pin!(BoxAsyncIter::<'_, u64, S16>::new(Small::new(
        items(),
        &drops
    )));
    assert!(iter.next_layout().fits::<S16>());
    let (first, _) = count(|| block_on(iter.as_mut().next()).0);
    assert_eq!(first, Some(0));
    let (rest, allocs) = count(|| count_items(iter.as_mut()));
    assert_eq!(rest, items() - 1);
    assert_eq!(allocs, Allocs::NONE);
    assert_eq!(iter.growths(), 0);
}

#[test]
fn box_async_iter_grows_its_buffer_once_for_large_futures() {
    let drops = DropCounter::default();
    let mut iter = pin!(BoxAsyncIter::<'_, u64, S16>::new(Large::new(
        items(),
        &drops
    )));
    assert!(!iter.next_layout().fits::<S16>());
    let (first, allocs) = count(|| block_on(iter.as_mut().next()).0);
    assert_eq!(first, Some(0));
    assert_eq!(allocs.allocs, 1, "the heap buffer, once");
    assert!(allocs.bytes >= core::mem::size_of::<CounterNext<'_, 256>>() as u64);
    let (rest, allocs) = count(|| count_items(iter.as_mut()));
    assert_eq!(rest, items() - 1);
    assert_eq!(allocs, Allocs::NONE);
    assert_eq!(iter.growths(), 1);
}

#[test]
fn the_send_box_moves_to_another_thread_mid_item() {
    let iter = SendBoxAsyncIter::<'static, u64, S1>::new(unfold(0u64, |n| async move {
        YieldOnce::default().await;
        (n < 3).then(|| (n, n + 1))
    }));
    let mut iter = Box::pin(iter);
    let mut cx = Context::from_waker(Waker::noop());
    assert!(iter.as_mut().poll_next(&mut cx).is_pending());
    assert!(iter.is_in_flight());
    let rest = std::thread::spawn(move || drain(iter.as_mut()))
        .join()
        .unwrap();
    assert_eq!(rest, [0, 1, 2]);
}

#[test]
fn next_dyn_erases_each_item_inline_when_it_fits() {
    let drops = DropCounter::default();
    let mut iter = Small::new(items(), &drops);
    let erased: &mut dyn DynAsyncIter<u64, S16> = &mut iter;
    let (sum, allocs) = count(|| {
        let mut sum = 0;
        while let (Some(n), _) = block_on(erased.next_dyn()) {
            sum += n;
        }
        sum
    });
    assert_eq!(sum, (0..items()).sum::<u64>());
    assert_eq!(allocs, Allocs::NONE);
}

#[test]
fn next_in_writes_one_item_into_a_caller_slot() {
    let drops = DropCounter::default();
    let mut iter = Large::new(3, &drops);
    let erased: &mut dyn DynAsyncIter<u64, S1> = &mut iter;
    let slot = pin!(FutureSlot::new());
    let fut = erased.next_in(slot);
    assert!(fut.is_heap());
    assert_eq!(block_on(fut).0, Some(0));
}

#[test]
fn dropping_the_next_item_future_early_loses_no_item() {
    let drops = DropCounter::default();
    let mut stream = pin!(BoxAsyncIter::<'_, u64>::new(Small::new(3, &drops)));
    {
        let mut next = pin!(stream.as_mut().next());
        assert!(common::poll_once(next.as_mut()).is_pending());
    }
    assert!(stream.is_in_flight());
    assert_eq!(drain(stream.as_mut()), [0, 1, 2]);

    let mut stream = pin!(GatStream::new(Small::new(3, &drops)));
    {
        let mut next = pin!(stream.as_mut().next());
        assert!(common::poll_once(next.as_mut()).is_pending());
    }
    assert!(stream.is_in_flight());
    assert_eq!(drain(stream.as_mut()), [0, 1, 2]);
}

/// Which erased or typed stream a drop test runs on.
#[derive(Clone, Copy, Debug)]
enum Flavour {
    Gat,
    BoxInline,
    BoxHeap,
    SendBox,
}

const FLAVOURS: [Flavour; 4] = [
    Flavour::Gat,
    Flavour::BoxInline,
    Flavour::BoxHeap,
    Flavour::SendBox,
];

/// Each flavour over a `Counter<8>` (`Counter<256>` for the heap one),
/// boxed only to share one test body.
fn stream_of(
    flavour: Flavour,
    end: u64,
    panic_at: Option<u64>,
    panic_early: bool,
    drops: &DropCounter,
) -> Pin<Box<dyn Stream<Item = u64>>> {
    let mut small = Small::new(end, drops);
    small.panic_at = panic_at;
    small.panic_early = panic_early;
    let mut large = Large::new(end, drops);
    large.panic_at = panic_at;
    large.panic_early = panic_early;
    match flavour {
        Flavour::Gat => {
            drop(large);
            Box::pin(GatStream::new(small))
        }
        Flavour::BoxInline => {
            drop(large);
            Box::pin(BoxAsyncIter::<'static, u64, S16>::new(small))
        }
        Flavour::BoxHeap => {
            drop(small);
            Box::pin(BoxAsyncIter::<'static, u64, S16>::new(large))
        }
        Flavour::SendBox => {
            drop(large);
            Box::pin(SendBoxAsyncIter::<'static, u64, S1>::new(small))
        }
    }
}

#[test]
fn dropping_the_stream_mid_item_drops_future_and_iterator_once() {
    for flavour in FLAVOURS {
        let drops = DropCounter::default();
        let mut stream = stream_of(flavour, 10, None, false, &drops);
        let baseline = drops.drops(); // the unused iterator of `stream_of`
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(stream.as_mut().poll_next(&mut cx), Poll::Pending);
        assert_eq!(stream.as_mut().poll_next(&mut cx), Poll::Ready(Some(0)));
        assert_eq!(drops.drops() - baseline, 1, "{flavour:?}: first future");
        assert_eq!(stream.as_mut().poll_next(&mut cx), Poll::Pending);
        assert_eq!(drops.drops() - baseline, 1, "{flavour:?}: second in flight");
        drop(stream);
        assert_eq!(
            drops.drops() - baseline,
            3,
            "{flavour:?}: the in-flight future and the iterator, once each"
        );
    }
}

#[test]
fn a_panicking_next_future_propagates_and_everything_drops_once() {
    // Early: the panic comes in the item's first poll (inside the erased
    // iterator's one `dyn` call that starts it); late: after a `Pending`.
    for early in [false, true] {
        for flavour in FLAVOURS {
            let drops = DropCounter::default();
            let mut stream = stream_of(flavour, 10, Some(1), early, &drops);
            let baseline = drops.drops();
            let mut cx = Context::from_waker(Waker::noop());
            assert_eq!(drain_until_panic(stream.as_mut(), &mut cx), vec![0]);
            // Polling again panics with a clear message, never resumes it.
            let again = catch_unwind(AssertUnwindSafe(|| stream.as_mut().poll_next(&mut cx)));
            let message = again.expect_err("polled after a panic");
            let message = message
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| message.downcast_ref::<&str>().copied())
                .unwrap_or_default();
            assert!(message.contains("panicked"), "{flavour:?}: {message}");
            assert_eq!(
                drops.drops() - baseline,
                1,
                "{flavour:?}, early {early}: first future only"
            );
            drop(stream);
            assert_eq!(
                drops.drops() - baseline,
                3,
                "{flavour:?}, early {early}: the panicked future and the iterator, once each"
            );
        }
    }
}

fn drain_until_panic(
    mut stream: Pin<&mut dyn Stream<Item = u64>>,
    cx: &mut Context<'_>,
) -> Vec<u64> {
    let mut got = Vec::new();
    loop {
        match catch_unwind(AssertUnwindSafe(|| stream.as_mut().poll_next(cx))) {
            Ok(Poll::Ready(Some(n))) => got.push(n),
            Ok(Poll::Ready(None)) => panic!("ended without the panic"),
            Ok(Poll::Pending) => {}
            Err(_) => return got,
        }
    }
}

#[test]
fn a_next_future_whose_destructor_panics_still_frees_everything() {
    /// `next` futures that hold a token which panics when dropped.
    struct Bomb {
        drops: DropCounter,
    }
    struct Armed(common::Payload<64>);
    impl Future for Armed {
        type Output = Option<usize>;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<usize>> {
            Pin::new(&mut self.0).poll(cx).map(Some)
        }
    }
    impl AsyncIter for Bomb {
        type Item = usize;
        type NextFut<'a> = Armed;
        fn next(&mut self) -> Armed {
            Armed(common::Payload::new(1).with_token(self.drops.panicking_token()))
        }
    }
    for heap in [false, true] {
        let drops = DropCounter::default();
        let bomb = Bomb {
            drops: drops.clone(),
        };
        let mut cx = Context::from_waker(Waker::noop());
        if heap {
            let mut stream = Box::pin(BoxAsyncIter::<'_, usize, S1>::new(bomb));
            assert!(stream.as_mut().poll_next(&mut cx).is_pending());
            assert!(catch_unwind(AssertUnwindSafe(|| drop(stream))).is_err());
        } else {
            let mut stream = Box::pin(GatStream::new(bomb));
            assert!(stream.as_mut().poll_next(&mut cx).is_pending());
            assert!(catch_unwind(AssertUnwindSafe(|| drop(stream))).is_err());
        }
        assert_eq!(drops.drops(), 1, "the future's token, once (heap: {heap})");
    }
}

#[test]
fn into_inner_gives_the_iterator_back() {
    let drops = DropCounter::default();
    let stream = GatStream::new(Small::new(2, &drops));
    let mut iter = stream.into_inner();
    assert_eq!(block_on(iter.next()).0, Some(0));
    assert_eq!(drops.drops(), 1);
}

#[test]
fn debug_names_the_parts() {
    let drops = DropCounter::default();
    let gat = GatStream::new(Small::new(2, &drops));
    let text = format!("{gat:?}");
    assert!(
        text.contains("GatStream") && text.contains("Counter"),
        "{text}"
    );
    let erased = BoxAsyncIter::<'_, u64>::new(Small::new(2, &drops));
    let text = format!("{erased:?}");
    assert!(
        text.contains("BoxAsyncIter") && text.contains("next_inline: true"),
        "{text}"
    );
}

#[test]
fn unfold_ends_when_a_next_future_is_dropped_unfinished() {
    let mut iter = unfold(0u32, |n| async move {
        YieldOnce::default().await;
        Some((n, n + 1))
    });
    assert_eq!(block_on(iter.next()).0, Some(0));
    {
        let mut next = pin!(iter.next());
        assert!(common::poll_once(next.as_mut()).is_pending());
    } // dropped with the state inside it
    assert_eq!(block_on(iter.next()).0, None);
    assert_eq!(block_on(iter.next()).0, None);
}

#[test]
fn a_borrowed_iterator_streams_and_is_usable_afterwards() {
    let drops = DropCounter::default();
    let mut iter = Small::new(4, &drops);
    {
        // `&mut I` is an `AsyncIter` too: stream an item, keep the rest.
        let mut stream = pin!(GatStream::new(&mut iter));
        assert_eq!(block_on(stream.as_mut().next()).0, Some(0));
    }
    {
        // And `Box<I>`: here a box of a borrow, erased.
        let mut erased = pin!(BoxAsyncIter::<'_, u64>::new(Box::new(&mut iter)));
        assert_eq!(block_on(erased.as_mut().next()).0, Some(1));
    }
    assert_eq!(block_on(iter.next()).0, Some(2));
}
