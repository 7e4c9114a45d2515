//! [`Registry`]: heterogeneous services behind one `dyn`
//! type, by name.
//!
//! The registry is the `std` part of the crate (its lock is
//! `std::sync::RwLock`); everything it returns is built from the `no_std`
//! core: [`SendDynService`](crate::SendDynService) for the erasure,
//! [`SendInlineFuture`](crate::SendInlineFuture) for the futures.
//!
//! | file | what |
//! |---|---|
//! | `registry.rs` | [`Registry`]: register, look up, call, remove |
//! | `error.rs` | [`Error`]: duplicate and unknown names |
//! | `entry.rs` | one registered service, shared by the map, its handles and its calls |
//! | `counters.rs` | the entry's counters: two atomic adds per call |
//! | `handle.rs` | [`Handle`]: a pre-resolved entry |
//! | `call.rs` | [`RegistryFuture`]: one call, an erased [`Tracked`](crate::layout::Tracked) service future, counted until it ends |
//! | `stats.rs` | [`CallStats`], [`RegistryStats`] |
//! | `sizing.rs` | [`EntrySizing`], [`SizingReport`]: which futures spill, and the capacity that would keep them inline |
//! | `table.rs` | the plain-text tables the reports print |
//! | `names.rs` | the name → entry map and lock both registries share (the twin registry is [`crate::twin::TwinRegistry`]) |

pub(crate) mod call;
pub(crate) mod counters;
pub(crate) mod entry;
pub(crate) mod error;
pub(crate) mod handle;
pub(crate) mod names;
#[allow(
    clippy::module_inception,
    reason = "`mod.rs` only declares and re-exports; the type lives in a file named after it"
)]
pub(crate) mod registry;
pub(crate) mod sizing;
pub(crate) mod stats;
mod table;

pub use call::RegistryFuture;
pub use error::Error;
pub use handle::Handle;
pub use registry::Registry;
pub use sizing::{EntrySizing, SizingReport};
pub use stats::{CallStats, RegistryStats};
/// `CallStats`' old name.
#[deprecated(
    since = "0.1.0",
    note = "renamed `CallStats`: it counts how calls went and ended"
)]
pub type EntryStats = CallStats;

#[cfg(test)]
mod tests;
