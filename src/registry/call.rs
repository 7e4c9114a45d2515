//! [`RegistryFuture`]: the future of one call through the registry, a
//! [`Tracked`] service future, which counts how the call ended.

use crate::capacity::{Capacity, DefaultCapacity};
use crate::future::inline_box::SendInlineFuture;
use crate::layout::{Counts, Outcome, Tracked};
use crate::registry::counters::Counters;

impl crate::layout::sealed_impl::Sealed for Counters {}

/// An entry's counters: every call's future is where the entry's
/// placement says, so the end is counted there.
impl Counts for Counters {
    #[inline]
    fn started(&self) {
        Counters::started(self);
    }

    #[inline]
    fn finished(&self, outcome: Outcome) {
        self.finished_in(self.placement(), outcome);
    }
}

/// The future of a call through a [`Handle`](crate::Handle): the service's
/// erased [`SendInlineFuture`], [`Tracked`] in the entry's counters, so
/// that the call is counted as in flight until this future ends or is
/// dropped.
///
/// # What in-flight tracking costs
///
/// One pointer, **outside** the erased future: 128 + 8 = 136 bytes with the
/// default capacity, and the service's own future is erased exactly as a
/// plain [`SendDynService::call_send`](crate::SendDynService::call_send)
/// would erase it: it fits or spills at the same size. (Erasing
/// `async move { let _guard = guard; svc.call(req).await }` instead would
/// grow every future *inside* the buffer, by 40 bytes on x86-64 with rustc
/// 1.95: the guard, the captured service, counters and request, and the
/// block's own state; see the registry's unit tests.) In time, one
/// per-thread count when the call starts and one when it ends
/// (`cargo bench -p benches --bench registry`; `BENCHMARKS.md`).
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
/// ```
pub type RegistryFuture<'a, Resp, Cap = DefaultCapacity> =
    Tracked<'a, SendInlineFuture<'a, Resp, Cap>, Counters>;

impl<'a, Resp, Cap: Capacity> Tracked<'a, SendInlineFuture<'a, Resp, Cap>, Counters> {
    /// Whether the service's future went to the heap (it did not fit
    /// `Cap`); see [`InlineBox::is_heap`](crate::future::InlineBox::is_heap).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn, capacity::S1};
    ///
    /// let registry: Registry<u64, [u64; 4], S1> = Registry::with_max_idle(0); // no recycling
    /// let wide = registry.register("wide", service_fn(|x: u64| core::future::ready([x; 4]))).unwrap();
    /// assert!(wide.call(1).is_heap());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_heap(&self) -> bool {
        self.future.is_heap()
    }

    /// Whether the service's future is in a buffer recycled from the
    /// entry's pool (it did not fit `Cap`); see
    /// [`InlineBox::is_recycled`](crate::future::InlineBox::is_recycled).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u64, [u64; 32]> = Registry::new();
    /// let wide = registry.register("wide", service_fn(|x: u64| core::future::ready([x; 32]))).unwrap();
    /// assert!(wide.call(1).is_recycled());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_recycled(&self) -> bool {
        self.future.is_recycled()
    }

    /// The service's erased future: its layout, placement and state.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u64, u64> = Registry::new();
    /// let id = registry.register("id", service_fn(|x: u64| async move { x })).unwrap();
    /// let fut = id.call(1);
    /// assert_eq!(fut.inner().layout(), id.sizing().future_layout());
    /// ```
    #[inline]
    #[must_use]
    pub fn inner(&self) -> &SendInlineFuture<'a, Resp, Cap> {
        &self.future
    }
}

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
