//! `oio::Write`: apache/opendal, `core/core/src/raw/oio/write/api.rs` (read at 68a76e49).
//! Used through `dyn`: yes, `pub type Writer = Box<dyn WriteDyn>`, where `WriteDyn` is the
//! project's hand-written boxed twin (`fn write_dyn(&mut self, bs) -> BoxedFuture<'_, ..>`,
//! implemented for every `T: Write + ?Sized`, and `impl<T: WriteDyn + ?Sized> Write for
//! Box<T>`); `#[dyn_twin]` replaces both, so they are left out here.
//! Shape: `Unpin + Send + Sync` supertraits; every method `&mut self` and declared
//! `fn m(&mut self, ..) -> impl Future<Output = Result<T>> + MaybeSend` by hand, with
//! `MaybeSend` opendal's alias for `Send` off wasm32; implementors write `async fn`.

use std::future::Future;

// apache/opendal, `core/core/src/raw/futures_util.rs` (the non-wasm32 branch).
pub trait MaybeSend: Send {}
impl<T: Send> MaybeSend for T {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Unsupported,
    Unexpected,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: &'static str,
}
impl Error {
    pub fn new(kind: ErrorKind, message: &'static str) -> Self {
        Self { kind, message }
    }
}
pub type Result<T> = std::result::Result<T, Error>;

/// opendal's `Buffer` (a rope of `Bytes`), stubbed as one vector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Buffer(pub Vec<u8>);
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    pub content_length: u64,
}

// apache/opendal, `core/core/src/raw/oio/write/api.rs`.
#[hybrid_dispatch::dyn_twin(DynWrite, send = SendDynWrite)]
pub trait Write: Unpin + Send + Sync {
    fn write(&mut self, bs: Buffer) -> impl Future<Output = Result<()>> + MaybeSend;

    fn close(&mut self) -> impl Future<Output = Result<Metadata>> + MaybeSend;

    fn abort(&mut self) -> impl Future<Output = Result<()>> + MaybeSend;
}

impl Write for () {
    async fn write(&mut self, _: Buffer) -> Result<()> {
        unimplemented!("write is required to be implemented for oio::Write")
    }

    async fn close(&mut self) -> Result<Metadata> {
        Err(Error::new(
            ErrorKind::Unsupported,
            "output writer doesn't support close",
        ))
    }

    async fn abort(&mut self) -> Result<()> {
        Err(Error::new(
            ErrorKind::Unsupported,
            "output writer doesn't support abort",
        ))
    }
}

/// A backend's writer as services write them: buffers parts, "uploads" on close.
#[derive(Default)]
pub struct MemoryWriter {
    parts: Vec<Buffer>,
    closed: bool,
}

impl Write for MemoryWriter {
    async fn write(&mut self, bs: Buffer) -> Result<()> {
        if self.closed {
            return Err(Error::new(ErrorKind::Unexpected, "writer is closed"));
        }
        tokio::task::yield_now().await;
        self.parts.push(bs);
        Ok(())
    }

    async fn close(&mut self) -> Result<Metadata> {
        tokio::task::yield_now().await;
        self.closed = true;
        Ok(Metadata {
            content_length: self.parts.iter().map(|p| p.0.len() as u64).sum(),
        })
    }

    async fn abort(&mut self) -> Result<()> {
        self.parts.clear();
        Ok(())
    }
}

pub async fn run() {
    // opendal's `oio::Writer`, with the twin instead of `WriteDyn`.
    let mut writer: Box<dyn SendDynWrite> = Box::new(MemoryWriter::default());
    writer.write(Buffer(b"hello ".to_vec())).await.unwrap();
    let fut = writer.write_send(Buffer(b"world".to_vec()));
    assert!(!fut.is_heap());
    fut.await.unwrap();
    assert_eq!(writer.close().await, Ok(Metadata { content_length: 11 }));
    assert_eq!(
        writer.write_send(Buffer(vec![1])).await,
        Err(Error::new(ErrorKind::Unexpected, "writer is closed"))
    );

    // A `Send` writer moves into another task, as opendal's concurrent writers do.
    let mut unit: Box<dyn SendDynWrite> = Box::new(());
    let task = tokio::spawn(async move { unit.abort_send().await });
    assert_eq!(
        task.await.unwrap().unwrap_err().kind,
        ErrorKind::Unsupported
    );
}
