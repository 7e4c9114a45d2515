//! `HandleHit`: cloudflare/pingora, `pingora-cache/src/storage.rs`.
//! Used through `dyn`: yes, `HitHandler = Box<dyn HandleHit + Sync + Send>`.
//! Shape: `self: Box<Self>` async method ("because self is always used as a trait object"),
//! `&'static (dyn Storage + Sync)` argument, `&mut self` async method, `as_any`/`as_any_mut`.

use std::any::Any;

#[derive(Debug, Clone, PartialEq)]
pub struct CacheKey(pub String);
#[derive(Debug)]
pub struct SpanHandle;
#[derive(Debug)]
pub struct Error;
pub type Result<T, E = Box<Error>> = std::result::Result<T, E>;

/// Stands in for pingora-cache's `Storage` (its own corpus entry).
pub trait Storage {
    fn name(&self) -> &str;
}
pub struct NoStorage;
impl Storage for NoStorage {
    fn name(&self) -> &str {
        "none"
    }
}

pub struct BodyHit {
    pub body: Option<bytes_stub::Bytes>,
}
pub mod bytes_stub {
    #[derive(Debug, Clone, PartialEq)]
    pub struct Bytes(pub Vec<u8>);
}
pub use bytes_stub as bytes;

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // cloudflare/pingora, `pingora-cache/src/storage.rs`.
    #[async_trait::async_trait]
    pub trait HandleHit {
        async fn read_body(&mut self) -> Result<Option<bytes::Bytes>>;

        async fn finish(
            self: Box<Self>, // because self is always used as a trait object
            storage: &'static (dyn Storage + Sync),
            key: &CacheKey,
            trace: &SpanHandle,
        ) -> Result<()>;

        fn can_seek(&self) -> bool {
            false
        }

        fn can_seek_multipart(&self) -> bool {
            self.can_seek()
        }

        fn seek(&mut self, _start: usize, _end: Option<usize>) -> Result<()> {
            todo!("seek() needs to be implemented")
        }

        fn seek_multipart(&mut self, start: usize, end: Option<usize>) -> Result<()> {
            self.seek(start, end)
        }

        fn should_count_access(&self) -> bool {
            true
        }

        fn get_eviction_weight(&self) -> usize {
            0
        }

        fn as_any(&self) -> &(dyn Any + Send + Sync);

        fn as_any_mut(&mut self) -> &mut (dyn Any + Send + Sync);
    }

    #[async_trait::async_trait]
    impl HandleHit for BodyHit {
        async fn read_body(&mut self) -> Result<Option<bytes::Bytes>> {
            Ok(self.body.take())
        }

        async fn finish(
            self: Box<Self>,
            storage: &'static (dyn Storage + Sync),
            key: &CacheKey,
            trace: &SpanHandle,
        ) -> Result<()> {
            Ok(())
        }

        fn as_any(&self) -> &(dyn Any + Send + Sync) {
            self
        }

        fn as_any_mut(&mut self) -> &mut (dyn Any + Send + Sync) {
            self
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // cloudflare/pingora, `pingora-cache/src/storage.rs`.
    #[hybrid_dispatch::dyn_twin(DynHandleHit, send = SendDynHandleHit)]
    pub trait HandleHit {
        async fn read_body(&mut self) -> Result<Option<bytes::Bytes>>;

        async fn finish(
            self: Box<Self>, // because self is always used as a trait object
            storage: &'static (dyn Storage + Sync),
            key: &CacheKey,
            trace: &SpanHandle,
        ) -> Result<()>;

        fn can_seek(&self) -> bool {
            false
        }

        fn can_seek_multipart(&self) -> bool {
            self.can_seek()
        }

        fn seek(&mut self, _start: usize, _end: Option<usize>) -> Result<()> {
            todo!("seek() needs to be implemented")
        }

        fn seek_multipart(&mut self, start: usize, end: Option<usize>) -> Result<()> {
            self.seek(start, end)
        }

        fn should_count_access(&self) -> bool {
            true
        }

        fn get_eviction_weight(&self) -> usize {
            0
        }

        fn as_any(&self) -> &(dyn Any + Send + Sync);

        fn as_any_mut(&mut self) -> &mut (dyn Any + Send + Sync);
    }

    impl HandleHit for BodyHit {
        async fn read_body(&mut self) -> Result<Option<bytes::Bytes>> {
            Ok(self.body.take())
        }

        async fn finish(
            self: Box<Self>,
            storage: &'static (dyn Storage + Sync),
            key: &CacheKey,
            trace: &SpanHandle,
        ) -> Result<()> {
            Ok(())
        }

        fn as_any(&self) -> &(dyn Any + Send + Sync) {
            self
        }

        fn as_any_mut(&mut self) -> &mut (dyn Any + Send + Sync) {
            self
        }
    }

    pub async fn run() {
        let mut hit: Box<dyn SendDynHandleHit> = Box::new(BodyHit {
            body: Some(bytes::Bytes(vec![1, 2])),
        });
        assert_eq!(
            hit.read_body().await.unwrap(),
            Some(bytes::Bytes(vec![1, 2]))
        );
        assert_eq!(hit.read_body_send().await.unwrap(), None);
    }
}
