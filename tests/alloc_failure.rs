//! The `try_` constructors when the allocator has no memory: an
//! `AllocError`, not an abort. A global allocator that refuses, on the
//! calling thread and while armed, every allocation of one size.
#![cfg(feature = "std")]
#![allow(
    unsafe_code,
    reason = "a GlobalAlloc impl is unsafe by definition; it only forwards to System or refuses"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::{Ready, ready};

use hybrid_dispatch::SendInlineFuture;
use hybrid_dispatch::capacity::S1;
use hybrid_dispatch::future::{AllocError, RecyclePool};
use hybrid_dispatch::layout::FutureLayout;

/// Refuses allocations of exactly `REFUSE` bytes on this thread.
struct Refusing;

thread_local! {
    static REFUSE: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to `System`, or returns null, which `GlobalAlloc`
// allows for a failed allocation.
unsafe impl GlobalAlloc for Refusing {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if REFUSE.with(Cell::get) == layout.size() {
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded unchanged; the caller upholds the contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged; the caller upholds the contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Refusing = Refusing;

/// Runs `f` with allocations of `size` bytes refused on this thread.
fn refusing<R>(size: usize, f: impl FnOnce() -> R) -> R {
    REFUSE.with(|r| r.set(size));
    let out = f();
    REFUSE.with(|r| r.set(0));
    out
}

type Big = Ready<[u8; 300]>;

#[test]
fn a_box_that_cannot_be_allocated_is_an_error() {
    let size = size_of::<Big>();
    let result = refusing(size, || {
        SendInlineFuture::<'_, [u8; 300], S1>::try_new_boxed(ready([7; 300]))
    });
    let error: AllocError = result.unwrap_err();
    assert_eq!(error.layout(), FutureLayout::of::<Big>());
    assert!(error.to_string().contains("could not allocate 301 bytes"));
    // With memory, the same call succeeds.
    let fut = SendInlineFuture::<'_, [u8; 300], S1>::try_new_boxed(ready([7; 300])).unwrap();
    assert!(fut.is_heap());
}

#[test]
fn a_pool_miss_that_cannot_be_allocated_is_an_error_and_a_hit_needs_no_memory() {
    let pool = RecyclePool::new(FutureLayout::of::<Big>(), 4);
    let buffer = pool.buffer_bytes();
    let made = std::cell::Cell::new(false);
    let miss = refusing(buffer, || {
        SendInlineFuture::<'_, [u8; 300], S1>::try_new_recycled(&pool, || {
            made.set(true);
            ready([1; 300])
        })
    });
    assert_eq!(miss.unwrap_err().layout(), FutureLayout::of::<Big>());
    assert!(!made.get(), "the future is not built when there is no room");
    // One buffer, allocated while memory is there, then kept idle.
    drop(SendInlineFuture::<'_, [u8; 300], S1>::new_recycled(
        &pool,
        || ready([2; 300]),
    ));
    assert_eq!(pool.stats().idle, 1);
    // Now a call needs no memory: it succeeds even while allocation fails.
    let hit = refusing(buffer, || {
        SendInlineFuture::<'_, [u8; 300], S1>::try_new_recycled(&pool, || ready([3; 300]))
    });
    assert!(hit.unwrap().is_recycled());
    // A future the pool does not take goes to a box, which can fail too.
    let refused = refusing(size_of::<Ready<[u8; 400]>>(), || {
        SendInlineFuture::<'_, [u8; 400], S1>::try_new_recycled(&pool, || ready([4; 400]))
    });
    assert!(refused.is_err());
}

/// The same through a pool in an `Arc`: a miss that cannot be allocated
/// takes no count of the pool (nothing would give it back).
#[test]
fn a_shared_pool_miss_that_cannot_be_allocated_takes_no_count() {
    let pool = std::sync::Arc::new(RecyclePool::new(FutureLayout::of::<Big>(), 4));
    let buffer = pool.buffer_bytes();
    let miss = refusing(buffer, || {
        SendInlineFuture::<'static, [u8; 300], S1>::try_new_recycled_arc(&pool, || ready([1; 300]))
    });
    assert_eq!(miss.unwrap_err().layout(), FutureLayout::of::<Big>());
    assert_eq!(std::sync::Arc::strong_count(&pool), 1);
    let hit =
        SendInlineFuture::<'static, [u8; 300], S1>::try_new_recycled_arc(&pool, || ready([2; 300]))
            .unwrap();
    assert!(hit.is_recycled());
    assert_eq!(std::sync::Arc::strong_count(&pool), 2);
    drop(hit);
    assert_eq!(std::sync::Arc::strong_count(&pool), 1);
}

/// A stream of nothing, `N` words large.
struct Words<const N: usize>([u64; N]);

impl<const N: usize> futures_core::Stream for Words<N> {
    type Item = u64;
    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<u64>> {
        std::task::Poll::Ready(None)
    }
}

/// Streams have the same `try_` constructors: a box that cannot be
/// allocated, or a pool miss that cannot, is an `AllocError`; the stream
/// is not made then, and a shared pool loses no count; a pool hit needs no
/// memory.
#[test]
fn a_stream_that_cannot_be_allocated_is_an_error() {
    use hybrid_dispatch::SendInlineStream;
    type Stream<'a> = SendInlineStream<'a, u64, S1>;
    let size = size_of::<Words<40>>();
    let boxed = refusing(size, || Stream::try_new_boxed(Words([1; 40])));
    assert_eq!(boxed.unwrap_err().layout(), FutureLayout::of::<Words<40>>());
    assert!(Stream::try_new_boxed(Words([1; 40])).unwrap().is_heap());

    let pool = std::sync::Arc::new(RecyclePool::new(FutureLayout::of::<Words<40>>(), 4));
    let buffer = pool.buffer_bytes();
    let made = Cell::new(false);
    let miss = refusing(buffer, || {
        Stream::try_new_recycled(&pool, || {
            made.set(true);
            Words([2; 40])
        })
    });
    assert!(miss.is_err() && !made.get(), "not made without room");
    let shared = refusing(buffer, || {
        SendInlineStream::<'static, u64, S1>::try_new_recycled_arc(&pool, || Words([3; 40]))
    });
    assert!(shared.is_err());
    assert_eq!(std::sync::Arc::strong_count(&pool), 1);
    // One buffer while memory is there, idle after; then a hit needs none.
    drop(Stream::try_new_recycled(&pool, || Words([4; 40])).unwrap());
    let hit = refusing(buffer, || {
        Stream::try_new_recycled(&pool, || Words([5; 40]))
    });
    assert!(hit.unwrap().is_recycled());
    // A stream the pool's buffers cannot hold goes to a box, which can fail.
    let larger = refusing(size_of::<Words<50>>(), || {
        Stream::try_new_recycled(&pool, || Words([6; 50]))
    });
    assert_eq!(
        larger.unwrap_err().layout(),
        FutureLayout::of::<Words<50>>()
    );
}
