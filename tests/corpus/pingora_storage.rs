//! `Storage`: cloudflare/pingora, `pingora-cache/src/storage.rs`.
//! Used through `dyn`: yes, `&'static (dyn Storage + Sync)` in `HttpCache`.
//! Shape: every async method takes `&'static self`; `as_any` returns a `'static` trait object.

use std::any::Any;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub struct CacheKey(pub String);
#[derive(Debug, Clone)]
pub struct CompactCacheKey(pub String);
#[derive(Debug, Clone, PartialEq)]
pub struct CacheMeta(pub u32);
#[derive(Debug)]
pub struct SpanHandle;
#[derive(Debug, Clone, Copy)]
pub enum PurgeType {
    Eviction,
    Invalidation,
}
#[derive(Debug)]
pub enum MissFinishType {
    Created(usize),
    Appended(usize),
}
#[derive(Debug)]
pub struct Error;
pub type Result<T, E = Box<Error>> = std::result::Result<T, E>;
pub type HitHandler = Box<dyn Any + Send + Sync>;
pub type MissHandler = Box<dyn Any + Send + Sync>;

pub struct MemCache {
    pub meta: CacheMeta,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // cloudflare/pingora, `pingora-cache/src/storage.rs`.
    #[async_trait::async_trait]
    pub trait Storage {
        async fn lookup(
            &'static self,
            key: &CacheKey,
            trace: &SpanHandle,
        ) -> Result<Option<(CacheMeta, HitHandler)>>;

        async fn lookup_streaming_write(
            &'static self,
            key: &CacheKey,
            _streaming_write_tag: Option<&[u8]>,
            trace: &SpanHandle,
        ) -> Result<Option<(CacheMeta, HitHandler)>> {
            self.lookup(key, trace).await
        }

        async fn get_miss_handler(
            &'static self,
            key: &CacheKey,
            meta: &CacheMeta,
            trace: &SpanHandle,
        ) -> Result<MissHandler>;

        async fn purge(
            &'static self,
            key: &CompactCacheKey,
            purge_type: PurgeType,
            trace: &SpanHandle,
        ) -> Result<bool>;

        async fn update_meta(
            &'static self,
            key: &CacheKey,
            meta: &CacheMeta,
            trace: &SpanHandle,
        ) -> Result<bool>;

        fn support_streaming_partial_write(&self) -> bool {
            false
        }

        fn as_any(&self) -> &(dyn Any + Send + Sync + 'static);
    }

    #[async_trait::async_trait]
    impl Storage for MemCache {
        async fn lookup(
            &'static self,
            key: &CacheKey,
            trace: &SpanHandle,
        ) -> Result<Option<(CacheMeta, HitHandler)>> {
            Ok(Some((self.meta.clone(), Box::new(key.0.clone()))))
        }

        async fn get_miss_handler(
            &'static self,
            key: &CacheKey,
            meta: &CacheMeta,
            trace: &SpanHandle,
        ) -> Result<MissHandler> {
            Ok(Box::new(()))
        }

        async fn purge(
            &'static self,
            key: &CompactCacheKey,
            purge_type: PurgeType,
            trace: &SpanHandle,
        ) -> Result<bool> {
            Ok(true)
        }

        async fn update_meta(
            &'static self,
            key: &CacheKey,
            meta: &CacheMeta,
            trace: &SpanHandle,
        ) -> Result<bool> {
            Ok(false)
        }

        fn as_any(&self) -> &(dyn Any + Send + Sync + 'static) {
            self
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // cloudflare/pingora, `pingora-cache/src/storage.rs`.
    #[hybrid_dispatch::dyn_twin(DynStorage, send = SendDynStorage)]
    pub trait Storage {
        async fn lookup(
            &'static self,
            key: &CacheKey,
            trace: &SpanHandle,
        ) -> Result<Option<(CacheMeta, HitHandler)>>;

        async fn lookup_streaming_write(
            &'static self,
            key: &CacheKey,
            _streaming_write_tag: Option<&[u8]>,
            trace: &SpanHandle,
        ) -> Result<Option<(CacheMeta, HitHandler)>> {
            self.lookup(key, trace).await
        }

        async fn get_miss_handler(
            &'static self,
            key: &CacheKey,
            meta: &CacheMeta,
            trace: &SpanHandle,
        ) -> Result<MissHandler>;

        async fn purge(
            &'static self,
            key: &CompactCacheKey,
            purge_type: PurgeType,
            trace: &SpanHandle,
        ) -> Result<bool>;

        async fn update_meta(
            &'static self,
            key: &CacheKey,
            meta: &CacheMeta,
            trace: &SpanHandle,
        ) -> Result<bool>;

        fn support_streaming_partial_write(&self) -> bool {
            false
        }

        fn as_any(&self) -> &(dyn Any + Send + Sync + 'static);
    }

    impl Storage for MemCache {
        async fn lookup(
            &'static self,
            key: &CacheKey,
            trace: &SpanHandle,
        ) -> Result<Option<(CacheMeta, HitHandler)>> {
            Ok(Some((self.meta.clone(), Box::new(key.0.clone()))))
        }

        async fn get_miss_handler(
            &'static self,
            key: &CacheKey,
            meta: &CacheMeta,
            trace: &SpanHandle,
        ) -> Result<MissHandler> {
            Ok(Box::new(()))
        }

        async fn purge(
            &'static self,
            key: &CompactCacheKey,
            purge_type: PurgeType,
            trace: &SpanHandle,
        ) -> Result<bool> {
            Ok(true)
        }

        async fn update_meta(
            &'static self,
            key: &CacheKey,
            meta: &CacheMeta,
            trace: &SpanHandle,
        ) -> Result<bool> {
            Ok(false)
        }

        fn as_any(&self) -> &(dyn Any + Send + Sync + 'static) {
            self
        }
    }

    pub async fn run() {
        // pingora's storages are `&'static` (leaked, or in a static): a
        // static here, which Miri does not count as a leak.
        static STORAGE: MemCache = MemCache { meta: CacheMeta(7) };
        let storage: &'static dyn SendDynStorage = &STORAGE;
        let (meta, _hit) = storage
            .lookup(&CacheKey("k".into()), &SpanHandle)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(meta, CacheMeta(7));
    }
}
