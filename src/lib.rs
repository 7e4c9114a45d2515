//! Async services that are zero-cost when called statically and cheap,
//! measured and honest when called through `dyn`.
//!
//! Async functions in traits return unnameable futures of a different size
//! for every implementor, so a `dyn` call has to put the future somewhere.
//! The usual answer (`async-trait`, `tower::BoxService`) boxes every call.
//! This crate gives one trait, [`Service`], and two ways to call it:
//!
//! * **statically** (`fn hot<S: Service<Req>>(s: &S)`): the future is a
//!   concrete type; no allocation, fully inlinable;
//! * **through `dyn`** ([`DynService`], [`SendDynService`], implemented for
//!   every `Service`): the future is erased into an [`InlineFuture`], a small
//!   buffer inside the returned handle, and only goes to the heap when it is
//!   too large or over-aligned. Every spill is visible
//!   ([`InlineFuture::is_heap`](future::InlineBox::is_heap)), explainable
//!   ([`layout::FutureLayout`]), countable ([`Counted`]) and, if you wish, a
//!   compile error ([`assert_fits_inline!`]).
//!
//! # Example
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
//! # Layout of the crate
//!
//! Layers run top to bottom; each imports only from the layers below it.
//!
//! | layer | module | what |
//! |---|---|---|
//! | authoring | [`service_fn`](crate::service_fn()), [`layer`], `compat` (feature `tower`) | services from closures; middleware with named futures ([`ServiceExt`]); `tower::Service` ⇄ [`Service`] |
//! | registry | [`registry`] | [`Registry`]: services by name, [`Handle`]s, [`Error`], statistics and a sizing report |
//! | erasure | `erase` (private; its traits are at the root) | [`DynService`], [`SendDynService`] (`call_dyn`, `call_in`, `call_boxed`), [`InlineOnlyService`], [`SendInlineOnlyService`] (`call_inline`): blanket-implemented for every service |
//! | core | `service` (private; at the root) | [`Service`], the GAT trait; [`SendService`], the nameable `Send` bound |
//! | storage | [`future`], [`space`] | [`InlineFuture`], [`FutureSlot`], [`future::InlineOnlyFuture`] and their `Send` twins; inline capacities. **The only `unsafe` code.** |
//! | measurement | [`layout`], [`Counted`] | [`layout::FutureLayout`] (size, alignment, fits?), [`assert_fits_inline!`], per-service counters |
//!
//! Which strategy when: `call_dyn` by default (inline, heap only when the
//! future does not fit, counted); `call_in` with a [`FutureSlot`] in a loop
//! whose futures are large (zero allocations amortized, nothing to move);
//! `call_inline` where an allocation must be impossible (too large is a
//! build error); `call_boxed` to compare, or to hand a box to an API that
//! wants one.
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
pub mod space;
pub mod twin;

#[cfg(test)]
mod tests_support;

#[cfg(feature = "alloc")]
pub use erase::dyn_service::{DynService, SendDynService};
pub use erase::inline_only::{InlineOnlyService, SendInlineOnlyService};
#[cfg(feature = "alloc")]
pub use future::inline_box::{InlineFuture, SendInlineFuture};
#[cfg(feature = "alloc")]
pub use future::reusable_slot::{FutureSlot, SendFutureSlot};
pub use layer::counted::Counted;
pub use layer::ext::ServiceExt;
#[cfg(feature = "std")]
pub use registry::error::Error;
#[cfg(feature = "std")]
pub use registry::handle::Handle;
#[cfg(feature = "std")]
pub use registry::registry::Registry;
pub use service::{SendService, Service};
#[cfg(feature = "macros")]
pub use service_attr::service;
pub use service_fn::{ServiceFn, service_fn};
#[cfg(feature = "macros")]
pub use twin::dyn_twin;

/// The README's examples, compiled and run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
