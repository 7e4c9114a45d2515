//! [`Registry`]: services by name, behind one `dyn` type.

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::future::Future;
use core::marker::PhantomData;

use crate::capacity::{Capacity, DefaultCapacity};
use crate::future::owning::{OkInPlace, call_owned};
use crate::registry::counters::Counters;
use crate::registry::entry::{DynEntry, Entry};
use crate::registry::error::Error;
use crate::registry::handle::Handle;
use crate::registry::names::Names;
use crate::registry::sizing::SizingReport;
use crate::registry::stats::RegistryStats;
use crate::service::SendService;

/// Services of different types, each registered under a name, called by
/// name or through a pre-resolved [`Handle`], from many tasks at once.
///
/// Any [`SendService<Req>`](crate::SendService) with `Response = Resp` can
/// be registered: a [`Service`](crate::Service) that is `Send + Sync +
/// 'static` with `Send` futures. Each call's future, with a pointer to the
/// entry's counters beside it, is erased into a
/// [`SendInlineFuture`](crate::SendInlineFuture) of capacity `Cap` (120
/// bytes by default): inline when it fits, else in a buffer recycled from
/// the entry's pool (see [`with_max_idle`](Self::with_max_idle)), else on
/// the heap. [`sizing`](Self::sizing) tells you where each service's
/// futures go and the capacity that would keep them inline;
/// [`stats`](Self::stats) counts calls, placements, allocations and calls
/// in flight for every service.
///
/// # Sharing and concurrency
///
/// * `Registry` is a cheap handle: **cloning it shares the same registry**
///   (it is an `Arc` inside), so give each task a clone.
/// * The names are an immutable snapshot swapped atomically on every
///   change (hazard slots with asymmetric fences: a reader's load and
///   release are plain stores, a writer pays a process-wide memory barrier,
///   `membarrier(2)` on Linux). A call by name takes no lock, clones no
///   `Arc` and runs no locked instruction: it holds the snapshot it found
///   the entry in until its future is dropped. A [`Handle`] holds the entry itself
///   and takes no lock either, so calls never wait on each other and never
///   hold a lock while a service runs.
/// * [`register`](Self::register) and [`remove`](Self::remove) build a new
///   snapshot and swap it in, one writer at a time; calls already in flight
///   keep the entry alive and finish on the service they started with. No
///   service code (not even a destructor) runs under the writers' lock.
///
/// # Errors, never panics
///
/// An unknown name is [`Error::NotFound`], a name already taken is
/// [`Error::Duplicate`], and either leaves the registry as it was. The
/// writers' lock cannot be poisoned by service code (none runs under it),
/// and a poisoned lock is recovered rather than turned into a panic.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{Error, Registry, service_fn};
///
/// #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// async fn main() -> Result<(), Error> {
///     let registry: Registry<String, String> = Registry::new();
///     registry.register("upper", service_fn(|s: String| async move { s.to_uppercase() }))?;
///     registry.register("reverse", service_fn(|s: String| async move { s.chars().rev().collect() }))?;
///
///     // By name, from another task.
///     let shared = registry.clone();
///     let task = tokio::spawn(async move {
///         let upper = shared.call("upper", "shout".into())?; // unknown name: an error here
///         Ok::<_, Error>(upper.await)
///     });
///     assert_eq!(task.await.unwrap()?, "SHOUT");
///
///     // Through a handle: resolved once, no lookup per call.
///     let reverse = registry.handle("reverse")?;
///     assert_eq!(reverse.call("abc".into()).await, "cba");
///
///     // Bad input is an error value.
///     assert_eq!(registry.handle("lower").unwrap_err(), Error::NotFound("lower".into()));
///
///     assert_eq!(registry.names(), ["reverse", "upper"]);
///     print!("{}", registry.stats());
///     print!("{}", registry.sizing());
///     Ok(())
/// }
/// ```
pub struct Registry<Req, Resp, Cap: Capacity = DefaultCapacity> {
    entries: Names<DynEntry<Req, Resp, Cap>>,
    /// The bound on each entry's idle recycled buffers; `None`:
    /// [`RecyclePool::default_max_idle`](crate::future::RecyclePool::default_max_idle) of the entry's future layout.
    max_idle: Option<usize>,
}

impl<Req, Resp, Cap: Capacity> Registry<Req, Resp, Cap> {
    /// An empty registry.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, capacity::S32};
    ///
    /// let registry: Registry<u64, u64> = Registry::new(); // 128-byte futures inline
    /// let roomy: Registry<u64, u64, S32> = Registry::new(); // 256-byte futures inline
    /// assert!(registry.is_empty() && roomy.is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Registry {
            entries: Names::new(),
            max_idle: None,
        }
    }

    /// An empty registry whose entries each keep at most `max_idle` idle
    /// recycled buffers (instead of
    /// [`RecyclePool::default_max_idle`](crate::future::RecyclePool::default_max_idle) of their future layout). `0`
    /// turns recycling off: futures that do not fit `Cap` go to the heap,
    /// one allocation per call.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u64, [u64; 32]> = Registry::with_max_idle(2);
    /// let wide = registry.register("wide", service_fn(|x: u64| core::future::ready([x; 32]))).unwrap();
    /// let calls: Vec<_> = (0..4).map(|i| wide.call(i)).collect();
    /// drop(calls);
    /// assert_eq!(wide.stats().idle_buffers, 2); // two kept, two freed
    ///
    /// let off: Registry<u64, [u64; 32]> = Registry::with_max_idle(0);
    /// let wide = off.register("wide", service_fn(|x: u64| core::future::ready([x; 32]))).unwrap();
    /// assert!(wide.call(1).is_heap());
    /// ```
    #[must_use]
    pub fn with_max_idle(max_idle: usize) -> Self {
        Registry {
            entries: Names::new(),
            max_idle: Some(max_idle),
        }
    }

    /// Frees every entry's idle recycled buffers and returns how many it
    /// freed (see [`RecyclePool::trim`](crate::future::RecyclePool::trim)). Calls in flight keep theirs, and
    /// give them back when they end.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u64, [u64; 32]> = Registry::new();
    /// let wide = registry.register("wide", service_fn(|x: u64| core::future::ready([x; 32]))).unwrap();
    /// drop(wide.call(1));
    /// assert_eq!(registry.trim(), 1);
    /// assert_eq!(wide.stats().idle_bytes, 0);
    /// ```
    pub fn trim(&self) -> usize {
        self.entries
            .read()
            .iter()
            .map(|(_, entry)| entry.trim())
            .sum()
    }

    /// Registers `service` under `name` and returns a [`Handle`] to it.
    ///
    /// # Errors
    ///
    /// [`Error::Duplicate`] if `name` is taken; the registry is unchanged
    /// and `service` is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Counted, Error, Registry, service_fn};
    ///
    /// let registry: Registry<u64, u64> = Registry::new();
    /// let handle = registry.register("inc", service_fn(|x: u64| async move { x + 1 })).unwrap();
    /// assert_eq!(handle.name(), "inc");
    ///
    /// // Any `Service` with the right request and response types fits,
    /// // including wrapped ones.
    /// let counted = Counted::new(service_fn(|x: u64| async move { x + 1 }));
    /// let err = registry.register("inc", counted).unwrap_err();
    /// assert_eq!(err, Error::Duplicate("inc".into()));
    /// assert_eq!(registry.len(), 1);
    /// ```
    pub fn register<S>(&self, name: &str, service: S) -> Result<Handle<Req, Resp, Cap>, Error>
    where
        S: SendService<Req, Response = Resp>,
    {
        let name: Arc<str> = Arc::from(name);
        // Built before taking the writers' lock, so that it covers one map
        // insertion and nothing that allocates for the service.
        let layout = Entry::<S>::stored_layout::<Req>();
        let by_name_fits = Entry::<S>::by_name_fits::<Req, Resp, Cap>();
        let (pool, place) = Entry::<()>::placement::<Cap>(layout, by_name_fits, self.max_idle);
        let entry: Arc<DynEntry<Req, Resp, Cap>> = Arc::new(Entry {
            name: Arc::clone(&name),
            // Knows where every call's future goes: how calls end and
            // how calls in flight are counted.
            counters: Counters::new(place),
            pool,
            layout,
            service,
        });
        // On a duplicate the rejected service is dropped here, after the
        // lock is released: its destructor is user code, and it might use
        // this registry.
        self.entries.insert(name, &entry)?;
        Ok(Handle::new(entry))
    }

    /// Resolves `name` once; calls through the returned [`Handle`] do no
    /// lookup.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] if no service is registered under `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Error, Registry, service_fn};
    ///
    /// let registry: Registry<u8, u8> = Registry::new();
    /// registry.register("echo", service_fn(|x: u8| async move { x })).unwrap();
    /// assert!(registry.handle("echo").is_ok());
    /// assert_eq!(registry.handle("ohce").unwrap_err(), Error::NotFound("ohce".into()));
    /// ```
    pub fn handle(&self, name: &str) -> Result<Handle<Req, Resp, Cap>, Error> {
        self.entries.get(name).map(Handle::new)
    }

    /// Calls the service registered under `name`.
    ///
    /// The lookup and the call happen now, as through a [`Handle`]: an
    /// unknown name is an error before any `.await`, and the call is
    /// counted as started (a future dropped unpolled counts as cancelled).
    /// The returned future is the service's erased future together with
    /// the snapshot of the names it was found in, which keeps the entry
    /// alive: it does not borrow the registry, can be spawned, and is
    /// `Send`.
    ///
    /// What the name costs: a snapshot load of the name map (no lock, no
    /// `Arc` clone, no locked instruction on Linux: a store to one of this
    /// thread's hazard slots, which the future holds until it is dropped so
    /// that a concurrent [`remove`](Self::remove) cannot free the entry
    /// under it; its release is a store of null to that slot), and the
    /// name's lookup (compared with each name's up to three names, else
    /// through a hashed index). The snapshot (16 bytes) is stored inside the erased future,
    /// so the future is a handle call's size (128 bytes with the default
    /// capacity) and `.await` copies it without a `memcpy` call: beside the
    /// service's future when both fit the capacity, else beside the pointer
    /// to the entry's recycled buffer. A future within 16 bytes of the
    /// capacity is therefore inline through a [`Handle`] but recycled by
    /// name: the entry's pool keeps a buffer for it (in
    /// [`CallStats::recycle_misses`](crate::registry::CallStats::recycle_misses)
    /// and `idle_buffers`; the placement counts, which are per entry, say
    /// inline). `benches/recycled.rs` measures it against a [`Handle`] and
    /// a bare `dyn` call. `call(name, req)?.await` copies that future out of
    /// the `Result` and again into the awaiting state; in a hot path,
    /// [`dispatch`](Self::dispatch), pinned where it returns, makes the same
    /// call and awaits it where it was written.
    ///
    /// The call allocates when the entry's pool has no idle buffer (a
    /// miss), and aborts the process if the allocator has no memory then,
    /// as `Box::new` does; `registry.handle(name)?.try_call(req)` returns
    /// the request in an [`OutOfMemory`](crate::future::OutOfMemory)
    /// instead ([`Handle::try_call`]).
    ///
    /// A thread holds up to 1024 such snapshots at once in hazard slots
    /// (two threads with 1000 calls by name in flight each: 45 ns a call by
    /// name, `benches/registry.rs -- --in-flight`); past them a load takes
    /// a count of the whole map's `Arc` under a process-wide lock. A
    /// server with more calls in flight per worker thread, or calls that
    /// stay in flight for long, resolves a [`Handle`] per request instead,
    /// or keeps handles. (Without `membarrier(2)`, on other systems or
    /// where a sandbox refuses it, the load and the release each run one
    /// `fence(SeqCst)`: a locked instruction, as many as arc-swap's.)
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] if no service is registered under `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Error, Registry, service_fn};
    ///
    /// #[tokio::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let registry: Registry<u64, u64> = Registry::new();
    ///     registry.register("double", service_fn(|x: u64| async move { x * 2 })).unwrap();
    ///
    ///     assert_eq!(registry.call("double", 21).unwrap().await, 42);
    ///     assert_eq!(tokio::spawn(registry.call("double", 4).unwrap()).await.unwrap(), 8);
    ///     assert!(matches!(registry.call("triple", 1), Err(Error::NotFound(name)) if name == "triple"));
    /// }
    /// ```
    pub fn call(
        &self,
        name: &str,
        req: Req,
    ) -> Result<impl Future<Output = Resp> + use<Req, Resp, Cap>, Error> {
        let (snapshot, index) = self.entries.find(name)?.into_parts();
        call_owned(snapshot, move |map, owner, _: PhantomData<&Req>| {
            map[index].1.call_by_name(req, owner)
        })
    }

    /// [`call`](Self::call) as one future whose output carries the error:
    /// the same call, made now (an unknown name is the future's error, and
    /// calls nothing), written where this returns it. Pinned there,
    /// `pin!(registry.dispatch(name, req)).await` awaits it without ever
    /// copying it: a call by name at 40 bytes then takes about 20 ns, where
    /// `registry.call(name, req)?.await`, which copies the 128-byte future
    /// out of the `Result` and into the awaiting state, takes about 31, and
    /// a handle's call about 18 (`benches/recycled.rs`, BENCHMARKS.md).
    /// Awaited without `pin!`, it is moved once, as a handle's future is.
    ///
    /// # Errors
    ///
    /// The future answers [`Error::NotFound`] if no service is registered
    /// under `name`; no service is called.
    ///
    /// # Panics
    ///
    /// Polled again after it answered an error.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::pin::pin;
    /// use hybrid_dispatch::{Error, Registry, service_fn};
    ///
    /// #[tokio::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let registry: Registry<u64, u64> = Registry::new();
    ///     registry.register("double", service_fn(|x: u64| async move { x * 2 })).unwrap();
    ///
    ///     // In a hot path: pinned where it is returned, never copied.
    ///     assert_eq!(pin!(registry.dispatch("double", 21)).await, Ok(42));
    ///     assert_eq!(registry.dispatch("double", 5).await, Ok(10));
    ///     assert_eq!(tokio::spawn(registry.dispatch("double", 4)).await.unwrap(), Ok(8));
    ///     assert_eq!(registry.dispatch("triple", 1).await, Err(Error::NotFound("triple".into())));
    /// }
    /// ```
    pub fn dispatch(
        &self,
        name: &str,
        req: Req,
    ) -> impl Future<Output = Result<Resp, Error>> + use<Req, Resp, Cap> {
        OkInPlace::new(self.call(name, req))
    }

    /// Removes the service registered under `name` and returns a handle to
    /// it, from which its final statistics can be read.
    ///
    /// Calls in flight, and other handles to it, keep the service alive and
    /// finish on it; it is dropped when the last of them is. New calls by
    /// name get [`Error::NotFound`] (or the next service registered under
    /// the name).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] if no service is registered under `name`; the
    /// registry is unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Error, Registry, service_fn};
    ///
    /// let registry: Registry<u8, u8> = Registry::new();
    /// let echo = registry.register("echo", service_fn(|x: u8| async move { x })).unwrap();
    /// let in_flight = echo.call(7);
    ///
    /// let removed = registry.remove("echo").unwrap();
    /// assert!(registry.is_empty());
    /// assert_eq!(registry.remove("echo").unwrap_err(), Error::NotFound("echo".into()));
    ///
    /// // The call that started before the removal still finishes.
    /// # let mut in_flight = core::pin::pin!(in_flight);
    /// # let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// assert_eq!(in_flight.as_mut().poll(&mut cx), core::task::Poll::Ready(7));
    /// assert_eq!(removed.stats().completed, 1); // counted when it returned `Ready`
    /// ```
    pub fn remove(&self, name: &str) -> Result<Handle<Req, Resp, Cap>, Error> {
        // The entry handed to the caller is dropped (possibly running the
        // service's destructor) outside the lock.
        self.entries.remove(name).map(Handle::new)
    }

    /// Whether a service is registered under `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u8, u8> = Registry::new();
    /// registry.register("echo", service_fn(|x: u8| async move { x })).unwrap();
    /// assert!(registry.contains("echo"));
    /// assert!(!registry.contains("ohce"));
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
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u8, u8> = Registry::new();
    /// registry.register("b", service_fn(|x: u8| async move { x })).unwrap();
    /// registry.register("a", service_fn(|x: u8| async move { x })).unwrap();
    /// assert_eq!(registry.names(), ["a", "b"]);
    /// ```
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        self.entries.names()
    }

    /// How many services are registered.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u8, u8> = Registry::new();
    /// registry.register("echo", service_fn(|x: u8| async move { x })).unwrap();
    /// assert_eq!(registry.len(), 1);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no service is registered.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::Registry;
    ///
    /// assert!(Registry::<u8, u8>::new().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.len() == 0
    }

    /// A snapshot of every registered service's counters (see
    /// [`RegistryStats`] and [`CallStats`](crate::registry::CallStats)).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u8, u8> = Registry::new();
    /// let echo = registry.register("echo", service_fn(|x: u8| async move { x })).unwrap();
    /// drop(echo.call(1));
    /// assert_eq!(registry.stats().get("echo").unwrap().calls, 1);
    /// ```
    #[must_use]
    pub fn stats(&self) -> RegistryStats {
        // Reading atomics in a snapshot runs no service code and clones no
        // `Arc`, so no entry can be dropped here.
        let entries = self.entries.read();
        RegistryStats::new(
            entries
                .iter()
                .map(|(name, entry)| (name.to_string(), entry.stats()))
                .collect(),
        )
    }

    /// Where every registered service's futures go, and the smallest
    /// capacity that would keep them all inline (see [`SizingReport`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u64, u64> = Registry::new();
    /// registry.register("ready", service_fn(|x: u64| core::future::ready(x))).unwrap();
    /// let sizing = registry.sizing();
    /// assert!(sizing.all_inline());
    /// // A 16-byte future, and the entry's counters pointer beside it.
    /// assert_eq!(sizing.get("ready").unwrap().future_layout().size(), 24);
    /// assert_eq!(sizing.smallest_space(), Some("S4"));
    /// ```
    #[must_use]
    pub fn sizing(&self) -> SizingReport {
        let entries = self.entries.read();
        SizingReport::new::<Cap>(
            entries
                .iter()
                .map(|(name, entry)| (name.to_string(), entry.sizing()))
                .collect(),
        )
    }
}

/// Shares the registry: both values see the same services.
impl<Req, Resp, Cap: Capacity> Clone for Registry<Req, Resp, Cap> {
    fn clone(&self) -> Self {
        Registry {
            entries: self.entries.clone(),
            max_idle: self.max_idle,
        }
    }
}

impl<Req, Resp, Cap: Capacity> Default for Registry<Req, Resp, Cap> {
    fn default() -> Self {
        Registry::new()
    }
}

impl<Req, Resp, Cap: Capacity> fmt::Debug for Registry<Req, Resp, Cap> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("capacity", &core::mem::size_of::<Cap>())
            .field("services", &self.names())
            .finish()
    }
}
