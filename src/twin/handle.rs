//! [`TwinHandle`]: one implementor of a `#[dyn_twin]` trait in a
//! [`TwinRegistry`](crate::twin::TwinRegistry), resolved once.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::ops::Deref;

use crate::future::recycled::{PoolStats, RecyclePool};
use crate::registry::sizing::EntrySizing;
use crate::registry::stats::CallStats;
use crate::twin::Twin;
use crate::twin::counted::{Pools, TwinPlacementStats, stats_of, tracked_stats};
use crate::twin::tracked::MethodCounters;

/// A registered twin: the shared object (a `CountedTwin` of the
/// implementor, erased) and its per-method counters, shared by the map,
/// every handle and every call.
pub(crate) struct TwinEntry<T: ?Sized> {
    pub(crate) name: Arc<str>,
    /// The implementor's type (the twin object would name its counting
    /// wrapper).
    pub(crate) type_name: &'static str,
    /// Calls, placements and how tracked calls ended, one per entry of
    /// `T::METHODS`, shared with the entry's `CountedTwin`.
    pub(crate) counters: Arc<[MethodCounters]>,
    /// The recycled storage of the entry's counting wrapper, per method.
    pub(crate) pools: Arc<Pools>,
    pub(crate) twin: Arc<T>,
}

impl<T: ?Sized + Twin> TwinEntry<T> {
    pub(crate) fn stats(&self) -> TwinPlacementStats {
        stats_of(T::METHODS, &self.counters)
    }

    /// The tracked calls of each async method, in declaration order.
    pub(crate) fn tracked(&self) -> Vec<(&'static str, CallStats)> {
        T::METHODS
            .iter()
            .enumerate()
            .filter_map(|(index, method)| Some((method.name(), self.tracked_at(index)?)))
            .collect()
    }

    /// The tracked calls of method `index`; `None` for a sync method.
    /// Started and ended calls come from the method's [`Tracked`](crate::twin::Tracked)
    /// futures, placements from the erasures its `CountedTwin` heard.
    fn tracked_at(&self, index: usize) -> Option<CallStats> {
        let layout = self.twin.method_layout(index)?;
        let placed = self.counters[index].snapshot();
        let heap_bytes = placed.heap * layout.size() as u64;
        let pool = self.pools.made(index).map(|pool| pool.stats());
        Some(tracked_stats(
            &self.counters[index],
            placed,
            heap_bytes,
            pool,
        ))
    }

    /// The position of async method `method` in `T::METHODS`.
    fn async_method(&self, method: &str) -> Option<usize> {
        T::METHODS
            .iter()
            .position(|m| m.name() == method && m.is_async())
    }

    /// Each async method's future layout against the twin's capacity.
    pub(crate) fn sizing(&self) -> Vec<(&'static str, EntrySizing)> {
        T::METHODS
            .iter()
            .enumerate()
            .filter_map(|(index, method)| {
                let layout = self.twin.method_layout(index)?;
                let mut sizing = EntrySizing::new::<T::Cap>(self.type_name, layout);
                if method.recycles() {
                    sizing = sizing.with_pool(
                        self.pools.max_idle_for(layout),
                        RecyclePool::buffer_bytes_for(layout),
                    );
                }
                Some((method.name(), sizing))
            })
            .collect()
    }
}

/// One registered implementor of a [`#[dyn_twin]`](crate::dyn_twin) trait,
/// resolved once: it dereferences to the twin object (`dyn SendDynPlugin`),
/// so its methods — `handle_send`, `handle_dyn`, `handle_in`, and `handle`
/// itself through the bridge impl — are called on it directly, with no
/// lookup and no lock.
///
/// Like [`Handle`](crate::Handle), it is an `Arc` to the registry's entry:
/// cheap to clone, and it keeps the implementor alive after
/// [`TwinRegistry::remove`](crate::twin::TwinRegistry::remove). It is for
/// keeping; to call once by name,
/// [`TwinRegistry::get`](crate::twin::TwinRegistry::get) gives a
/// [`TwinRef`](crate::twin::TwinRef), which clones no `Arc`.
///
/// The handle's own functions are associated functions, as `Arc`'s are
/// (`TwinHandle::name(&handle)`, `TwinHandle::stats(&handle)`, …), so that
/// they never shadow your trait's methods reached through `Deref`:
/// `handle.name()` calls your plugin's `fn name(&self)`.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{dyn_twin, twin::{TwinHandle, TwinRegistry}};
///
/// #[dyn_twin(DynPlugin, send = SendDynPlugin)]
/// trait Plugin {
///     fn name(&self) -> &str;
///     async fn handle(&self, x: u64) -> u64;
/// }
/// struct Double;
/// impl Plugin for Double {
///     fn name(&self) -> &str { "twice" }
///     async fn handle(&self, x: u64) -> u64 { x * 2 }
/// }
///
/// #[tokio::main(flavor = "current_thread")]
/// async fn main() {
///     let plugins: TwinRegistry<dyn SendDynPlugin> = TwinRegistry::new();
///     let double: TwinHandle<dyn SendDynPlugin> = plugins.register("double", Double).unwrap();
///     assert_eq!(double.handle(21).await, 42); // the trait, through the bridge
///     assert_eq!(double.name(), "twice"); // the plugin's method, not the handle's
///     assert_eq!(TwinHandle::name(&double), "double"); // the registered name
///     let again = double.clone();
///     let task = tokio::spawn(async move { again.handle_send(1).await });
///     assert_eq!(task.await.unwrap(), 2);
/// }
/// ```
pub struct TwinHandle<T: ?Sized> {
    entry: Arc<TwinEntry<T>>,
}

impl<T: ?Sized + Twin> TwinHandle<T> {
    pub(crate) fn new(entry: Arc<TwinEntry<T>>) -> Self {
        TwinHandle { entry }
    }

    /// The name the implementor was registered under.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::{TwinHandle, TwinRegistry}};
    /// # #[dyn_twin(DynPlugin, send = SendDynPlugin)]
    /// # trait Plugin { async fn handle(&self, x: u64) -> u64; }
    /// # impl Plugin for u64 { async fn handle(&self, x: u64) -> u64 { x * self } }
    /// let plugins: TwinRegistry<dyn SendDynPlugin> = TwinRegistry::new();
    /// let triple = plugins.register("triple", 3u64).unwrap();
    /// assert_eq!(TwinHandle::name(&triple), "triple");
    /// ```
    #[must_use]
    pub fn name(this: &Self) -> &str {
        &this.entry.name
    }

    /// A snapshot of this implementor's counters, per method: calls, inline
    /// and heap placements, bytes allocated.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::{TwinHandle, TwinRegistry}};
    /// # #[dyn_twin(DynPlugin, send = SendDynPlugin)]
    /// # trait Plugin { async fn handle(&self, x: u64) -> u64; }
    /// # impl Plugin for u64 { async fn handle(&self, x: u64) -> u64 { x * self } }
    /// let plugins: TwinRegistry<dyn SendDynPlugin> = TwinRegistry::new();
    /// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
    /// #     let mut f = core::pin::pin!(f);
    /// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// let triple = plugins.register("triple", 3u64).unwrap();
    /// assert_eq!(block_on(triple.handle_send(2)), 6);
    /// let stats = TwinHandle::stats(&triple);
    /// assert_eq!(stats.get("handle").unwrap().calls, 1);
    /// assert_eq!(stats.get("handle").unwrap().inline, 1);
    /// ```
    #[must_use]
    pub fn stats(this: &Self) -> TwinPlacementStats {
        this.entry.stats()
    }

    /// How the calls of async method `method` went, however they were made
    /// (by name, through a handle, through the bridge, or on the
    /// [`shared`](Self::shared) object): calls, inline, heap and recycled
    /// placements, bytes allocated, and how many completed, were cancelled,
    /// panicked or are in flight (see [`CallStats`] for the identities
    /// between them). `None` if `method` is not an async method of the twin.
    ///
    /// A call is tracked by its [`Tracked`](crate::twin::Tracked) future,
    /// so the methods whose future the wrapper cannot borrow into are not:
    /// a future declared `+ 'static`, a `self: Box<Self>` receiver, and
    /// stream methods. They show no tracked calls; [`stats`](Self::stats)
    /// still counts their calls and placements.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::{TwinHandle, TwinRegistry}};
    /// # #[dyn_twin(DynPlugin, send = SendDynPlugin)]
    /// # trait Plugin { async fn handle(&self, x: u64) -> u64; }
    /// # impl Plugin for u64 { async fn handle(&self, x: u64) -> u64 { x * self } }
    /// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
    /// #     let mut f = core::pin::pin!(f);
    /// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// let plugins: TwinRegistry<dyn SendDynPlugin> = TwinRegistry::new();
    /// let triple = plugins.register("triple", 3u64).unwrap();
    /// let call = triple.handle_send(2);
    /// assert_eq!(TwinHandle::tracked(&triple, "handle").unwrap().in_flight, 1);
    /// assert_eq!(block_on(call), 6);
    /// drop(triple.handle_send(2)); // never polled
    /// let tracked = TwinHandle::tracked(&triple, "handle").unwrap();
    /// assert_eq!((tracked.calls, tracked.completed, tracked.cancelled), (2, 1, 1));
    /// assert!(TwinHandle::tracked(&triple, "nope").is_none());
    /// ```
    #[must_use]
    pub fn tracked(this: &Self, method: &str) -> Option<CallStats> {
        this.entry.tracked_at(this.entry.async_method(method)?)
    }

    /// Each async method's future layout against the twin's capacity
    /// (see [`EntrySizing`]). Nothing is called.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::{TwinHandle, TwinRegistry}};
    /// # #[dyn_twin(DynPlugin, send = SendDynPlugin)]
    /// # trait Plugin { async fn handle(&self, x: u64) -> u64; }
    /// # impl Plugin for u64 { async fn handle(&self, x: u64) -> u64 { x * self } }
    /// let plugins: TwinRegistry<dyn SendDynPlugin> = TwinRegistry::new();
    /// let triple = plugins.register("triple", 3u64).unwrap();
    /// let sizing = TwinHandle::sizing(&triple); // nothing is called
    /// assert_eq!(sizing[0].0, "handle");
    /// assert!(sizing[0].1.is_inline());
    /// ```
    #[must_use]
    pub fn sizing(this: &Self) -> Vec<(&'static str, EntrySizing)> {
        this.entry.sizing()
    }

    /// Method `method`'s recycled storage (see
    /// [`CountedTwin::pool_stats`](crate::twin::CountedTwin::pool_stats)):
    /// misses, idle buffers and bytes. `None` if the method is unknown or
    /// its futures have not needed the pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{dyn_twin, twin::{TwinHandle, TwinRegistry}};
    ///
    /// #[dyn_twin(DynRender)]
    /// trait Render { async fn page(&self) -> usize; }
    /// struct Big;
    /// impl Render for Big {
    ///     async fn page(&self) -> usize {
    ///         let page = [0u8; 1024]; // held across the await: a 1 KiB future
    ///         std::future::ready(()).await;
    ///         page.len()
    ///     }
    /// }
    ///
    /// let plugins: TwinRegistry<dyn DynRender> = TwinRegistry::new();
    /// let big = plugins.register("big", Big).unwrap();
    /// assert!(TwinHandle::pool_stats(&big, "page").is_none()); // no call has needed it yet
    /// drop(big.page_dyn());
    /// drop(big.page_dyn());
    /// let pool = TwinHandle::pool_stats(&big, "page").unwrap();
    /// assert_eq!((pool.misses, pool.idle), (1, 1)); // the second call reused the first's buffer
    /// ```
    #[must_use]
    pub fn pool_stats(this: &Self, method: &str) -> Option<PoolStats> {
        let index = T::METHODS.iter().position(|m| m.name() == method)?;
        Some(this.entry.pools.made(index)?.stats())
    }

    /// The shared twin object, to keep or pass on without the handle.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::{TwinHandle, TwinRegistry}};
    /// # #[dyn_twin(DynPlugin, send = SendDynPlugin)]
    /// # trait Plugin { async fn handle(&self, x: u64) -> u64; }
    /// # impl Plugin for u64 { async fn handle(&self, x: u64) -> u64 { x * self } }
    /// let plugins: TwinRegistry<dyn SendDynPlugin> = TwinRegistry::new();
    /// use std::sync::Arc;
    /// let triple = plugins.register("triple", 3u64).unwrap();
    /// let shared: Arc<dyn SendDynPlugin> = TwinHandle::shared(&triple);
    /// drop(triple);
    /// drop(shared.handle_send(2)); // still counted by the entry's wrapper
    /// let stats = plugins.stats();
    /// assert_eq!(stats.get("triple").unwrap().total().calls, 1);
    /// ```
    #[must_use]
    pub fn shared(this: &Self) -> Arc<T> {
        Arc::clone(&this.entry.twin)
    }

    /// Whether two handles refer to the same registration.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::{TwinHandle, TwinRegistry}};
    /// # #[dyn_twin(DynPlugin, send = SendDynPlugin)]
    /// # trait Plugin { async fn handle(&self, x: u64) -> u64; }
    /// # impl Plugin for u64 { async fn handle(&self, x: u64) -> u64 { x * self } }
    /// let plugins: TwinRegistry<dyn SendDynPlugin> = TwinRegistry::new();
    /// let first = plugins.register("triple", 3u64).unwrap();
    /// let again = plugins.handle("triple").unwrap();
    /// assert!(TwinHandle::same_entry(&first, &again));
    /// let other = plugins.register("double", 2u64).unwrap();
    /// assert!(!TwinHandle::same_entry(&first, &other));
    /// ```
    #[must_use]
    pub fn same_entry(this: &Self, other: &Self) -> bool {
        Arc::ptr_eq(&this.entry, &other.entry)
    }
}

impl<T: ?Sized> Deref for TwinHandle<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.entry.twin
    }
}

impl<T: ?Sized> Clone for TwinHandle<T> {
    fn clone(&self) -> Self {
        TwinHandle {
            entry: Arc::clone(&self.entry),
        }
    }
}

impl<T: ?Sized + Twin> fmt::Debug for TwinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwinHandle")
            .field("name", &Self::name(self))
            .field("type", &self.entry.type_name)
            .field("stats", &Self::stats(self))
            .finish()
    }
}
