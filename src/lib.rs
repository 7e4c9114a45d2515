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
//!   ([`InlineFuture::is_heap`](InlineBox::is_heap)), explainable
//!   ([`FutureLayout`]), countable ([`Counted`]) and, if you wish, a compile
//!   error ([`assert_fits_inline!`]).
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
//! | module | what |
//! |---|---|
//! | [`Service`] | the GAT core trait, `&self` receiver |
//! | [`DynService`], [`SendDynService`] | blanket erasure, `!Send` and `Send + Sync` |
//! | [`InlineFuture`], [`SendInlineFuture`] | the erased future: inline first, heap fallback (`call_dyn`) |
//! | [`FutureSlot`], [`SendFutureSlot`] | caller-owned reusable storage (`call_in`): 0 allocations amortized |
//! | [`InlineOnlyService`], [`SendInlineOnlyService`], [`InlineOnlyFuture`] | the erasure that cannot allocate: too large is a build error |
//! | [`space`] | inline capacities and the default |
//! | [`FutureLayout`], [`fits_inline`], [`assert_fits_inline!`] | sizes known before calling |
//! | [`Counted`], [`ServiceStats`] | per-service counters |
//! | [`Registry`], [`Handle`], [`Error`] | heterogeneous services by name, with statistics and a sizing report |
//! | [`service_fn`] | services from closures |
//! | [`layer`] | middleware with named futures: [`Layer`], [`ServiceExt`], [`ServiceBuilder`] |
//! | `compat` (feature `tower`) | `tower::Service` ⇄ [`Service`] adapters |
//!
//! All `unsafe` code lives in one module, [`future`] (each of its files
//! states its invariants; every block names the one it relies on); the
//! rest of the crate denies it, and the test suite runs under Miri.

#![no_std]

#[cfg(feature = "alloc")]
extern crate alloc;
// The registry's lock (`std::sync::RwLock`) and the timing layer's clock
// need `std`.
#[cfg(any(test, feature = "std"))]
extern crate std;

#[cfg(feature = "tower")]
pub mod compat;
mod counted;
#[cfg(feature = "alloc")]
mod dyn_service;
#[cfg(feature = "std")]
mod error;
pub mod future;
mod inline_only_service;
pub mod layer;
mod layout;
#[cfg(feature = "std")]
mod registry;
#[cfg(feature = "alloc")]
mod send_dyn_service;
mod send_inline_only_service;
mod service;
mod service_stats;
pub mod space;
pub mod util;

#[cfg(test)]
mod tests_support;

pub use counted::Counted;
#[cfg(feature = "alloc")]
pub use dyn_service::DynService;
#[cfg(feature = "std")]
pub use error::Error;
#[cfg(feature = "alloc")]
pub use future::{
    FutureSlot, InlineBox, InlineFuture, ReusableSlot, SendFutureSlot, SendInlineFuture, SlotFuture,
};
pub use future::{InlineOnlyBox, InlineOnlyFuture, SendInlineOnlyFuture};
pub use inline_only_service::InlineOnlyService;
pub use layer::{Layer, ServiceBuilder, ServiceExt};
pub use layout::{Erasure, FutureLayout, Placement, fits_inline};
#[cfg(feature = "std")]
pub use registry::{
    EntrySizing, EntryStats, Handle, Registry, RegistryFuture, RegistryStats, SizingReport,
};
#[cfg(feature = "alloc")]
pub use send_dyn_service::SendDynService;
pub use send_inline_only_service::SendInlineOnlyService;
pub use service::Service;
pub use service_stats::ServiceStats;
pub use util::{ServiceFn, service_fn};

/// The README's examples, compiled and run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
