//! `Receiver`: commonwarexyz/monorepo, `p2p/src/lib.rs` (read at dc41a895, 2026-08).
//! Used through `dyn`: no, generically (`R: Receiver`, by every engine); a node multiplexing
//! channels from the authenticated and the simulated networks, or a test harness, would hold
//! `Box<dyn SendDynReceiver<Error = E, PublicKey = P>>`.
//! Shape: `Debug + Send + 'static` (not `Sync`); two associated types, one bounded
//! `Debug + StdError + Send + Sync`; one `&mut self` method declared by hand,
//! `-> impl Future<Output = Result<Message<Self::PublicKey>, Self::Error>> + Send`, where
//! `Message<P>` is a type alias; the trait is declared inside the project's
//! `stability_scope!(BETA { .. })` macro, which puts a `#[cfg]` on each item (a
//! `macro_rules!` stand-in here).

use std::error::Error as StdError;
use std::fmt::Debug;
use std::future::Future;

/// Stand-in for `commonware_macros::stability_scope!`: each item, with a `#[cfg]` that holds
/// (the project's excludes items above the configured stability level).
macro_rules! stability_scope {
    ($level:ident { $($item:item)* }) => {
        $(
            #[cfg(not(any()))]
            $item
        )*
    };
}

// commonwarexyz/monorepo, `cryptography/src/lib.rs` (bounds reduced, methods left out).
pub trait PublicKey: Clone + Debug + Ord + Send + Sync + 'static {}
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ed25519(pub [u8; 4]);
impl PublicKey for Ed25519 {}

/// commonware-runtime's `IoBuf` (an immutable, cheaply cloned buffer), stubbed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IoBuf(pub std::sync::Arc<[u8]>);

#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    NetworkClosed,
}
impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("network closed")
    }
}
impl StdError for Error {}

// commonwarexyz/monorepo, `p2p/src/lib.rs`.
stability_scope!(BETA {
    pub type Message<P> = (P, IoBuf);

    #[hybrid_dispatch::dyn_twin(DynReceiver, send = SendDynReceiver)]
    pub trait Receiver: Debug + Send + 'static {
        type Error: Debug + StdError + Send + Sync;

        type PublicKey: PublicKey;

        fn recv(
            &mut self,
        ) -> impl Future<Output = Result<Message<Self::PublicKey>, Self::Error>> + Send;
    }
});

/// The simulated network's receiver (`p2p/src/simulated/network.rs`): an mpsc channel.
/// `Cell`: `Send` but not `Sync`, which a `Receiver` need not be.
#[derive(Debug)]
pub struct SimReceiver<P: PublicKey> {
    receiver: tokio::sync::mpsc::UnboundedReceiver<Message<P>>,
    received: std::cell::Cell<usize>,
}

impl<P: PublicKey> Receiver for SimReceiver<P> {
    type Error = Error;
    type PublicKey = P;

    async fn recv(&mut self) -> Result<Message<Self::PublicKey>, Error> {
        let message = self.receiver.recv().await.ok_or(Error::NetworkClosed)?;
        self.received.set(self.received.get() + 1);
        Ok(message)
    }
}

pub async fn run() {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let mut receiver: Box<dyn SendDynReceiver<Error = Error, PublicKey = Ed25519>> =
        Box::new(SimReceiver {
            receiver: rx,
            received: std::cell::Cell::new(0),
        });
    let peer = Ed25519([1; 4]);
    let payload = IoBuf(std::sync::Arc::from(&b"block"[..]));
    tx.send((peer.clone(), payload.clone())).unwrap();
    tx.send((peer.clone(), IoBuf(std::sync::Arc::from(&b"vote"[..]))))
        .unwrap();

    assert_eq!(receiver.recv().await, Ok((peer.clone(), payload)));
    let fut = receiver.recv_send();
    assert!(!fut.is_heap());
    assert_eq!(fut.await.unwrap().1.0.as_ref(), b"vote");

    // The `Send`-only twin moves into another task, as engines' receivers do.
    let task = tokio::spawn(async move { receiver.recv_send().await });
    drop(tx);
    assert_eq!(task.await.unwrap(), Err(Error::NetworkClosed));
}
