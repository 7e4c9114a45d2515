//! `HandleMiss`: cloudflare/pingora, `pingora-cache/src/storage.rs`.
//! Used through `dyn`: yes, `MissHandler = Box<dyn HandleMiss + Sync + Send>`.
//! Shape: `&mut self` async method, `self: Box<Self>` async method, sync default.

#[derive(Debug)]
pub struct Error;
pub type Result<T, E = Box<Error>> = std::result::Result<T, E>;
#[derive(Debug, PartialEq)]
pub enum MissFinishType {
    Created(usize),
    Appended(usize),
}
pub mod bytes {
    #[derive(Debug, Clone, PartialEq)]
    pub struct Bytes(pub Vec<u8>);
}
#[derive(Default)]
pub struct MemMiss {
    pub body: Vec<u8>,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // cloudflare/pingora, `pingora-cache/src/storage.rs`.
    #[async_trait::async_trait]
    pub trait HandleMiss {
        async fn write_body(&mut self, data: bytes::Bytes, eof: bool) -> Result<()>;

        async fn finish(
            self: Box<Self>, // because self is always used as a trait object
        ) -> Result<MissFinishType>;

        fn streaming_write_tag(&self) -> Option<&[u8]> {
            None
        }
    }

    #[async_trait::async_trait]
    impl HandleMiss for MemMiss {
        async fn write_body(&mut self, data: bytes::Bytes, eof: bool) -> Result<()> {
            self.body.extend_from_slice(&data.0);
            Ok(())
        }

        async fn finish(self: Box<Self>) -> Result<MissFinishType> {
            Ok(MissFinishType::Created(self.body.len()))
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // cloudflare/pingora, `pingora-cache/src/storage.rs`.
    #[hybrid_dispatch::dyn_twin(DynHandleMiss, send = SendDynHandleMiss)]
    pub trait HandleMiss {
        async fn write_body(&mut self, data: bytes::Bytes, eof: bool) -> Result<()>;

        async fn finish(
            self: Box<Self>, // because self is always used as a trait object
        ) -> Result<MissFinishType>;

        fn streaming_write_tag(&self) -> Option<&[u8]> {
            None
        }
    }

    impl HandleMiss for MemMiss {
        async fn write_body(&mut self, data: bytes::Bytes, eof: bool) -> Result<()> {
            self.body.extend_from_slice(&data.0);
            Ok(())
        }

        async fn finish(self: Box<Self>) -> Result<MissFinishType> {
            Ok(MissFinishType::Created(self.body.len()))
        }
    }

    pub async fn run() {
        let mut miss: Box<dyn SendDynHandleMiss> = Box::new(MemMiss::default());
        miss.write_body(bytes::Bytes(vec![1, 2, 3]), true)
            .await
            .unwrap();
        miss.write_body_send(bytes::Bytes(vec![4]), true)
            .await
            .unwrap();
        assert_eq!(miss.streaming_write_tag_dyn(), None);
    }
}
