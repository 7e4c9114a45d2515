//! `SessionStore`: maxcountryman/tower-sessions, `tower-sessions-core/src/session_store.rs`.
//! Used through `dyn`: yes, `Arc<dyn SessionStore>` inside `Session` (the layer is generic, the
//! session holds the store erased).
//! Shape: `Debug + Send + Sync + 'static`; a default body passing `self` to a generic helper
//! (`S: SessionStore + ?Sized`, `default_create` copied from the same file).

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

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // maxcountryman/tower-sessions, `tower-sessions-core/src/session_store.rs`.
    #[async_trait::async_trait]
    pub trait SessionStore: Debug + Send + Sync + 'static {
        async fn create(&self, session_record: &mut Record) -> Result<()> {
            default_create(self, session_record).await
        }

        async fn save(&self, session_record: &Record) -> Result<()>;

        async fn load(&self, session_id: &Id) -> Result<Option<Record>>;

        async fn delete(&self, session_id: &Id) -> Result<()>;
    }

    // Copied from the same file: the default body of `create` calls it.
    async fn default_create<S: SessionStore + ?Sized>(
        store: &S,
        session_record: &mut Record,
    ) -> Result<()> {
        store.save(session_record).await?;
        Ok(())
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

        async fn load(&self, session_id: &Id) -> Result<Option<Record>> {
            Ok(self.0.lock().unwrap().get(session_id).cloned())
        }

        async fn delete(&self, session_id: &Id) -> Result<()> {
            self.0.lock().unwrap().remove(session_id);
            Ok(())
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // maxcountryman/tower-sessions, `tower-sessions-core/src/session_store.rs`.
    #[hybrid_dispatch::dyn_twin(DynSessionStore, send = SendDynSessionStore)]
    pub trait SessionStore: Debug + Send + Sync + 'static {
        async fn create(&self, session_record: &mut Record) -> Result<()> {
            default_create(self, session_record).await
        }

        async fn save(&self, session_record: &Record) -> Result<()>;

        async fn load(&self, session_id: &Id) -> Result<Option<Record>>;

        async fn delete(&self, session_id: &Id) -> Result<()>;
    }

    // Copied from the same file: the default body of `create` calls it.
    async fn default_create<S: SessionStore + ?Sized>(
        store: &S,
        session_record: &mut Record,
    ) -> Result<()> {
        store.save(session_record).await?;
        Ok(())
    }

    impl SessionStore for MemoryStore {
        async fn save(&self, session_record: &Record) -> Result<()> {
            self.0
                .lock()
                .unwrap()
                .insert(session_record.id, session_record.clone());
            Ok(())
        }

        async fn load(&self, session_id: &Id) -> Result<Option<Record>> {
            Ok(self.0.lock().unwrap().get(session_id).cloned())
        }

        async fn delete(&self, session_id: &Id) -> Result<()> {
            self.0.lock().unwrap().remove(session_id);
            Ok(())
        }
    }

    pub async fn run() {
        let store: Arc<dyn SendDynSessionStore> = Arc::new(MemoryStore::default());
        let mut record = Record {
            id: Id(7),
            ..Record::default()
        };
        store.create(&mut record).await.unwrap();
        assert_eq!(store.load(&Id(7)).await.unwrap(), Some(record));
        store.delete_send(&Id(7)).await.unwrap();
        assert_eq!(store.load(&Id(7)).await.unwrap(), None);
    }
}
