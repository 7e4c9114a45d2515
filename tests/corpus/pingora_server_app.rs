//! `ServerApp`: cloudflare/pingora, `pingora-core/src/apps/mod.rs`.
//! Used through `dyn`: no, `Service<A: ServerApp>` holds `Arc<A>`; the `self: &Arc<Self>`
//! receiver is dyn-compatible.
//! Shape: `self: &Arc<Self>` receiver; `mut session` in a method without a body.

use std::sync::Arc;

#[derive(Debug, PartialEq)]
pub struct Stream(pub u32);
pub type ShutdownWatch = tokio::sync::watch::Receiver<bool>;
pub struct Echo;

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // cloudflare/pingora, `pingora-core/src/apps/mod.rs`.
    #[async_trait::async_trait]
    pub trait ServerApp {
        async fn process_new(
            self: &Arc<Self>,
            mut session: Stream,
            shutdown: &ShutdownWatch,
        ) -> Option<Stream>;

        async fn cleanup(&self) {}
    }

    #[async_trait::async_trait]
    impl ServerApp for Echo {
        async fn process_new(
            self: &Arc<Self>,
            mut session: Stream,
            shutdown: &ShutdownWatch,
        ) -> Option<Stream> {
            session.0 += 1;
            if *shutdown.borrow() {
                None
            } else {
                Some(session)
            }
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
#[cfg(any())] // BLOCKED: refused: "#[dyn_twin] supports `&self`, `&mut self` and `self: Box<Self>` receivers; `process_new` takes `self` by value or through another pointer"
pub mod migrated {
    use super::*;

    // cloudflare/pingora, `pingora-core/src/apps/mod.rs`.
    #[hybrid_dispatch::dyn_twin(DynServerApp, send = SendDynServerApp)]
    pub trait ServerApp {
        async fn process_new(
            self: &Arc<Self>,
            mut session: Stream,
            shutdown: &ShutdownWatch,
        ) -> Option<Stream>;

        async fn cleanup(&self) {}
    }

    impl ServerApp for Echo {
        async fn process_new(
            self: &Arc<Self>,
            mut session: Stream,
            shutdown: &ShutdownWatch,
        ) -> Option<Stream> {
            session.0 += 1;
            if *shutdown.borrow() {
                None
            } else {
                Some(session)
            }
        }
    }

    pub async fn run() {
        let app: Arc<dyn SendDynServerApp> = Arc::new(Echo);
        let (_tx, rx) = tokio::sync::watch::channel(false);
        assert_eq!(app.process_new(Stream(1), &rx).await, Some(Stream(2)));
        app.cleanup().await;
    }
}
