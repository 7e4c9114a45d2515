//! [`InlineOnlyService`]: the erasure that cannot allocate, and
//! [`SendInlineOnlyService`], its `Send` twin.

use crate::capacity::{Capacity, DefaultCapacity};
use crate::future::inline_only_box::{InlineOnlyFuture, SendInlineOnlyFuture};
use crate::layout::FutureLayout;
use crate::service::{SendService, Service};

/// A [`Service`] behind `dyn` whose futures are *guaranteed* to be stored
/// inline: the *inline-only* strategy, for hot paths that must never
/// allocate.
///
/// Implemented for every `Service`, like [`DynService`](crate::DynService),
/// but the implementation carries a compile-time assertion that the
/// service's future fits `Cap` in size and alignment. Turning a service
/// whose future is too large (or over-aligned) into a
/// `dyn InlineOnlyService` fails the build — no surprise allocation can
/// reach production. (The check runs when the code is generated, so
/// `cargo check` does not report it; `cargo build` and `cargo test` do.)
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{InlineOnlyService, service_fn, capacity::S4};
///
/// let svc = service_fn(|x: u64| async move { x + 1 });
/// let erased: &dyn InlineOnlyService<u64, u64, S4> = &svc;
/// let fut = erased.call_inline(1);
/// assert!(fut.layout().fits::<S4>()); // always: it cannot spill
/// ```
///
/// A future larger than the capacity does not compile:
///
/// ```compile_fail
/// use hybrid_dispatch::{InlineOnlyService, service_fn, capacity::S2};
///
/// let svc = service_fn(|x: u64| core::future::ready([x; 8])); // 72 bytes
/// let erased: &dyn InlineOnlyService<u64, [u64; 8], S2> = &svc; // 16-byte capacity
/// // error[E0080]: evaluation panicked: the service's future is larger than ...
/// drop(erased.call_inline(1));
/// ```
///
/// Nor does an over-aligned one:
///
/// ```compile_fail
/// use hybrid_dispatch::{InlineOnlyService, service_fn, capacity::S16};
///
/// #[repr(align(64))]
/// struct Aligned(u8);
/// let svc = service_fn(|x: u8| core::future::ready(Aligned(x))); // 128 bytes, align 64
/// let erased: &dyn InlineOnlyService<u8, Aligned, S16> = &svc; // 128 bytes, align 8
/// // error[E0080]: evaluation panicked: the service's future is aligned more strictly ...
/// drop(erased.call_inline(1));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an `InlineOnlyService<{Req}, {Resp}>`",
    label = "needs a `Service<{Req}>` whose `Response` is `{Resp}`",
    note = "a closure or `fn` taking `{Req}` and returning a future becomes a service with `hybrid_dispatch::service_fn`"
)]
pub trait InlineOnlyService<Req, Resp, Cap: Capacity = DefaultCapacity> {
    /// Calls the service; its future is stored inline, never on the heap.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{InlineOnlyService, service_fn};
    ///
    /// let svc = service_fn(|x: u8| core::future::ready(x));
    /// let erased: &dyn InlineOnlyService<u8, u8> = &svc;
    /// assert_eq!(erased.call_inline(7).layout().size(), 2);
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    fn call_inline<'a>(&'a self, req: Req) -> InlineOnlyFuture<'a, Resp, Cap>
    where
        Req: 'a;
}

impl<S, Req, Cap: Capacity> InlineOnlyService<Req, S::Response, Cap> for S
where
    S: Service<Req>,
{
    #[inline]
    fn call_inline<'a>(&'a self, req: Req) -> InlineOnlyFuture<'a, S::Response, Cap>
    where
        Req: 'a,
    {
        // `InlineOnlyFuture::new` checks this too; checking here first names
        // the service in the error and points it at the caller's cast or
        // call. Size and alignment apart: the fixes differ.
        const {
            assert!(
                fits_size::<S::Future<'a>, Cap>(),
                "the service's future is larger than this InlineOnlyService's capacity: use a larger one (`capacity::S32`, `[u64; N]`), make the future smaller, or call through `DynService`, which puts a future that does not fit on the heap"
            );
            assert!(
                fits_align::<S::Future<'a>, Cap>(),
                "the service's future is aligned more strictly than this InlineOnlyService's capacity: use a capacity of over-aligned blocks (`[capacity::Align64; N]`), or call through `DynService`, which boxes it"
            );
        }
        let future = InlineOnlyFuture::new(self.call(req));
        self.observe_erasure(future.erasure());
        future
    }
}

/// The `Send + Sync` twin of [`InlineOnlyService`]: futures guaranteed to be
/// inline (a too-large one fails the build) *and* `Send`, for no-allocation
/// hot paths on a multi-threaded runtime.
///
/// Implemented, like [`SendDynService`](crate::SendDynService), for every
/// `'static + Send + Sync` service whose futures are `Send`.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use hybrid_dispatch::{SendInlineOnlyService, service_fn, capacity::S4};
///
/// #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// async fn main() {
///     let svc: Arc<dyn SendInlineOnlyService<u64, u64, S4>> =
///         Arc::new(service_fn(|x: u64| async move { x + 1 }));
///     let task = tokio::spawn(async move { svc.call_send_inline(41).await });
///     assert_eq!(task.await.unwrap(), 42);
/// }
/// ```
///
/// Too large for the capacity does not compile:
///
/// ```compile_fail
/// use hybrid_dispatch::{SendInlineOnlyService, service_fn, capacity::S2};
///
/// let svc = service_fn(|x: u64| core::future::ready([x; 8])); // 72 bytes
/// let erased: &dyn SendInlineOnlyService<u64, [u64; 8], S2> = &svc;
/// drop(erased.call_send_inline(1));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `SendInlineOnlyService<{Req}, {Resp}>`",
    label = "needs a `SendService<{Req}>` whose `Response` is `{Resp}`",
    note = "the `Send` erasure takes a `Service<{Req}>` that is `Send + Sync + 'static` and whose futures are `Send` for every borrow: a `SendService<{Req}>`",
    note = "a closure or `fn` taking `{Req}` and returning a future becomes a service with `hybrid_dispatch::service_fn`"
)]
pub trait SendInlineOnlyService<Req, Resp, Cap: Capacity = DefaultCapacity>:
    InlineOnlyService<Req, Resp, Cap> + Send + Sync
{
    /// Calls the service; its `Send` future is stored inline, never on the
    /// heap.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{SendInlineOnlyService, service_fn};
    ///
    /// let svc = service_fn(|x: u8| core::future::ready(x));
    /// let erased: &dyn SendInlineOnlyService<u8, u8> = &svc;
    /// assert_eq!(erased.call_send_inline(7).layout().size(), 2);
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    fn call_send_inline<'a>(&'a self, req: Req) -> SendInlineOnlyFuture<'a, Resp, Cap>
    where
        Req: 'a;
}

impl<S, Req, Cap: Capacity> SendInlineOnlyService<Req, S::Response, Cap> for S
where
    S: SendService<Req>,
{
    #[inline]
    fn call_send_inline<'a>(&'a self, req: Req) -> SendInlineOnlyFuture<'a, S::Response, Cap>
    where
        Req: 'a,
    {
        // As in `InlineOnlyService`: checked here first to name the service.
        const {
            assert!(
                fits_size::<S::Future<'a>, Cap>(),
                "the service's future is larger than this SendInlineOnlyService's capacity: use a larger one (`capacity::S32`, `[u64; N]`), make the future smaller, or call through `SendDynService`, which puts a future that does not fit on the heap"
            );
            assert!(
                fits_align::<S::Future<'a>, Cap>(),
                "the service's future is aligned more strictly than this SendInlineOnlyService's capacity: use a capacity of over-aligned blocks (`[capacity::Align64; N]`), or call through `SendDynService`, which boxes it"
            );
        }
        let future = SendInlineOnlyFuture::new(self.call(req));
        self.observe_erasure(future.erasure());
        future
    }
}

/// Whether `F` fits `Cap` in size (zero-sized: always), whatever its
/// alignment: half of [`fits_inline`](crate::layout::fits_inline), so that
/// the build error can say which half failed.
const fn fits_size<F, Cap>() -> bool {
    FutureLayout::of::<F>().fits_capacity(size_of::<Cap>(), usize::MAX)
}

/// Whether `F` fits `Cap` in alignment (zero-sized: always): the other
/// half.
const fn fits_align<F, Cap>() -> bool {
    FutureLayout::of::<F>().fits_capacity(usize::MAX, align_of::<Cap>())
}
