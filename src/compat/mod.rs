//! Adapters between [`tower::Service`] and this crate's
//! [`Service`](crate::Service), both directions (feature `tower`).
//!
//! | direction | type | per call, beyond the services' own work |
//! |---|---|---|
//! | tower → ours | [`FromTower`] | one `Clone` of the tower service (an `Arc` increment for `ConcurrencyLimit`). Static call: **0 allocations**. Through `dyn`: **0** when the future fits the inline space, else **1** of the future's size |
//! | ours → tower | [`ToTower`] | one `Arc` increment. **0 allocations** while the future fits `Cap`, else **1** of its size |
//!
//! Measured with a counting global allocator in `tests/tower_compat.rs`
//! (`cargo test --features tower --test tower_compat -- --nocapture` prints
//! the sizes; tower 0.5.3, tokio 1.54, x86-64 Linux, current-thread
//! runtime, uncontended), with real tower middleware:
//!
//! | stack | future | allocations per call |
//! |---|---|---|
//! | `FromTower<Timeout<ConcurrencyLimit<service_fn>>>`, static | 144 B | 0 |
//! | the same through `dyn SendDynService<…>` (default space) | 144 B | 1 (144 B): tokio's `Sleep` in `Timeout` makes tower's own future 144 B |
//! | the same through `dyn SendDynService<…, S32>` | 144 B | 0 |
//! | the same with an inner service that awaits `tokio::time::sleep` | 256 B | 1 at the default space; 0 at `S32` (which it fills exactly) or `S64` |
//! | `FromTower<ConcurrencyLimit<service_fn>>` through `dyn` | fits | 0 |
//! | `Timeout<ConcurrencyLimit<ToTower<…>>>` driven by tower | fits | 0 |
//! | `ToTower<…, S2>` (16-byte space), an `async` block holding `[u64; 8]` | spills | 1 |
//!
//! Every tokio `Sleep` in a stack costs over 100 bytes of future, so a
//! tower stack with a `Timeout` wants `S32` (256 bytes), and one whose
//! services also sleep wants `S64`, or the reusable slot (`call_in`), which
//! allocates once for any size. [`FromTowerFuture`] adds no bytes to the
//! tower future it drives (the clone and the request share its space), so
//! whether the erased call allocates is decided by the tower stack: check it
//! with
//! [`FutureLayout::of_service`](crate::layout::FutureLayout::of_service) and pick
//! the space. A contended `ConcurrencyLimit` allocates on its own, inside
//! `poll_ready`, as it does without this crate.
//!
//! # Examples
//!
//! ```
//! use hybrid_dispatch::compat::{FromTower, ToTower};
//! use hybrid_dispatch::{Service, service_fn};
//! use tower::ServiceExt as _;
//!
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() {
//!     // tower → ours: a `tower::Service + Clone` becomes a `&self` service.
//!     let tower_svc = tower::service_fn(|x: u64| async move { Ok::<_, std::io::Error>(x + 1) });
//!     let ours = FromTower::new(tower_svc);
//!     assert_eq!(ours.call(1).await.unwrap(), 2);
//!
//!     // ours → tower: any `Send + Sync` service becomes a `tower::Service`.
//!     let tower_again = ToTower::new(service_fn(|x: u64| async move { x * 2 }));
//!     assert_eq!(tower_again.oneshot(21).await.unwrap(), 42);
//! }
//! ```

mod from_tower;
mod to_tower;

pub use from_tower::{FromTower, FromTowerFuture};
pub use to_tower::ToTower;
