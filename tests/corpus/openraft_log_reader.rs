//! `RaftLogReader`: databendlabs/openraft, `openraft/src/storage/mod.rs` (104983db^, openraft 0.8).
//! Used through `dyn`: no, static-only: `try_get_log_entries` is generic over `RB: RangeBounds<u64>`.
//! Shape: a generic async method with bounds including `Send + Sync`; `&mut self`.

use std::fmt::Debug;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

/// openraft's type configuration, reduced to the associated types these traits name.
pub trait RaftTypeConfig:
    Sized + Send + Sync + Debug + Clone + Copy + Default + Eq + Ord + 'static
{
    type NodeId: Debug + Copy + Send + Sync + Eq + Ord + 'static;
    type Node: Debug + Clone + Send + Sync + Eq + 'static;
    type Entry: Debug + Clone + Send + Sync + 'static;
}
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Config;
impl RaftTypeConfig for Config {
    type NodeId = u64;
    type Node = ();
    type Entry = u64;
}

use std::ops::RangeBounds;

#[derive(Debug, PartialEq)]
pub struct LogState<C: RaftTypeConfig> {
    pub last: Option<C::NodeId>,
}
#[derive(Debug)]
pub struct StorageError<NID>(pub NID);

pub struct MemLog {
    pub entries: Vec<u64>,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // databendlabs/openraft, `openraft/src/storage/mod.rs` (104983db^, openraft 0.8).
    #[async_trait::async_trait]
    pub trait RaftLogReader<C>: Send + Sync + 'static
    where
        C: RaftTypeConfig,
    {
        async fn get_log_state(&mut self) -> Result<LogState<C>, StorageError<C::NodeId>>;

        async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + Send + Sync>(
            &mut self,
            range: RB,
        ) -> Result<Vec<C::Entry>, StorageError<C::NodeId>>;
    }

    #[async_trait::async_trait]
    impl RaftLogReader<Config> for MemLog {
        async fn get_log_state(&mut self) -> Result<LogState<Config>, StorageError<u64>> {
            Ok(LogState {
                last: self.entries.last().copied(),
            })
        }

        async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + Send + Sync>(
            &mut self,
            range: RB,
        ) -> Result<Vec<u64>, StorageError<u64>> {
            Ok(self
                .entries
                .iter()
                .copied()
                .filter(|e| range.contains(e))
                .collect())
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
#[cfg(any())] // BLOCKED: static-only; refused: "the generic method `try_get_log_entries` cannot be called through `dyn`"
pub mod migrated {
    use super::*;

    // databendlabs/openraft, `openraft/src/storage/mod.rs` (104983db^, openraft 0.8).
    #[hybrid_dispatch::dyn_twin(DynRaftLogReader, send = SendDynRaftLogReader)]
    pub trait RaftLogReader<C>: Send + Sync + 'static
    where
        C: RaftTypeConfig,
    {
        async fn get_log_state(&mut self) -> Result<LogState<C>, StorageError<C::NodeId>>;

        async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + Send + Sync>(
            &mut self,
            range: RB,
        ) -> Result<Vec<C::Entry>, StorageError<C::NodeId>>;
    }

    impl RaftLogReader<Config> for MemLog {
        async fn get_log_state(&mut self) -> Result<LogState<Config>, StorageError<u64>> {
            Ok(LogState {
                last: self.entries.last().copied(),
            })
        }

        async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + Send + Sync>(
            &mut self,
            range: RB,
        ) -> Result<Vec<u64>, StorageError<u64>> {
            Ok(self
                .entries
                .iter()
                .copied()
                .filter(|e| range.contains(e))
                .collect())
        }
    }

    pub async fn run() {
        let mut log = MemLog {
            entries: vec![1, 2, 3],
        };
        assert_eq!(log.try_get_log_entries(2..).await.unwrap(), vec![2, 3]);
    }
}
