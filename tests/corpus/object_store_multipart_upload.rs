//! `MultipartUpload`: apache/arrow-rs, `object_store/src/upload.rs` (d9b8ba77^).
//! Used through `dyn`: yes, `Box<dyn MultipartUpload>` (returned by `ObjectStore::put_multipart`).
//! Shape: `Send + Debug` but not `Sync`; `&mut self` async methods; a sync method returning a
//! boxed future (`UploadPart`).

use futures_util::future::BoxFuture;

#[derive(Debug, Clone)]
pub struct PutPayload(pub Vec<u8>);
#[derive(Debug, Clone, PartialEq)]
pub struct PutResult {
    pub e_tag: Option<String>,
}
#[derive(Debug)]
pub struct Error;
pub type Result<T, E = Error> = std::result::Result<T, E>;
pub type UploadPart = BoxFuture<'static, Result<()>>;

#[derive(Debug, Default)]
pub struct Parts {
    pub parts: Vec<PutPayload>,
    pub done: bool,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // apache/arrow-rs, `object_store/src/upload.rs` (d9b8ba77^).
    #[async_trait::async_trait]
    pub trait MultipartUpload: Send + std::fmt::Debug {
        fn put_part(&mut self, data: PutPayload) -> UploadPart;

        async fn complete(&mut self) -> Result<PutResult>;

        async fn abort(&mut self) -> Result<()>;
    }

    #[async_trait::async_trait]
    impl MultipartUpload for Parts {
        fn put_part(&mut self, data: PutPayload) -> UploadPart {
            self.parts.push(data);
            Box::pin(async { Ok(()) })
        }

        async fn complete(&mut self) -> Result<PutResult> {
            self.done = true;
            Ok(PutResult {
                e_tag: Some(format!("{} parts", self.parts.len())),
            })
        }

        async fn abort(&mut self) -> Result<()> {
            self.parts.clear();
            Ok(())
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // apache/arrow-rs, `object_store/src/upload.rs` (d9b8ba77^).
    #[hybrid_dispatch::dyn_twin(DynMultipartUpload, send = SendDynMultipartUpload)]
    pub trait MultipartUpload: Send + std::fmt::Debug {
        fn put_part(&mut self, data: PutPayload) -> UploadPart;

        async fn complete(&mut self) -> Result<PutResult>;

        async fn abort(&mut self) -> Result<()>;
    }

    impl MultipartUpload for Parts {
        fn put_part(&mut self, data: PutPayload) -> UploadPart {
            self.parts.push(data);
            Box::pin(async { Ok(()) })
        }

        async fn complete(&mut self) -> Result<PutResult> {
            self.done = true;
            Ok(PutResult {
                e_tag: Some(format!("{} parts", self.parts.len())),
            })
        }

        async fn abort(&mut self) -> Result<()> {
            self.parts.clear();
            Ok(())
        }
    }

    pub async fn run() {
        let mut upload: Box<dyn SendDynMultipartUpload> = Box::new(Parts::default());
        upload.put_part_dyn(PutPayload(vec![1])).await.unwrap();
        let done = upload.complete().await.unwrap();
        assert_eq!(done.e_tag.as_deref(), Some("1 parts"));
    }
}
