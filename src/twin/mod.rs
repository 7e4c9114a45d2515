//! Your own async trait behind `dyn`: the [`dyn_twin`] attribute, and the
//! traits its generated code implements ([`Twin`], [`TwinOf`]).
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

use crate::layout::FutureLayout;
use crate::space::Capacity;

/// Generates the `dyn` twin of an async trait: a dyn-compatible trait whose
/// methods return this crate's inline futures, implemented for every
/// implementor, plus a `Send + Sync` twin, reusable-slot calls, per-method
/// layouts, bridge impls and per-method counting.
///
/// ```
/// use hybrid_dispatch::dyn_twin;
///
/// #[derive(Debug)]
/// pub struct Request(pub u64);
///
/// #[dyn_twin(DynPlugin)]
/// pub trait Plugin {
///     fn name(&self) -> &str;
///     async fn handle(&self, req: Request) -> u64;
///     async fn lookup(&self, key: &str) -> Option<u64>;
/// }
///
/// struct Echo;
/// impl Plugin for Echo {
///     fn name(&self) -> &str { "echo" }
///     async fn handle(&self, req: Request) -> u64 { req.0 }
///     async fn lookup(&self, key: &str) -> Option<u64> { key.parse().ok() }
/// }
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// # block_on(async {
/// // Static: the trait as written, zero cost.
/// assert_eq!(Echo.handle(Request(1)).await, 1);
///
/// // Through `dyn`: the future is stored inline in the returned handle.
/// let plugins: Vec<Box<dyn DynPlugin>> = vec![Box::new(Echo)];
/// for plugin in &plugins {
///     let fut = plugin.handle_dyn(Request(2));
///     assert!(!fut.is_heap());
///     assert_eq!(fut.await, 2);
///     // The trait itself is implemented for the twin object, so generic
///     // code and `.handle(…)` read the same as on a concrete type.
///     assert_eq!(plugin.handle(Request(3)).await, 3);
///     assert_eq!(plugin.lookup("42").await, Some(42));
///     println!("{}: handle's future is {}", plugin.name(), plugin.handle_layout());
/// }
/// # });
/// ```
///
/// # What it generates
///
/// For `#[dyn_twin(DynPlugin)] pub trait Plugin { … }`:
///
/// * **the trait, kept.** `async fn` stays `async fn`; implementors write
///   plain `async fn`; static calls (`fn f<P: Plugin>(p: &P)`) never erase
///   anything. One hidden, provided method is added (the observation hook,
///   below).
/// * **`pub trait DynPlugin<Space: Capacity = DefaultSpace>`**, dyn-compatible,
///   implemented for every `T: Plugin + ?Sized`. Its method names carry a
///   suffix, so that a concrete type with both traits in scope never has two
///   methods of the same name (E0034), and they follow
///   [`DynService`](crate::DynService)'s vocabulary. For each `async` method
///   (`async fn m`, or `fn m(..) -> impl Future<Output = T>`):
///   * `m_dyn(..) -> InlineFuture<'_, T, Space>`: inline when the future fits
///     `Space`, on the heap otherwise (the `call_dyn` strategy);
///   * `m_in(slot, ..) -> SlotFuture<..>`: into a caller-owned
///     [`FutureSlot`](crate::FutureSlot), polled in place, no allocation once
///     the slot has grown (the `call_in` strategy);
///   * `m_layout(&self) -> FutureLayout`: the future's size and alignment,
///     from the types alone, nothing called;
///
///   each sync method `m` becomes `m_dyn`, a plain forwarding call; and
///   `twin_type_name(&self)` names the implementing type. Associated types
///   are carried over (`dyn DynPlugin<Item = u64>`), and so are the trait's
///   generics, where clauses and supertraits. Elided and borrowed argument
///   lifetimes (`key: &str`, `bytes: &'a [u8]`) are named as `async-trait`
///   names them (`'life0`, …, bounded by the future's `'fut`).
/// * **`impl Plugin for dyn DynPlugin<Space> + '_`** (the *bridge*), so
///   `P: Plugin + ?Sized` accepts a trait object and `p.handle(x).await`
///   reads the same on `&Echo` and on `&dyn DynPlugin` (with `Plugin` in
///   scope); method calls on `Box<dyn DynPlugin>` and `Arc<dyn SendDynPlugin>`
///   reach it by auto-deref, and generic code takes `&*boxed`. There is
///   deliberately no `impl Plugin for Box<P>` / `Arc<P>`, although coherence
///   allows it: the blanket impl would then make `Box<dyn DynPlugin>` a
///   `DynPlugin<S>` for *every* capacity `S`, and `boxed.handle_dyn(..)`
///   would stop compiling (found on the `Box` before auto-deref reaches the
///   object, with `S` ambiguous). `bridge = false` turns the bridge off.
///   How the bridge calls: it returns an `async` block that calls the twin
///   on its first poll and pins the handle where the call writes it, so
///   `p.handle(x).await` moves only the block's captures (the receiver and
///   the arguments), never the 128-byte handle. That matters in time: a
///   freshly written handle moved by `.await` costs, on x86-64, about what
///   `async-trait`'s `Box` costs (`cargo run --release --example
///   migrate_from_async_trait`: `svc.quote(x).await` through the bridge
///   0.72× `async-trait`'s time, `svc.quote_send(x).await` 1.08×,
///   `pin!(svc.quote_send(x)).await` 0.71×; `benches/twin.rs`, SMALL
///   awaited: 187 instructions through the bridge or `small_dyn`, 0
///   allocations). When calling the twin's `_dyn`/`_send` methods directly
///   in a hot path, do the same: `pin!(p.handle_send(x)).await`.
///   In a trait without `send`, a method declared
///   `-> impl Future<Output = T> + Send` is erased into the `Send` storage
///   (`SendInlineFuture`), so that the bridge keeps the declared bound; the
///   bridge then makes the handle eagerly (an `async` block capturing the
///   `!Sync` trait object would not be `Send`).
/// * **`impl Plugin for CountedTwin<P>`**: see *Observation*.
/// * **[`Twin`] for the twin objects and [`TwinOf<P>`]**: the method list,
///   per-method layouts and the coercion the
///   [`TwinRegistry`](crate::registry::TwinRegistry) needs.
///
/// # Options
///
/// | option | effect |
/// |---|---|
/// | `send = SendDynPlugin` | also generate the `Send + Sync` twin (below) |
/// | `inline_only` | twin futures are [`InlineOnlyFuture`](crate::future::InlineOnlyFuture)s: a future too large for `Space` fails the build (for *every* method of an implementor turned into the twin: its vtable holds them all); no heap path, no slots, no counting, no registry; builds without `alloc` |
/// | `assert_inline` | keep `InlineFuture` and slots, but fail the build when an implementor's future does not fit `Space` (checked when the implementor is turned into a twin) |
/// | `bridge = false` | no `impl Plugin for dyn DynPlugin` (or `dyn SendDynPlugin`) |
/// | `crate = path` | the path generated code names this crate by (default `::hybrid_dispatch`) |
///
/// # The `Send` twin
///
/// Stable Rust cannot say "the future this method returns is `Send`"
/// about a trait's `async fn` (return-type notation is unstable), so a
/// `Send` twin cannot be derived from futures that were not declared `Send`.
/// `send = SendDynPlugin` therefore does what `trait-variant` does, to the
/// trait itself: every `async fn m(..) -> T` becomes
/// `fn m(..) -> impl Future<Output = T> + Send` (a default body is wrapped
/// in `async move`), and `-> impl Future<Output = T>` gains `+ Send`.
/// Implementors still write `async fn`; a future that is not `Send` is an
/// error *in the implementor*, naming the value held across the `.await`:
///
/// ```compile_fail
/// use std::rc::Rc;
///
/// #[hybrid_dispatch::dyn_twin(DynJob, send = SendDynJob)]
/// trait Job {
///     async fn run(&self) -> u64;
/// }
///
/// struct Local;
/// impl Job for Local {
///     async fn run(&self) -> u64 {
///         let rc = Rc::new(1);
///         std::future::ready(()).await; // error: future cannot be sent between threads safely
///         *rc
///     }
/// }
/// ```
///
/// `SendDynPlugin<Space>: DynPlugin<Space> + Send + Sync` adds `m_send` and
/// `m_send_in`, returning [`SendInlineFuture`](crate::SendInlineFuture) and
/// a `Send` [`SlotFuture`](crate::future::SlotFuture), and the bridge is
/// `impl Plugin for dyn SendDynPlugin` (an `InlineFuture` is not `Send`, so
/// `dyn DynPlugin` cannot implement a trait whose futures must be):
///
/// ```
/// use std::sync::Arc;
///
/// #[hybrid_dispatch::dyn_twin(DynJob, send = SendDynJob)]
/// pub trait Job {
///     async fn run(&self, n: u64) -> u64;
/// }
///
/// struct Double;
/// impl Job for Double {
///     async fn run(&self, n: u64) -> u64 { n * 2 }
/// }
///
/// #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// async fn main() {
///     let job: Arc<dyn SendDynJob> = Arc::new(Double);
///     let task = tokio::spawn(async move { job.run(21).await + job.run_send(0).await });
///     assert_eq!(task.await.unwrap(), 42);
/// }
/// ```
///
/// # Observation, and what it costs
///
/// The attribute adds one hidden, provided method to the trait,
/// `__dyn_twin_observe(&self, method: usize, erasure: Erasure)`, whose
/// default does nothing. The twin's blanket impl calls it after each
/// erasure; for an ordinary implementor it is an empty `#[inline]` call and
/// compiles to nothing (the benches measure twin calls at the cost of
/// `call_dyn`). [`CountedTwin<P>`](crate::layer::CountedTwin) overrides it
/// (the attribute generates `impl Plugin for CountedTwin<P>`) and counts, per
/// method, calls, inline and heap placements and the bytes allocated. What
/// this design costs: one hidden item in your trait (implementors may not
/// override it meaningfully), and counting adds one relaxed atomic add per
/// call and one or two per erasure. For `&mut self` methods the hook hears
/// *before* the call (the future then borrows `self`), with the placement
/// the layout decides; a slot says whether its buffer will grow (for size
/// or alignment) and to what.
///
/// # Unsupported shapes
///
/// Each is a compile error at the item, saying how to fix it:
/// a generic method (type or const parameters, `impl Trait` arguments)
/// without `where Self: Sized`; `self` by value or `self: Box<Self>`;
/// an associated function without `where Self: Sized`; `Self` as an argument
/// or result; associated consts; generic associated types; patterns in
/// arguments; `unsafe fn`; an unknown option. Methods with `where Self:
/// Sized` are left out of the twin (and of the bridge, where `Self` is not
/// `Sized`). `#[cfg]` and docs on methods are carried to the generated ones.
///
/// ```compile_fail
/// #[hybrid_dispatch::dyn_twin(DynStore)]
/// trait Store {
///     async fn put<V: Into<u64>>(&self, v: V); // error: add `where Self: Sized` …
/// }
/// ```
///
/// # Expansion
///
/// For
///
/// ```
/// # use hybrid_dispatch::dyn_twin;
/// # pub struct Request;
/// #[dyn_twin(DynPlugin)]
/// pub trait Plugin {
///     fn name(&self) -> &str;
///     async fn handle(&self, req: Request) -> u64;
///     async fn lookup(&self, key: &str) -> usize;
/// }
/// ```
///
/// the attribute generates (paths shortened; `macros/tests/expand/plugin.expanded.rs`
/// holds the exact, pinned expansion):
///
/// ```text
/// pub trait Plugin {
///     fn name(&self) -> &str;
///     async fn handle(&self, req: Request) -> u64;
///     async fn lookup(&self, key: &str) -> usize;
///     #[doc(hidden)]
///     fn __dyn_twin_observe(&self, method: usize, erasure: Erasure) {}
/// }
///
/// pub trait DynPlugin<Space: Capacity = DefaultSpace> {
///     fn name_dyn(&self) -> &str;
///     fn handle_dyn(&self, req: Request) -> InlineFuture<'_, u64, Space>;
///     fn handle_in<'slot, 'life0, 'fut>(&'life0 self,
///         slot: Pin<&'slot mut FutureSlot<'fut, u64, Space>>, req: Request)
///         -> SlotFuture<'slot, dyn Future<Output = u64> + 'fut, Space>
///         where 'life0: 'fut;
///     fn handle_layout(&self) -> FutureLayout;
///     fn lookup_dyn<'life0, 'life1, 'fut>(&'life0 self, key: &'life1 str)
///         -> InlineFuture<'fut, usize, Space>
///         where 'life0: 'fut, 'life1: 'fut;
///     // lookup_in, lookup_layout, twin_type_name
/// }
///
/// impl<Space: Capacity, Implementor: ?Sized + Plugin> DynPlugin<Space> for Implementor {
///     fn handle_dyn(&self, req: Request) -> InlineFuture<'_, u64, Space> {
///         let future = InlineFuture::new(<Implementor as Plugin>::handle(self, req));
///         <Implementor as Plugin>::__dyn_twin_observe(self, 1, future.erasure());
///         future
///     }
///     fn handle_layout(&self) -> FutureLayout {
///         // The future's type from a closure that would call the method.
///         layout_of(|(this, req): (&Implementor, Request)| this.handle(req))
///     }
///     // …
/// }
///
/// impl<Space: Capacity> Plugin for dyn DynPlugin<Space> + '_ {
///     fn name(&self) -> &str { self.name_dyn() }
///     fn handle(&self, req: Request) -> impl Future<Output = u64> { self.handle_dyn(req) }
///     // …
/// }
/// impl<P: Plugin> Plugin for CountedTwin<P> { /* forwards, counting */ }
/// impl<Space: Capacity> Twin for dyn DynPlugin<Space> + '_ { /* names, layouts */ }
/// impl<P: Plugin, Space: Capacity> TwinOf<P> for dyn DynPlugin<Space> + '_ { /* Arc coercion */ }
/// ```
#[cfg(feature = "macros")]
#[doc(inline)]
pub use hybrid_dispatch_macros::dyn_twin;

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
}

impl TwinMethod {
    /// A method named `name`, async or not.
    ///
    /// # Examples
    ///
    /// See [`TwinMethod`].
    #[must_use]
    pub const fn new(name: &'static str, is_async: bool) -> Self {
        TwinMethod {
            name,
            is_async,
            present: true,
        }
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
    /// See [`present_if`](Self::present_if).
    #[must_use]
    pub const fn is_present(&self) -> bool {
        self.present
    }

    /// The method's name in the user's trait.
    ///
    /// # Examples
    ///
    /// See [`TwinMethod`].
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Whether the method returns a future (its twin erases one).
    ///
    /// # Examples
    ///
    /// See [`TwinMethod`].
    #[must_use]
    pub const fn is_async(&self) -> bool {
        self.is_async
    }
}

/// A twin object type (`dyn DynPlugin<Space>`, `dyn SendDynPlugin<Space>`):
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
    type Space: Capacity;

    /// The twin's methods in declaration order; a method's position is its
    /// index in [`method_layout`](Self::method_layout) and in the counters.
    const METHODS: &'static [TwinMethod];

    /// The layout of the future method `index` returns (`None` for a sync
    /// method, an unknown index or a method `#[cfg]`-ed out), without
    /// calling it.
    ///
    /// # Examples
    ///
    /// See [`Twin`].
    fn method_layout(&self, index: usize) -> Option<FutureLayout>;

    /// The implementing type's name.
    ///
    /// # Examples
    ///
    /// See [`Twin`].
    fn type_name(&self) -> &'static str;
}

/// "`P` can be shared as this twin object": the unsizing coercion
/// `Arc<P>` → `Arc<dyn DynPlugin>`, which generic code cannot write, made
/// callable. Implemented by [`dyn_twin`] for every implementor; the
/// [`TwinRegistry`](crate::registry::TwinRegistry) uses it.
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
    /// See [`TwinOf`].
    fn share(plugin: Arc<P>) -> Arc<Self>;
}
