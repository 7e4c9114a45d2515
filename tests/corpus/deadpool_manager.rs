//! `Manager`: deadpool-rs/deadpool, `src/managed/mod.rs` (51bba7b^, before deadpool removed async-trait).
//! Used through `dyn`: no, `Pool<M: Manager>` holds it generically; dyn-compatible.
//! Shape: `Sync + Send`; unbounded associated types used by reference (`&mut Self::Type`) in an
//! async method; a sync default method.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, Default)]
pub struct Metrics {
    pub recycle_count: usize,
}
#[derive(Debug)]
pub enum RecycleError<E> {
    Message(String),
    Backend(E),
}
pub type RecycleResult<E> = Result<(), RecycleError<E>>;

#[derive(Default)]
pub struct Numbers(pub AtomicUsize);

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // deadpool-rs/deadpool, `src/managed/mod.rs` (51bba7b^, before deadpool removed async-trait).
    #[async_trait::async_trait]
    pub trait Manager: Sync + Send {
        type Type;
        type Error;

        async fn create(&self) -> Result<Self::Type, Self::Error>;

        async fn recycle(
            &self,
            obj: &mut Self::Type,
            metrics: &Metrics,
        ) -> RecycleResult<Self::Error>;

        fn detach(&self, _obj: &mut Self::Type) {}
    }

    #[async_trait::async_trait]
    impl Manager for Numbers {
        type Type = usize;
        type Error = std::convert::Infallible;

        async fn create(&self) -> Result<usize, Self::Error> {
            Ok(self.0.fetch_add(1, Ordering::SeqCst))
        }

        async fn recycle(&self, obj: &mut usize, metrics: &Metrics) -> RecycleResult<Self::Error> {
            *obj += 100;
            Ok(())
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // deadpool-rs/deadpool, `src/managed/mod.rs` (51bba7b^, before deadpool removed async-trait).
    #[hybrid_dispatch::dyn_twin(DynManager, send = SendDynManager)]
    pub trait Manager: Sync + Send {
        type Type;
        type Error;

        async fn create(&self) -> Result<Self::Type, Self::Error>;

        async fn recycle(
            &self,
            obj: &mut Self::Type,
            metrics: &Metrics,
        ) -> RecycleResult<Self::Error>;

        fn detach(&self, _obj: &mut Self::Type) {}
    }

    impl Manager for Numbers {
        type Type = usize;
        type Error = std::convert::Infallible;

        async fn create(&self) -> Result<usize, Self::Error> {
            Ok(self.0.fetch_add(1, Ordering::SeqCst))
        }

        async fn recycle(&self, obj: &mut usize, metrics: &Metrics) -> RecycleResult<Self::Error> {
            *obj += 100;
            Ok(())
        }
    }

    pub async fn run() {
        let manager: Arc<dyn SendDynManager<Type = usize, Error = std::convert::Infallible>> =
            Arc::new(Numbers::default());
        let mut obj = manager.create().await.unwrap();
        manager
            .recycle(&mut obj, &Metrics::default())
            .await
            .unwrap();
        assert_eq!(obj, 100);
    }
}
