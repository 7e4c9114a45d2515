//! `ObjectStore`: apache/arrow-rs, `object_store/src/lib.rs` (d9b8ba77^, before object_store moved to its own repository).
//! Used through `dyn`: yes, `Arc<dyn ObjectStore>` everywhere (DataFusion, the crate's docs).
//! Shape: `Display + Send + Sync + Debug + 'static` supertraits; default async bodies calling
//! other methods on `self`; sync methods returning `BoxStream<'a, _>` and `BoxStream<'static, _>`.

use std::fmt::{self, Debug};
use std::ops::Range;
use std::sync::{Arc, Mutex};

use futures_util as futures;
use futures_util::stream::{BoxStream, StreamExt, TryStreamExt};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Path(pub String);
#[derive(Debug, Clone, PartialEq)]
pub struct Bytes(pub Vec<u8>);
#[derive(Debug, Clone)]
pub struct PutPayload(pub Bytes);
#[derive(Debug, Clone, PartialEq)]
pub struct PutResult {
    pub e_tag: Option<String>,
}
#[derive(Debug, Clone, Default)]
pub struct PutOptions {
    pub mode: u8,
}
#[derive(Debug, Clone, Default)]
pub struct PutMultipartOpts {
    pub tags: Vec<String>,
}
#[derive(Debug, Clone)]
pub struct GetRange(pub Range<u64>);
impl From<Range<u64>> for GetRange {
    fn from(r: Range<u64>) -> Self {
        GetRange(r)
    }
}
#[derive(Debug, Clone, Default)]
pub struct GetOptions {
    pub range: Option<GetRange>,
    pub head: bool,
}
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectMeta {
    pub location: Path,
    pub size: u64,
}
#[derive(Debug)]
pub struct GetResult {
    pub meta: ObjectMeta,
    pub payload: Bytes,
}
impl GetResult {
    pub async fn bytes(self) -> Result<Bytes> {
        Ok(self.payload)
    }
}
#[derive(Debug, Default)]
pub struct ListResult {
    pub objects: Vec<ObjectMeta>,
}
#[derive(Debug)]
pub enum Error {
    NotFound { path: String },
}
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Stands in for object_store's `MultipartUpload` (its own corpus entry).
pub trait MultipartUpload: Send + Debug {}

pub const OBJECT_STORE_COALESCE_DEFAULT: u64 = 1024 * 1024;
pub async fn coalesce_ranges<F, E, Fut>(
    ranges: &[Range<u64>],
    fetch: F,
    _coalesce: u64,
) -> Result<Vec<Bytes>, E>
where
    F: Send + FnMut(Range<u64>) -> Fut,
    E: Send,
    Fut: std::future::Future<Output = Result<Bytes, E>> + Send,
{
    let mut fetch = fetch;
    let mut out = Vec::new();
    for range in ranges {
        out.push(fetch(range.clone()).await?);
    }
    Ok(out)
}

#[derive(Debug, Default)]
pub struct InMemory {
    pub objects: Mutex<Vec<(Path, Bytes)>>,
}
impl fmt::Display for InMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InMemory")
    }
}
impl InMemory {
    fn find(&self, location: &Path) -> Result<Bytes> {
        let objects = self.objects.lock().unwrap();
        let found = objects.iter().find(|(p, _)| p == location);
        found.map(|(_, b)| b.clone()).ok_or(Error::NotFound {
            path: location.0.clone(),
        })
    }
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // apache/arrow-rs, `object_store/src/lib.rs` (d9b8ba77^, before object_store moved to its own repository).
    #[async_trait::async_trait]
    pub trait ObjectStore: std::fmt::Display + Send + Sync + Debug + 'static {
        async fn put(&self, location: &Path, payload: PutPayload) -> Result<PutResult> {
            self.put_opts(location, payload, PutOptions::default())
                .await
        }

        async fn put_opts(
            &self,
            location: &Path,
            payload: PutPayload,
            opts: PutOptions,
        ) -> Result<PutResult>;

        async fn put_multipart(&self, location: &Path) -> Result<Box<dyn MultipartUpload>> {
            self.put_multipart_opts(location, PutMultipartOpts::default())
                .await
        }

        async fn put_multipart_opts(
            &self,
            location: &Path,
            opts: PutMultipartOpts,
        ) -> Result<Box<dyn MultipartUpload>>;

        async fn get(&self, location: &Path) -> Result<GetResult> {
            self.get_opts(location, GetOptions::default()).await
        }

        async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult>;

        async fn get_range(&self, location: &Path, range: Range<u64>) -> Result<Bytes> {
            let options = GetOptions {
                range: Some(range.into()),
                ..Default::default()
            };
            self.get_opts(location, options).await?.bytes().await
        }

        async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
            coalesce_ranges(
                ranges,
                |range| self.get_range(location, range),
                OBJECT_STORE_COALESCE_DEFAULT,
            )
            .await
        }

        async fn head(&self, location: &Path) -> Result<ObjectMeta> {
            let options = GetOptions {
                head: true,
                ..Default::default()
            };
            Ok(self.get_opts(location, options).await?.meta)
        }

        async fn delete(&self, location: &Path) -> Result<()>;

        fn delete_stream<'a>(
            &'a self,
            locations: BoxStream<'a, Result<Path>>,
        ) -> BoxStream<'a, Result<Path>> {
            locations
                .map(|location| async {
                    let location = location?;
                    self.delete(&location).await?;
                    Ok(location)
                })
                .buffered(10)
                .boxed()
        }

        fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>>;

        fn list_with_offset(
            &self,
            prefix: Option<&Path>,
            offset: &Path,
        ) -> BoxStream<'static, Result<ObjectMeta>> {
            let offset = offset.clone();
            self.list(prefix)
                .try_filter(move |f| futures::future::ready(f.location > offset))
                .boxed()
        }

        async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult>;

        async fn copy(&self, from: &Path, to: &Path) -> Result<()>;

        async fn rename(&self, from: &Path, to: &Path) -> Result<()> {
            self.copy(from, to).await?;
            self.delete(from).await
        }

        async fn copy_if_not_exists(&self, from: &Path, to: &Path) -> Result<()>;

        async fn rename_if_not_exists(&self, from: &Path, to: &Path) -> Result<()> {
            self.copy_if_not_exists(from, to).await?;
            self.delete(from).await
        }
    }

    #[async_trait::async_trait]
    impl ObjectStore for InMemory {
        async fn put_opts(
            &self,
            location: &Path,
            payload: PutPayload,
            opts: PutOptions,
        ) -> Result<PutResult> {
            self.objects
                .lock()
                .unwrap()
                .push((location.clone(), payload.0));
            Ok(PutResult {
                e_tag: Some(location.0.clone()),
            })
        }

        async fn put_multipart_opts(
            &self,
            location: &Path,
            opts: PutMultipartOpts,
        ) -> Result<Box<dyn MultipartUpload>> {
            Err(Error::NotFound {
                path: location.0.clone(),
            })
        }

        async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
            let bytes = self.find(location)?;
            let meta = ObjectMeta {
                location: location.clone(),
                size: bytes.0.len() as u64,
            };
            let payload = match options.range {
                Some(GetRange(r)) => Bytes(bytes.0[r.start as usize..r.end as usize].to_vec()),
                None => bytes,
            };
            Ok(GetResult { meta, payload })
        }

        async fn delete(&self, location: &Path) -> Result<()> {
            self.objects.lock().unwrap().retain(|(p, _)| p != location);
            Ok(())
        }

        fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
            futures::stream::empty().boxed()
        }

        async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
            Ok(ListResult::default())
        }

        async fn copy(&self, from: &Path, to: &Path) -> Result<()> {
            let bytes = self.find(from)?;
            self.objects.lock().unwrap().push((to.clone(), bytes));
            Ok(())
        }

        async fn copy_if_not_exists(&self, from: &Path, to: &Path) -> Result<()> {
            self.copy(from, to).await
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // apache/arrow-rs, `object_store/src/lib.rs` (d9b8ba77^, before object_store moved to its own repository).
    #[hybrid_dispatch::dyn_twin(DynObjectStore, send = SendDynObjectStore)]
    pub trait ObjectStore: std::fmt::Display + Send + Sync + Debug + 'static {
        async fn put(&self, location: &Path, payload: PutPayload) -> Result<PutResult> {
            self.put_opts(location, payload, PutOptions::default())
                .await
        }

        async fn put_opts(
            &self,
            location: &Path,
            payload: PutPayload,
            opts: PutOptions,
        ) -> Result<PutResult>;

        async fn put_multipart(&self, location: &Path) -> Result<Box<dyn MultipartUpload>> {
            self.put_multipart_opts(location, PutMultipartOpts::default())
                .await
        }

        async fn put_multipart_opts(
            &self,
            location: &Path,
            opts: PutMultipartOpts,
        ) -> Result<Box<dyn MultipartUpload>>;

        async fn get(&self, location: &Path) -> Result<GetResult> {
            self.get_opts(location, GetOptions::default()).await
        }

        async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult>;

        async fn get_range(&self, location: &Path, range: Range<u64>) -> Result<Bytes> {
            let options = GetOptions {
                range: Some(range.into()),
                ..Default::default()
            };
            self.get_opts(location, options).await?.bytes().await
        }

        async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
            coalesce_ranges(
                ranges,
                |range| self.get_range(location, range),
                OBJECT_STORE_COALESCE_DEFAULT,
            )
            .await
        }

        async fn head(&self, location: &Path) -> Result<ObjectMeta> {
            let options = GetOptions {
                head: true,
                ..Default::default()
            };
            Ok(self.get_opts(location, options).await?.meta)
        }

        async fn delete(&self, location: &Path) -> Result<()>;

        fn delete_stream<'a>(
            &'a self,
            locations: BoxStream<'a, Result<Path>>,
        ) -> BoxStream<'a, Result<Path>> {
            locations
                .map(|location| async {
                    let location = location?;
                    self.delete(&location).await?;
                    Ok(location)
                })
                .buffered(10)
                .boxed()
        }

        fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>>;

        fn list_with_offset(
            &self,
            prefix: Option<&Path>,
            offset: &Path,
        ) -> BoxStream<'static, Result<ObjectMeta>> {
            let offset = offset.clone();
            self.list(prefix)
                .try_filter(move |f| futures::future::ready(f.location > offset))
                .boxed()
        }

        async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult>;

        async fn copy(&self, from: &Path, to: &Path) -> Result<()>;

        async fn rename(&self, from: &Path, to: &Path) -> Result<()> {
            self.copy(from, to).await?;
            self.delete(from).await
        }

        async fn copy_if_not_exists(&self, from: &Path, to: &Path) -> Result<()>;

        async fn rename_if_not_exists(&self, from: &Path, to: &Path) -> Result<()> {
            self.copy_if_not_exists(from, to).await?;
            self.delete(from).await
        }
    }

    impl ObjectStore for InMemory {
        async fn put_opts(
            &self,
            location: &Path,
            payload: PutPayload,
            opts: PutOptions,
        ) -> Result<PutResult> {
            self.objects
                .lock()
                .unwrap()
                .push((location.clone(), payload.0));
            Ok(PutResult {
                e_tag: Some(location.0.clone()),
            })
        }

        async fn put_multipart_opts(
            &self,
            location: &Path,
            opts: PutMultipartOpts,
        ) -> Result<Box<dyn MultipartUpload>> {
            Err(Error::NotFound {
                path: location.0.clone(),
            })
        }

        async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
            let bytes = self.find(location)?;
            let meta = ObjectMeta {
                location: location.clone(),
                size: bytes.0.len() as u64,
            };
            let payload = match options.range {
                Some(GetRange(r)) => Bytes(bytes.0[r.start as usize..r.end as usize].to_vec()),
                None => bytes,
            };
            Ok(GetResult { meta, payload })
        }

        async fn delete(&self, location: &Path) -> Result<()> {
            self.objects.lock().unwrap().retain(|(p, _)| p != location);
            Ok(())
        }

        fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
            futures::stream::empty().boxed()
        }

        async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
            Ok(ListResult::default())
        }

        async fn copy(&self, from: &Path, to: &Path) -> Result<()> {
            let bytes = self.find(from)?;
            self.objects.lock().unwrap().push((to.clone(), bytes));
            Ok(())
        }

        async fn copy_if_not_exists(&self, from: &Path, to: &Path) -> Result<()> {
            self.copy(from, to).await
        }
    }

    pub async fn run() {
        let store: Arc<dyn SendDynObjectStore> = Arc::new(InMemory::default());
        let path = Path("a/b".into());
        store
            .put(&path, PutPayload(Bytes(b"hello".to_vec())))
            .await
            .unwrap();
        assert_eq!(
            store.get_range(&path, 1..3).await.unwrap(),
            Bytes(b"el".to_vec())
        );
        assert_eq!(store.head_send(&path).await.unwrap().size, 5);
    }
}
