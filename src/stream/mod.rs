//! Async iterators (streams) that are zero-cost statically and allocate
//! nothing per item behind `dyn`.
//!
//! [`AsyncIter`] is a GAT trait: `next(&mut self)` returns a named future
//! that borrows the iterator. Awaiting it on a known type costs what an
//! inherent `async fn next` costs. Two adapters and one erasure build on
//! it:
//!
//! | you have | you want | use | allocations |
//! |---|---|---|---|
//! | an `I: AsyncIter` | a [`Stream`](futures_core::Stream) | [`GatStream<I>`](GatStream): the `next` future lives inside the stream | none |
//! | any `AsyncIter` | one type for all of them | [`BoxAsyncIter<Item>`](BoxAsyncIter) (also a `Stream`) | one box per iterator; per item none (futures that do not fit `Cap`: one buffer, at the first item) |
//! | the same, across threads | a `Send` stream | [`SendBoxAsyncIter<Item>`](SendBoxAsyncIter) | the same |
//! | `&mut dyn DynAsyncIter` | one item at a time | [`DynAsyncIter::next_dyn`] | none while the future fits `Cap` |
//!
//! Compare `async-trait` or `dynosaur` on an `async fn next(&mut self)`:
//! one box per *item*; and `Pin<Box<dyn Stream>>`: one box per stream, but
//! only for types that are already streams. `BENCHMARKS.md` has the
//! numbers.
//!
//! | file | what |
//! |---|---|
//! | `async_iter.rs` | [`AsyncIter`], [`SendAsyncIter`] |
//! | `unfold.rs` | [`unfold`](unfold()): an `AsyncIter` from state and an `async` closure, on stable Rust |
//! | `dyn_async_iter.rs` | [`DynAsyncIter`], [`SendDynAsyncIter`]: the blanket `dyn` erasure |
//! | `next_item.rs` | [`NextItem`]: `next()` on a pinned stream |
//! | `future/gat_stream.rs`, `future/iter_box.rs` | [`GatStream`] and [`IterBox`](crate::future::IterBox) (behind [`BoxAsyncIter`]): self-referential, so they live with the crate's other `unsafe` storage |
//!
//! # Examples
//!
//! ```
//! use core::pin::pin;
//! use hybrid_dispatch::stream::{AsyncIter, BoxAsyncIter, unfold};
//!
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() {
//!     // Two different iterator types behind one type.
//!     let evens = unfold(0u64, |n| async move { (n < 6).then(|| (n, n + 2)) });
//!     let odds = unfold(1u64, |n| async move {
//!         tokio::task::yield_now().await;
//!         (n < 6).then(|| (n, n + 2))
//!     });
//!     let sources: Vec<BoxAsyncIter<'static, u64>> =
//!         vec![BoxAsyncIter::new(evens), BoxAsyncIter::new(odds)];
//!     let mut total = 0;
//!     for source in sources {
//!         let mut source = pin!(source);
//!         while let Some(n) = source.as_mut().next().await {
//!             total += n;
//!         }
//!     }
//!     assert_eq!(total, (0..6).sum::<u64>());
//!
//!     // Statically: the iterator's own `next`, no erasure at all.
//!     let mut squares = unfold(1u64, |n| async move { Some((n * n, n + 1)) });
//!     assert_eq!(squares.next().await, Some(1));
//! }
//! ```

pub(crate) mod async_iter;
#[cfg(feature = "alloc")]
pub(crate) mod dyn_async_iter;
pub(crate) mod next_item;
pub(crate) mod unfold;

pub use crate::future::gat_stream::GatStream;
pub use async_iter::{AsyncIter, SendAsyncIter};
#[cfg(feature = "alloc")]
pub use dyn_async_iter::{DynAsyncIter, SendDynAsyncIter};
pub use next_item::NextItem;
pub use unfold::{Unfold, UnfoldNext, unfold};

/// A boxed, erased [`AsyncIter`] whose `next` futures live in storage it
/// owns and reuses: zero allocations per item, for futures of any size.
/// Also a [`Stream`](futures_core::Stream).
///
/// Made from any `AsyncIter` with [`new`](crate::future::IterBox::new)
/// (one allocation: the box). Each item's `next` future is written into
/// the `BoxAsyncIter` itself when it fits `Cap` (120 bytes by default),
/// otherwise into a heap buffer allocated at the first item and reused for
/// every later one. The future is polled where it lies, so a
/// `BoxAsyncIter` is pinned before use (`pin!`, `Box::pin`), like any
/// `async` block; moving it before the first poll is fine.
///
/// Dropping it mid-item drops the in-flight future, then the iterator. If
/// a `next` future panics, the panic propagates and polling again panics
/// with a message that says so; dropping it still drops everything once.
///
/// `'a` bounds what the iterator borrows. For threads, use
/// [`SendBoxAsyncIter`].
///
/// # Examples
///
/// ```
/// use core::pin::pin;
/// use futures_util::StreamExt;
/// use hybrid_dispatch::stream::{BoxAsyncIter, unfold};
///
/// #[tokio::main(flavor = "current_thread")]
/// async fn main() {
///     let pages = unfold(0u32, |page| async move {
///         tokio::task::yield_now().await; // a request, say
///         (page < 3).then(|| (format!("page {page}"), page + 1))
///     });
///     let iter: BoxAsyncIter<'static, String> = BoxAsyncIter::new(pages);
///     let all: Vec<String> = pin!(iter).collect().await;
///     assert_eq!(all, ["page 0", "page 1", "page 2"]);
/// }
/// ```
#[cfg(feature = "alloc")]
pub type BoxAsyncIter<'a, Item, Cap = crate::capacity::DefaultCapacity> = crate::future::IterBox<
    dyn DynAsyncIter<Item, Cap> + 'a,
    dyn core::future::Future<Output = Option<Item>> + 'a,
    Cap,
>;

/// The `Send` twin of [`BoxAsyncIter`]: made from a [`SendAsyncIter`], it
/// moves between threads with its in-flight item, so a task that holds it
/// across `.await`s can be spawned on a multi-threaded runtime.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::stream::{SendBoxAsyncIter, unfold};
///
/// #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// async fn main() {
///     let iter = SendBoxAsyncIter::<'static, u64>::new(unfold(0u64, |n| async move {
///         tokio::task::yield_now().await;
///         (n < 4).then(|| (n, n + 1))
///     }));
///     let total = tokio::spawn(async move {
///         let mut iter = Box::pin(iter);
///         let mut total = 0;
///         while let Some(n) = iter.as_mut().next().await {
///             total += n;
///         }
///         total
///     });
///     assert_eq!(total.await.unwrap(), 6);
/// }
/// ```
#[cfg(feature = "alloc")]
pub type SendBoxAsyncIter<'a, Item, Cap = crate::capacity::DefaultCapacity> =
    crate::future::IterBox<
        dyn SendDynAsyncIter<Item, Cap> + 'a,
        dyn core::future::Future<Output = Option<Item>> + Send + 'a,
        Cap,
    >;
