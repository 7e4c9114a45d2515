//! `Manager`: deadpool-rs/deadpool, `crates/deadpool/src/managed/manager.rs` (deadpool 0.13.0;
//! snapshot f2728ab6, file last changed in 3958d15, 2025-11-14). The native successor of
//! `tests/corpus/deadpool_manager.rs` (the `#[async_trait]` version, before 51bba7b).
//! Used through `dyn`: no, `Pool<M: Manager>` holds it generically; dyn-compatible (a pool of
//! managers chosen at run time, `Pool<Box<dyn ..>>`, is what a user would put behind `dyn`).
//! Shape: native `fn m(&self, ..) -> impl Future<Output = T> + Send` written by hand;
//! `Sync + Send`; associated types bounded `Send`, one used by `&mut` reference in an async
//! method; a sync default method; implementors write `async fn`.

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

/// The trait as the project declares it, natively, and an impl.
pub mod control {
    use super::*;

    // deadpool-rs/deadpool, `crates/deadpool/src/managed/manager.rs` (0.13.0).
    pub trait Manager: Sync + Send {
        type Type: Send;
        type Error: Send;

        fn create(&self) -> impl Future<Output = Result<Self::Type, Self::Error>> + Send;

        fn recycle(
            &self,
            obj: &mut Self::Type,
            metrics: &Metrics,
        ) -> impl Future<Output = RecycleResult<Self::Error>> + Send;

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
}

/// The same trait under `#[dyn_twin]`, the impl unchanged, and calls through the `Send` twin.
pub mod migrated {
    use super::*;

    // deadpool-rs/deadpool, `crates/deadpool/src/managed/manager.rs` (0.13.0).
    #[hybrid_dispatch::dyn_twin(DynManager, send = SendDynManager)]
    pub trait Manager: Sync + Send {
        type Type: Send;
        type Error: Send;

        fn create(&self) -> impl Future<Output = Result<Self::Type, Self::Error>> + Send;

        fn recycle(
            &self,
            obj: &mut Self::Type,
            metrics: &Metrics,
        ) -> impl Future<Output = RecycleResult<Self::Error>> + Send;

        fn detach(&self, _obj: &mut Self::Type) {}
    }

    impl Manager for Numbers {
        type Type = usize;
        type Error = std::convert::Infallible;

        async fn create(&self) -> Result<usize, Self::Error> {
            Ok(self.0.fetch_add(1, Ordering::SeqCst))
        }

        async fn recycle(&self, obj: &mut usize, metrics: &Metrics) -> RecycleResult<Self::Error> {
            if *obj > 1000 {
                return Err(RecycleError::Message("too old".into()));
            }
            *obj += 100 + metrics.recycle_count;
            Ok(())
        }
    }

    /// A generic user of the trait, as `Pool<M: Manager>` is: takes the twin object through
    /// the bridge (`M: ?Sized`).
    async fn create_and_recycle<M: Manager + ?Sized>(manager: &M) -> M::Type {
        let mut obj = manager.create().await.ok().unwrap();
        manager
            .recycle(&mut obj, &Metrics::default())
            .await
            .ok()
            .unwrap();
        manager.detach(&mut obj);
        obj
    }

    pub async fn run() {
        type Erased = dyn SendDynManager<Type = usize, Error = std::convert::Infallible>;
        let manager: Arc<Erased> = Arc::new(Numbers::default());
        let mut obj = manager.create().await.unwrap();
        assert_eq!(obj, 0);
        manager
            .recycle(&mut obj, &Metrics { recycle_count: 1 })
            .await
            .unwrap();
        assert_eq!(obj, 101);
        assert_eq!(manager.create_send().await.unwrap(), 1);
        manager
            .recycle_send(&mut obj, &Metrics::default())
            .await
            .unwrap();
        assert_eq!(obj, 201);
        obj = 2000;
        assert!(matches!(
            manager.recycle_send(&mut obj, &Metrics::default()).await,
            Err(RecycleError::Message(_))
        ));
        manager.detach_dyn(&mut obj);

        assert_eq!(create_and_recycle(&*manager).await, 102);

        let boxed: Box<Erased> = Box::<Numbers>::default();
        let task = tokio::spawn(async move { boxed.create_send().await.unwrap() });
        assert_eq!(task.await.unwrap(), 0);
    }
}
