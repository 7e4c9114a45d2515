//! Middleware: the [`Layer`] trait, the services it builds, and two ways to
//! stack them ([`ServiceExt`] methods and a
//! [`ServiceBuilder`]).
//!
//! Every middleware here has a *named* future built with `pin-project-lite`,
//! so a stacked service is called statically without allocating and is
//! erased through [`DynService`](crate::DynService) like any other service.
//! Every wrapper forwards
//! [`Service::observe_erasure`](crate::Service::observe_erasure) to the
//! service it wraps, so a [`Counted`] anywhere in a stack
//! still sees the erasures. One file per middleware holds its service, its
//! layer and its future:
//!
//! | file | middleware | service | layer | future | added size |
//! |---|---|---|---|---|---|
//! | `map_request.rs` | rewrite the request | [`MapRequest`] | [`MapRequestLayer`] | the inner one | 0 |
//! | `map_response.rs` | rewrite the response | [`MapResponse`] | [`MapResponseLayer`] | [`MapResponseFuture`] | 1 pointer |
//! | `inspect.rs` | logging hook | [`Inspect`] | [`InspectLayer`] | [`InspectFuture`] | 1 pointer |
//! | `timed.rs` (feature `std`) | latency histogram | [`Timed`] | [`TimedLayer`] | [`TimedFuture`] | 1 pointer + `Option<Instant>` |
//! | `traced.rs` (feature `tracing`) | a `tracing` span per call | `Traced` | `TracedLayer` | `TracedFuture` | span + pointer + state |
//! | `counted.rs` | call and placement counters | [`Counted`] | – | the inner one | 0 |
//!
//! and `stack.rs` ([`Layer`], [`Identity`], [`Stack`]), `builder.rs`
//! ([`ServiceBuilder`]),
//! `ext.rs` ([`ServiceExt`]),
//! `latency.rs` ([`LatencyHistogram`], [`LatencySnapshot`]).
//!
//! Everything here is `core`-only except `Timed` and its layer and future,
//! which read [`std::time::Instant`].
//!
//! # Examples
//!
//! ```
//! use hybrid_dispatch::{DynService, service_fn, ServiceExt};
//!
//! let svc = service_fn(|x: u64| async move { x + 1 })
//!     .map_response(|x| x * 2)
//!     .timed();
//! let erased: &dyn DynService<u64, u64> = &svc;
//! assert!(!erased.call_dyn(1).is_heap());
//! ```

mod builder;
pub(crate) mod counted;
pub(crate) mod ext;
mod inspect;
mod latency;
mod map_request;
mod map_response;
pub(crate) mod stack;
// `Timed` reads `std::time::Instant`; the histogram it records into is
// `core`-only and stays available without `std`.
#[cfg(feature = "std")]
mod timed;
// A `tracing` span per call (feature `tracing`).
#[cfg(feature = "tracing")]
mod traced;

pub use builder::ServiceBuilder;
pub use counted::{Counted, PlacementStats};
/// `PlacementStats`' old name.
#[deprecated(
    since = "0.1.0",
    note = "renamed `PlacementStats`: it counts where futures went"
)]
pub type ServiceStats = PlacementStats;
pub use ext::ServiceExt;
pub use inspect::{Inspect, InspectFuture, InspectLayer, Inspected};
pub use latency::{LatencyHistogram, LatencySnapshot};
pub use map_request::{MapRequest, MapRequestLayer};
pub use map_response::{MapResponse, MapResponseFuture, MapResponseLayer};
pub use stack::{Identity, Layer, Stack};
#[cfg(feature = "std")]
pub use timed::{Timed, TimedFuture, TimedLayer};
#[cfg(feature = "tracing")]
pub use traced::{Traced, TracedFuture, TracedLayer};
