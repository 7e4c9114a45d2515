//! [`Handle`]: a registered service, resolved once and called many times.

use crate::capacity::{Capacity, DefaultCapacity};
use crate::future::alloc_error::OutOfMemory;
use crate::registry::call::RegistryFuture;
use crate::registry::entry::DynEntry;
use crate::registry::sizing::EntrySizing;
use crate::registry::stats::CallStats;
use alloc::sync::Arc;
use core::fmt;

/// One registered service, resolved once: calls through a handle do no name
/// lookup and take no lock.
///
/// A handle is an `Arc` to the registry's entry, so it is cheap to clone and
/// share between tasks, and it keeps the service alive: after
/// [`Registry::remove`](crate::Registry::remove) (or after the registry is
/// dropped) a handle still calls the service it was resolved to and still
/// counts its calls. To follow a name that may be re-registered, resolve it
/// again with [`Registry::handle`](crate::Registry::handle).
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{Registry, service_fn};
///
/// #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// async fn main() {
///     let registry: Registry<u64, u64> = Registry::new();
///     registry.register("square", service_fn(|x: u64| async move { x * x })).unwrap();
///
///     let square = registry.handle("square").unwrap(); // the only lookup
///     let tasks: Vec<_> = (0..4u64)
///         .map(|i| {
///             let square = square.clone();
///             tokio::spawn(async move { square.call(i).await })
///         })
///         .collect();
///     let mut sum = 0;
///     for task in tasks {
///         sum += task.await.unwrap();
///     }
///     assert_eq!(sum, 0 + 1 + 4 + 9);
///     assert_eq!(square.stats().completed, 4);
/// }
/// ```
pub struct Handle<Req, Resp, Cap: Capacity = DefaultCapacity> {
    entry: Arc<DynEntry<Req, Resp, Cap>>,
}

impl<Req, Resp, Cap: Capacity> Handle<Req, Resp, Cap> {
    pub(super) fn new(entry: Arc<DynEntry<Req, Resp, Cap>>) -> Self {
        Handle { entry }
    }

    /// Calls the service. Its future, wrapped to count the call, is erased
    /// into a [`SendInlineFuture`](crate::SendInlineFuture) with capacity
    /// `Cap`: inline when it fits, else in a buffer recycled from the
    /// entry's pool (see [`RegistryFuture`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
    /// #     let mut f = core::pin::pin!(f);
    /// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// let registry: Registry<String, usize> = Registry::new();
    /// let len = registry.register("len", service_fn(|s: String| async move { s.len() })).unwrap();
    /// assert_eq!(block_on(len.call("four".into())), 4);
    /// ```
    #[inline]
    pub fn call<'a>(&'a self, req: Req) -> RegistryFuture<'a, Resp, Cap>
    where
        Req: 'a,
    {
        let entry: &'a DynEntry<Req, Resp, Cap> = &*self.entry;
        entry.call(req)
    }

    /// [`call`](Self::call), but when the future needs memory (a miss of
    /// the entry's pool, or a box where the pool keeps no buffers) and the
    /// allocator has none, an error with the request given back instead of
    /// an abort. The memory is taken before the service is called and the
    /// call counted: a refused call called nothing and is not in
    /// [`stats`](Self::stats). Once the entry's pool has an idle buffer, a
    /// call allocates nothing and cannot be refused.
    ///
    /// # Errors
    ///
    /// [`OutOfMemory`] when the future needs memory and the allocator
    /// refuses it; the service was not called.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Handle, Registry, future::OutOfMemory, service_fn};
    ///
    /// async fn checksum(handle: &Handle<u64, u64>, x: u64) -> Result<u64, OutOfMemory<u64>> {
    ///     Ok(handle.try_call(x)?.await)
    /// }
    ///
    /// #[tokio::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let registry: Registry<u64, u64> = Registry::new();
    ///     // A 512-byte future: recycled in the entry's pool.
    ///     let sum = registry
    ///         .register("sum", service_fn(|x: u64| async move {
    ///             let page = [x; 64]; // held across the await
    ///             tokio::task::yield_now().await;
    ///             page.iter().sum::<u64>()
    ///         }))
    ///         .unwrap();
    ///     assert_eq!(checksum(&sum, 2).await, Ok(128));
    ///     assert_eq!(checksum(&sum, 3).await, Ok(192));
    ///     assert_eq!((sum.stats().calls, sum.stats().recycle_misses), (2, 1));
    /// }
    /// ```
    #[inline]
    pub fn try_call<'a>(
        &'a self,
        req: Req,
    ) -> Result<RegistryFuture<'a, Resp, Cap>, OutOfMemory<Req>>
    where
        Req: 'a,
    {
        let entry: &'a DynEntry<Req, Resp, Cap> = &*self.entry;
        entry.try_call(req)
    }

    /// The name the service was registered under.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u8, u8> = Registry::new();
    /// let handle = registry.register("echo", service_fn(|x: u8| async move { x })).unwrap();
    /// assert_eq!(handle.name(), "echo");
    /// ```
    #[must_use]
    pub fn name(&self) -> &str {
        self.entry.name()
    }

    /// A snapshot of this service's counters (see [`CallStats`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u8, u8> = Registry::new();
    /// let handle = registry.register("echo", service_fn(|x: u8| async move { x })).unwrap();
    /// drop(handle.call(1));
    /// let stats = handle.stats();
    /// assert_eq!((stats.calls, stats.inline, stats.cancelled), (1, 1, 1));
    /// ```
    #[must_use]
    pub fn stats(&self) -> CallStats {
        self.entry.stats()
    }

    /// The service's future layout and whether it fits `Cap` (see
    /// [`EntrySizing`]). Nothing is called.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u64, [u64; 32]> = Registry::new();
    /// let wide = registry.register("wide", service_fn(|x: u64| core::future::ready([x; 32]))).unwrap();
    /// assert!(!wide.sizing().is_inline()); // 264 bytes > 120
    /// assert!(wide.sizing().is_recycled()); // so: a recycled buffer per call
    /// ```
    #[must_use]
    pub fn sizing(&self) -> EntrySizing {
        self.entry.sizing()
    }

    /// Whether two handles refer to the same registration.
    ///
    /// Two registrations under the same name (one removed, the next added)
    /// are different entries.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u8, u8> = Registry::new();
    /// let first = registry.register("echo", service_fn(|x: u8| async move { x })).unwrap();
    /// assert!(first.same_entry(&registry.handle("echo").unwrap()));
    /// registry.remove("echo").unwrap();
    /// let second = registry.register("echo", service_fn(|x: u8| async move { x })).unwrap();
    /// assert!(!first.same_entry(&second));
    /// ```
    #[must_use]
    pub fn same_entry(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.entry, &other.entry)
    }
}

impl<Req, Resp, Cap: Capacity> Clone for Handle<Req, Resp, Cap> {
    fn clone(&self) -> Self {
        Handle {
            entry: Arc::clone(&self.entry),
        }
    }
}

impl<Req, Resp, Cap: Capacity> fmt::Debug for Handle<Req, Resp, Cap> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("name", &self.name())
            .field("service", &self.entry.service_type_name())
            .field("future", &self.entry.future_layout())
            .field("stats", &self.stats())
            .finish()
    }
}
