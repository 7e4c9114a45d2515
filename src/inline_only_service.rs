//! [`InlineOnlyService`]: the erasure that cannot allocate.

use crate::layout::fits_inline;
use crate::space::{Capacity, DefaultSpace};
use crate::{InlineOnlyFuture, Service};

/// A [`Service`] behind `dyn` whose futures are *guaranteed* to be stored
/// inline: the *inline-only* strategy, for hot paths that must never
/// allocate.
///
/// Implemented for every `Service`, like [`DynService`](crate::DynService),
/// but the implementation carries a compile-time assertion that the
/// service's future fits `Space` in size and alignment. Turning a service
/// whose future is too large (or over-aligned) into a
/// `dyn InlineOnlyService` fails the build — no surprise allocation can
/// reach production. (The check runs when the code is generated, so
/// `cargo check` does not report it; `cargo build` and `cargo test` do.)
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{InlineOnlyService, service_fn, space::S4};
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
/// use hybrid_dispatch::{InlineOnlyService, service_fn, space::S2};
///
/// let svc = service_fn(|x: u64| core::future::ready([x; 8])); // 72 bytes
/// let erased: &dyn InlineOnlyService<u64, [u64; 8], S2> = &svc; // 16-byte capacity
/// // error[E0080]: evaluation panicked: the service's future does not fit ...
/// drop(erased.call_inline(1));
/// ```
///
/// Nor does an over-aligned one:
///
/// ```compile_fail
/// use hybrid_dispatch::{InlineOnlyService, service_fn, space::S4};
///
/// #[repr(align(64))]
/// struct Aligned(u8);
/// let svc = service_fn(|x: u8| core::future::ready(Aligned(x)));
/// let erased: &dyn InlineOnlyService<u8, Aligned, S4> = &svc;
/// drop(erased.call_inline(1));
/// ```
pub trait InlineOnlyService<Req, Resp, Space: Capacity = DefaultSpace> {
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
    fn call_inline<'a>(&'a self, req: Req) -> InlineOnlyFuture<'a, Resp, Space>
    where
        Req: 'a;
}

impl<S, Req, Space: Capacity> InlineOnlyService<Req, S::Response, Space> for S
where
    S: Service<Req>,
{
    #[inline]
    fn call_inline<'a>(&'a self, req: Req) -> InlineOnlyFuture<'a, S::Response, Space>
    where
        Req: 'a,
    {
        // `InlineOnlyFuture::new` checks this too; checking here first names
        // the service in the error.
        const {
            assert!(
                fits_inline::<S::Future<'a>, Space>(),
                "the service's future does not fit the inline capacity of this InlineOnlyService"
            );
        }
        let future = InlineOnlyFuture::new(self.call(req));
        self.observe_erasure(future.erasure());
        future
    }
}
