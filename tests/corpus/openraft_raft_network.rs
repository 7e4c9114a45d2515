//! `RaftNetwork`: databendlabs/openraft, `openraft/src/network/network.rs` (104983db^, openraft 0.8).
//! Used through `dyn`: no, `RaftNetworkFactory::Network` is an associated type (static); dyn-compatible.
//! Shape: a trait parameter `C: RaftTypeConfig` in a `where` clause; `Send + Sync + 'static`;
//! `&mut self` async methods whose default bodies call `#[deprecated]` methods on `self`;
//! `#[allow(deprecated)]` inside bodies; results naming `C::NodeId` and `C::Node`.

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

#[derive(Debug)]
pub struct AppendEntriesRequest<C: RaftTypeConfig> {
    pub entries: Vec<C::Entry>,
}
#[derive(Debug, PartialEq)]
pub enum AppendEntriesResponse<NID> {
    Success,
    Conflict(NID),
}
#[derive(Debug)]
pub struct InstallSnapshotRequest<C: RaftTypeConfig>(PhantomData<C>);
#[derive(Debug)]
pub struct InstallSnapshotResponse<NID>(pub NID);
#[derive(Debug)]
pub struct VoteRequest<NID>(pub NID);
#[derive(Debug, PartialEq)]
pub struct VoteResponse<NID>(pub NID);
#[derive(Debug)]
pub struct InstallSnapshotError;
#[derive(Debug)]
pub struct RaftError<NID, E = std::convert::Infallible>(pub NID, pub Option<E>);
#[derive(Debug)]
pub struct RPCError<NID, N, E>(pub NID, pub N, pub E);
#[derive(Debug, Clone)]
pub struct RPCOption {
    pub hard_ttl: Duration,
}
pub struct Backoff(pub Box<dyn Iterator<Item = Duration> + Send + 'static>);
impl Backoff {
    pub fn new(iter: impl IntoIterator<Item = Duration, IntoIter: Send + 'static>) -> Self {
        Backoff(Box::new(iter.into_iter()))
    }
}

pub struct Peer {
    pub sent: usize,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // databendlabs/openraft, `openraft/src/network/network.rs` (104983db^, openraft 0.8).
    #[async_trait::async_trait]
    pub trait RaftNetwork<C>: Send + Sync + 'static
    where
        C: RaftTypeConfig,
    {
        async fn append_entries(
            &mut self,
            rpc: AppendEntriesRequest<C>,
            option: RPCOption,
        ) -> Result<
            AppendEntriesResponse<C::NodeId>,
            RPCError<C::NodeId, C::Node, RaftError<C::NodeId>>,
        > {
            let _ = option;
            #[allow(deprecated)]
            self.send_append_entries(rpc).await
        }

        async fn install_snapshot(
            &mut self,
            rpc: InstallSnapshotRequest<C>,
            option: RPCOption,
        ) -> Result<
            InstallSnapshotResponse<C::NodeId>,
            RPCError<C::NodeId, C::Node, RaftError<C::NodeId, InstallSnapshotError>>,
        > {
            let _ = option;
            #[allow(deprecated)]
            self.send_install_snapshot(rpc).await
        }

        async fn vote(
            &mut self,
            rpc: VoteRequest<C::NodeId>,
            option: RPCOption,
        ) -> Result<VoteResponse<C::NodeId>, RPCError<C::NodeId, C::Node, RaftError<C::NodeId>>>
        {
            let _ = option;
            #[allow(deprecated)]
            self.send_vote(rpc).await
        }

        #[deprecated(note = "use `append_entries` instead. This method will be removed in 0.9")]
        async fn send_append_entries(
            &mut self,
            rpc: AppendEntriesRequest<C>,
        ) -> Result<
            AppendEntriesResponse<C::NodeId>,
            RPCError<C::NodeId, C::Node, RaftError<C::NodeId>>,
        > {
            let _ = rpc;
            unimplemented!("send_append_entries is deprecated")
        }

        #[deprecated(note = "use `install_snapshot` instead. This method will be removed in 0.9")]
        async fn send_install_snapshot(
            &mut self,
            rpc: InstallSnapshotRequest<C>,
        ) -> Result<
            InstallSnapshotResponse<C::NodeId>,
            RPCError<C::NodeId, C::Node, RaftError<C::NodeId, InstallSnapshotError>>,
        > {
            let _ = rpc;
            unimplemented!("send_install_snapshot is deprecated")
        }

        #[deprecated(note = "use `vote` instead. This method will be removed in 0.9")]
        async fn send_vote(
            &mut self,
            rpc: VoteRequest<C::NodeId>,
        ) -> Result<VoteResponse<C::NodeId>, RPCError<C::NodeId, C::Node, RaftError<C::NodeId>>>
        {
            let _ = rpc;
            unimplemented!("send_vote is deprecated")
        }

        fn backoff(&self) -> Backoff {
            Backoff::new(std::iter::repeat(Duration::from_millis(500)))
        }
    }

    #[async_trait::async_trait]
    impl RaftNetwork<Config> for Peer {
        async fn append_entries(
            &mut self,
            rpc: AppendEntriesRequest<Config>,
            option: RPCOption,
        ) -> Result<AppendEntriesResponse<u64>, RPCError<u64, (), RaftError<u64>>> {
            self.sent += rpc.entries.len();
            Ok(AppendEntriesResponse::Success)
        }

        async fn vote(
            &mut self,
            rpc: VoteRequest<u64>,
            option: RPCOption,
        ) -> Result<VoteResponse<u64>, RPCError<u64, (), RaftError<u64>>> {
            Ok(VoteResponse(rpc.0))
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // databendlabs/openraft, `openraft/src/network/network.rs` (104983db^, openraft 0.8).
    #[hybrid_dispatch::dyn_twin(DynRaftNetwork, send = SendDynRaftNetwork)]
    pub trait RaftNetwork<C>: Send + Sync + 'static
    where
        C: RaftTypeConfig,
    {
        async fn append_entries(
            &mut self,
            rpc: AppendEntriesRequest<C>,
            option: RPCOption,
        ) -> Result<
            AppendEntriesResponse<C::NodeId>,
            RPCError<C::NodeId, C::Node, RaftError<C::NodeId>>,
        > {
            let _ = option;
            #[allow(deprecated)]
            self.send_append_entries(rpc).await
        }

        async fn install_snapshot(
            &mut self,
            rpc: InstallSnapshotRequest<C>,
            option: RPCOption,
        ) -> Result<
            InstallSnapshotResponse<C::NodeId>,
            RPCError<C::NodeId, C::Node, RaftError<C::NodeId, InstallSnapshotError>>,
        > {
            let _ = option;
            #[allow(deprecated)]
            self.send_install_snapshot(rpc).await
        }

        async fn vote(
            &mut self,
            rpc: VoteRequest<C::NodeId>,
            option: RPCOption,
        ) -> Result<VoteResponse<C::NodeId>, RPCError<C::NodeId, C::Node, RaftError<C::NodeId>>>
        {
            let _ = option;
            #[allow(deprecated)]
            self.send_vote(rpc).await
        }

        #[deprecated(note = "use `append_entries` instead. This method will be removed in 0.9")]
        async fn send_append_entries(
            &mut self,
            rpc: AppendEntriesRequest<C>,
        ) -> Result<
            AppendEntriesResponse<C::NodeId>,
            RPCError<C::NodeId, C::Node, RaftError<C::NodeId>>,
        > {
            let _ = rpc;
            unimplemented!("send_append_entries is deprecated")
        }

        #[deprecated(note = "use `install_snapshot` instead. This method will be removed in 0.9")]
        async fn send_install_snapshot(
            &mut self,
            rpc: InstallSnapshotRequest<C>,
        ) -> Result<
            InstallSnapshotResponse<C::NodeId>,
            RPCError<C::NodeId, C::Node, RaftError<C::NodeId, InstallSnapshotError>>,
        > {
            let _ = rpc;
            unimplemented!("send_install_snapshot is deprecated")
        }

        #[deprecated(note = "use `vote` instead. This method will be removed in 0.9")]
        async fn send_vote(
            &mut self,
            rpc: VoteRequest<C::NodeId>,
        ) -> Result<VoteResponse<C::NodeId>, RPCError<C::NodeId, C::Node, RaftError<C::NodeId>>>
        {
            let _ = rpc;
            unimplemented!("send_vote is deprecated")
        }

        fn backoff(&self) -> Backoff {
            Backoff::new(std::iter::repeat(Duration::from_millis(500)))
        }
    }

    impl RaftNetwork<Config> for Peer {
        async fn append_entries(
            &mut self,
            rpc: AppendEntriesRequest<Config>,
            option: RPCOption,
        ) -> Result<AppendEntriesResponse<u64>, RPCError<u64, (), RaftError<u64>>> {
            self.sent += rpc.entries.len();
            Ok(AppendEntriesResponse::Success)
        }

        async fn vote(
            &mut self,
            rpc: VoteRequest<u64>,
            option: RPCOption,
        ) -> Result<VoteResponse<u64>, RPCError<u64, (), RaftError<u64>>> {
            Ok(VoteResponse(rpc.0))
        }
    }

    pub async fn run() {
        let mut net: Box<dyn SendDynRaftNetwork<Config>> = Box::new(Peer { sent: 0 });
        let option = RPCOption {
            hard_ttl: Duration::from_millis(10),
        };
        let resp = net
            .append_entries(
                AppendEntriesRequest {
                    entries: vec![1, 2],
                },
                option.clone(),
            )
            .await;
        assert_eq!(resp.unwrap(), AppendEntriesResponse::Success);
        assert_eq!(
            net.vote_send(VoteRequest(3), option).await.unwrap(),
            VoteResponse(3)
        );
    }
}
