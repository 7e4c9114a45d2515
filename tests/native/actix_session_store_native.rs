//! `SessionStore`: actix/actix-extras, `actix-session/src/storage/interface.rs` (actix-session
//! 0.11.0; snapshot 30736af2a, file last changed in 2b24316ef, 2026-02-08). The native
//! successor of `tests/corpus/actix_session_store.rs` (`#[async_trait(?Send)]`, before
//! e2bf5040).
//! Used through `dyn`: no, `SessionMiddleware<Store: SessionStore>` holds it generically (in an
//! `Rc`); dyn-compatible (a store picked from configuration is what a user would erase).
//! Shape: native `fn m(&self, ..) -> impl Future<Output = T>` written by hand, **not** `Send`
//! (actix runs each worker on one thread): so `#[dyn_twin(DynSessionStore)]`, the local twin
//! only. No supertraits; arguments by reference (`&SessionKey`, `&Duration`) and by value
//! (`SessionKey`, `SessionState`); implementors write `async fn`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// `actix_web::cookie::time::Duration`, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Duration(pub i64);
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionKey(pub String);
pub type SessionState = HashMap<String, String>;
/// `anyhow::Error`.
#[derive(Debug)]
pub struct AnyError(pub String);

#[derive(Debug)]
pub enum LoadError {
    Deserialization(AnyError),
    Other(AnyError),
}
#[derive(Debug)]
pub enum SaveError {
    Serialization(AnyError),
    Other(AnyError),
}
#[derive(Debug)]
pub enum UpdateError {
    Serialization(AnyError),
    Other(AnyError),
}

/// A single-threaded in-memory store (`Rc`, `RefCell`: neither `Send` nor `Sync`).
#[derive(Default)]
pub struct MemoryStore {
    pub sessions: RefCell<HashMap<SessionKey, (SessionState, Duration)>>,
    pub next: RefCell<u64>,
    pub log: Rc<RefCell<Vec<&'static str>>>,
}
impl MemoryStore {
    fn fresh_key(&self) -> SessionKey {
        let mut next = self.next.borrow_mut();
        *next += 1;
        SessionKey(format!("key-{next}"))
    }
}

/// The trait as the project declares it, natively, and an impl.
pub mod control {
    use super::*;

    // actix/actix-extras, `actix-session/src/storage/interface.rs` (0.11.0).
    pub trait SessionStore {
        fn load(
            &self,
            session_key: &SessionKey,
        ) -> impl Future<Output = Result<Option<SessionState>, LoadError>>;

        fn save(
            &self,
            session_state: SessionState,
            ttl: &Duration,
        ) -> impl Future<Output = Result<SessionKey, SaveError>>;

        fn update(
            &self,
            session_key: SessionKey,
            session_state: SessionState,
            ttl: &Duration,
        ) -> impl Future<Output = Result<SessionKey, UpdateError>>;

        fn update_ttl(
            &self,
            session_key: &SessionKey,
            ttl: &Duration,
        ) -> impl Future<Output = Result<(), AnyError>>;

        fn delete(&self, session_key: &SessionKey) -> impl Future<Output = Result<(), AnyError>>;
    }

    impl SessionStore for MemoryStore {
        async fn load(&self, session_key: &SessionKey) -> Result<Option<SessionState>, LoadError> {
            Ok(self.sessions.borrow().get(session_key).map(|s| s.0.clone()))
        }

        async fn save(
            &self,
            session_state: SessionState,
            ttl: &Duration,
        ) -> Result<SessionKey, SaveError> {
            let key = self.fresh_key();
            self.sessions
                .borrow_mut()
                .insert(key.clone(), (session_state, *ttl));
            Ok(key)
        }

        async fn update(
            &self,
            session_key: SessionKey,
            session_state: SessionState,
            ttl: &Duration,
        ) -> Result<SessionKey, UpdateError> {
            self.sessions
                .borrow_mut()
                .insert(session_key.clone(), (session_state, *ttl));
            Ok(session_key)
        }

        async fn update_ttl(
            &self,
            session_key: &SessionKey,
            ttl: &Duration,
        ) -> Result<(), AnyError> {
            Ok(())
        }

        async fn delete(&self, session_key: &SessionKey) -> Result<(), AnyError> {
            self.sessions.borrow_mut().remove(session_key);
            Ok(())
        }
    }
}

/// The same trait under `#[dyn_twin]` (local twin only), the impl unchanged, and calls through
/// the twin.
pub mod migrated {
    use super::*;

    // actix/actix-extras, `actix-session/src/storage/interface.rs` (0.11.0).
    #[hybrid_dispatch::dyn_twin(DynSessionStore)]
    pub trait SessionStore {
        fn load(
            &self,
            session_key: &SessionKey,
        ) -> impl Future<Output = Result<Option<SessionState>, LoadError>>;

        fn save(
            &self,
            session_state: SessionState,
            ttl: &Duration,
        ) -> impl Future<Output = Result<SessionKey, SaveError>>;

        fn update(
            &self,
            session_key: SessionKey,
            session_state: SessionState,
            ttl: &Duration,
        ) -> impl Future<Output = Result<SessionKey, UpdateError>>;

        fn update_ttl(
            &self,
            session_key: &SessionKey,
            ttl: &Duration,
        ) -> impl Future<Output = Result<(), AnyError>>;

        fn delete(&self, session_key: &SessionKey) -> impl Future<Output = Result<(), AnyError>>;
    }

    impl SessionStore for MemoryStore {
        async fn load(&self, session_key: &SessionKey) -> Result<Option<SessionState>, LoadError> {
            self.log.borrow_mut().push("load");
            // Held across an await: the future is not `Send`.
            let log = Rc::clone(&self.log);
            std::future::ready(()).await;
            drop(log);
            Ok(self.sessions.borrow().get(session_key).map(|s| s.0.clone()))
        }

        async fn save(
            &self,
            session_state: SessionState,
            ttl: &Duration,
        ) -> Result<SessionKey, SaveError> {
            if session_state.contains_key("") {
                return Err(SaveError::Serialization(AnyError("empty key".into())));
            }
            let key = self.fresh_key();
            self.sessions
                .borrow_mut()
                .insert(key.clone(), (session_state, *ttl));
            Ok(key)
        }

        async fn update(
            &self,
            session_key: SessionKey,
            session_state: SessionState,
            ttl: &Duration,
        ) -> Result<SessionKey, UpdateError> {
            self.sessions
                .borrow_mut()
                .insert(session_key.clone(), (session_state, *ttl));
            Ok(session_key)
        }

        async fn update_ttl(
            &self,
            session_key: &SessionKey,
            ttl: &Duration,
        ) -> Result<(), AnyError> {
            match self.sessions.borrow_mut().get_mut(session_key) {
                Some(entry) => {
                    entry.1 = *ttl;
                    Ok(())
                }
                None => Err(AnyError("no such session".into())),
            }
        }

        async fn delete(&self, session_key: &SessionKey) -> Result<(), AnyError> {
            self.sessions.borrow_mut().remove(session_key);
            Ok(())
        }
    }

    pub async fn run() {
        let memory = MemoryStore::default();
        let log = Rc::clone(&memory.log);
        // As `SessionMiddleware` holds its store: in an `Rc`, here erased.
        let store: Rc<dyn DynSessionStore> = Rc::new(memory);
        let ttl = Duration(60);

        let state = SessionState::from([("user".to_string(), "ann".to_string())]);
        // The bridge.
        let key = store.save(state.clone(), &ttl).await.unwrap();
        assert_eq!(store.load(&key).await.unwrap(), Some(state));
        // The twin's own methods.
        let state = SessionState::from([("user".to_string(), "bo".to_string())]);
        let fut = store.update_dyn(key.clone(), state.clone(), &Duration(120));
        assert!(!fut.is_heap());
        let key = fut.await.unwrap();
        assert_eq!(store.load_dyn(&key).await.unwrap(), Some(state));
        store.update_ttl_dyn(&key, &Duration(5)).await.unwrap();
        assert!(
            store
                .update_ttl(&SessionKey("x".into()), &ttl)
                .await
                .is_err()
        );
        assert!(matches!(
            store
                .save_dyn(SessionState::from([(String::new(), String::new())]), &ttl)
                .await,
            Err(SaveError::Serialization(_))
        ));
        store.delete_dyn(&key).await.unwrap();
        assert_eq!(store.load(&key).await.unwrap(), None);
        assert_eq!(*log.borrow(), ["load", "load", "load"]);

        let boxed: Box<dyn DynSessionStore> = Box::new(MemoryStore::default());
        assert!(boxed.delete(&key).await.is_ok());
    }
}
