//! `Service` (formerly `Access`): apache/opendal, `core/core/src/raw/accessor.rs` (read at
//! 68a76e49, 2026-08).
//! Used through `dyn`: yes, `pub type Servicer = Arc<dyn ServiceDyn>`, where `ServiceDyn` is
//! the project's hand-written boxed twin (`create_dir_dyn<'a>(..) -> BoxedFuture<'a, ..>`,
//! implemented for every `S: Service + ?Sized`, and `impl<T: ServiceDyn + ?Sized> Service for
//! Arc<T>`); `#[dyn_twin]` replaces both, so they are left out here.
//! Shape: `Send + Sync + Debug + Unpin + 'static`; five associated types bounded by other
//! traits of the project (`type Reader: oio::Read`); sync methods returning
//! `Result<Self::Reader>`; async methods declared by hand,
//! `-> impl Future<Output = Result<RpStat>> + MaybeSend`, taking `&OperationContext` and
//! `&str`; implementors write `async fn`.

use std::fmt::Debug;
use std::future::Future;
use std::sync::Arc;

// apache/opendal, `core/core/src/raw/futures_util.rs` (the non-wasm32 branch).
pub trait MaybeSend: Send {}
impl<T: Send> MaybeSend for T {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub &'static str);
pub type Result<T> = std::result::Result<T, Error>;

/// The reader, writer, lister, deleter and copier traits of `raw::oio`, stubbed without their
/// (async) methods: `Service` only names them as bounds.
pub mod oio {
    pub trait Read: Unpin + Send + Sync {}
    pub trait Write: Unpin + Send + Sync {}
    pub trait List: Unpin + Send + Sync {}
    pub trait Delete: Unpin + Send + Sync {}
    pub trait Copy: Unpin + Send + Sync {}
    impl Read for () {}
    impl Write for () {}
    impl List for () {}
    impl Delete for () {}
    impl Copy for () {}
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceInfo {
    pub scheme: &'static str,
    pub root: Arc<str>,
}
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Capability {
    pub read: bool,
    pub write: bool,
    pub create_dir: bool,
    pub stat: bool,
    pub rename: bool,
    pub presign: bool,
}
#[derive(Debug, Default)]
pub struct OperationContext {
    pub request_id: u64,
}
#[derive(Debug, Default)]
pub struct OpCreateDir;
#[derive(Debug, Default)]
pub struct OpStat {
    pub if_match: Option<String>,
}
#[derive(Debug, Default)]
pub struct OpRead;
#[derive(Debug, Default)]
pub struct OpWrite;
#[derive(Debug, Default)]
pub struct OpList;
#[derive(Debug, Default)]
pub struct OpCopy;
#[derive(Debug, Default)]
pub struct OpCopier;
#[derive(Debug, Default)]
pub struct OpRename;
#[derive(Debug)]
pub struct OpPresign {
    pub expire_secs: u64,
}
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RpCreateDir;
#[derive(Debug, PartialEq, Eq)]
pub struct RpStat {
    pub content_length: u64,
}
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RpRename;
#[derive(Debug, PartialEq, Eq)]
pub struct RpPresign {
    pub uri: String,
}

// apache/opendal, `core/core/src/raw/accessor.rs`.
#[hybrid_dispatch::dyn_twin(DynService, send = SendDynService)]
pub trait Service: Send + Sync + Debug + Unpin + 'static {
    type Reader: oio::Read;
    type Writer: oio::Write;
    type Lister: oio::List;
    type Deleter: oio::Delete;
    type Copier: oio::Copy;

    fn info(&self) -> ServiceInfo;

    fn capability(&self) -> Capability;

    fn create_dir(
        &self,
        ctx: &OperationContext,
        path: &str,
        args: OpCreateDir,
    ) -> impl Future<Output = Result<RpCreateDir>> + MaybeSend;

    fn stat(
        &self,
        ctx: &OperationContext,
        path: &str,
        args: OpStat,
    ) -> impl Future<Output = Result<RpStat>> + MaybeSend;

    fn read(&self, ctx: &OperationContext, path: &str, args: OpRead) -> Result<Self::Reader>;

    fn write(&self, ctx: &OperationContext, path: &str, args: OpWrite) -> Result<Self::Writer>;

    fn delete(&self, ctx: &OperationContext) -> Result<Self::Deleter>;

    fn list(&self, ctx: &OperationContext, path: &str, args: OpList) -> Result<Self::Lister>;

    fn copy(
        &self,
        ctx: &OperationContext,
        from: &str,
        to: &str,
        args: OpCopy,
        opts: OpCopier,
    ) -> Result<Self::Copier>;

    fn rename(
        &self,
        ctx: &OperationContext,
        from: &str,
        to: &str,
        args: OpRename,
    ) -> impl Future<Output = Result<RpRename>> + MaybeSend;

    fn presign(
        &self,
        ctx: &OperationContext,
        path: &str,
        args: OpPresign,
    ) -> impl Future<Output = Result<RpPresign>> + MaybeSend;
}

/// A backend as services write theirs: a map of paths behind a lock.
#[derive(Debug, Default)]
pub struct MemoryService {
    root: String,
    files: std::sync::Mutex<std::collections::BTreeMap<String, u64>>,
}

impl Service for MemoryService {
    type Reader = ();
    type Writer = ();
    type Lister = ();
    type Deleter = ();
    type Copier = ();

    fn info(&self) -> ServiceInfo {
        ServiceInfo {
            scheme: "memory",
            root: Arc::from(self.root.as_str()),
        }
    }

    fn capability(&self) -> Capability {
        Capability {
            read: true,
            write: true,
            create_dir: true,
            stat: true,
            rename: true,
            presign: false,
        }
    }

    async fn create_dir(
        &self,
        ctx: &OperationContext,
        path: &str,
        args: OpCreateDir,
    ) -> Result<RpCreateDir> {
        tokio::task::yield_now().await;
        self.files.lock().unwrap().insert(path.to_owned(), 0);
        Ok(RpCreateDir)
    }

    async fn stat(&self, ctx: &OperationContext, path: &str, args: OpStat) -> Result<RpStat> {
        tokio::task::yield_now().await;
        let files = self.files.lock().unwrap();
        match files.get(path) {
            Some(len) => Ok(RpStat {
                content_length: *len,
            }),
            None => Err(Error("not found")),
        }
    }

    fn read(&self, ctx: &OperationContext, path: &str, args: OpRead) -> Result<Self::Reader> {
        Ok(())
    }

    fn write(&self, ctx: &OperationContext, path: &str, args: OpWrite) -> Result<Self::Writer> {
        self.files.lock().unwrap().insert(path.to_owned(), 42);
        Ok(())
    }

    fn delete(&self, ctx: &OperationContext) -> Result<Self::Deleter> {
        Ok(())
    }

    fn list(&self, ctx: &OperationContext, path: &str, args: OpList) -> Result<Self::Lister> {
        Ok(())
    }

    fn copy(
        &self,
        ctx: &OperationContext,
        from: &str,
        to: &str,
        args: OpCopy,
        opts: OpCopier,
    ) -> Result<Self::Copier> {
        Err(Error("unsupported"))
    }

    async fn rename(
        &self,
        ctx: &OperationContext,
        from: &str,
        to: &str,
        args: OpRename,
    ) -> Result<RpRename> {
        let mut files = self.files.lock().unwrap();
        let len = files.remove(from).ok_or(Error("not found"))?;
        files.insert(to.to_owned(), len);
        Ok(RpRename)
    }

    async fn presign(
        &self,
        ctx: &OperationContext,
        path: &str,
        args: OpPresign,
    ) -> Result<RpPresign> {
        Err(Error("unsupported"))
    }
}

/// opendal's `Servicer`, with the twin instead of `ServiceDyn`: a twin object names every
/// associated type.
pub type Servicer =
    Arc<dyn SendDynService<Reader = (), Writer = (), Lister = (), Deleter = (), Copier = ()>>;

pub async fn run() {
    let service: Servicer = Arc::new(MemoryService {
        root: "/tmp".into(),
        ..Default::default()
    });
    let ctx = OperationContext { request_id: 7 };
    assert_eq!(service.info_dyn().scheme, "memory");
    assert!(service.capability_dyn().create_dir);

    // The bridge, and the twin's `_send` methods, with borrowed `ctx` and `path`.
    service.create_dir(&ctx, "dir/", OpCreateDir).await.unwrap();
    service.write_dyn(&ctx, "dir/file", OpWrite).unwrap();
    let path = String::from("dir/file");
    let stat = service.stat_send(&ctx, &path, OpStat::default());
    // Where the future lives is known before calling (a debug build's `stat` future, with
    // its lock guard, does not fit the default 120 bytes).
    let layout = service.stat_layout();
    assert_eq!(
        stat.is_heap(),
        !layout.fits::<hybrid_dispatch::capacity::DefaultCapacity>()
    );
    assert_eq!(stat.await, Ok(RpStat { content_length: 42 }));
    service
        .rename_send(&ctx, "dir/file", "dir/moved", OpRename)
        .await
        .unwrap();
    assert_eq!(
        service.stat(&ctx, "dir/file", OpStat::default()).await,
        Err(Error("not found"))
    );
    assert_eq!(
        service
            .presign(&ctx, "dir/moved", OpPresign { expire_secs: 60 })
            .await,
        Err(Error("unsupported"))
    );

    // Shared across tasks, as an operator's `Servicer` is.
    let shared = Arc::clone(&service);
    let task = tokio::spawn(async move {
        let ctx = OperationContext::default();
        shared.stat(&ctx, "dir/moved", OpStat::default()).await
    });
    assert_eq!(task.await.unwrap(), Ok(RpStat { content_length: 42 }));
}
