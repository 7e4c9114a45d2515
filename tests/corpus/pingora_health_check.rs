//! `HealthCheck`: cloudflare/pingora, `pingora-load-balancing/src/health_check.rs`.
//! Used through `dyn`: yes, `Arc<dyn HealthCheck + Send + Sync + 'static>` in `Backends`.
//! Shape: default async body with unused arguments; sync methods, one with a default body.

use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Backend {
    pub addr: String,
}
#[derive(Debug)]
pub struct Error;
pub type Result<T, E = Box<Error>> = std::result::Result<T, E>;

pub struct TcpHealthCheck {
    pub consecutive_success: usize,
    pub consecutive_failure: usize,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // cloudflare/pingora, `pingora-load-balancing/src/health_check.rs`.
    #[async_trait::async_trait]
    pub trait HealthCheck {
        async fn check(&self, target: &Backend) -> Result<()>;

        async fn health_status_change(&self, _target: &Backend, _healthy: bool) {}

        fn backend_summary(&self, target: &Backend) -> String {
            format!("{target:?}")
        }

        fn health_threshold(&self, success: bool) -> usize;
    }

    #[async_trait::async_trait]
    impl HealthCheck for TcpHealthCheck {
        fn health_threshold(&self, success: bool) -> usize {
            if success {
                self.consecutive_success
            } else {
                self.consecutive_failure
            }
        }

        async fn check(&self, target: &Backend) -> Result<()> {
            if target.addr.ends_with(":0") {
                Err(Box::new(Error))
            } else {
                Ok(())
            }
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // cloudflare/pingora, `pingora-load-balancing/src/health_check.rs`.
    #[hybrid_dispatch::dyn_twin(DynHealthCheck, send = SendDynHealthCheck)]
    pub trait HealthCheck {
        async fn check(&self, target: &Backend) -> Result<()>;

        async fn health_status_change(&self, _target: &Backend, _healthy: bool) {}

        fn backend_summary(&self, target: &Backend) -> String {
            format!("{target:?}")
        }

        fn health_threshold(&self, success: bool) -> usize;
    }

    impl HealthCheck for TcpHealthCheck {
        fn health_threshold(&self, success: bool) -> usize {
            if success {
                self.consecutive_success
            } else {
                self.consecutive_failure
            }
        }

        async fn check(&self, target: &Backend) -> Result<()> {
            if target.addr.ends_with(":0") {
                Err(Box::new(Error))
            } else {
                Ok(())
            }
        }
    }

    pub async fn run() {
        let hc: Arc<dyn SendDynHealthCheck> = Arc::new(TcpHealthCheck {
            consecutive_success: 1,
            consecutive_failure: 3,
        });
        let up = Backend {
            addr: "1.1.1.1:80".into(),
        };
        assert!(hc.check(&up).await.is_ok());
        assert!(
            hc.check_send(&Backend {
                addr: "1.1.1.1:0".into()
            })
            .await
            .is_err()
        );
        hc.health_status_change(&up, true).await;
        assert_eq!(hc.health_threshold_dyn(false), 3);
    }
}
