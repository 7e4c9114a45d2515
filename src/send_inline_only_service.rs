//! [`SendInlineOnlyService`]: the erasure that cannot allocate, `Send + Sync`.

use crate::layout::fits_inline;
use crate::space::{Capacity, DefaultSpace};
use crate::{InlineOnlyService, SendInlineOnlyFuture, Service};

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
/// use hybrid_dispatch::{SendInlineOnlyService, service_fn, space::S4};
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
/// use hybrid_dispatch::{SendInlineOnlyService, service_fn, space::S2};
///
/// let svc = service_fn(|x: u64| core::future::ready([x; 8])); // 72 bytes
/// let erased: &dyn SendInlineOnlyService<u64, [u64; 8], S2> = &svc;
/// drop(erased.call_send_inline(1));
/// ```
pub trait SendInlineOnlyService<Req, Resp, Space: Capacity = DefaultSpace>:
    InlineOnlyService<Req, Resp, Space> + Send + Sync
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
    fn call_send_inline<'a>(&'a self, req: Req) -> SendInlineOnlyFuture<'a, Resp, Space>
    where
        Req: 'a;
}

impl<S, Req, Space: Capacity> SendInlineOnlyService<Req, S::Response, Space> for S
where
    S: Service<Req> + Send + Sync + 'static,
    for<'a> S::Future<'a>: Send,
{
    #[inline]
    fn call_send_inline<'a>(&'a self, req: Req) -> SendInlineOnlyFuture<'a, S::Response, Space>
    where
        Req: 'a,
    {
        // As in `InlineOnlyService`: checked here first to name the service.
        const {
            assert!(
                fits_inline::<S::Future<'a>, Space>(),
                "the service's future does not fit the inline capacity of this SendInlineOnlyService"
            );
        }
        let future = SendInlineOnlyFuture::new(self.call(req));
        self.observe_erasure(future.erasure());
        future
    }
}
