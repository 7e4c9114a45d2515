//! [`Registry`](crate::Registry): heterogeneous services behind one `dyn`
//! type, by name.
//!
//! The registry is the `std` part of the crate (its lock is
//! `std::sync::RwLock`); everything it returns is built from the `no_std`
//! core: [`SendDynService`](crate::SendDynService) for the erasure,
//! [`SendInlineFuture`](crate::SendInlineFuture) for the futures.
//!
//! | file | what |
//! |---|---|
//! | `registry.rs` | [`Registry`](crate::Registry): register, look up, call, remove |
//! | `error.rs` | [`Error`](crate::Error): duplicate and unknown names |
//! | `entry.rs` | one registered service, shared by the map, its handles and its calls |
//! | `counters.rs` | the entry's counters: two atomic adds per call |
//! | `handle.rs` | [`Handle`](crate::Handle): a pre-resolved entry |
//! | `call.rs` | [`RegistryFuture`]: one call, counted until its future is dropped |
//! | `stats.rs` | [`EntryStats`], [`RegistryStats`] |
//! | `sizing.rs` | [`EntrySizing`], [`SizingReport`]: which futures spill, and the capacity that would keep them inline |
//! | `table.rs` | the plain-text tables the reports print |
//! | `names.rs` | the name → entry map and lock both registries share |
//! | `twin_registry.rs` | [`TwinRegistry`]: implementors of a [`#[dyn_twin]`](crate::dyn_twin) trait by name; [`TwinRegistryStats`] |
//! | `twin_handle.rs` | [`TwinHandle`]: a pre-resolved twin entry, dereferencing to the twin object; [`TwinHandle::track`] |
//! | `twin_call.rs` | [`TwinCall`]: one tracked call of a twin's async method, counted until its future is dropped |

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
pub(crate) mod twin_call;
pub(crate) mod twin_handle;
pub(crate) mod twin_registry;

pub use call::RegistryFuture;
pub use sizing::{EntrySizing, SizingReport};
pub use stats::{EntryStats, RegistryStats};
pub use twin_call::TwinCall;
pub use twin_handle::TwinHandle;
pub use twin_registry::{TwinRegistry, TwinRegistryStats};

#[cfg(test)]
mod tests;
