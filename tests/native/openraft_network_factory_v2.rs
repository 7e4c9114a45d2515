//! `RaftNetworkFactory`: databendlabs/openraft, `openraft/src/network/factory.rs` (openraft
//! 0.10.0-alpha.34; snapshot 5463678f, file last changed in e354ce41, 2026-07-22). The native
//! successor of `tests/corpus/openraft_network_factory.rs` (openraft 0.8, `#[async_trait]`).
//! Used through `dyn`: no, `Raft<C>` takes `C::NetworkFactory` generically; dyn-compatible (a
//! factory chosen at run time, for tests or transports, is what a user would erase).
//! Shape: declared with `async fn` under openraft's `#[add_async_trait]`, which rewrites each
//! into `fn m(..) -> impl std::future::Future<Output = T> + Send` and each default body into
//! `{ async move { .. } }`; the file holds that expansion, which is what the compiler sees
//! (without the `single-threaded` feature). A trait generic over `C: RaftTypeConfig` (in a
//! `where` clause), supertraits `OptionalSend + OptionalSync + 'static` (openraft's aliases
//! of `Send` / `Sync`), an associated type bounded by five traits generic over `C`, `&mut self`
//! async methods taking `C::NodeId` by value and `&C::Node`, two default bodies calling
//! `self.new_client(..)`.

use std::collections::BTreeMap;
use std::fmt::{Debug, Display};
use std::hash::Hash;
use std::time::Duration;

// openraft-rt `OptionalSend` / `OptionalSync`, without `single-threaded`.
pub trait OptionalSend: Send {}
impl<T: Send + ?Sized> OptionalSend for T {}
pub trait OptionalSync: Sync {}
impl<T: Sync + ?Sized> OptionalSync for T {}

pub trait NodeId:
    Sized + OptionalSend + OptionalSync + Eq + Ord + Debug + Display + Hash + Clone + 'static
{
}
impl<T> NodeId for T where
    T: Sized + OptionalSend + OptionalSync + Eq + Ord + Debug + Display + Hash + Clone + 'static
{
}
pub trait Node: Sized + OptionalSend + OptionalSync + Eq + Debug + Clone + 'static {}
impl<T> Node for T where T: Sized + OptionalSend + OptionalSync + Eq + Debug + Clone + 'static {}

/// The part of openraft's `RaftTypeConfig` this trait names.
pub trait RaftTypeConfig:
    Sized + OptionalSend + OptionalSync + Debug + Clone + Copy + Default + Eq + Ord + 'static
{
    type NodeId: NodeId;
    type Node: Node;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicNode {
    pub addr: String,
}
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct TypeConfig;
impl RaftTypeConfig for TypeConfig {
    type NodeId = u64;
    type Node = BasicNode;
}

// The network sub-traits the associated type is bounded by (openraft's are async traits of
// their own; stubbed with one sync method each).
pub trait NetBackoff<C: RaftTypeConfig>: OptionalSend + OptionalSync + 'static {
    fn backoff(&self) -> Option<Duration> {
        None
    }
}
pub trait NetStreamAppend<C: RaftTypeConfig>: OptionalSend + OptionalSync + 'static {}
pub trait NetVote<C: RaftTypeConfig>: OptionalSend + OptionalSync + 'static {
    fn target(&self) -> &C::NodeId;
}
pub trait NetSnapshot<C: RaftTypeConfig>: OptionalSend + OptionalSync + 'static {}
pub trait NetTransferLeader<C: RaftTypeConfig>: OptionalSend + OptionalSync + 'static {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerClient {
    pub target: u64,
    pub addr: String,
    pub kind: &'static str,
}
impl NetBackoff<TypeConfig> for PeerClient {}
impl NetStreamAppend<TypeConfig> for PeerClient {}
impl NetVote<TypeConfig> for PeerClient {
    fn target(&self) -> &u64 {
        &self.target
    }
}
impl NetSnapshot<TypeConfig> for PeerClient {}
impl NetTransferLeader<TypeConfig> for PeerClient {}

/// An in-process router: remembers how many clients it made for each target.
#[derive(Debug, Default)]
pub struct Router {
    pub made: BTreeMap<u64, usize>,
}

/// The trait as the project declares it (after `#[add_async_trait]`), and an impl.
pub mod control {
    use super::*;

    // databendlabs/openraft, `openraft/src/network/factory.rs` (0.10.0-alpha.34).
    pub trait RaftNetworkFactory<C>: OptionalSend + OptionalSync + 'static
    where
        C: RaftTypeConfig,
    {
        type Network: NetBackoff<C>
            + NetStreamAppend<C>
            + NetVote<C>
            + NetSnapshot<C>
            + NetTransferLeader<C>;

        fn new_client(
            &mut self,
            target: C::NodeId,
            node: &C::Node,
        ) -> impl std::future::Future<Output = Self::Network> + Send;

        fn new_heartbeat_client(
            &mut self,
            target: C::NodeId,
            node: &C::Node,
        ) -> impl std::future::Future<Output = Self::Network> + Send {
            async move { self.new_client(target, node).await }
        }

        fn new_snapshot_client(
            &mut self,
            target: C::NodeId,
            node: &C::Node,
        ) -> impl std::future::Future<Output = Self::Network> + Send {
            async move { self.new_client(target, node).await }
        }
    }

    impl RaftNetworkFactory<TypeConfig> for Router {
        type Network = PeerClient;

        async fn new_client(&mut self, target: u64, node: &BasicNode) -> PeerClient {
            *self.made.entry(target).or_default() += 1;
            PeerClient {
                target,
                addr: node.addr.clone(),
                kind: "append",
            }
        }
    }
}

/// The same trait under `#[dyn_twin]`, the impl unchanged, and calls through the `Send` twin.
pub mod migrated {
    use super::*;

    // databendlabs/openraft, `openraft/src/network/factory.rs` (0.10.0-alpha.34).
    #[hybrid_dispatch::dyn_twin(DynRaftNetworkFactory, send = SendDynRaftNetworkFactory)]
    pub trait RaftNetworkFactory<C>: OptionalSend + OptionalSync + 'static
    where
        C: RaftTypeConfig,
    {
        type Network: NetBackoff<C>
            + NetStreamAppend<C>
            + NetVote<C>
            + NetSnapshot<C>
            + NetTransferLeader<C>;

        fn new_client(
            &mut self,
            target: C::NodeId,
            node: &C::Node,
        ) -> impl std::future::Future<Output = Self::Network> + Send;

        fn new_heartbeat_client(
            &mut self,
            target: C::NodeId,
            node: &C::Node,
        ) -> impl std::future::Future<Output = Self::Network> + Send {
            async move { self.new_client(target, node).await }
        }

        fn new_snapshot_client(
            &mut self,
            target: C::NodeId,
            node: &C::Node,
        ) -> impl std::future::Future<Output = Self::Network> + Send {
            async move { self.new_client(target, node).await }
        }
    }

    impl RaftNetworkFactory<TypeConfig> for Router {
        type Network = PeerClient;

        async fn new_client(&mut self, target: u64, node: &BasicNode) -> PeerClient {
            *self.made.entry(target).or_default() += 1;
            PeerClient {
                target,
                addr: node.addr.clone(),
                kind: "append",
            }
        }

        async fn new_snapshot_client(&mut self, target: u64, node: &BasicNode) -> PeerClient {
            PeerClient {
                kind: "snapshot",
                ..self.new_client(target, node).await
            }
        }
    }

    /// A generic user, as openraft's replication core is: takes the twin through the bridge.
    async fn connect_all<C, N>(factory: &mut N, peers: &[(C::NodeId, C::Node)]) -> Vec<N::Network>
    where
        C: RaftTypeConfig,
        N: RaftNetworkFactory<C> + ?Sized,
    {
        let mut clients = Vec::new();
        for (id, node) in peers {
            clients.push(factory.new_heartbeat_client(id.clone(), node).await);
        }
        clients
    }

    pub async fn run() {
        let mut factory: Box<dyn SendDynRaftNetworkFactory<TypeConfig, Network = PeerClient>> =
            Box::new(Router::default());
        let node = BasicNode {
            addr: "10.0.0.1:21001".into(),
        };

        let client = factory.new_client(1, &node).await;
        assert_eq!((client.target, client.kind), (1, "append"));
        assert_eq!(NetVote::<TypeConfig>::target(&client), &1);
        let client = factory.new_client_send(2, &node).await;
        assert_eq!(client.addr, "10.0.0.1:21001");
        // The default body, through the twin.
        let client = factory.new_heartbeat_client_send(2, &node).await;
        assert_eq!((client.target, client.kind), (2, "append"));
        // The override, through the bridge.
        let client = factory.new_snapshot_client(3, &node).await;
        assert_eq!((client.target, client.kind), (3, "snapshot"));

        // Moved into a task: the twin is `Send`.
        let task = tokio::spawn(async move {
            let node = BasicNode { addr: "n".into() };
            factory.new_client_send(6, &node).await;
            factory
        });
        let factory = task.await.unwrap();
        assert_eq!(factory.twin_type_name(), std::any::type_name::<Router>());
    }

    /// Generic code over the trait (`N: RaftNetworkFactory<C> + ?Sized`), given the twin object
    /// through the bridge. Awaited in place: see [`run_generic_in_task`].
    pub async fn run_generic() {
        let mut factory: Box<dyn SendDynRaftNetworkFactory<TypeConfig, Network = PeerClient>> =
            Box::new(Router::default());
        let node = BasicNode { addr: "a".into() };
        let peers = [(4, node.clone()), (5, node)];
        let clients = connect_all::<TypeConfig, _>(&mut *factory, &peers).await;
        assert_eq!(clients.len(), 2);
        assert_eq!(clients[1].target, 5);
    }

    /// The same generic call in a future that must be `Send` (`tokio::spawn`).
    #[cfg(any())] // BLOCKED: implementation of `RaftNetworkFactory` is not general enough (`dyn SendDynRaftNetworkFactory<..> + '0` must implement it for any lifetime `'0`; the bridge is for `+ 'static`)
    pub async fn run_generic_in_task() {
        tokio::spawn(run_generic()).await.unwrap();
    }
}
