//! `ExpiredDeletion`: maxcountryman/tower-sessions, `tower-sessions-core/src/session_store.rs`.
//! Used through `dyn`: no, static-only: `where Self: Sized` on the trait, and
//! `continuously_delete_expired(self, ..)` takes `self` by value (spawned as a task).
//! Shape: an async supertrait (`SessionStore`, here a plain local stand-in with the same header),
//! `Self: Sized`; the `deletion-task` feature's method is kept with its `cfg` (off here).
#![allow(
    unexpected_cfgs,
    reason = "tower-sessions' `deletion-task` feature and `docsrs`, kept as written"
)]

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Id(pub i128);
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record {
    pub id: Id,
    pub data: HashMap<String, String>,
}
#[derive(Debug)]
pub enum Error {
    Backend(String),
}
pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, Default)]
pub struct MemoryStore(pub Mutex<HashMap<Id, Record>>);

/// Stands in for `SessionStore` (its own corpus entry), async like the original.
#[async_trait::async_trait]
pub trait SessionStore: Debug + Send + Sync + 'static {
    async fn save(&self, session_record: &Record) -> Result<()>;
}
#[async_trait::async_trait]
impl SessionStore for MemoryStore {
    async fn save(&self, session_record: &Record) -> Result<()> {
        self.0
            .lock()
            .unwrap()
            .insert(session_record.id, session_record.clone());
        Ok(())
    }
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // maxcountryman/tower-sessions, `tower-sessions-core/src/session_store.rs`.
    #[async_trait::async_trait]
    pub trait ExpiredDeletion: SessionStore
    where
        Self: Sized,
    {
        async fn delete_expired(&self) -> Result<()>;

        #[cfg(feature = "deletion-task")]
        #[cfg_attr(docsrs, doc(cfg(feature = "deletion-task")))]
        async fn continuously_delete_expired(self, period: tokio::time::Duration) -> Result<()> {
            let mut interval = tokio::time::interval(period);
            interval.tick().await; // The first tick completes immediately; skip.
            loop {
                interval.tick().await;
                self.delete_expired().await?;
            }
        }
    }

    #[async_trait::async_trait]
    impl ExpiredDeletion for MemoryStore {
        async fn delete_expired(&self) -> Result<()> {
            self.0.lock().unwrap().retain(|id, _| id.0 > 0);
            Ok(())
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
#[cfg(any())] // BLOCKED: static-only; refused: `continuously_delete_expired` takes `self` by value (a method `#[cfg]`'d out here, still seen by the attribute)
pub mod migrated {
    use super::*;

    // maxcountryman/tower-sessions, `tower-sessions-core/src/session_store.rs`.
    #[hybrid_dispatch::dyn_twin(DynExpiredDeletion, send = SendDynExpiredDeletion)]
    pub trait ExpiredDeletion: SessionStore
    where
        Self: Sized,
    {
        async fn delete_expired(&self) -> Result<()>;

        #[cfg(feature = "deletion-task")]
        #[cfg_attr(docsrs, doc(cfg(feature = "deletion-task")))]
        async fn continuously_delete_expired(self, period: tokio::time::Duration) -> Result<()> {
            let mut interval = tokio::time::interval(period);
            interval.tick().await; // The first tick completes immediately; skip.
            loop {
                interval.tick().await;
                self.delete_expired().await?;
            }
        }
    }

    impl ExpiredDeletion for MemoryStore {
        async fn delete_expired(&self) -> Result<()> {
            self.0.lock().unwrap().retain(|id, _| id.0 > 0);
            Ok(())
        }
    }

    pub async fn run() {
        let store = MemoryStore::default();
        store.delete_expired().await.unwrap();
    }
}
