//! [`TwinRegistry`]: implementors of a `#[dyn_twin]` trait by name, behind
//! its twin object, and [`TwinRegistryStats`].

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use crate::registry::error::Error;
use crate::registry::names::Names;
use crate::registry::sizing::SizingReport;
use crate::registry::stats::CallStats;
use crate::twin::counted::{CountedTwin, Pools, TwinPlacementStats, new_counters};
use crate::twin::handle::{TwinEntry, TwinHandle};
use crate::twin::twin_ref::TwinRef;
use crate::twin::{Twin, TwinOf};

/// Implementors of your own [`#[dyn_twin]`](crate::dyn_twin) trait, each
/// registered under a name, behind one twin object type `T` (typically
/// `dyn SendDynPlugin`, for calls from many tasks).
///
/// Everything [`Registry`](crate::Registry) does for services, for a
/// multi-method trait: typed [`Error::Duplicate`] / [`Error::NotFound`] that
/// leave the registry unchanged, pre-resolved [`TwinHandle`]s that
/// dereference to the twin object (no lookup, no lock per call), calls by
/// name through a [`TwinRef`] ([`get`](Self::get): no lock, no `Arc`
/// cloned), removal
/// while calls are in flight, sorted names, per-entry statistics **per
/// method** (every entry is wrapped in a [`CountedTwin`]), and a
/// [`SizingReport`] with one row per async method (`"name.method"`), which
/// says which method spills and the smallest capacity that would stop it.
/// Both registries share one core (the name map: a snapshot read without a
/// lock, and its rules); a service registry is the special case "one
/// method, `call`".
///
/// Entries are shared (handles, [`TwinRef`]s and calls in flight hold the
/// same implementor), so a handle gives `&T`: the trait's `&self` methods
/// are what a registry calls. A trait whose methods take `&mut self` or
/// `self: Box<Self>` (a connection's, sqlx's and redis' traits) registers,
/// but those methods cannot be called through it; hold such implementors
/// as `Box<dyn SendDynPlugin>` instead, one per owner.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{Error, TwinRegistry, dyn_twin, twin::TwinHandle};
///
/// #[dyn_twin(DynPlugin, send = SendDynPlugin)]
/// pub trait Plugin {
///     fn name(&self) -> &str;
///     async fn handle(&self, req: String) -> String;
/// }
///
/// struct Upper;
/// impl Plugin for Upper {
///     fn name(&self) -> &str { "upper" }
///     async fn handle(&self, req: String) -> String { req.to_uppercase() }
/// }
///
/// struct Render;
/// impl Plugin for Render {
///     fn name(&self) -> &str { "render" }
///     async fn handle(&self, req: String) -> String {
///         let page = [b' '; 1024]; // held across the await: a 1 KiB future
///         tokio::task::yield_now().await;
///         format!("{req}: {} blanks", page.len())
///     }
/// }
///
/// #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// async fn main() -> Result<(), Error> {
///     let plugins: TwinRegistry<dyn SendDynPlugin> = TwinRegistry::new();
///     plugins.register("upper", Upper)?;
///     plugins.register("render", Render)?;
///     assert_eq!(plugins.register("upper", Upper).unwrap_err(), Error::Duplicate("upper".into()));
///
///     let upper = plugins.handle("upper")?; // resolved once
///     let task = tokio::spawn(async move { upper.handle("shout".into()).await });
///     assert_eq!(task.await.unwrap(), "SHOUT");
///     assert_eq!(plugins.get("render")?.handle("doc".into()).await, "doc: 1024 blanks"); // one call by name
///
///     let stats = plugins.stats();
///     assert_eq!(stats.get("upper").unwrap().get("handle").unwrap().inline, 1);
///     // A 1 KiB future does not fit inline: it went to a buffer recycled
///     // from the entry's pool for `handle`, made for its exact layout.
///     assert_eq!(stats.get("render").unwrap().get("handle").unwrap().recycled, 1);
///     let sizing = plugins.sizing();
///     assert_eq!(sizing.spilled().collect::<Vec<_>>(), ["render.handle"]);
///     print!("{stats}{sizing}");
///     Ok(())
/// }
/// ```
pub struct TwinRegistry<T: ?Sized + Twin> {
    entries: Names<TwinEntry<T>>,
    /// The bound on each entry's idle recycled buffers, per method;
    /// `None`: [`RecyclePool::default_max_idle`](crate::future::RecyclePool::default_max_idle) of the method's layout.
    max_idle: Option<usize>,
}

impl<T: ?Sized + Twin> TwinRegistry<T> {
    /// An empty registry.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{dyn_twin, twin::TwinRegistry};
    ///
    /// #[dyn_twin(DynPing, send = SendDynPing)]
    /// trait Ping { async fn ping(&self) -> u8; }
    ///
    /// let plugins: TwinRegistry<dyn SendDynPing> = TwinRegistry::new();
    /// assert!(plugins.is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        TwinRegistry {
            entries: Names::new(),
            max_idle: None,
        }
    }

    /// An empty registry whose entries keep at most `max_idle` idle
    /// recycled buffers per method (the default is
    /// [`RecyclePool::default_max_idle`](crate::future::RecyclePool::default_max_idle) of each method's future layout).
    /// `0` turns recycling off: a future that does not fit inline goes to
    /// a box of its own, one allocation per call.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{dyn_twin, twin::TwinRegistry};
    ///
    /// #[dyn_twin(DynBig)]
    /// trait Big { async fn page(&self) -> usize; }
    /// struct Page;
    /// impl Big for Page {
    ///     async fn page(&self) -> usize {
    ///         let page = [0u8; 1024]; // held across the await: a 1 KiB future
    ///         std::future::ready(()).await;
    ///         page.len()
    ///     }
    /// }
    ///
    /// let recycling: TwinRegistry<dyn DynBig> = TwinRegistry::new();
    /// assert!(recycling.register("page", Page).unwrap().page_dyn().is_recycled());
    /// let boxing: TwinRegistry<dyn DynBig> = TwinRegistry::with_max_idle(0);
    /// assert!(boxing.register("page", Page).unwrap().page_dyn().is_heap());
    /// ```
    #[must_use]
    pub fn with_max_idle(max_idle: usize) -> Self {
        TwinRegistry {
            entries: Names::new(),
            max_idle: Some(max_idle),
        }
    }

    /// Frees every entry's idle recycled buffers; returns how many. Calls
    /// in flight keep theirs and give them back when they end.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{TwinRegistry, dyn_twin, twin::TwinHandle};
    ///
    /// #[dyn_twin(DynRender, send = SendDynRender)]
    /// trait Render { async fn page(&self, x: u8) -> usize; }
    /// struct Big;
    /// impl Render for Big {
    ///     async fn page(&self, x: u8) -> usize {
    ///         let page = [x; 1024]; // held across the await: a 1 KiB future
    ///         tokio::task::yield_now().await;
    ///         page.len()
    ///     }
    /// }
    ///
    /// #[tokio::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let plugins: TwinRegistry<dyn SendDynRender> = TwinRegistry::new();
    ///     let big = plugins.register("big", Big).unwrap();
    ///     for _ in 0..100 {
    ///         assert_eq!(big.page(7).await, 1024); // through the bridge
    ///     }
    ///     let pool = TwinHandle::pool_stats(&big, "page").unwrap();
    ///     assert_eq!((pool.misses, pool.idle), (1, 1)); // one buffer, 100 calls
    ///     assert!(TwinHandle::sizing(&big)[0].1.is_recycled());
    ///     assert_eq!(plugins.trim(), 1);
    ///
    ///     let boxed: TwinRegistry<dyn SendDynRender> = TwinRegistry::with_max_idle(0);
    ///     let big = boxed.register("big", Big).unwrap();
    ///     assert!(big.page_send(7).is_heap());
    /// }
    /// ```
    pub fn trim(&self) -> usize {
        self.entries
            .snapshot()
            .iter()
            .map(|(_, entry)| entry.pools.trim())
            .sum()
    }

    /// Registers `plugin` under `name`, wrapped in a [`CountedTwin`], and
    /// returns a handle to it.
    ///
    /// # Errors
    ///
    /// [`Error::Duplicate`] if `name` is taken; the registry is unchanged
    /// and `plugin` is dropped (after the lock is released).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Error, dyn_twin, twin::TwinRegistry};
    ///
    /// #[dyn_twin(DynPing)]
    /// trait Ping { fn ping(&self) -> u8; }
    /// impl Ping for u8 { fn ping(&self) -> u8 { *self } }
    ///
    /// let registry: TwinRegistry<dyn DynPing> = TwinRegistry::new();
    /// let one = registry.register("one", 1u8)?;
    /// assert_eq!(one.ping_dyn(), 1); // the handle dereferences to the twin object
    /// assert_eq!(registry.register("one", 2u8).unwrap_err(), Error::Duplicate("one".into()));
    /// assert_eq!(registry.handle("one")?.ping_dyn(), 1); // unchanged
    /// # Ok::<(), Error>(())
    /// ```
    pub fn register<P>(&self, name: &str, plugin: P) -> Result<TwinHandle<T>, Error>
    where
        T: TwinOf<CountedTwin<P>>,
    {
        let name: Arc<str> = Arc::from(name);
        let counters = new_counters(T::METHODS.len());
        let pools = Pools::new(T::METHODS.len(), self.max_idle);
        let counted = CountedTwin::with_counters(plugin, T::METHODS, Arc::clone(&counters))
            .with_pools(Arc::clone(&pools));
        let entry = Arc::new(TwinEntry {
            name: Arc::clone(&name),
            type_name: core::any::type_name::<P>(),
            counters,
            pools,
            twin: T::share(Arc::new(counted)),
        });
        self.entries.insert(name, &entry)?;
        Ok(TwinHandle::new(entry))
    }

    /// Resolves `name` once, into a handle to keep: it clones the entry's
    /// `Arc` (an atomic increment now, a decrement when dropped, on a count
    /// every core calling the plugin writes). To call once by name,
    /// [`get`](Self::get).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] if nothing is registered under `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Error, dyn_twin, twin::TwinRegistry};
    ///
    /// #[dyn_twin(DynPing)]
    /// trait Ping { fn ping(&self) -> u8; }
    /// impl Ping for u8 { fn ping(&self) -> u8 { *self } }
    ///
    /// let registry: TwinRegistry<dyn DynPing> = TwinRegistry::new();
    /// registry.register("one", 1u8)?;
    /// let one = registry.handle("one")?; // no lookup per call from here on
    /// assert_eq!(one.ping_dyn() + one.ping_dyn(), 2);
    /// assert_eq!(registry.handle("two").unwrap_err(), Error::NotFound("two".into()));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn handle(&self, name: &str) -> Result<TwinHandle<T>, Error> {
        self.entries.get(name).map(TwinHandle::new)
    }

    /// Finds `name` for one call (or a few): a load of the registry's
    /// current snapshot and a lookup of the name in it, with no lock and
    /// no `Arc` cloned, so calls by name from many cores write nothing they
    /// share. The [`TwinRef`] dereferences to the twin object and keeps the
    /// entry alive while it is held, even if the entry is removed
    /// meanwhile. Calls through it are counted and tracked like any other.
    ///
    /// Hold it for the call it was found for (see [`TwinRef`]: a thread
    /// holding more than a few at once makes further loads clone the
    /// snapshot's `Arc`); to keep the entry, [`handle`](Self::handle) (or
    /// [`TwinRef::to_handle`]).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] if nothing is registered under `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Error, dyn_twin, twin::TwinRegistry};
    ///
    /// #[dyn_twin(DynEcho, send = SendDynEcho)]
    /// trait Echo { async fn echo(&self, x: u64) -> u64; }
    /// struct Same;
    /// impl Echo for Same { async fn echo(&self, x: u64) -> u64 { x } }
    ///
    /// #[tokio::main(flavor = "current_thread")]
    /// async fn main() -> Result<(), Error> {
    ///     let plugins: TwinRegistry<dyn SendDynEcho> = TwinRegistry::new();
    ///     plugins.register("echo", Same)?;
    ///     assert_eq!(plugins.get("echo")?.echo_send(7).await, 7); // the `Send` erasure
    ///     assert_eq!(plugins.get("echo")?.echo(8).await, 8); // the trait, through the bridge
    ///     assert_eq!(plugins.get("ohce").unwrap_err(), Error::NotFound("ohce".into()));
    ///     let stats = plugins.stats();
    ///     assert_eq!(stats.get("echo").unwrap().get("echo").unwrap().calls, 2);
    ///     Ok(())
    /// }
    /// ```
    #[inline]
    pub fn get(&self, name: &str) -> Result<TwinRef<T>, Error> {
        self.entries.find(name).map(TwinRef::new)
    }

    /// Removes the entry under `name` and returns a handle to it (calls in
    /// flight and other handles keep it alive).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] if nothing is registered under `name`; the
    /// registry is unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Error, TwinRegistry, dyn_twin, twin::TwinHandle};
    ///
    /// #[dyn_twin(DynPing)]
    /// trait Ping { fn ping(&self) -> u8; }
    /// struct One;
    /// impl Ping for One { fn ping(&self) -> u8 { 1 } }
    ///
    /// let registry: TwinRegistry<dyn DynPing> = TwinRegistry::new();
    /// let first = registry.register("one", One).unwrap();
    /// let removed = registry.remove("one").unwrap();
    /// assert!(TwinHandle::same_entry(&first, &removed));
    /// assert_eq!(removed.ping_dyn(), 1); // still callable
    /// assert!(registry.is_empty());
    /// assert_eq!(registry.remove("one").unwrap_err(), Error::NotFound("one".into()));
    /// ```
    pub fn remove(&self, name: &str) -> Result<TwinHandle<T>, Error> {
        self.entries.remove(name).map(TwinHandle::new)
    }

    /// Whether something is registered under `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::TwinRegistry};
    /// # #[dyn_twin(DynPing)]
    /// # trait Ping { async fn ping(&self) -> u8; }
    /// # impl Ping for u8 { async fn ping(&self) -> u8 { *self } }
    /// let registry: TwinRegistry<dyn DynPing> = TwinRegistry::new();
    /// registry.register("one", 1u8).unwrap();
    /// assert!(registry.contains("one"));
    /// assert!(!registry.contains("two"));
    /// ```
    #[must_use]
    pub fn contains(&self, name: &str) -> bool {
        self.entries.contains(name)
    }

    /// The registered names, sorted.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{dyn_twin, twin::{TwinHandle, TwinRegistry}};
    ///
    /// #[dyn_twin(DynPing)]
    /// trait Ping { fn ping(&self) -> u8; }
    /// impl Ping for u8 { fn ping(&self) -> u8 { *self } }
    ///
    /// let registry: TwinRegistry<dyn DynPing> = TwinRegistry::new();
    /// registry.register("b", 2u8).unwrap();
    /// registry.register("a", 1u8).unwrap();
    /// assert_eq!(registry.names(), ["a", "b"]);
    /// assert!(registry.contains("a") && registry.len() == 2);
    /// ```
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        self.entries.names()
    }

    /// How many entries are registered.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::TwinRegistry};
    /// # #[dyn_twin(DynPing)]
    /// # trait Ping { async fn ping(&self) -> u8; }
    /// # impl Ping for u8 { async fn ping(&self) -> u8 { *self } }
    /// let registry: TwinRegistry<dyn DynPing> = TwinRegistry::new();
    /// registry.register("one", 1u8).unwrap();
    /// registry.register("two", 2u8).unwrap();
    /// assert_eq!(registry.len(), 2);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is registered.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::TwinRegistry};
    /// # #[dyn_twin(DynPing)]
    /// # trait Ping { async fn ping(&self) -> u8; }
    /// # impl Ping for u8 { async fn ping(&self) -> u8 { *self } }
    /// let registry: TwinRegistry<dyn DynPing> = TwinRegistry::new();
    /// assert!(registry.is_empty());
    /// registry.register("one", 1u8).unwrap();
    /// assert!(!registry.is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.len() == 0
    }

    /// Every entry's counters, per method, and how its calls ended
    /// ([tracked](crate::twin::Tracked) calls).
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::TwinRegistry};
    /// # #[dyn_twin(DynPing)]
    /// # trait Ping { async fn ping(&self) -> u8; }
    /// # impl Ping for u8 { async fn ping(&self) -> u8 { *self } }
    /// let registry: TwinRegistry<dyn DynPing> = TwinRegistry::new();
    /// let one = registry.register("one", 1u8).unwrap();
    /// drop(one.ping_dyn()); // erased inline, never polled
    /// let stats = registry.stats();
    /// let ping = stats.get("one").unwrap().get("ping").unwrap();
    /// assert_eq!((ping.calls, ping.inline), (1, 1));
    /// ```
    #[must_use]
    pub fn stats(&self) -> TwinRegistryStats {
        // Outside the lock: `tracked` asks each twin for its layouts.
        let entries = self.entries.snapshot();
        TwinRegistryStats {
            entries: entries
                .iter()
                .map(|(name, entry)| EntryTwinStats {
                    name: name.to_string(),
                    counted: entry.stats(),
                    tracked: entry.tracked(),
                })
                .collect(),
        }
    }

    /// Where every entry's futures go, one row per async method
    /// (`"name.method"`), and the smallest capacity that would keep them all
    /// inline (see [`SizingReport`]). Nothing is called.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::TwinRegistry};
    /// # #[dyn_twin(DynPing)]
    /// # trait Ping { async fn ping(&self) -> u8; }
    /// # impl Ping for u8 { async fn ping(&self) -> u8 { *self } }
    /// let registry: TwinRegistry<dyn DynPing> = TwinRegistry::new();
    /// registry.register("one", 1u8).unwrap();
    /// let sizing = registry.sizing(); // nothing is called
    /// assert_eq!(sizing.spilled().count(), 0); // `one.ping` fits the default capacity
    /// print!("{sizing}");
    /// ```
    #[must_use]
    pub fn sizing(&self) -> SizingReport {
        // Outside the lock: each twin reports its layouts.
        let entries = self.entries.snapshot();
        let mut rows = Vec::new();
        for (name, entry) in entries.iter() {
            for (method, sizing) in entry.sizing() {
                rows.push((alloc::format!("{name}.{method}"), sizing));
            }
        }
        // Sorted by entry, then in method declaration order; the report
        // looks rows up by name, so sort by the row name.
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        SizingReport::new::<T::Cap>(rows)
    }
}

/// Shares the registry.
impl<T: ?Sized + Twin> Clone for TwinRegistry<T> {
    fn clone(&self) -> Self {
        TwinRegistry {
            entries: self.entries.clone(),
            max_idle: self.max_idle,
        }
    }
}

impl<T: ?Sized + Twin> Default for TwinRegistry<T> {
    fn default() -> Self {
        TwinRegistry::new()
    }
}

impl<T: ?Sized + Twin> fmt::Debug for TwinRegistry<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwinRegistry")
            .field("capacity", &core::mem::size_of::<T::Cap>())
            .field("entries", &self.names())
            .finish()
    }
}

/// A snapshot of every entry's per-method counters, from
/// [`TwinRegistry::stats`]: what the entry's
/// [`CountedTwin`] counted ([`get`](Self::get)) and how the calls ended
/// ([`tracked`](Self::tracked)). `Display`
/// prints one line per entry and method.
///
/// # Examples
///
/// ```
/// # use hybrid_dispatch::{dyn_twin, twin::TwinRegistry};
/// # #[dyn_twin(DynPing)]
/// # trait Ping { async fn ping(&self) -> u8; }
/// # impl Ping for u8 { async fn ping(&self) -> u8 { *self } }
/// let registry: TwinRegistry<dyn DynPing> = TwinRegistry::new();
/// let one = registry.register("one", 1u8).unwrap();
/// drop(one.ping_dyn());
/// let stats = registry.stats();
/// assert_eq!(stats.get("one").unwrap().total().calls, 1);
/// print!("{stats}"); // one line per entry and method
/// assert!(stats.to_string().starts_with("one.ping: 1 calls"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TwinRegistryStats {
    /// In name order.
    entries: Vec<EntryTwinStats>,
}

/// One entry's part of a [`TwinRegistryStats`].
#[derive(Clone, Debug, PartialEq, Eq)]
struct EntryTwinStats {
    name: String,
    counted: TwinPlacementStats,
    /// One row per async method, in declaration order.
    tracked: Vec<(&'static str, CallStats)>,
}

impl TwinRegistryStats {
    /// Each entry's name and counters, in name order.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::TwinRegistry};
    /// # #[dyn_twin(DynPing)]
    /// # trait Ping { async fn ping(&self) -> u8; }
    /// # impl Ping for u8 { async fn ping(&self) -> u8 { *self } }
    /// let registry: TwinRegistry<dyn DynPing> = TwinRegistry::new();
    /// registry.register("b", 2u8).unwrap();
    /// registry.register("a", 1u8).unwrap();
    /// let stats = registry.stats();
    /// let names: Vec<&str> = stats.iter().map(|(name, _)| name).collect();
    /// assert_eq!(names, ["a", "b"]);
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &TwinPlacementStats)> {
        self.entries
            .iter()
            .map(|entry| (entry.name.as_str(), &entry.counted))
    }

    /// The counters of the entry named `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::TwinRegistry};
    /// # #[dyn_twin(DynPing)]
    /// # trait Ping { async fn ping(&self) -> u8; }
    /// # impl Ping for u8 { async fn ping(&self) -> u8 { *self } }
    /// let registry: TwinRegistry<dyn DynPing> = TwinRegistry::new();
    /// let one = registry.register("one", 1u8).unwrap();
    /// drop(one.ping_dyn());
    /// let stats = registry.stats();
    /// assert_eq!(stats.get("one").unwrap().get("ping").unwrap().calls, 1);
    /// assert!(stats.get("two").is_none());
    /// ```
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&TwinPlacementStats> {
        self.entry(name).map(|entry| &entry.counted)
    }

    /// How the [tracked](crate::twin::Tracked) calls of async method `method`
    /// of the entry named `name` ended (see
    /// [`TwinHandle::tracked`]); `None` if there is no such entry or async
    /// method.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{dyn_twin, twin::{TwinHandle, TwinRegistry}};
    ///
    /// #[dyn_twin(DynPing)]
    /// trait Ping { async fn ping(&self) -> u8; fn name(&self) -> &str; }
    /// struct One;
    /// impl Ping for One {
    ///     async fn ping(&self) -> u8 { 1 }
    ///     fn name(&self) -> &str { "one" }
    /// }
    ///
    /// let registry: TwinRegistry<dyn DynPing> = TwinRegistry::new();
    /// let one = registry.register("one", One).unwrap();
    /// drop(one.ping_dyn()); // dropped before `Ready`
    /// let stats = registry.stats();
    /// assert_eq!(stats.tracked("one", "ping").unwrap().cancelled, 1);
    /// assert!(stats.tracked("one", "name").is_none()); // sync
    /// print!("{stats}");
    /// // one.ping: 1 calls, 1 erased: 1 inline, 0 heap, 0 in a slot's heap buffer; 0 allocations (0 bytes); tracked: 0 completed, 1 cancelled, 0 panicked, 0 in flight
    /// // one.name: 0 calls, …
    /// ```
    #[must_use]
    pub fn tracked(&self, name: &str, method: &str) -> Option<&CallStats> {
        let entry = self.entry(name)?;
        entry
            .tracked
            .iter()
            .find(|(m, _)| *m == method)
            .map(|(_, stats)| stats)
    }

    fn entry(&self, name: &str) -> Option<&EntryTwinStats> {
        self.entries
            .binary_search_by(|entry| entry.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.entries[i])
    }
}

impl fmt::Display for TwinRegistryStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for entry in &self.entries {
            for (method, s) in entry.counted.iter() {
                write!(f, "{}.{method}: {s}", entry.name)?;
                let tracked = entry.tracked.iter().find(|(m, _)| *m == method);
                if let Some((_, t)) = tracked.filter(|(_, t)| t.calls > 0) {
                    write!(
                        f,
                        "; tracked: {} completed, {} cancelled, {} panicked, {} in flight",
                        t.completed, t.cancelled, t.panicked, t.in_flight
                    )?;
                }
                writeln!(f)?;
            }
        }
        Ok(())
    }
}
