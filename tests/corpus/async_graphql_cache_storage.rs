//! `CacheStorage`: async-graphql/async-graphql, `src/extensions/apollo_persisted_queries.rs`.
//! Used through `dyn`: no, static-only: the `Clone` supertrait makes it dyn-incompatible
//! (`ApolloPersistedQueries<T: CacheStorage>`).
//! Shape: `Send + Sync + Clone + 'static`; owned arguments.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, PartialEq)]
pub struct ExecutableDocument(pub String);

#[derive(Clone, Default)]
pub struct LruCacheStorage(pub Arc<Mutex<HashMap<String, ExecutableDocument>>>);

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // async-graphql/async-graphql, `src/extensions/apollo_persisted_queries.rs`.
    #[async_trait::async_trait]
    pub trait CacheStorage: Send + Sync + Clone + 'static {
        async fn get(&self, key: String) -> Option<ExecutableDocument>;

        async fn set(&self, key: String, query: ExecutableDocument);
    }

    #[async_trait::async_trait]
    impl CacheStorage for LruCacheStorage {
        async fn get(&self, key: String) -> Option<ExecutableDocument> {
            self.0.lock().unwrap().get(&key).cloned()
        }

        async fn set(&self, key: String, query: ExecutableDocument) {
            self.0.lock().unwrap().insert(key, query);
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
#[cfg(any())] // BLOCKED: static-only; refused: "`Clone` is not dyn-compatible (it needs `Self: Sized` or names `Self`), so a trait with it as a supertrait cannot be a trait object"
pub mod migrated {
    use super::*;

    // async-graphql/async-graphql, `src/extensions/apollo_persisted_queries.rs`.
    #[hybrid_dispatch::dyn_twin(DynCacheStorage, send = SendDynCacheStorage)]
    pub trait CacheStorage: Send + Sync + Clone + 'static {
        async fn get(&self, key: String) -> Option<ExecutableDocument>;

        async fn set(&self, key: String, query: ExecutableDocument);
    }

    impl CacheStorage for LruCacheStorage {
        async fn get(&self, key: String) -> Option<ExecutableDocument> {
            self.0.lock().unwrap().get(&key).cloned()
        }

        async fn set(&self, key: String, query: ExecutableDocument) {
            self.0.lock().unwrap().insert(key, query);
        }
    }

    pub async fn run() {
        let cache = LruCacheStorage::default();
        cache
            .set("k".into(), ExecutableDocument("{ a }".into()))
            .await;
        assert_eq!(
            cache.get("k".into()).await,
            Some(ExecutableDocument("{ a }".into()))
        );
    }
}
