//! Async traits and services that are zero-cost when called statically and
//! cheap, measured and honest when called through `dyn`.
//!
//! An `async fn` in a trait returns a future whose type, and size, differs
//! for every implementor, so a `dyn` call has to put the future somewhere.
//! The usual answers (`async-trait`, `dynosaur`, `tower::BoxService`) box
//! it: one allocation per call. This crate stores it **inline**, in a buffer
//! inside the handle the call returns ([`InlineFuture`]), and goes to the
//! heap only when it does not fit. Every spill is visible
//! ([`is_heap`](future::InlineBox::is_heap)), explained
//! ([`layout::FutureLayout`], known before calling), counted ([`Counted`],
//! the registries) and, if you ask, a compile error
//! ([`assert_fits_inline!`], [`InlineOnlyService`]).
//!
//! # Your own trait: `#[dyn_twin]`
//!
//! ```
//! use std::sync::Arc;
//! use hybrid_dispatch::dyn_twin;
//!
//! #[dyn_twin(DynPlugin, send = SendDynPlugin)]
//! pub trait Plugin {
//!     fn name(&self) -> &str;
//!     async fn handle(&self, req: String) -> String;
//! }
//!
//! struct Upper;
//! impl Plugin for Upper {
//!     fn name(&self) -> &str { "upper" }
//!     async fn handle(&self, req: String) -> String { req.to_uppercase() }
//! }
//!
//! #[tokio::main]
//! async fn main() {
//!     // Static dispatch: the trait as written, no allocation.
//!     assert_eq!(Upper.handle("a".into()).await, "A");
//!
//!     // Through `dyn`: the same call; the future lives inline.
//!     let plugins: Vec<Arc<dyn SendDynPlugin>> = vec![Arc::new(Upper)];
//!     assert_eq!(plugins[0].handle("b".into()).await, "B");
//!     let fut = plugins[0].handle_send("c".into());
//!     assert!(!fut.is_heap());
//!     assert_eq!(fut.await, "C");
//!
//!     // `Send + Sync`: the trait object moves into other tasks.
//!     let plugin = Arc::clone(&plugins[0]);
//!     let task = tokio::spawn(async move { plugin.handle("d".into()).await });
//!     assert_eq!(task.await.unwrap(), "D");
//! }
//! ```
//!
//! [`dyn_twin`] keeps the trait and generates its `dyn` twins, implemented
//! for every implementor; [`TwinRegistry`] holds twins by name.
//!
//! # One request, one response: [`Service`]
//!
//! [`Service<Req>`](Service) is a GAT trait: `S::Future<'a>` is a concrete
//! type, so a generic caller pays what a direct `async fn` call costs. Every
//! `Service` is a [`DynService`] and, when it and its futures are `Send`
//! (a [`SendService`]), a [`SendDynService`], by blanket impls.
//!
//! ```
//! use std::sync::Arc;
//! use hybrid_dispatch::{Counted, SendDynService, Service, service_fn};
//!
//! #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! async fn main() {
//!     let double = Counted::new(service_fn(|x: u64| async move { x * 2 }));
//!
//!     // Static dispatch: a concrete future, no allocation.
//!     assert_eq!(double.call(4).await, 8);
//!
//!     // Dynamic dispatch: one `dyn` type for any service; the future is inline.
//!     let shared: Arc<dyn SendDynService<u64, u64>> = Arc::new(double);
//!     let fut = shared.call_send(5);
//!     assert!(!fut.is_heap());
//!     assert_eq!(fut.await, 10);
//!
//!     // The `Send` erasure crosses threads.
//!     let task = tokio::spawn(async move { shared.call_send(6).await });
//!     assert_eq!(task.await.unwrap(), 12);
//! }
//! ```
//!
//! # Which strategy when
//!
//! * **The type is known**: call statically; never allocates.
//! * **Behind `dyn`**: `call_dyn` (a twin's `m_dyn` / `m_send`): no
//!   allocation while the future fits the capacity (120 bytes by default).
//!   In a hot path write `pin!(svc.call_dyn(x)).await`: a plain `.await`
//!   moves the freshly written 128-byte handle, which on x86-64 can cost as
//!   much time as the `Box` it replaced; pinned where it is returned, only
//!   the `Pin` moves. (A twin's bridge, `p.handle(x).await`, does that for
//!   you.)
//! * **Large futures, or calls in a loop**: `call_in` with a [`FutureSlot`]:
//!   zero allocations once it has grown, the future never moves.
//! * **Large futures from a shared service, many tasks at once**: a
//!   [`Registry`] (it recycles by default) or [`Recycled`] around an
//!   `Arc<dyn SendDynService>`: buffers sized from the future's exact
//!   layout, taken per call and given back on drop; zero allocations in a
//!   steady stream of calls, whatever the size.
//! * **An allocation must be impossible**: `call_inline`
//!   ([`InlineOnlyService`]) or `#[dyn_twin(.., inline_only)]`: a future that
//!   does not fit fails the build; no `alloc` needed.
//! * **An API wants a `Box`**: `call_boxed`.
//!
//! `BENCHMARKS.md` has the numbers behind this list.
//!
//! # Layout of the crate
//!
//! Layers run top to bottom; each imports only from the layers below it.
//!
//! | layer | module | what |
//! |---|---|---|
//! | authoring | [`dyn_twin`] ([`twin`]), [`service_fn`](crate::service_fn()), [`layer`], `compat` (feature `tower`) | your own trait behind `dyn`; services from closures; middleware with named futures ([`ServiceExt`]); `tower::Service` ⇄ [`Service`] |
//! | registry | [`registry`] | [`Registry`]: services by name, handles, [`Error`], statistics and a sizing report; the name map both registries share |
//! | erasure | `erase` (private; its traits are at the root) | [`DynService`], [`SendDynService`] (`call_dyn`, `call_in`, `call_boxed`), [`InlineOnlyService`], [`SendInlineOnlyService`] (`call_inline`): blanket-implemented for every service |
//! | core | `service` (private; at the root) | [`Service`], the GAT trait; [`SendService`], the nameable `Send` bound |
//! | streams | [`stream`] | [`stream::AsyncIter`], the GAT async iterator; [`stream::GatStream`] (a `Stream` over one, no allocation); [`stream::DynAsyncIter`] and [`stream::BoxAsyncIter`]: behind `dyn` with zero allocations per item |
//! | storage | [`future`], [`capacity`] | [`InlineFuture`], [`InlineStream`], [`FutureSlot`], [`future::InlineOnlyFuture`], [`future::RecyclePool`] and their `Send` twins; inline capacities. **The only `unsafe` code.** |
//! | measurement | [`layout`], [`Counted`] | [`layout::FutureLayout`] (size, alignment, fits?), [`assert_fits_inline!`], per-service counters |
//!
//! All `unsafe` code lives in one module, [`future`] (its docs state the
//! invariants; every block names the one it relies on); the rest of the
//! crate denies it, and the test suite runs under Miri.

#![no_std]

#[cfg(feature = "alloc")]
extern crate alloc;
// The registry's lock (`std::sync::RwLock`) and the timing layer's clock
// need `std`.
#[cfg(any(test, feature = "std"))]
extern crate std;

#[doc(hidden)]
pub mod __private;
pub mod capacity;
#[cfg(feature = "tower")]
pub mod compat;
mod erase;
pub mod future;
pub mod layer;
pub mod layout;
#[cfg(feature = "std")]
pub mod registry;
mod service;
#[cfg(feature = "macros")]
mod service_attr;
mod service_fn;
/// The inline capacities' old home: renamed [`capacity`], one word for
/// one concept (the trait was already [`Capacity`](capacity::Capacity)).
#[deprecated(
    since = "0.1.0",
    note = "renamed `capacity` (and `DefaultSpace` to `DefaultCapacity`)"
)]
pub mod space {
    #[allow(deprecated)]
    pub use crate::capacity::DefaultSpace;
    pub use crate::capacity::{
        Align16, Align32, Align64, Capacity, S1, S2, S4, S8, S15, S16, S32, S64,
    };
}
pub mod stream;
pub mod twin;

#[cfg(all(test, feature = "alloc"))]
mod tests_support;

// The names a first program uses, at the root; each lives in (and is
// documented at) one home module: `future`, `layer`, `registry`, `twin`.
// `erase` is private: the erasure traits' home is the root.
#[cfg(feature = "alloc")]
pub use erase::dyn_service::{DynService, SendDynService};
pub use erase::inline_only::{InlineOnlyService, SendInlineOnlyService};
#[cfg(feature = "std")]
pub use erase::recycled::Recycled;
#[cfg(feature = "alloc")]
#[doc(inline)]
pub use future::{FutureSlot, InlineFuture, SendFutureSlot, SendInlineFuture};
#[doc(inline)]
pub use future::{InlineOnlyFuture, SendInlineOnlyFuture};
#[cfg(feature = "alloc")]
#[doc(inline)]
pub use future::{InlineStream, SendInlineStream};
#[cfg(feature = "std")]
#[doc(inline)]
pub use future::{RecycledFuture, SendRecycledFuture};
#[doc(inline)]
pub use layer::{Counted, ServiceExt};
#[cfg(feature = "std")]
#[doc(inline)]
pub use registry::{Error, Handle, Registry};
pub use service::{SendService, Service};
#[cfg(feature = "macros")]
pub use service_attr::service;
pub use service_fn::{ServiceFn, service_fn};
#[cfg(feature = "std")]
#[doc(inline)]
pub use twin::TwinRegistry;
#[cfg(feature = "macros")]
pub use twin::dyn_twin;

/// The README's examples, compiled and run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
