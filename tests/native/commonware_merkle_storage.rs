//! `Storage<F: Family>`: commonwarexyz/monorepo, `storage/src/merkle/storage.rs` (read at
//! dc41a895, 2026-08).
//! Used through `dyn`: no, generically (`S: Storage<F>`, for the in-memory `Mem` and the
//! journaled MMR); a proof server over several backends would hold
//! `Arc<dyn SendDynStorage<F, Digest = D>>`.
//! Shape: a generic trait (`F: Family`) with `Send + Sync`; an associated type bounded by a
//! trait (`type Digest: Digest`); a sync method; async methods declared by hand,
//! `-> impl Future<Output = Result<.., Error<F>>> + Send`, one with a default body written as
//! an `async move` block that borrows `positions` and calls the other method; the
//! implementor's `async fn get_node` calls an inherent method of the same name.

use core::fmt::Debug;
use core::future::Future;
use core::marker::PhantomData;

// commonwarexyz/monorepo, `storage/src/merkle/mod.rs` (methods left out).
pub trait Family: Copy + Clone + Debug + Default + Send + Sync + 'static {}
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Mmr;
impl Family for Mmr {}

/// commonware's `Position<F>`: a node index typed by its family.
#[derive(Debug)]
pub struct Position<F: Family>(u64, PhantomData<F>);
impl<F: Family> PartialEq for Position<F> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl<F: Family> Eq for Position<F> {}
impl<F: Family> PartialOrd for Position<F> {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<F: Family> Ord for Position<F> {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}
impl<F: Family> Clone for Position<F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F: Family> Copy for Position<F> {}
impl<F: Family> Position<F> {
    pub const fn new(pos: u64) -> Self {
        Self(pos, PhantomData)
    }
}

// commonwarexyz/monorepo, `cryptography/src/lib.rs` (bounds kept, methods left out).
pub trait Digest: Copy + Clone + Debug + Eq + Send + Sync + 'static {}
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Sha256Digest(pub [u8; 4]);
impl Digest for Sha256Digest {}

#[derive(Debug, PartialEq, Eq)]
pub enum Error<F: Family> {
    ElementPruned(Position<F>),
}

/// The in-memory structure (`storage/src/merkle/mem.rs`), with inherent `size` and
/// `get_node` as the project's has.
pub struct Mem<F: Family, D: Digest> {
    nodes: Vec<D>,
    pruned_to: u64,
    _family: PhantomData<F>,
}
impl<F: Family, D: Digest> Mem<F, D> {
    pub fn size(&self) -> Position<F> {
        Position::new(self.nodes.len() as u64)
    }
    pub fn get_node(&self, pos: Position<F>) -> Option<D> {
        if pos.0 < self.pruned_to {
            return None;
        }
        self.nodes.get(pos.0 as usize).copied()
    }
}

// commonwarexyz/monorepo, `storage/src/merkle/storage.rs`.
#[hybrid_dispatch::dyn_twin(DynStorage, send = SendDynStorage)]
pub trait Storage<F: Family>: Send + Sync {
    type Digest: Digest;

    fn size(&self) -> Position<F>;

    fn get_node(
        &self,
        position: Position<F>,
    ) -> impl Future<Output = Result<Option<Self::Digest>, Error<F>>> + Send;

    fn get_nodes(
        &self,
        positions: &[Position<F>],
    ) -> impl Future<Output = Result<Vec<Self::Digest>, Error<F>>> + Send {
        async move {
            assert!(
                positions.is_sorted_by(|a, b| a < b),
                "positions must be strictly increasing"
            );
            let mut nodes = Vec::with_capacity(positions.len());
            for &position in positions {
                let node = self
                    .get_node(position)
                    .await?
                    .ok_or(Error::ElementPruned(position))?;
                nodes.push(node);
            }
            Ok(nodes)
        }
    }
}

impl<F, D> Storage<F> for Mem<F, D>
where
    F: Family,
    D: Digest,
{
    type Digest = D;

    fn size(&self) -> Position<F> {
        self.size()
    }

    async fn get_node(&self, position: Position<F>) -> Result<Option<D>, Error<F>> {
        Ok(Self::get_node(self, position))
    }
}

pub async fn run() {
    use std::sync::Arc;

    let mem: Mem<Mmr, Sha256Digest> = Mem {
        nodes: (0..8u8).map(|i| Sha256Digest([i; 4])).collect(),
        pruned_to: 2,
        _family: PhantomData,
    };
    let storage: Arc<dyn SendDynStorage<Mmr, Digest = Sha256Digest>> = Arc::new(mem);
    assert_eq!(storage.size_dyn(), Position::new(8));
    assert_eq!(
        storage.get_node(Position::new(3)).await,
        Ok(Some(Sha256Digest([3; 4])))
    );
    assert_eq!(storage.get_node_send(Position::new(1)).await, Ok(None));

    // The default body, through the bridge and through the twin.
    let positions = vec![Position::new(2), Position::new(5)];
    assert_eq!(
        storage.get_nodes(&positions).await,
        Ok(vec![Sha256Digest([2; 4]), Sha256Digest([5; 4])])
    );
    let pruned = [Position::new(0), Position::new(4)];
    let fut = storage.get_nodes_send(&pruned);
    assert_eq!(fut.await, Err(Error::ElementPruned(Position::new(0))));
}
