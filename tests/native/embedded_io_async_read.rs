//! `Read`: rust-embedded/embedded-hal, `embedded-io-async/src/lib.rs`
//! (embedded-io-async 0.7.0; read at cb1f73e4, 2025-12).
//! Used through `dyn`: no, generically (`R: Read`); the crate itself forwards `&mut T` and
//! `Box<T>` for `T: ?Sized`, so that `Box<dyn ...>` readers were meant to exist, and a
//! protocol stack over several transports (UART, TCP, USB) would hold `&mut dyn DynRead`.
//! Shape: native `async fn`, not `Send` (local twin only); `&mut self`; a supertrait with an
//! associated type of its own (`ErrorType { type Error }`) that the methods name
//! (`Self::Error`; the attribute takes it from the one supertrait that can declare it, and the
//! twin object names it, `dyn DynRead<Error = E>`); a `mut buf: &mut [u8]` pattern reassigned
//! in the default body; the crate's forwarding impls for `&mut T` and `Box<T>` beside it.

/// embedded-io's `ErrorKind` / `Error`, stubbed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Other,
}
pub trait Error: core::fmt::Debug {
    fn kind(&self) -> ErrorKind;
}
impl Error for core::convert::Infallible {
    fn kind(&self) -> ErrorKind {
        match *self {}
    }
}

// rust-embedded/embedded-hal, `embedded-io/src/lib.rs` (re-exported by embedded-io-async).
pub trait ErrorType {
    type Error: Error;
}
impl<T: ?Sized + ErrorType> ErrorType for &mut T {
    type Error = T::Error;
}
impl<T: ?Sized + ErrorType> ErrorType for Box<T> {
    type Error = T::Error;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadExactError<E> {
    UnexpectedEof,
    Other(E),
}

/// A byte source as a HAL's UART driver is: it hands out what it has, a few bytes per call.
pub struct Uart {
    pub data: Vec<u8>,
    pub pos: usize,
    pub chunk: usize,
}
impl ErrorType for Uart {
    type Error = core::convert::Infallible;
}

// rust-embedded/embedded-hal, `embedded-io-async/src/lib.rs`.
#[hybrid_dispatch::dyn_twin(DynRead)]
pub trait Read: ErrorType {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error>;

    async fn read_exact(&mut self, mut buf: &mut [u8]) -> Result<(), ReadExactError<Self::Error>> {
        while !buf.is_empty() {
            match self.read(buf).await {
                Ok(0) => break,
                Ok(n) => buf = &mut buf[n..],
                Err(e) => return Err(ReadExactError::Other(e)),
            }
        }
        if buf.is_empty() {
            Ok(())
        } else {
            Err(ReadExactError::UnexpectedEof)
        }
    }
}

// `embedded-io-async/src/impls/blanket.rs` and `impls/boxx.rs`: the crate's forwarding impls.
impl<T: ?Sized + Read> Read for &mut T {
    #[inline]
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        T::read(self, buf).await
    }

    #[inline]
    async fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), ReadExactError<Self::Error>> {
        T::read_exact(self, buf).await
    }
}

impl<T: ?Sized + Read> Read for Box<T> {
    #[inline]
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        T::read(self, buf).await
    }

    #[inline]
    async fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), ReadExactError<Self::Error>> {
        T::read_exact(self, buf).await
    }
}

impl Read for Uart {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        tokio::task::yield_now().await;
        let n = buf.len().min(self.chunk).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

pub async fn run() {
    let mut uart = Uart {
        data: b"hello, world".to_vec(),
        pos: 0,
        chunk: 5,
    };
    let reader: &mut dyn DynRead<Error = core::convert::Infallible> = &mut uart;
    let mut buf = [0u8; 3];
    assert_eq!(reader.read_dyn(&mut buf).await, Ok(3));
    assert_eq!(&buf, b"hel");
    let mut rest = [0u8; 9];
    assert_eq!(reader.read_exact(&mut rest).await, Ok(()));
    assert_eq!(&rest, b"lo, world");
    assert_eq!(
        reader.read_exact_dyn(&mut buf).await,
        Err(ReadExactError::UnexpectedEof)
    );

    // `Box<dyn DynRead>`, as the crate's `Box<T>` forwarding impl invites.
    let mut boxed: Box<dyn DynRead<Error = core::convert::Infallible>> = Box::new(Uart {
        data: b"abcdef".to_vec(),
        pos: 0,
        chunk: 4,
    });
    let mut four = [0u8; 4];
    // Known limit (src/twin/docs.md, "A forwarding impl beside the trait"): with the crate's
    // `impl Read for Box<T>`, `boxed.read_dyn(..)` is E0283 ("cannot satisfy `_: Capacity`");
    // through the object it is not.
    assert_eq!((*boxed).read_dyn(&mut four).await, Ok(4));
    assert_eq!(boxed.read(&mut four).await, Ok(2));
    assert_eq!(&four[..2], b"ef");
}
