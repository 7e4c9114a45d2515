//! Erased futures and where they live: [`InlineFuture`] and its `Send` twin
//! [`SendInlineFuture`] (views of [`InlineBox`]), and the caller-owned
//! [`FutureSlot`] / [`SendFutureSlot`] (views of [`ReusableSlot`]), and the
//! allocation-free [`InlineOnlyFuture`] / [`SendInlineOnlyFuture`] (views of
//! [`InlineOnlyBox`]).
//!
//! # Invariants
//!
//! This module is the crate's only `unsafe` code; the rest of the crate
//! denies it. Every `// SAFETY:` comment names the invariant it relies on:
//!
//! * **Vtable describes the storage.** A storage's vtable pointer was chosen,
//!   when the future was stored, for the future's type, for where it was put
//!   (in the buffer, behind a box pointer, nowhere for a zero-sized one) and
//!   for its state; only the stored future's own `poll` changes it, to the
//!   `Completed` or `Panicked` vtable of the same type and place. Upheld by
//!   the constructors (`vtable.rs`, `reusable_slot.rs`).
//! * **Pinned.** Every storage is `!Unpin` (asserted at compile time) and
//!   reaches its future mutably only through `Pin<&mut Self>` or in its own
//!   `Drop`, so once polled a future's bytes never move. Moving a handle
//!   *before* the first poll moves an unpolled future, which every future
//!   allows.
//! * **Raw access.** Buffers are reached only through raw pointers from
//!   `addr_of_mut!`, never through a fresh `&mut` to the buffer field: a
//!   pinned `async fn` future keeps references into itself, and a new unique
//!   borrow of its bytes would invalidate them (Miri found exactly that in a
//!   prototype). The storages' own `&mut Self` are sound because the types
//!   are `!Unpin`: today's rustc emits no `noalias` for `&mut T` with
//!   `T: !Unpin`, and Miri's Stacked and Tree Borrows do not treat it as a
//!   unique borrow. That is the rule this module relies on; RFC 3467's
//!   `UnsafePinned` is where the language is taking it, and these fields
//!   would become `UnsafePinned` then.
//! * **Padding-free buffer.** An inline buffer is moved (returned, stored,
//!   moved before its first poll) as a value of its capacity type, and a
//!   typed copy does not keep padding bytes. Every capacity implements
//!   [`Capacity`](crate::space::Capacity), the `unsafe` promise that it has
//!   no padding (`capacity.rs`), and every storage type requires it.
//! * **Dropped once.** The stored future is dropped exactly once, in place:
//!   by the handle's `Drop` (or, for a slot whose handle leaked, by the next
//!   `put` or the slot's `Drop`), whatever state it is in, including after a
//!   panic in its `poll` or when its destructor panics (heap blocks and
//!   slot buffers are freed then too).
//! * **Flavour.** A storage typed for `dyn Future<Output = T> (+ Send) + 'a`
//!   only ever holds an `F: Future<Output = T> (+ Send) + 'a`: the
//!   constructors are generic over exactly that, so the stored output type
//!   and auto traits are `D`'s.

pub(crate) mod capacity;
#[cfg(feature = "alloc")]
mod inline_box;
mod inline_only_box;
#[cfg(feature = "alloc")]
mod reusable_slot;
mod vtable;

#[cfg(feature = "alloc")]
pub use inline_box::InlineBox;
pub use inline_only_box::InlineOnlyBox;
#[cfg(feature = "alloc")]
pub use reusable_slot::{ReusableSlot, SlotFuture};

use capacity::DefaultSpace;

#[cfg(feature = "alloc")]
/// A type-erased future stored inline when it fits `Space`, on the heap
/// otherwise: what [`DynService::call_dyn`](crate::DynService::call_dyn)
/// returns.
///
/// * **Inline first.** A future whose size and alignment fit `Space` is
///   written into the handle's own buffer: no allocation. Larger or
///   over-aligned futures go to the heap (one allocation of exactly their
///   size); zero-sized futures never allocate. [`is_heap`](InlineBox::is_heap)
///   and [`layout`](InlineBox::layout) say which happened and why.
/// * **Pinned, never moved.** The handle is `!Unpin` and only polled through
///   `Pin`: the inline bytes *are* the future, so moving the handle after the
///   first poll would break self-referential `async` state. `.await` it, or
///   pin it with [`core::pin::pin!`] where it was returned; both keep it in
///   place. (Moving it *before* the first poll is allowed and safe, but
///   copies the whole buffer, so it costs in proportion to `Space`.)
/// * **Fused with a clear panic.** Polling after `Ready` panics with
///   "erased future polled after it completed" and the future's type,
///   instead of resuming a finished state machine; polling after a `poll`
///   that panicked says so too ([`has_panicked`](InlineBox::has_panicked)).
/// * **Dropped exactly once**, on completion or cancellation, in place, even
///   when its `poll` or its destructor panics.
///
/// `InlineFuture` is `!Send`; [`SendInlineFuture`] is its `Send` twin.
///
/// # Memory layout
///
/// With the default capacity (`S16`, 128 bytes) the handle is 136 bytes on
/// x86-64:
///
/// ```text
///  InlineFuture<'a, T, S16>
///  ┌──────────────┬──────────────────────────── buffer: 128 bytes ─────────────┐
///  │ &'static     │ inline:      the future's own bytes                         │
///  │ vtable ──────┼─┐ heap:      a pointer to the boxed future                  │
///  │              │ │ zero-sized: nothing                                       │
///  └──────────────┴─┼───────────────────────────────────────────────────────────┘
///                   └─► one static vtable per future type, place and state: { drop, layout, poll }
/// ```
///
/// The place is decided once, when the future is erased, by choosing the
/// vtable; `poll` and `drop` then make one indirect call each, with no
/// inline-or-heap branch. Completion is recorded by swapping the vtable
/// pointer (to one whose `poll` panics), not by a flag.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{InlineFuture, space::S4};
///
/// # futures_lite_block_on(async {
/// let fut: InlineFuture<'_, u32, S4> = InlineFuture::new(async { 40 + 2 });
/// assert!(!fut.is_heap());
/// println!("{fut:?}"); // InlineFuture { future: "…{{closure}}", size: 1, … location: "inline" … }
/// assert_eq!(fut.await, 42);
/// # });
/// # fn futures_lite_block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// ```
///
/// Polling after completion panics:
///
/// ```should_panic
/// use core::task::{Context, Waker};
/// use hybrid_dispatch::InlineFuture;
///
/// let mut fut = Box::pin(InlineFuture::<'_, u8>::new(async { 1 }));
/// let mut cx = Context::from_waker(Waker::noop());
/// let _ = fut.as_mut().poll(&mut cx);
/// let _ = fut.as_mut().poll(&mut cx); // panics: polled after it completed
/// ```
pub type InlineFuture<'a, T, Space = DefaultSpace> =
    InlineBox<dyn core::future::Future<Output = T> + 'a, Space>;

#[cfg(feature = "alloc")]
/// The `Send` twin of [`InlineFuture`]: the same storage and guarantees,
/// for futures that are `Send`; what
/// [`SendDynService::call_send`](crate::SendDynService::call_send) returns.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::SendInlineFuture;
///
/// #[tokio::main]
/// async fn main() {
///     let fut: SendInlineFuture<'static, u32> = SendInlineFuture::new(async { 7 });
///     assert_eq!(tokio::spawn(fut).await.unwrap(), 7);
/// }
/// ```
///
/// A future that is not `Send` does not fit:
///
/// ```compile_fail
/// use hybrid_dispatch::SendInlineFuture;
/// use std::rc::Rc;
///
/// let rc = Rc::new(1);
/// let fut: SendInlineFuture<'_, i32> = SendInlineFuture::new(async move { *rc });
/// ```
pub type SendInlineFuture<'a, T, Space = DefaultSpace> =
    InlineBox<dyn core::future::Future<Output = T> + Send + 'a, Space>;

#[cfg(feature = "alloc")]
/// Caller-owned storage that erased futures are written into one after
/// another: the *reusable slot* strategy.
///
/// [`DynService::call_in`](crate::DynService::call_in) writes the service's
/// future into the slot and returns a [`SlotFuture`] that polls it where it
/// lies. A future that fits `Space` goes in the slot's inline buffer; a
/// larger one goes in a heap buffer that the slot keeps for the next call and
/// grows only when a larger future arrives ([`growths`](ReusableSlot::growths)
/// counts that). In a loop, that is **zero allocations amortized for futures
/// of any size**, and the future is never moved after it is written (the
/// slot is pinned), so the buffer size costs nothing per call.
///
/// This is the idea of tokio-util's `ReusableBoxFuture`, but inline first,
/// for `!Send` futures too ([`SendFutureSlot`] is the `Send` one), for any
/// size, and for any service behind `dyn`.
///
/// `'f` bounds the futures the slot may hold: a future that borrows the
/// service or the request must outlive the slot. Create the slot after the
/// service and inputs it will serve — typically right before a hot loop.
///
/// # Examples
///
/// ```
/// use core::pin::pin;
/// use hybrid_dispatch::{DynService, FutureSlot, service_fn, space::S1};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let svc = service_fn(|x: u64| {
///     let scratch = [x; 64]; // a 512-byte future: larger than any inline buffer here
///     async move { scratch.iter().sum::<u64>() }
/// });
/// let erased: &dyn DynService<u64, u64, S1> = &svc;
/// let mut slot = pin!(FutureSlot::new());
/// for i in 0..100 {
///     assert_eq!(block_on(erased.call_in(slot.as_mut(), i)), i * 64);
/// }
/// assert_eq!(slot.growths(), 1); // one allocation for 100 calls
/// ```
pub type FutureSlot<'f, T, Space = DefaultSpace> =
    ReusableSlot<dyn core::future::Future<Output = T> + 'f, Space>;

#[cfg(feature = "alloc")]
/// The `Send` twin of [`FutureSlot`]: holds only `Send` futures, so a task
/// that keeps it across `.await`s can be spawned on a multi-threaded
/// runtime.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use hybrid_dispatch::{SendDynService, SendFutureSlot, service_fn};
///
/// #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// async fn main() {
///     let svc: Arc<dyn SendDynService<u64, u64>> = Arc::new(service_fn(|x: u64| async move { x + 1 }));
///     let total = tokio::spawn(async move {
///         let mut slot = Box::pin(SendFutureSlot::new());
///         let mut total = 0;
///         for i in 0..10 {
///             total += svc.call_send_in(slot.as_mut(), i).await;
///         }
///         total
///     });
///     assert_eq!(total.await.unwrap(), 55);
/// }
/// ```
pub type SendFutureSlot<'f, T, Space = DefaultSpace> =
    ReusableSlot<dyn core::future::Future<Output = T> + Send + 'f, Space>;

/// A type-erased future that lives in an inline buffer and *cannot* spill:
/// what [`InlineOnlyService::call_inline`](crate::InlineOnlyService::call_inline)
/// returns.
///
/// It has no heap path at all (so it builds without `alloc`): a future that
/// does not fit `Space` in size or alignment fails the build. Each poll is
/// one indirect call to a function made for the stored future.
/// Otherwise it behaves like [`InlineFuture`]: `!Unpin`, polled through
/// `Pin`, dropped once in place, panics when polled after completion.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{InlineOnlyFuture, space::S2};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let fut: InlineOnlyFuture<'_, u64, S2> = InlineOnlyFuture::new(async { 40 + 2 });
/// assert_eq!(block_on(fut), 42);
/// ```
pub type InlineOnlyFuture<'a, T, Space = DefaultSpace> =
    InlineOnlyBox<dyn core::future::Future<Output = T> + 'a, Space>;

/// The `Send` twin of [`InlineOnlyFuture`].
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::SendInlineOnlyFuture;
///
/// #[tokio::main]
/// async fn main() {
///     let fut: SendInlineOnlyFuture<'static, u8> = SendInlineOnlyFuture::new(async { 1 });
///     assert_eq!(tokio::spawn(fut).await.unwrap(), 1);
/// }
/// ```
pub type SendInlineOnlyFuture<'a, T, Space = DefaultSpace> =
    InlineOnlyBox<dyn core::future::Future<Output = T> + Send + 'a, Space>;
