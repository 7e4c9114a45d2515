//! `RaftNetworkFactory`: databendlabs/openraft, `openraft/src/network/factory.rs` (104983db^, openraft 0.8).
//! Used through `dyn`: no, `Raft<C, N: RaftNetworkFactory<C>, S>` (static); dyn-compatible.
//! Shape: an associated type bounded by another trait of the project (`RaftNetwork<C>`, a plain
//! stand-in here); `&mut self` async method with a borrowed `&C::Node`.

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

/// Stands in for openraft's `RaftNetwork` (its own corpus entry).
pub trait RaftNetwork<C>: Send + Sync + 'static
where
    C: RaftTypeConfig,
{
    fn target(&self) -> C::NodeId;
}
pub struct Client(pub u64);
impl RaftNetwork<Config> for Client {
    fn target(&self) -> u64 {
        self.0
    }
}
pub struct Connector {
    pub opened: usize,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // databendlabs/openraft, `openraft/src/network/factory.rs` (104983db^, openraft 0.8).
    #[async_trait::async_trait]
    pub trait RaftNetworkFactory<C>: Send + Sync + 'static
    where
        C: RaftTypeConfig,
    {
        type Network: RaftNetwork<C>;

        async fn new_client(&mut self, target: C::NodeId, node: &C::Node) -> Self::Network;
    }

    #[async_trait::async_trait]
    impl RaftNetworkFactory<Config> for Connector {
        type Network = Client;

        async fn new_client(&mut self, target: u64, node: &()) -> Client {
            self.opened += 1;
            Client(target)
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // databendlabs/openraft, `openraft/src/network/factory.rs` (104983db^, openraft 0.8).
    #[hybrid_dispatch::dyn_twin(DynRaftNetworkFactory, send = SendDynRaftNetworkFactory)]
    pub trait RaftNetworkFactory<C>: Send + Sync + 'static
    where
        C: RaftTypeConfig,
    {
        type Network: RaftNetwork<C>;

        async fn new_client(&mut self, target: C::NodeId, node: &C::Node) -> Self::Network;
    }

    impl RaftNetworkFactory<Config> for Connector {
        type Network = Client;

        async fn new_client(&mut self, target: u64, node: &()) -> Client {
            self.opened += 1;
            Client(target)
        }
    }

    pub async fn run() {
        let mut factory: Box<dyn SendDynRaftNetworkFactory<Config, Network = Client>> =
            Box::new(Connector { opened: 0 });
        let client = factory.new_client(5, &()).await;
        assert_eq!(client.target(), 5);
    }
}
