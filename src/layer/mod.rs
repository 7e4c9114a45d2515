//! Middleware: the [`Layer`] trait, the services it builds, and two ways to
//! stack them ([`ServiceExt`] methods and a [`ServiceBuilder`]).
//!
//! Every middleware here has a *named* future built with `pin-project-lite`,
//! so a stacked service is called statically without allocating and is
//! erased through [`DynService`](crate::DynService) like any other service.
//! Every wrapper forwards [`Service::observe_erasure`](crate::Service::observe_erasure)
//! to the service it wraps, so a [`Counted`](crate::Counted) anywhere in a
//! stack still sees the erasures.
//!
//! | middleware | service | layer | future | added size |
//! |---|---|---|---|---|
//! | rewrite the request | [`MapRequest`] | [`MapRequestLayer`] | the inner one | 0 |
//! | rewrite the response | [`MapResponse`] | [`MapResponseLayer`] | [`MapResponseFuture`] | 1 pointer |
//! | logging hook | [`Inspect`] | [`InspectLayer`] | [`InspectFuture`] | 1 pointer |
//! | latency histogram (feature `std`) | [`Timed`] | [`TimedLayer`] | [`TimedFuture`] | 1 pointer + `Option<Instant>` |
//!
//! Everything here is `core`-only except `Timed` and its layer and future,
//! which read [`std::time::Instant`].
//!
//! # Examples
//!
//! ```
//! use hybrid_dispatch::layer::ServiceExt;
//! use hybrid_dispatch::{DynService, Service, service_fn};
//!
//! let svc = service_fn(|x: u64| async move { x + 1 })
//!     .map_response(|x| x * 2)
//!     .timed();
//! let erased: &dyn DynService<u64, u64> = &svc;
//! assert!(!erased.call_dyn(1).is_heap());
//! ```

mod identity;
mod inspect;
mod inspect_future;
mod inspect_layer;
mod inspected;
mod latency_histogram;
mod latency_snapshot;
#[allow(
    clippy::module_inception,
    reason = "one public type per file, named after it: the `Layer` trait lives in `layer.rs`"
)]
mod layer;
mod map_request;
mod map_request_layer;
mod map_response;
mod map_response_future;
mod map_response_layer;
mod service_builder;
mod service_ext;
mod stack;
// `Timed` reads `std::time::Instant`; the histogram it records into is
// `core`-only and stays available without `std`.
#[cfg(feature = "std")]
mod timed;
#[cfg(feature = "std")]
mod timed_future;
#[cfg(feature = "std")]
mod timed_layer;

pub use identity::Identity;
pub use inspect::Inspect;
pub use inspect_future::InspectFuture;
pub use inspect_layer::InspectLayer;
pub use inspected::Inspected;
pub use latency_histogram::LatencyHistogram;
pub use latency_snapshot::LatencySnapshot;
pub use layer::Layer;
pub use map_request::MapRequest;
pub use map_request_layer::MapRequestLayer;
pub use map_response::MapResponse;
pub use map_response_future::MapResponseFuture;
pub use map_response_layer::MapResponseLayer;
pub use service_builder::ServiceBuilder;
pub use service_ext::ServiceExt;
pub use stack::Stack;
#[cfg(feature = "std")]
pub use timed::Timed;
#[cfg(feature = "std")]
pub use timed_future::TimedFuture;
#[cfg(feature = "std")]
pub use timed_layer::TimedLayer;
