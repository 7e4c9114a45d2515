//! Your own async trait behind `dyn`: the [`dyn_twin`] attribute, the
//! traits its generated code implements ([`Twin`], [`TwinOf`]), counting
//! ([`CountedTwin`]) and the registry of twins ([`TwinRegistry`]).
//!
//! [`Service`](crate::Service) gives one request type one `dyn` erasure. Most
//! code has its own multi-method trait instead — a `Plugin` with `handle`,
//! `health` and `name` — written with `async fn`, which Rust cannot call
//! through `dyn`. `#[dyn_twin(DynPlugin)]` on that trait keeps it as it is
//! (static calls stay zero-cost) and generates `DynPlugin`, its `dyn` twin,
//! with the same inline erasure as [`DynService`](crate::DynService). See
//! [`dyn_twin`] for what is generated and why.

#[cfg(feature = "alloc")]
use alloc::sync::Arc;

use crate::capacity::Capacity;
use crate::layout::FutureLayout;

#[cfg(all(doc, feature = "std", feature = "macros"))]
pub mod example;

// The map of this folder, top to bottom: `docs.md` (the attribute's
// manual), `counted.rs` (per-method counters: `CountedTwin`, `TwinPlacementStats`),
// `registry.rs` (implementors by name: `TwinRegistry`), `handle.rs` (a
// resolved entry: `TwinHandle`), `twin_ref.rs` (an entry found by name for
// a call: `TwinRef`), `tracked.rs` (a counted call's future, which counts
// how the call ended: `Tracked`).
#[cfg(feature = "alloc")]
pub(crate) mod counted;
#[cfg(feature = "std")]
pub(crate) mod handle;
#[cfg(feature = "std")]
pub(crate) mod registry;
#[cfg(feature = "alloc")]
pub(crate) mod tracked;
#[cfg(feature = "std")]
pub(crate) mod twin_ref;

#[cfg(feature = "alloc")]
pub use counted::{CountedTwin, TwinPlacementStats};
/// `TwinPlacementStats`' old name.
#[cfg(feature = "alloc")]
#[deprecated(
    since = "0.1.0",
    note = "renamed `TwinPlacementStats`: per method, where futures went (a `PlacementStats` each)"
)]
pub type TwinStats = TwinPlacementStats;
#[cfg(feature = "std")]
pub use handle::TwinHandle;
#[cfg(feature = "std")]
pub use registry::{TwinRegistry, TwinRegistryStats};
#[cfg(feature = "alloc")]
pub use tracked::Tracked;
#[cfg(feature = "std")]
pub use twin_ref::TwinRef;

#[doc = include_str!("docs.md")]
#[cfg(feature = "macros")]
#[doc(inline)]
pub use hybrid_dispatch_macros::dyn_twin;

/// A number for the trait a method belongs to (32-bit FNV-1a of its
/// [`TwinMethod::owner`] string), evaluated at compile time by generated
/// code: a counting wrapper finds a trait's methods by comparing it, one
/// integer per call. Two traits whose names hash alike would only share
/// counters (their calls would count together), never storage.
pub(crate) const fn owner_id(owner: &str) -> u32 {
    let bytes = owner.as_bytes();
    let mut hash: u32 = 0x811c_9dc5;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u32;
        hash = hash.wrapping_mul(0x0100_0193);
        i += 1;
    }
    hash
}

/// One method of a `#[dyn_twin]` trait, as [`Twin::METHODS`] lists it.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::twin::TwinMethod;
///
/// let handle = TwinMethod::new("handle", true);
/// assert_eq!((handle.name(), handle.is_async()), ("handle", true));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TwinMethod {
    name: &'static str,
    is_async: bool,
    present: bool,
    recycles: bool,
    owner: &'static str,
    /// `owner_id(owner)`: what a counting wrapper compares on every call
    /// (one 32-bit integer, not a string).
    owner_id: u32,
}

impl TwinMethod {
    /// A method named `name`, async or not.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::twin::TwinMethod;
    ///
    /// let handle = TwinMethod::new("handle", true);
    /// assert!(handle.is_present() && !handle.recycles());
    /// ```
    #[must_use]
    pub const fn new(name: &'static str, is_async: bool) -> Self {
        TwinMethod {
            name,
            is_async,
            present: true,
            recycles: false,
            owner: "",
            owner_id: owner_id(""),
        }
    }

    /// This method, declared by the trait `owner` names (the attribute
    /// writes the trait's module path and name). A twin whose trait has
    /// async supertraits lists their methods after its own (see
    /// `supertwin` in [`dyn_twin`]); a counting wrapper
    /// finds each trait's methods among them by their owner.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::twin::TwinMethod;
    ///
    /// let name = TwinMethod::new("name", true).owned_by("plugins::Named");
    /// assert_eq!(name.owner(), "plugins::Named");
    /// assert_eq!(TwinMethod::new("name", true).owner(), "");
    /// ```
    #[must_use]
    pub const fn owned_by(self, owner: &'static str) -> Self {
        TwinMethod {
            owner,
            owner_id: owner_id(owner),
            ..self
        }
    }

    /// [`owner_id`] of its [`owner`](Self::owner).
    #[cfg(feature = "alloc")]
    pub(crate) const fn owner_id(&self) -> u32 {
        self.owner_id
    }

    /// The trait that declares the method (see
    /// [`owned_by`](Self::owned_by)); empty when not said.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::twin::TwinMethod;
    ///
    /// assert_eq!(TwinMethod::new("run", true).owned_by("app::Job").owner(), "app::Job");
    /// ```
    #[must_use]
    pub const fn owner(&self) -> &'static str {
        self.owner
    }

    /// This method, whose twin erasure puts a future that does not fit
    /// inline into a counting wrapper's recycled storage (a
    /// [`CountedTwin`]'s, so every [`TwinRegistry`] entry's) rather than
    /// a box. The attribute says so of `&self` methods (futures bounded
    /// `+ 'static` included: their buffers keep the pool alive);
    /// `&mut self` and `self: Box<Self>` methods box.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::twin::TwinMethod;
    ///
    /// assert!(TwinMethod::new("handle", true).recycling().recycles());
    /// assert!(!TwinMethod::new("handle", true).recycles());
    /// ```
    #[must_use]
    pub const fn recycling(self) -> Self {
        TwinMethod {
            recycles: true,
            ..self
        }
    }

    /// Whether the method's futures can be recycled (see
    /// [`recycling`](Self::recycling)).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::twin::TwinMethod;
    ///
    /// const METHODS: &[TwinMethod] = &[
    ///     TwinMethod::new("handle", true).recycling(),
    ///     TwinMethod::new("reload", true),
    /// ];
    /// let recycling: Vec<&str> = METHODS.iter().filter(|m| m.recycles()).map(|m| m.name()).collect();
    /// assert_eq!(recycling, ["handle"]);
    /// ```
    #[must_use]
    pub const fn recycles(&self) -> bool {
        self.recycles
    }

    /// This method, present in this build only if `present`: a method
    /// under `#[cfg(..)]` keeps its place (and index) in
    /// [`Twin::METHODS`], and statistics and reports leave it out when its
    /// `cfg` is off.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::twin::TwinMethod;
    ///
    /// let compact = TwinMethod::new("compact", true).present_if(cfg!(any()));
    /// assert!(!compact.is_present());
    /// ```
    #[must_use]
    pub const fn present_if(self, present: bool) -> Self {
        TwinMethod {
            present: self.present && present,
            ..self
        }
    }

    /// Whether the method exists in this build (see
    /// [`present_if`](Self::present_if)).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::twin::TwinMethod;
    ///
    /// assert!(TwinMethod::new("handle", true).is_present());
    /// let dump = TwinMethod::new("dump", false).present_if(cfg!(debug_assertions));
    /// assert_eq!(dump.is_present(), cfg!(debug_assertions));
    /// ```
    #[must_use]
    pub const fn is_present(&self) -> bool {
        self.present
    }

    /// The method's name in the user's trait.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::twin::TwinMethod;
    ///
    /// assert_eq!(TwinMethod::new("handle", true).name(), "handle");
    /// ```
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Whether the method returns a future (its twin erases one).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::twin::TwinMethod;
    ///
    /// assert!(TwinMethod::new("handle", true).is_async());
    /// assert!(!TwinMethod::new("name", false).is_async());
    /// ```
    #[must_use]
    pub const fn is_async(&self) -> bool {
        self.is_async
    }
}

/// A twin object type (`dyn DynPlugin<Cap>`, `dyn SendDynPlugin<Cap>`):
/// its methods and their future layouts, for reports. Implemented by
/// [`dyn_twin`]; you never implement it.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{dyn_twin, twin::Twin};
///
/// #[dyn_twin(DynGreeter)]
/// trait Greeter {
///     fn name(&self) -> &str;
///     async fn greet(&self, who: String) -> String;
/// }
/// struct Hello;
/// impl Greeter for Hello {
///     fn name(&self) -> &str { "hello" }
///     async fn greet(&self, who: String) -> String { format!("hello {who}") }
/// }
///
/// let names: Vec<&str> = <dyn DynGreeter>::METHODS.iter().map(|m| m.name()).collect();
/// assert_eq!(names, ["name", "greet"]);
/// let erased: &dyn DynGreeter = &Hello;
/// assert!(Twin::method_layout(erased, 0).is_none()); // `name` is sync
/// assert!(Twin::method_layout(erased, 1).unwrap().size() > 0);
/// assert!(Twin::type_name(erased).ends_with("Hello"));
/// ```
pub trait Twin {
    /// The inline capacity of the twin's futures.
    type Cap: Capacity;

    /// The twin's methods in declaration order; a method's position is its
    /// index in [`method_layout`](Self::method_layout) and in the counters.
    const METHODS: &'static [TwinMethod];

    /// The layout of the future method `index` returns (`None` for a sync
    /// method, an unknown index or a method `#[cfg]`-ed out), without
    /// calling it.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{dyn_twin, twin::Twin};
    ///
    /// #[dyn_twin(DynDouble)]
    /// trait Double {
    ///     async fn double(&self, x: u64) -> u64;
    /// }
    /// struct Two;
    /// impl Double for Two {
    ///     async fn double(&self, x: u64) -> u64 { 2 * x }
    /// }
    ///
    /// let erased: &dyn DynDouble = &Two;
    /// let layout = erased.method_layout(0).unwrap();
    /// assert!(layout.size() <= 120); // fits the default capacity: `double_dyn` will not allocate
    /// assert!(erased.method_layout(1).is_none()); // no such method
    /// ```
    fn method_layout(&self, index: usize) -> Option<FutureLayout>;

    /// The implementing type's name.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{dyn_twin, twin::Twin};
    ///
    /// #[dyn_twin(DynPing)]
    /// trait Ping { fn ping(&self) -> u8; }
    /// struct Pong;
    /// impl Ping for Pong { fn ping(&self) -> u8 { 1 } }
    ///
    /// let erased: &dyn DynPing = &Pong;
    /// assert!(erased.type_name().ends_with("Pong"));
    /// ```
    fn type_name(&self) -> &'static str;
}

/// "`P` can be shared as this twin object": the unsizing coercion
/// `Arc<P>` → `Arc<dyn DynPlugin>`, which generic code cannot write, made
/// callable. Implemented by [`dyn_twin`] for every implementor; the
/// [`TwinRegistry`] uses it.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use hybrid_dispatch::{dyn_twin, twin::TwinOf};
///
/// #[dyn_twin(DynPing)]
/// trait Ping { fn ping(&self) -> u8; }
/// struct One;
/// impl Ping for One { fn ping(&self) -> u8 { 1 } }
///
/// let shared: Arc<dyn DynPing> = <dyn DynPing>::share(Arc::new(One));
/// assert_eq!(shared.ping_dyn(), 1);
/// ```
#[cfg(feature = "alloc")]
pub trait TwinOf<P>: Twin {
    /// `plugin`, as a twin object.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use hybrid_dispatch::{dyn_twin, twin::TwinOf};
    ///
    /// #[dyn_twin(DynPing)]
    /// trait Ping { fn ping(&self) -> u8; }
    /// struct One;
    /// impl Ping for One { fn ping(&self) -> u8 { 1 } }
    ///
    /// // Generic code can name the coercion it could not write itself.
    /// fn share_all<T: TwinOf<P> + ?Sized, P>(plugins: Vec<P>) -> Vec<Arc<T>> {
    ///     plugins.into_iter().map(|p| T::share(Arc::new(p))).collect()
    /// }
    /// let shared: Vec<Arc<dyn DynPing>> = share_all(vec![One, One]);
    /// assert_eq!(shared.iter().map(|p| p.ping_dyn()).sum::<u8>(), 2);
    /// ```
    fn share(plugin: Arc<P>) -> Arc<Self>;
}
