//! `SessionStore`: actix/actix-extras, `actix-session/src/storage/interface.rs` (e2bf5040^, before actix-session moved to native async fn).
//! Used through `dyn`: no, `SessionMiddleware<Store: SessionStore>` holds `Rc<Store>`; dyn-compatible.
//! Shape: `#[async_trait(?Send)]`, so the migration is `#[dyn_twin(DynSessionStore)]` (no `send`);
//! owned and borrowed arguments, a foreign error type in results (`anyhow::Error`, a stand-in here).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

pub mod anyhow {
    #[derive(Debug)]
    pub struct Error(pub String);
}
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionKey(pub String);
pub type SessionState = HashMap<String, String>;
#[derive(Debug)]
pub struct LoadError;
#[derive(Debug)]
pub struct SaveError;
#[derive(Debug)]
pub struct UpdateError;

/// Not `Send`: `Rc<RefCell<..>>`, as `?Send` allows.
#[derive(Default)]
pub struct CookieStore(pub Rc<RefCell<HashMap<SessionKey, SessionState>>>);

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // actix/actix-extras, `actix-session/src/storage/interface.rs` (e2bf5040^, before actix-session moved to native async fn).
    #[async_trait::async_trait(?Send)]
    pub trait SessionStore {
        async fn load(&self, session_key: &SessionKey) -> Result<Option<SessionState>, LoadError>;

        async fn save(
            &self,
            session_state: SessionState,
            ttl: &Duration,
        ) -> Result<SessionKey, SaveError>;

        async fn update(
            &self,
            session_key: SessionKey,
            session_state: SessionState,
            ttl: &Duration,
        ) -> Result<SessionKey, UpdateError>;

        async fn update_ttl(
            &self,
            session_key: &SessionKey,
            ttl: &Duration,
        ) -> Result<(), anyhow::Error>;

        async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error>;
    }

    #[async_trait::async_trait(?Send)]
    impl SessionStore for CookieStore {
        async fn load(&self, session_key: &SessionKey) -> Result<Option<SessionState>, LoadError> {
            Ok(self.0.borrow().get(session_key).cloned())
        }

        async fn save(
            &self,
            session_state: SessionState,
            ttl: &Duration,
        ) -> Result<SessionKey, SaveError> {
            let key = SessionKey(format!("k{}", self.0.borrow().len()));
            self.0.borrow_mut().insert(key.clone(), session_state);
            Ok(key)
        }

        async fn update(
            &self,
            session_key: SessionKey,
            session_state: SessionState,
            ttl: &Duration,
        ) -> Result<SessionKey, UpdateError> {
            self.0
                .borrow_mut()
                .insert(session_key.clone(), session_state);
            Ok(session_key)
        }

        async fn update_ttl(
            &self,
            session_key: &SessionKey,
            ttl: &Duration,
        ) -> Result<(), anyhow::Error> {
            Ok(())
        }

        async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error> {
            self.0.borrow_mut().remove(session_key);
            Ok(())
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // actix/actix-extras, `actix-session/src/storage/interface.rs` (e2bf5040^, before actix-session moved to native async fn).
    #[hybrid_dispatch::dyn_twin(DynSessionStore)]
    pub trait SessionStore {
        async fn load(&self, session_key: &SessionKey) -> Result<Option<SessionState>, LoadError>;

        async fn save(
            &self,
            session_state: SessionState,
            ttl: &Duration,
        ) -> Result<SessionKey, SaveError>;

        async fn update(
            &self,
            session_key: SessionKey,
            session_state: SessionState,
            ttl: &Duration,
        ) -> Result<SessionKey, UpdateError>;

        async fn update_ttl(
            &self,
            session_key: &SessionKey,
            ttl: &Duration,
        ) -> Result<(), anyhow::Error>;

        async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error>;
    }

    impl SessionStore for CookieStore {
        async fn load(&self, session_key: &SessionKey) -> Result<Option<SessionState>, LoadError> {
            Ok(self.0.borrow().get(session_key).cloned())
        }

        async fn save(
            &self,
            session_state: SessionState,
            ttl: &Duration,
        ) -> Result<SessionKey, SaveError> {
            let key = SessionKey(format!("k{}", self.0.borrow().len()));
            self.0.borrow_mut().insert(key.clone(), session_state);
            Ok(key)
        }

        async fn update(
            &self,
            session_key: SessionKey,
            session_state: SessionState,
            ttl: &Duration,
        ) -> Result<SessionKey, UpdateError> {
            self.0
                .borrow_mut()
                .insert(session_key.clone(), session_state);
            Ok(session_key)
        }

        async fn update_ttl(
            &self,
            session_key: &SessionKey,
            ttl: &Duration,
        ) -> Result<(), anyhow::Error> {
            Ok(())
        }

        async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error> {
            self.0.borrow_mut().remove(session_key);
            Ok(())
        }
    }

    pub async fn run() {
        // `?Send`: the local twin, `Box<dyn DynSessionStore>`.
        let store: Box<dyn DynSessionStore> = Box::new(CookieStore::default());
        let state: SessionState = [("user".to_string(), "ann".to_string())]
            .into_iter()
            .collect();
        let key = store
            .save(state.clone(), &Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(store.load(&key).await.unwrap(), Some(state));
        assert!(
            store
                .load_dyn(&SessionKey("none".into()))
                .await
                .unwrap()
                .is_none()
        );
    }
}
