//! `BackgroundService`: cloudflare/pingora, `pingora-core/src/services/background.rs`.
//! Used through `dyn`: no, `GenBackgroundService<A: BackgroundService>` holds it generically
//! (`Arc<A>`); dyn-compatible.
//! Shape: a default body that calls another method on `self`; `mut _shutdown` in a default body.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub type ShutdownWatch = tokio::sync::watch::Receiver<bool>;
pub struct ServiceReadyNotifier(pub Arc<AtomicUsize>);
impl ServiceReadyNotifier {
    pub fn notify_ready(self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}
pub struct Ticker(pub Arc<AtomicUsize>);

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // cloudflare/pingora, `pingora-core/src/services/background.rs`.
    #[async_trait::async_trait]
    pub trait BackgroundService {
        async fn start_with_ready_notifier(
            &self,
            shutdown: ShutdownWatch,
            ready_notifier: ServiceReadyNotifier,
        ) {
            ready_notifier.notify_ready();
            self.start(shutdown).await;
        }

        async fn start(&self, mut _shutdown: ShutdownWatch) {}
    }

    #[async_trait::async_trait]
    impl BackgroundService for Ticker {
        async fn start(&self, shutdown: ShutdownWatch) {
            self.0.fetch_add(10, Ordering::SeqCst);
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // cloudflare/pingora, `pingora-core/src/services/background.rs`.
    #[hybrid_dispatch::dyn_twin(DynBackgroundService, send = SendDynBackgroundService)]
    pub trait BackgroundService {
        async fn start_with_ready_notifier(
            &self,
            shutdown: ShutdownWatch,
            ready_notifier: ServiceReadyNotifier,
        ) {
            ready_notifier.notify_ready();
            self.start(shutdown).await;
        }

        async fn start(&self, mut _shutdown: ShutdownWatch) {}
    }

    impl BackgroundService for Ticker {
        async fn start(&self, shutdown: ShutdownWatch) {
            self.0.fetch_add(10, Ordering::SeqCst);
        }
    }

    pub async fn run() {
        let count = Arc::new(AtomicUsize::new(0));
        let service: Arc<dyn SendDynBackgroundService> = Arc::new(Ticker(count.clone()));
        let (_tx, rx) = tokio::sync::watch::channel(false);
        service
            .start_with_ready_notifier(rx, ServiceReadyNotifier(count.clone()))
            .await;
        assert_eq!(count.load(Ordering::SeqCst), 11);
    }
}
