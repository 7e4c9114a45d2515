//! `Pollable`: bytecodealliance/wasmtime, `crates/wasi-io/src/poll.rs`.
//! Used through `dyn`: yes, as the supertrait of `Box<dyn InputStream>` / `Box<dyn OutputStream>`
//! (`ready` is called through them); a pollable resource itself is erased by a function pointer
//! made for each `T: Pollable`.
//! Shape: `Send + 'static` (not `Sync`); one `&mut self` async method.

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

    // bytecodealliance/wasmtime, `crates/wasi-io/src/poll.rs`.
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
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // bytecodealliance/wasmtime, `crates/wasi-io/src/poll.rs`.
    #[hybrid_dispatch::dyn_twin(DynPollable, send = SendDynPollable)]
    pub trait Pollable: Send + 'static {
        async fn ready(&mut self);
    }

    impl Pollable for Pipe {
        async fn ready(&mut self) {
            self.readiness += 1;
        }
    }

    pub async fn run() {
        let mut pollable: Box<dyn SendDynPollable> = Box::new(Pipe::default());
        pollable.ready().await;
        pollable.ready_send().await;
    }
}
