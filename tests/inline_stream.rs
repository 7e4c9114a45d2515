//! `InlineStream` / `SendInlineStream` as a user (or `#[dyn_twin]`'s
//! generated code) sees them: placement by size and alignment with exact
//! allocation counts, items in order, fused after `None`, drops exactly
//! once (mid-stream, after a panic, with a panicking destructor), a
//! self-referential stream polled in place, and the futures-test stream
//! contract. Run under Miri with both borrow models.
#![cfg(feature = "alloc")]

mod common;

use core::marker::PhantomPinned;
use core::pin::{Pin, pin};
use core::task::{Context, Poll, Waker};
use std::panic::{AssertUnwindSafe, catch_unwind};

use common::counting_alloc::{Allocs, CountingAlloc, count};
use common::{DropCounter, DropToken, YieldOnce};
use futures_core::stream::{FusedStream, Stream};
use futures_test::future::FutureTestExt;
use futures_test::stream::StreamTestExt;
use hybrid_dispatch::capacity::{DefaultCapacity, S1, S4, S16};
use hybrid_dispatch::layout::Placement;
use hybrid_dispatch::stream::{GatStream, unfold};
use hybrid_dispatch::{InlineStream, SendInlineStream};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

fn items() -> u64 {
    if cfg!(miri) { 4 } else { 100 }
}

/// Yields `0..end`, pending once before each item (waking the task), with
/// `N` bytes of padding to choose inline or heap; may panic in a chosen
/// item's `poll_next`; holds a drop token; panics if polled after `None`
/// (so a fused handle must not reach it).
struct Counter<const N: usize> {
    next: u64,
    end: u64,
    pad: [u8; N],
    pending: bool,
    ended: bool,
    panic_at: Option<u64>,
    _token: Option<DropToken>,
}

impl<const N: usize> Counter<N> {
    fn new(end: u64) -> Self {
        Counter {
            next: 0,
            end,
            pad: [0; N],
            pending: false,
            ended: false,
            panic_at: None,
            _token: None,
        }
    }

    fn with_token(mut self, token: DropToken) -> Self {
        self._token = Some(token);
        self
    }

    fn panicking_at(mut self, item: u64) -> Self {
        self.panic_at = Some(item);
        self
    }
}

impl<const N: usize> Stream for Counter<N> {
    type Item = u64;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
        assert!(!self.ended, "Counter polled after it returned None");
        if self.panic_at == Some(self.next) {
            panic!("Counter asked to panic in poll_next");
        }
        if !self.pending {
            self.pending = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.pending = false;
        if self.next == self.end {
            self.ended = true;
            return Poll::Ready(None);
        }
        self.next += 1;
        Poll::Ready(Some(
            self.next - 1 + self.pad.first().map_or(0, |&b| u64::from(b)),
        ))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.end - self.next).unwrap();
        (left, Some(left))
    }
}

/// All items up to `None`, on a no-op waker.
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

/// How many items and their sum, without allocating.
fn sum_items<S: Stream<Item = u64> + ?Sized>(mut stream: Pin<&mut S>) -> (u64, u64) {
    let mut cx = Context::from_waker(Waker::noop());
    let (mut n, mut sum) = (0, 0);
    loop {
        match stream.as_mut().poll_next(&mut cx) {
            Poll::Ready(Some(item)) => {
                n += 1;
                sum += item;
            }
            Poll::Ready(None) => return (n, sum),
            Poll::Pending => {}
        }
    }
}

fn poll_next<S: Stream + ?Sized>(stream: Pin<&mut S>) -> Poll<Option<S::Item>> {
    stream.poll_next(&mut Context::from_waker(Waker::noop()))
}

/// 8 bytes plus padding: `Counter<0>` is 40 bytes, `Counter<256>` about 300.
type Small = Counter<0>;
type Large = Counter<256>;

#[test]
fn a_stream_that_fits_is_inline_and_allocates_nothing() {
    let ((n, heap, erasure), allocs) = count(|| {
        let stream: InlineStream<'_, u64> = InlineStream::new(Small::new(items()));
        let heap = stream.is_heap();
        let erasure = stream.erasure();
        (sum_items(pin!(stream)), heap, erasure)
    });
    assert!(!heap);
    assert_eq!(erasure.placement(), Placement::Inline);
    assert_eq!(erasure.allocated_bytes(), 0);
    assert_eq!(erasure.layout().size(), size_of::<Small>());
    assert_eq!(n, (items(), (0..items()).sum()));
    assert_eq!(allocs, Allocs::NONE);
}

#[test]
fn a_stream_too_large_goes_to_the_heap_once_for_all_its_items() {
    let ((n, heap, erasure), allocs) = count(|| {
        let stream: InlineStream<'_, u64> = InlineStream::new(Large::new(items()));
        let heap = stream.is_heap();
        let erasure = stream.erasure();
        (sum_items(pin!(stream)), heap, erasure)
    });
    assert!(heap);
    assert_eq!(erasure.placement(), Placement::Heap);
    assert_eq!(erasure.allocated_bytes(), size_of::<Large>());
    assert_eq!(n, (items(), (0..items()).sum()));
    // One box of exactly the stream's size, for all the items.
    let bytes = size_of::<Large>() as u64;
    assert_eq!(
        allocs,
        Allocs {
            allocs: 1,
            bytes,
            deallocs: 1
        }
    );
}

#[test]
fn placement_follows_size_and_alignment_at_every_capacity() {
    /// 8 bytes, aligned to 32: fits `S4` in size, not in alignment.
    #[repr(align(32))]
    struct OverAligned(u64);
    impl Stream for OverAligned {
        type Item = u64;
        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u64>> {
            let v = self.0;
            self.0 = 0;
            Poll::Ready((v != 0).then_some(v))
        }
    }

    let (placements, allocs) = count(|| {
        [
            InlineStream::<'_, u64, S1>::new(Counter::<0>::new(1)).is_heap(),
            InlineStream::<'_, u64, S16>::new(Counter::<0>::new(1)).is_heap(),
            InlineStream::<'_, u64, S16>::new(Counter::<100>::new(1)).is_heap(),
            InlineStream::<'_, u64, DefaultCapacity>::new(Counter::<64>::new(1)).is_heap(),
            InlineStream::<'_, u64, S16>::new(OverAligned(1)).is_heap(),
            InlineStream::<'_, u64, [hybrid_dispatch::capacity::Align32; 1]>::new(OverAligned(1))
                .is_heap(),
        ]
    });
    assert_eq!(placements, [true, false, true, false, true, false]);
    // Exactly the three that spilled allocated, and freed.
    assert_eq!((allocs.allocs, allocs.deallocs), (3, 3));

    // The over-aligned one works from its box, at its alignment.
    let (got, allocs) = count(|| sum_items(pin!(InlineStream::<'_, u64, S4>::new(OverAligned(9)))));
    assert_eq!(got, (1, 9));
    assert_eq!(
        allocs,
        Allocs {
            allocs: 1,
            bytes: 32,
            deallocs: 1
        }
    );
}

#[test]
fn zero_sized_streams_never_allocate_even_over_aligned() {
    struct Nothing;
    impl Stream for Nothing {
        type Item = u8;
        fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u8>> {
            Poll::Ready(None)
        }
    }
    /// Zero-sized, aligned beyond any capacity used here.
    #[repr(align(64))]
    struct AlignedNothing;
    impl Stream for AlignedNothing {
        type Item = u8;
        fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u8>> {
            assert_eq!(
                core::ptr::from_ref(self.as_ref().get_ref()).addr() % 64,
                0,
                "misaligned"
            );
            Poll::Ready(Some(7))
        }
    }

    let ((), allocs) = count(|| {
        let a = pin!(InlineStream::<'_, u8, S1>::new(Nothing));
        assert!(!a.is_heap());
        assert_eq!(a.erasure().placement(), Placement::Inline);
        let mut a = a;
        assert_eq!(poll_next(a.as_mut()), Poll::Ready(None));
        let b = InlineStream::<'_, u8, S1>::new(AlignedNothing);
        assert!(!b.is_heap());
        let mut b = pin!(b);
        assert_eq!(poll_next(b.as_mut()), Poll::Ready(Some(7)));
        assert_eq!(poll_next(b.as_mut()), Poll::Ready(Some(7)));
    });
    assert_eq!(allocs, Allocs::NONE);
}

#[test]
fn fused_after_none_without_polling_the_stream_again() {
    for heap in [false, true] {
        let stream: InlineStream<'_, u64, S16> = if heap {
            InlineStream::new(Large::new(2))
        } else {
            InlineStream::new(Small::new(2))
        };
        assert_eq!(stream.is_heap(), heap);
        let mut stream = pin!(stream);
        assert_eq!(stream.size_hint(), (2, Some(2)));
        assert!(!FusedStream::is_terminated(&*stream));
        assert_eq!(drain(stream.as_mut()), [0, 1]);
        assert!(stream.is_terminated());
        assert!(FusedStream::is_terminated(&*stream));
        assert!(!stream.has_panicked());
        // `Counter` panics if polled after `None`: these never reach it.
        for _ in 0..3 {
            assert_eq!(poll_next(stream.as_mut()), Poll::Ready(None));
        }
        assert_eq!(stream.size_hint(), (0, Some(0)));
        assert!(format!("{stream:?}").contains(r#"state: "ended""#));
    }
}

#[test]
fn dropping_mid_stream_drops_the_stream_once() {
    for heap in [false, true] {
        let drops = DropCounter::default();
        let ((), allocs) = count(|| {
            let stream: InlineStream<'_, u64, S16> = if heap {
                InlineStream::new(Large::new(10).with_token(drops.token()))
            } else {
                InlineStream::new(Small::new(10).with_token(drops.token()))
            };
            let mut stream = pin!(stream);
            assert_eq!(poll_next(stream.as_mut()), Poll::Pending);
            assert_eq!(poll_next(stream.as_mut()), Poll::Ready(Some(0)));
            assert_eq!(poll_next(stream.as_mut()), Poll::Pending);
            assert_eq!(drops.drops(), 0);
        });
        assert_eq!(drops.drops(), 1, "heap: {heap}");
        assert_eq!(allocs.allocs, allocs.deallocs);
        assert_eq!(allocs.allocs, u64::from(heap));
    }
}

#[test]
fn dropping_after_none_drops_once() {
    let drops = DropCounter::default();
    let mut stream = Box::pin(InlineStream::<'_, u64>::new(
        Small::new(1).with_token(drops.token()),
    ));
    assert_eq!(drain(stream.as_mut()), [0]);
    assert_eq!(drops.drops(), 0, "kept until the handle is dropped");
    drop(stream);
    assert_eq!(drops.drops(), 1);
}

#[test]
fn a_panicking_poll_next_ends_the_stream_and_it_is_dropped_once() {
    for heap in [false, true] {
        let drops = DropCounter::default();
        let stream: InlineStream<'_, u64, S16> = if heap {
            InlineStream::new(Large::new(5).with_token(drops.token()).panicking_at(1))
        } else {
            InlineStream::new(Small::new(5).with_token(drops.token()).panicking_at(1))
        };
        let mut stream = Box::pin(stream);
        assert_eq!(poll_next(stream.as_mut()), Poll::Pending);
        assert_eq!(poll_next(stream.as_mut()), Poll::Ready(Some(0)));
        let panic = catch_unwind(AssertUnwindSafe(|| poll_next(stream.as_mut()))).unwrap_err();
        assert_eq!(
            panic.downcast_ref::<&str>(),
            Some(&"Counter asked to panic in poll_next")
        );
        assert!(stream.has_panicked() && stream.is_terminated());
        assert_eq!(stream.size_hint(), (0, Some(0)));
        assert_eq!(drops.drops(), 0);

        // Polled again: a clear panic naming the type, never the stream.
        let again = catch_unwind(AssertUnwindSafe(|| poll_next(stream.as_mut()))).unwrap_err();
        let message = again.downcast_ref::<String>().unwrap();
        assert!(
            message.contains("erased stream polled again after its poll_next panicked")
                && message.contains("Counter"),
            "{message}"
        );
        assert!(format!("{stream:?}").contains(r#"state: "panicked""#));
        assert_eq!(drops.drops(), 0);
        drop(stream);
        assert_eq!(drops.drops(), 1, "heap: {heap}");
    }
}

#[test]
fn a_panicking_destructor_still_drops_once_and_frees_the_box() {
    for heap in [false, true] {
        let drops = DropCounter::default();
        // A panic's payload allocates too: count blocks of the large
        // stream's size only (the small one is inline: none).
        let ((), (allocated, freed)) =
            common::counting_alloc::count_size(size_of::<Large>(), || {
                let stream: InlineStream<'_, u64, S16> = if heap {
                    InlineStream::new(Large::new(5).with_token(drops.panicking_token()))
                } else {
                    InlineStream::new(Small::new(5).with_token(drops.panicking_token()))
                };
                assert!(catch_unwind(AssertUnwindSafe(move || drop(stream))).is_err());
            });
        assert_eq!(drops.drops(), 1, "heap: {heap}");
        assert_eq!((allocated, freed), (u64::from(heap), u64::from(heap)));
    }
}

/// A stream that points into itself once polled: a `GatStream` (which
/// keeps its in-flight `next` future, borrowing the iterator, inside
/// itself) over an `unfold` whose `async` block keeps a `&mut` into its own
/// locals across an `await`. Polled through the handle inline and on the
/// heap, with `size_hint`, `is_terminated` and `Debug` between polls; Miri
/// checks the aliasing.
///
/// Not `futures_util::stream::unfold` with the same `async` block: polled
/// in a plain `pin!`, with no erasure at all, Miri's Stacked Borrows
/// reports it (its `take_value` reborrows the whole state, suspended
/// `async` block included, as shared); Tree Borrows accepts it.
#[test]
fn a_self_referential_stream_survives_polls_inline_and_on_the_heap() {
    fn stream<const PAD: usize>(end: u32) -> impl Stream<Item = u32> {
        GatStream::new(unfold(0u32, move |n| async move {
            let mut state = [n; 4];
            let pad = [0u8; PAD];
            let slot = &mut state[2];
            YieldOnce::default().await;
            *slot += 1;
            let pad = pad.first().map_or(0, |&b| u32::from(b));
            (n < end).then(|| (state.iter().sum::<u32>() + pad, n + 1))
        }))
    }
    let end = if cfg!(miri) { 3 } else { 50 };
    let expected: Vec<u32> = (0..end).map(|n| 4 * n + 1).collect();

    let heap = InlineStream::<'_, u32>::new(stream::<512>(end));
    assert!(heap.is_heap());
    let mut heap = pin!(heap);
    assert_eq!(poll_next(heap.as_mut()), Poll::Pending);
    let _ = format!("{heap:?}");
    let _ = heap.size_hint();
    assert_eq!(drain(heap.as_mut()), expected);

    // Inline: zero allocations, with `size_hint` and `is_terminated`
    // (which reach the suspended stream and the vtable) between polls.
    let ((), allocs) = count(|| {
        let s = InlineStream::<'_, u32>::new(stream::<0>(end));
        assert!(!s.is_heap());
        let mut s = pin!(s);
        let mut n = 0;
        loop {
            match poll_next(s.as_mut()) {
                Poll::Ready(Some(item)) => {
                    assert_eq!(item, 4 * n + 1);
                    n += 1;
                }
                Poll::Ready(None) => break,
                Poll::Pending => {
                    let _ = s.size_hint();
                    assert!(!s.is_terminated());
                }
            }
        }
        assert_eq!(n, end);
    });
    assert_eq!(allocs, Allocs::NONE);
}

/// A hand-written `async_stream`-like state machine: a `!Unpin` stream
/// whose state holds a pointer into itself, set on the first poll.
#[test]
fn a_hand_written_self_referential_stream_keeps_its_pointer() {
    struct Cursor {
        buf: [u32; 4],
        at: *mut u32,
        left: u32,
        _pinned: PhantomPinned,
    }
    #[allow(
        unsafe_code,
        reason = "a self-referential stream cannot be written without it; this is the shape the storage must support"
    )]
    impl Stream for Cursor {
        type Item = u32;
        fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u32>> {
            // SAFETY: test code; `Cursor` is `!Unpin` and never moved out.
            let this = unsafe { self.get_unchecked_mut() };
            if this.at.is_null() {
                this.at = this.buf.as_mut_ptr();
            }
            if this.left == 0 {
                return Poll::Ready(None);
            }
            this.left -= 1;
            // SAFETY: points into `this.buf`, which has not moved (pinned).
            unsafe {
                *this.at += 10;
                Poll::Ready(Some(*this.at))
            }
        }
    }
    for heap in [false, true] {
        let cursor = Cursor {
            buf: [1; 4],
            at: core::ptr::null_mut(),
            left: 3,
            _pinned: PhantomPinned,
        };
        // Moved before the first poll (into and out of an array): allowed.
        let got = if heap {
            let [stream] = [InlineStream::<'_, u32, S1>::new(cursor)];
            assert!(stream.is_heap());
            drain(pin!(stream))
        } else {
            let [stream] = [InlineStream::<'_, u32, S16>::new(cursor)];
            assert!(!stream.is_heap());
            drain(pin!(stream))
        };
        assert_eq!(got, [11, 21, 31]);
    }
}

/// The handle under `interleave_pending` and `assert_unmoved` (a poller
/// that sees extra `Pending`s and must not move it); inside, a stream under
/// `assert_unmoved` (the handle must keep it where it was first polled),
/// whose items' futures are pending once.
fn contract<const PAD: usize>() -> bool {
    let inner = futures_util::stream::unfold(0u32, move |n| {
        let pad = [n as u8; PAD];
        async move {
            YieldOnce::default().await;
            core::hint::black_box(&pad);
            (n < 5).then(|| (n * 10, n + 1))
        }
        .pending_once()
    })
    .assert_unmoved();
    let erased: InlineStream<'_, u32> = InlineStream::new(inner);
    let heap = erased.is_heap();
    let stream = erased.interleave_pending().assert_unmoved();
    assert_eq!(drain(pin!(stream)), [0, 10, 20, 30, 40]);
    heap
}

#[test]
fn passes_the_futures_test_stream_contract() {
    assert!(!contract::<0>());
    assert!(contract::<200>());
}

#[test]
fn the_send_flavour_moves_to_another_thread_before_its_first_poll() {
    let drops = DropCounter::default();
    let stream: SendInlineStream<'static, u64> =
        SendInlineStream::new(Small::new(3).with_token(drops.token()));
    let got = std::thread::spawn(move || drain(pin!(stream)))
        .join()
        .unwrap();
    assert_eq!(got, [0, 1, 2]);
    assert_eq!(drops.drops(), 1);

    assert!(SendInlineStream::<'_, u64, S1>::try_new(Large::new(1)).is_err());
    assert!(SendInlineStream::<'_, u64>::try_new(Small::new(1)).is_ok());
}

#[test]
fn debug_names_the_stored_type_and_where_it_is() {
    let inline = InlineStream::<'_, u64>::new(Small::new(1));
    let text = format!("{inline:?}");
    assert!(text.starts_with("InlineStream {"), "{text}");
    assert!(
        text.contains("Counter<0>") && text.contains(r#"location: "inline""#),
        "{text}"
    );
    assert!(text.contains(r#"state: "live""#), "{text}");
    let heap = SendInlineStream::<'_, u64, S1>::new(Small::new(1));
    let text = format!("{heap:?}");
    assert!(text.starts_with("SendInlineStream {"), "{text}");
    assert!(text.contains(r#"location: "heap""#), "{text}");
    assert_eq!(heap.layout().type_name(), core::any::type_name::<Small>());
}

/// What `#[dyn_twin]` reads before a call (`__private::stream_layout_of`,
/// never calling the closure) is what the handle reports after it, and the
/// sizing helper places it where `new` does.
#[test]
fn the_layout_known_before_the_call_is_the_handles() {
    use hybrid_dispatch::__private::{handle_erasure, stream_layout_of, unreachable_value};
    let before = stream_layout_of(|| Large::new(unreachable_value()));
    let handle = InlineStream::<'_, u64>::new(Large::new(1));
    assert_eq!(before, handle.layout());
    assert_eq!(handle_erasure::<DefaultCapacity>(before), handle.erasure());
    let before = stream_layout_of(|| Small::new(unreachable_value()));
    let handle = InlineStream::<'_, u64>::new(Small::new(1));
    assert_eq!(handle_erasure::<DefaultCapacity>(before), handle.erasure());
    assert!(!handle.erasure().is_heap());
}
