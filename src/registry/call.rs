//! [`RegistryFuture`]: the future of one call through the registry, an
//! erased [`Tracked`](crate::layout::Tracked) service future, which counts how the call ended.

use crate::capacity::DefaultCapacity;
use crate::future::inline_box::SendInlineFuture;
use crate::layout::{Counts, Outcome};
use crate::registry::counters::Counters;

impl crate::layout::sealed_impl::Sealed for Counters {}

/// An entry's counters.
impl Counts for Counters {
    #[inline]
    fn started(&self) {
        Counters::started(self);
    }

    #[inline]
    fn finished(&self, outcome: Outcome) {
        Counters::finished(self, outcome);
    }
}

/// The future of a call through a [`Handle`](crate::Handle): an erased
/// [`SendInlineFuture`] holding the service's future [`Tracked`](crate::layout::Tracked) in the
/// entry's counters, so that the call is counted as in flight until this
/// future ends or is dropped.
///
/// # What in-flight tracking costs
///
/// One pointer, **inside** the erased future: the stored future is the
/// service's plus 8 bytes (what [`Handle::sizing`](crate::Handle::sizing)
/// reports), and the handle the caller holds and `.await` moves is a plain
/// `SendInlineFuture`, 128 bytes with the default capacity, the size of a
/// bare [`SendDynService::call_send`](crate::SendDynService::call_send)'s.
/// (Outside the buffer, the pointer made the handle 136 bytes, which the
/// compiler copies with a `memcpy` call on every `.await`. Inside, a call
/// takes more instructions, 194 against 173 at 40 bytes in callgrind,
/// because the counting now runs inside the erased future's `poll` and
/// drop, but less time: no `memcpy`, and no stall reading back a copy
/// just written; see `BENCHMARKS.md`. Erasing
/// `async move { let _guard = guard; svc.call(req).await }` instead would
/// grow every stored future by 40 bytes: see the registry's unit tests.)
/// In time, one per-thread count when the call starts and one when it
/// ends (`cargo bench -p benches --bench recycled`; `BENCHMARKS.md`).
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{Registry, registry::RegistryFuture, service_fn};
///
/// let registry: Registry<u64, u64> = Registry::new();
/// let id = registry.register("id", service_fn(|x: u64| async move { x })).unwrap();
/// let call: RegistryFuture<'_, u64> = id.call(1);
/// assert!(!call.is_heap());
/// assert_eq!(call.layout().size(), id.sizing().future_layout().size());
/// assert_eq!(core::mem::size_of_val(&call), 128);
/// ```
pub type RegistryFuture<'a, Resp, Cap = DefaultCapacity> = SendInlineFuture<'a, Resp, Cap>;

/// Counts a started call as panicked unless defused: for a `Service::call`
/// that panics before there is a future to count the end.
pub(crate) struct StartGuard<'a> {
    counters: &'a Counters,
}

impl<'a> StartGuard<'a> {
    #[inline]
    pub(crate) fn new(counters: &'a Counters) -> Self {
        counters.started();
        StartGuard { counters }
    }

    #[inline]
    pub(crate) fn defuse(self) {
        core::mem::forget(self);
    }
}

impl Drop for StartGuard<'_> {
    fn drop(&mut self) {
        Counts::finished(self.counters, Outcome::Panicked);
    }
}
