//! `Loader`: async-graphql/async-graphql, `src/dataloader/mod.rs` (feature `boxed-trait`).
//! Used through `dyn`: no, `DataLoader<T: Loader<K>>` holds it generically; dyn-compatible.
//! Shape: a trait parameter `K: Send + Sync + Hash + Eq + Clone + 'static`; associated types with
//! `'static` bounds; `'static` supertrait. The `cfg(feature = "boxed-trait")` pair of `load`
//! declarations is reduced to the `boxed-trait` one, which is what `#[async_trait]` sees.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

pub struct Users;

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // async-graphql/async-graphql, `src/dataloader/mod.rs` (feature `boxed-trait`).
    #[async_trait::async_trait]
    pub trait Loader<K: Send + Sync + Hash + Eq + Clone + 'static>: Send + Sync + 'static {
        type Value: Send + Sync + Clone + 'static;

        type Error: Send + Clone + 'static;

        async fn load(&self, keys: &[K]) -> Result<HashMap<K, Self::Value>, Self::Error>;
    }

    #[async_trait::async_trait]
    impl Loader<u64> for Users {
        type Value = String;
        type Error = Arc<str>;

        async fn load(&self, keys: &[u64]) -> Result<HashMap<u64, String>, Arc<str>> {
            Ok(keys.iter().map(|k| (*k, format!("user{k}"))).collect())
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // async-graphql/async-graphql, `src/dataloader/mod.rs` (feature `boxed-trait`).
    #[hybrid_dispatch::dyn_twin(DynLoader, send = SendDynLoader)]
    pub trait Loader<K: Send + Sync + Hash + Eq + Clone + 'static>: Send + Sync + 'static {
        type Value: Send + Sync + Clone + 'static;

        type Error: Send + Clone + 'static;

        async fn load(&self, keys: &[K]) -> Result<HashMap<K, Self::Value>, Self::Error>;
    }

    impl Loader<u64> for Users {
        type Value = String;
        type Error = Arc<str>;

        async fn load(&self, keys: &[u64]) -> Result<HashMap<u64, String>, Arc<str>> {
            Ok(keys.iter().map(|k| (*k, format!("user{k}"))).collect())
        }
    }

    pub async fn run() {
        let loader: Arc<dyn SendDynLoader<u64, Value = String, Error = Arc<str>>> = Arc::new(Users);
        let users = loader.load(&[1, 2]).await.unwrap();
        assert_eq!(users[&2], "user2");
    }
}
