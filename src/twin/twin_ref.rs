//! [`TwinRef`]: one implementor of a `#[dyn_twin]` trait in a
//! [`TwinRegistry`](crate::twin::TwinRegistry), found by name for a call or
//! a few, with no lock and no `Arc` clone.

use core::fmt;
use core::ops::Deref;

use crate::registry::names::Found;
use crate::twin::Twin;
use crate::twin::handle::{TwinEntry, TwinHandle};

/// One registered implementor of a [`#[dyn_twin]`](crate::dyn_twin) trait,
/// found by name for one call or a few
/// ([`TwinRegistry::get`](crate::twin::TwinRegistry::get)): it dereferences
/// to the twin object (`dyn SendDynPlugin`), like a [`TwinHandle`], so
/// `plugins.get("echo")?.echo_send(x).await` and, through the bridge impl,
/// `plugins.get("echo")?.echo(x).await` call the plugin directly.
///
/// # What it costs, and why it is not a handle
///
/// Finding it is a load of the registry's current snapshot of its names
/// and a lookup of the name in it: no lock, and no `Arc` cloned. A
/// [`TwinHandle`] is an `Arc` of the entry, and cloning it for every call
/// (what [`TwinRegistry::handle`](crate::twin::TwinRegistry::handle) does)
/// adds an atomic increment and a decrement of a count that every core
/// calling that plugin writes: its cache line moves between cores on every
/// request. A `TwinRef` holds the snapshot instead, recorded in one of the
/// calling thread's own hazard slots: a plain store to a line no other
/// thread writes, and a plain store of null when it is dropped (no locked
/// instruction on Linux, where the registry's writers pay the memory
/// barrier).
///
/// The entry stays alive while the `TwinRef` is held, even if it is
/// [removed](crate::twin::TwinRegistry::remove) or the registry changes
/// meanwhile: the call goes to the plugin that was found.
///
/// # For one call or a few
///
/// A thread has up to 1024 hazard slots (16 at first, more as it holds
/// more at once). A thread that holds more `TwinRef`s at once still gets
/// correct ones, but each further load takes a count of the snapshot's
/// `Arc` instead, under a process-wide lock; and when the registry
/// changes, the release of the last `TwinRef` holding the replaced
/// snapshot takes that lock too, to free it. So hold a `TwinRef` for the
/// call it was found for (the temporary in
/// `plugins.get(name)?.m(x).await` lives exactly that long), and keep a
/// [`TwinHandle`] ([`to_handle`](Self::to_handle)) for anything that
/// outlives it: a plugin held by another, a loop of calls, a spawned task.
///
/// Like a handle's, its own functions are associated functions
/// (`TwinRef::name(&found)`), so they never shadow your trait's methods
/// reached through `Deref`: `found.name()` calls your plugin's `fn
/// name(&self)`.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{Error, dyn_twin, twin::{TwinRef, TwinRegistry}};
///
/// #[dyn_twin(DynPlugin, send = SendDynPlugin)]
/// trait Plugin {
///     fn name(&self) -> &str;
///     async fn echo(&self, x: u64) -> u64;
/// }
/// struct Echo;
/// impl Plugin for Echo {
///     fn name(&self) -> &str { "the echo plugin" }
///     async fn echo(&self, x: u64) -> u64 { x }
/// }
///
/// #[tokio::main(flavor = "current_thread")]
/// async fn main() -> Result<(), Error> {
///     let plugins: TwinRegistry<dyn SendDynPlugin> = TwinRegistry::new();
///     plugins.register("echo", Echo)?;
///     // One call by name: the `Send` erasure, or the trait through the bridge.
///     assert_eq!(plugins.get("echo")?.echo_send(1).await, 1);
///     assert_eq!(plugins.get("echo")?.echo(2).await, 2);
///
///     let found: TwinRef<dyn SendDynPlugin> = plugins.get("echo")?;
///     assert_eq!(found.name(), "the echo plugin"); // the plugin's method
///     assert_eq!(TwinRef::name(&found), "echo"); // the registered name
///     plugins.remove("echo")?;
///     assert_eq!(found.echo(3).await, 3); // what was found stays alive
///     assert_eq!(plugins.get("echo").unwrap_err(), Error::NotFound("echo".into()));
///     Ok(())
/// }
/// ```
pub struct TwinRef<T: ?Sized> {
    found: Found<TwinEntry<T>>,
}

impl<T: ?Sized + Twin> TwinRef<T> {
    pub(crate) fn new(found: Found<TwinEntry<T>>) -> Self {
        TwinRef { found }
    }

    /// The name the implementor was registered under.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::{TwinRef, TwinRegistry}};
    /// # #[dyn_twin(DynPlugin, send = SendDynPlugin)]
    /// # trait Plugin { async fn handle(&self, x: u64) -> u64; }
    /// # impl Plugin for u64 { async fn handle(&self, x: u64) -> u64 { x * self } }
    /// let plugins: TwinRegistry<dyn SendDynPlugin> = TwinRegistry::new();
    /// plugins.register("triple", 3u64).unwrap();
    /// assert_eq!(TwinRef::name(&plugins.get("triple").unwrap()), "triple");
    /// ```
    #[must_use]
    pub fn name(this: &Self) -> &str {
        &this.found.entry().name
    }

    /// A [`TwinHandle`] to the same entry, to keep beyond this call: it
    /// clones the entry's `Arc` (once, here), and holds no snapshot.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::{TwinHandle, TwinRef, TwinRegistry}};
    /// # #[dyn_twin(DynPlugin, send = SendDynPlugin)]
    /// # trait Plugin { async fn handle(&self, x: u64) -> u64; }
    /// # impl Plugin for u64 { async fn handle(&self, x: u64) -> u64 { x * self } }
    /// let plugins: TwinRegistry<dyn SendDynPlugin> = TwinRegistry::new();
    /// let registered = plugins.register("triple", 3u64).unwrap();
    /// let kept: TwinHandle<dyn SendDynPlugin> = TwinRef::to_handle(&plugins.get("triple").unwrap());
    /// assert!(TwinHandle::same_entry(&kept, &registered));
    /// ```
    #[must_use]
    pub fn to_handle(this: &Self) -> TwinHandle<T> {
        TwinHandle::new(this.found.entry_arc().clone())
    }
}

impl<T: ?Sized> Deref for TwinRef<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.found.entry().twin
    }
}

impl<T: ?Sized + Twin> fmt::Debug for TwinRef<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entry = self.found.entry();
        f.debug_struct("TwinRef")
            .field("name", &Self::name(self))
            .field("type", &entry.type_name)
            .field("stats", &entry.stats())
            .finish()
    }
}
