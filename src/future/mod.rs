//! Erased futures: [`InlineFuture`] and its `Send` twin [`SendInlineFuture`],
//! both views of one storage type, [`InlineBox`].

mod inline_box;

pub use inline_box::InlineBox;

use crate::space::DefaultSpace;

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
///   "InlineFuture polled after it completed" and the future's type, instead
///   of resuming a finished state machine.
/// * **Dropped exactly once**, on completion or cancellation, in place, even
///   when its `poll` or its destructor panics.
///
/// `InlineFuture` is `!Send`; [`SendInlineFuture`] is its `Send` twin.
///
/// # Memory layout
///
/// ```text
///  InlineFuture<'a, T, S16>  (128-byte buffer + 40 bytes)
///  ┌──────────────────────────────── buffer: Space ───┬──────────┬──────────┬──────┐
///  │ the future's own bytes, when they fit ... │ pad  │ vtable + │ &'static │ done │
///  │ (unused when it spilled to the heap)      │      │ data ptr │ layout   │      │
///  └───────────────────────────────────────────┴──────┴──────────┴──────────┴──────┘
/// ```
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
