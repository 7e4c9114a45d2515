//! `InputStream`: bytecodealliance/wasmtime, `crates/wasi-io/src/streams.rs`.
//! Used through `dyn`: yes, `DynInputStream = Box<dyn InputStream>`.
//! Shape: an async supertrait (`Pollable`, migrated alongside); `&mut self` default async bodies
//! that call the supertrait's async method and the trait's sync methods.

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
    pub trait InputStream: Pollable {
        fn read(&mut self, size: usize) -> StreamResult<Bytes>;

        async fn blocking_read(&mut self, size: usize) -> StreamResult<Bytes> {
            if size == 0 {
                self.ready().await;
                return self.read(size);
            }

            let mut i = 0;
            loop {
                // This `ready` call may return prematurely due to `io::ErrorKind::WouldBlock`.
                self.ready().await;
                let data = self.read(size)?;
                if !data.is_empty() {
                    return Ok(data);
                }
                if i >= MAX_BLOCKING_ATTEMPTS {
                    return Err(StreamError::trap("max blocking attempts exceeded"));
                }
                i += 1;
            }
        }

        fn skip(&mut self, nelem: usize) -> StreamResult<usize> {
            let bs = self.read(nelem)?;
            Ok(bs.len())
        }

        async fn blocking_skip(&mut self, nelem: usize) -> StreamResult<usize> {
            let bs = self.blocking_read(nelem).await?;
            Ok(bs.len())
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
    impl InputStream for Pipe {
        fn read(&mut self, size: usize) -> StreamResult<Bytes> {
            let n = size.min(self.buffer.len());
            Ok(self.buffer.drain(..n).collect())
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // bytecodealliance/wasmtime, `crates/wasi-io/src/streams.rs`.
    #[hybrid_dispatch::dyn_twin(DynInputStream, send = SendDynInputStream, supertwin(Pollable = DynPollable, send = SendDynPollable))]
    pub trait InputStream: Pollable {
        fn read(&mut self, size: usize) -> StreamResult<Bytes>;

        async fn blocking_read(&mut self, size: usize) -> StreamResult<Bytes> {
            if size == 0 {
                self.ready().await;
                return self.read(size);
            }

            let mut i = 0;
            loop {
                // This `ready` call may return prematurely due to `io::ErrorKind::WouldBlock`.
                self.ready().await;
                let data = self.read(size)?;
                if !data.is_empty() {
                    return Ok(data);
                }
                if i >= MAX_BLOCKING_ATTEMPTS {
                    return Err(StreamError::trap("max blocking attempts exceeded"));
                }
                i += 1;
            }
        }

        fn skip(&mut self, nelem: usize) -> StreamResult<usize> {
            let bs = self.read(nelem)?;
            Ok(bs.len())
        }

        async fn blocking_skip(&mut self, nelem: usize) -> StreamResult<usize> {
            let bs = self.blocking_read(nelem).await?;
            Ok(bs.len())
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

    impl InputStream for Pipe {
        fn read(&mut self, size: usize) -> StreamResult<Bytes> {
            let n = size.min(self.buffer.len());
            Ok(self.buffer.drain(..n).collect())
        }
    }

    pub async fn run() {
        let mut stream: Box<dyn SendDynInputStream> = Box::new(Pipe {
            buffer: b"hello".iter().copied().collect(),
            readiness: 0,
        });
        assert_eq!(
            stream.blocking_read_send(3).await.unwrap(),
            Bytes(b"hel".to_vec())
        );
        assert_eq!(stream.blocking_skip_send(5).await.unwrap(), 2);
    }
}
