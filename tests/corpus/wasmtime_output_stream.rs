//! `OutputStream`: bytecodealliance/wasmtime, `crates/wasi-io/src/streams.rs`.
//! Used through `dyn`: yes, `DynOutputStream = Box<dyn OutputStream>`.
//! Shape: an async supertrait (`Pollable`, migrated alongside); `mut bytes` argument pattern in a
//! default async body; default bodies calling other async methods of the trait and the supertrait.
#![allow(
    clippy::manual_repeat_n,
    reason = "`repeat(0).take(n)` is wasmtime's default body, kept as written"
)]

use std::collections::VecDeque;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bytes(pub Vec<u8>);
impl Bytes {
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn split_to(&mut self, at: usize) -> Bytes {
        let rest = self.0.split_off(at);
        Bytes(std::mem::replace(&mut self.0, rest))
    }
}
impl FromIterator<u8> for Bytes {
    fn from_iter<I: IntoIterator<Item = u8>>(iter: I) -> Self {
        Bytes(iter.into_iter().collect())
    }
}
#[derive(Debug)]
pub enum StreamError {
    Closed,
    LastOperationFailed(String),
    Trap(String),
}
impl StreamError {
    pub fn trap(msg: &str) -> StreamError {
        StreamError::Trap(msg.into())
    }
}
pub type StreamResult<T> = Result<T, StreamError>;
pub const MAX_BLOCKING_ATTEMPTS: u8 = 10;

#[derive(Default)]
pub struct Pipe {
    pub buffer: VecDeque<u8>,
    pub readiness: usize,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // bytecodealliance/wasmtime, `crates/wasi-io/src/streams.rs`.
    #[async_trait::async_trait]
    pub trait OutputStream: Pollable {
        fn write(&mut self, bytes: Bytes) -> StreamResult<()>;

        fn flush(&mut self) -> StreamResult<()>;

        fn check_write(&mut self) -> StreamResult<usize>;

        async fn blocking_write_and_flush(&mut self, mut bytes: Bytes) -> StreamResult<()> {
            loop {
                let permit = self.write_ready().await?;
                let len = bytes.len().min(permit);
                let chunk = bytes.split_to(len);
                self.write(chunk)?;
                if bytes.is_empty() {
                    break;
                }
            }

            // If the stream encounters an error, return it, but if the stream
            // has become closed, do not.
            match self.flush() {
                Ok(_) => {}
                Err(StreamError::Closed) => {}
                Err(e) => Err(e)?,
            };
            match self.write_ready().await {
                Ok(_) => {}
                Err(StreamError::Closed) => {}
                Err(e) => Err(e)?,
            };

            Ok(())
        }

        fn write_zeroes(&mut self, nelem: usize) -> StreamResult<()> {
            let n = self.check_write()?;
            if nelem > n {
                return Err(StreamError::trap(
                    "cannot write more zeroes than `check_write` allows",
                ));
            };
            // TODO: We could optimize this to not allocate one big zeroed buffer, and instead write
            // repeatedly from a 'static buffer of zeros.
            let bs = Bytes::from_iter(core::iter::repeat(0).take(nelem));
            self.write(bs)?;
            Ok(())
        }

        async fn write_ready(&mut self) -> StreamResult<usize> {
            let mut i = 0;
            loop {
                // This `ready` call may return prematurely due to `io::ErrorKind::WouldBlock`.
                self.ready().await;
                let n = self.check_write()?;
                if n > 0 {
                    return Ok(n);
                }
                if i >= MAX_BLOCKING_ATTEMPTS {
                    return Err(StreamError::trap("max blocking attempts exceeded"));
                }
                i += 1;
            }
        }

        async fn cancel(&mut self) {}
    }

    #[async_trait::async_trait]
    pub trait Pollable: Send + 'static {
        async fn ready(&mut self);
    }
    #[async_trait::async_trait]
    impl Pollable for Pipe {
        async fn ready(&mut self) {
            self.readiness += 1;
        }
    }

    #[async_trait::async_trait]
    impl OutputStream for Pipe {
        fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
            self.buffer.extend(bytes.0);
            Ok(())
        }

        fn flush(&mut self) -> StreamResult<()> {
            Ok(())
        }

        fn check_write(&mut self) -> StreamResult<usize> {
            Ok(4)
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // bytecodealliance/wasmtime, `crates/wasi-io/src/streams.rs`.
    #[hybrid_dispatch::dyn_twin(DynOutputStream, send = SendDynOutputStream, supertwin(Pollable = DynPollable, send = SendDynPollable))]
    pub trait OutputStream: Pollable {
        fn write(&mut self, bytes: Bytes) -> StreamResult<()>;

        fn flush(&mut self) -> StreamResult<()>;

        fn check_write(&mut self) -> StreamResult<usize>;

        async fn blocking_write_and_flush(&mut self, mut bytes: Bytes) -> StreamResult<()> {
            loop {
                let permit = self.write_ready().await?;
                let len = bytes.len().min(permit);
                let chunk = bytes.split_to(len);
                self.write(chunk)?;
                if bytes.is_empty() {
                    break;
                }
            }

            // If the stream encounters an error, return it, but if the stream
            // has become closed, do not.
            match self.flush() {
                Ok(_) => {}
                Err(StreamError::Closed) => {}
                Err(e) => Err(e)?,
            };
            match self.write_ready().await {
                Ok(_) => {}
                Err(StreamError::Closed) => {}
                Err(e) => Err(e)?,
            };

            Ok(())
        }

        fn write_zeroes(&mut self, nelem: usize) -> StreamResult<()> {
            let n = self.check_write()?;
            if nelem > n {
                return Err(StreamError::trap(
                    "cannot write more zeroes than `check_write` allows",
                ));
            };
            // TODO: We could optimize this to not allocate one big zeroed buffer, and instead write
            // repeatedly from a 'static buffer of zeros.
            let bs = Bytes::from_iter(core::iter::repeat(0).take(nelem));
            self.write(bs)?;
            Ok(())
        }

        async fn write_ready(&mut self) -> StreamResult<usize> {
            let mut i = 0;
            loop {
                // This `ready` call may return prematurely due to `io::ErrorKind::WouldBlock`.
                self.ready().await;
                let n = self.check_write()?;
                if n > 0 {
                    return Ok(n);
                }
                if i >= MAX_BLOCKING_ATTEMPTS {
                    return Err(StreamError::trap("max blocking attempts exceeded"));
                }
                i += 1;
            }
        }

        async fn cancel(&mut self) {}
    }

    #[hybrid_dispatch::dyn_twin(DynPollable, send = SendDynPollable)]
    pub trait Pollable: Send + 'static {
        async fn ready(&mut self);
    }
    impl Pollable for Pipe {
        async fn ready(&mut self) {
            self.readiness += 1;
        }
    }

    impl OutputStream for Pipe {
        fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
            self.buffer.extend(bytes.0);
            Ok(())
        }

        fn flush(&mut self) -> StreamResult<()> {
            Ok(())
        }

        fn check_write(&mut self) -> StreamResult<usize> {
            Ok(4)
        }
    }

    pub async fn run() {
        let mut stream: Box<dyn SendDynOutputStream> = Box::new(Pipe::default());
        stream
            .blocking_write_and_flush_send(Bytes(b"0123456789".to_vec()))
            .await
            .unwrap();
        assert_eq!(stream.write_ready_send().await.unwrap(), 4);
    }
}
