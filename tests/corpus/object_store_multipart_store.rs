//! `MultipartStore`: apache/arrow-rs, `object_store/src/multipart.rs` (d9b8ba77^).
//! Used through `dyn`: yes, `&dyn MultipartStore` (object_store's `integration::multipart`).
//! Shape: `'static` supertrait; borrowed arguments only.

use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, PartialEq)]
pub struct Path(pub String);
pub type MultipartId = String;
#[derive(Debug, Clone, PartialEq)]
pub struct PartId {
    pub content_id: String,
}
#[derive(Debug, Clone)]
pub struct PutPayload(pub Vec<u8>);
#[derive(Debug, Clone, PartialEq)]
pub struct PutResult {
    pub e_tag: Option<String>,
}
#[derive(Debug)]
pub struct Error;
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Default)]
pub struct Uploads {
    pub next: Mutex<usize>,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // apache/arrow-rs, `object_store/src/multipart.rs` (d9b8ba77^).
    #[async_trait::async_trait]
    pub trait MultipartStore: Send + Sync + 'static {
        async fn create_multipart(&self, path: &Path) -> Result<MultipartId>;

        async fn put_part(
            &self,
            path: &Path,
            id: &MultipartId,
            part_idx: usize,
            data: PutPayload,
        ) -> Result<PartId>;

        async fn complete_multipart(
            &self,
            path: &Path,
            id: &MultipartId,
            parts: Vec<PartId>,
        ) -> Result<PutResult>;

        async fn abort_multipart(&self, path: &Path, id: &MultipartId) -> Result<()>;
    }

    #[async_trait::async_trait]
    impl MultipartStore for Uploads {
        async fn create_multipart(&self, path: &Path) -> Result<MultipartId> {
            let mut next = self.next.lock().unwrap();
            *next += 1;
            Ok(format!("{}#{}", path.0, next))
        }

        async fn put_part(
            &self,
            path: &Path,
            id: &MultipartId,
            part_idx: usize,
            data: PutPayload,
        ) -> Result<PartId> {
            Ok(PartId {
                content_id: format!("{id}/{part_idx}"),
            })
        }

        async fn complete_multipart(
            &self,
            path: &Path,
            id: &MultipartId,
            parts: Vec<PartId>,
        ) -> Result<PutResult> {
            Ok(PutResult {
                e_tag: Some(format!("{id}:{}", parts.len())),
            })
        }

        async fn abort_multipart(&self, path: &Path, id: &MultipartId) -> Result<()> {
            Ok(())
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // apache/arrow-rs, `object_store/src/multipart.rs` (d9b8ba77^).
    #[hybrid_dispatch::dyn_twin(DynMultipartStore, send = SendDynMultipartStore)]
    pub trait MultipartStore: Send + Sync + 'static {
        async fn create_multipart(&self, path: &Path) -> Result<MultipartId>;

        async fn put_part(
            &self,
            path: &Path,
            id: &MultipartId,
            part_idx: usize,
            data: PutPayload,
        ) -> Result<PartId>;

        async fn complete_multipart(
            &self,
            path: &Path,
            id: &MultipartId,
            parts: Vec<PartId>,
        ) -> Result<PutResult>;

        async fn abort_multipart(&self, path: &Path, id: &MultipartId) -> Result<()>;
    }

    impl MultipartStore for Uploads {
        async fn create_multipart(&self, path: &Path) -> Result<MultipartId> {
            let mut next = self.next.lock().unwrap();
            *next += 1;
            Ok(format!("{}#{}", path.0, next))
        }

        async fn put_part(
            &self,
            path: &Path,
            id: &MultipartId,
            part_idx: usize,
            data: PutPayload,
        ) -> Result<PartId> {
            Ok(PartId {
                content_id: format!("{id}/{part_idx}"),
            })
        }

        async fn complete_multipart(
            &self,
            path: &Path,
            id: &MultipartId,
            parts: Vec<PartId>,
        ) -> Result<PutResult> {
            Ok(PutResult {
                e_tag: Some(format!("{id}:{}", parts.len())),
            })
        }

        async fn abort_multipart(&self, path: &Path, id: &MultipartId) -> Result<()> {
            Ok(())
        }
    }

    pub async fn run() {
        let store: Arc<dyn SendDynMultipartStore> = Arc::new(Uploads::default());
        let path = Path("big".into());
        let id = store.create_multipart(&path).await.unwrap();
        let part = store
            .put_part_send(&path, &id, 0, PutPayload(vec![0; 8]))
            .await
            .unwrap();
        let done = store
            .complete_multipart(&path, &id, vec![part])
            .await
            .unwrap();
        assert_eq!(done.e_tag.as_deref(), Some("big#1:1"));
    }
}
