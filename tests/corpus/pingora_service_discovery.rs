//! `ServiceDiscovery`: cloudflare/pingora, `pingora-load-balancing/src/discovery.rs`.
//! Used through `dyn`: yes, `Box<dyn ServiceDiscovery + Send + Sync>` in `Backends`.
//! Shape: no supertraits; one async method returning a tuple of collections.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Backend {
    pub addr: String,
    pub weight: usize,
}
#[derive(Debug)]
pub struct Error;
pub type Result<T, E = Box<Error>> = std::result::Result<T, E>;

pub struct Static {
    backends: BTreeSet<Backend>,
}
impl Static {
    pub fn get(&self) -> BTreeSet<Backend> {
        self.backends.clone()
    }
}
fn one() -> Static {
    let backend = Backend {
        addr: "1.1.1.1:80".into(),
        weight: 1,
    };
    Static {
        backends: [backend].into_iter().collect(),
    }
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // cloudflare/pingora, `pingora-load-balancing/src/discovery.rs`.
    #[async_trait::async_trait]
    pub trait ServiceDiscovery {
        async fn discover(&self) -> Result<(BTreeSet<Backend>, HashMap<u64, bool>)>;
    }

    #[async_trait::async_trait]
    impl ServiceDiscovery for Static {
        async fn discover(&self) -> Result<(BTreeSet<Backend>, HashMap<u64, bool>)> {
            let health = HashMap::new();
            Ok((self.get(), health))
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // cloudflare/pingora, `pingora-load-balancing/src/discovery.rs`.
    #[hybrid_dispatch::dyn_twin(DynServiceDiscovery, send = SendDynServiceDiscovery)]
    pub trait ServiceDiscovery {
        async fn discover(&self) -> Result<(BTreeSet<Backend>, HashMap<u64, bool>)>;
    }

    impl ServiceDiscovery for Static {
        async fn discover(&self) -> Result<(BTreeSet<Backend>, HashMap<u64, bool>)> {
            let health = HashMap::new();
            Ok((self.get(), health))
        }
    }

    pub async fn run() {
        let discovery: Arc<dyn SendDynServiceDiscovery> = Arc::new(one());
        let (backends, health) = discovery.discover().await.unwrap();
        assert_eq!(backends.len(), 1);
        assert!(health.is_empty());
    }
}
