//! `TlsAccept`: cloudflare/pingora, `pingora-core/src/listeners/mod.rs`.
//! Used through `dyn`: yes, `TlsAcceptCallbacks = Box<dyn TlsAccept + Send + Sync>`.
//! Shape: default bodies only, `-> ()` written out, a `'static` trait object in the result.

use std::any::Any;
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct TlsRef {
    pub sni: Option<String>,
}
pub struct SniCert;

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // cloudflare/pingora, `pingora-core/src/listeners/mod.rs`.
    #[async_trait::async_trait]
    pub trait TlsAccept {
        async fn certificate_callback(&self, _ssl: &mut TlsRef) -> () {}

        async fn handshake_complete_callback(
            &self,
            _ssl: &TlsRef,
        ) -> Option<Arc<dyn Any + Send + Sync>> {
            None
        }
    }

    #[async_trait::async_trait]
    impl TlsAccept for SniCert {
        async fn certificate_callback(&self, ssl: &mut TlsRef) -> () {
            ssl.sni = Some("example.org".into());
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // cloudflare/pingora, `pingora-core/src/listeners/mod.rs`.
    #[hybrid_dispatch::dyn_twin(DynTlsAccept, send = SendDynTlsAccept)]
    pub trait TlsAccept {
        async fn certificate_callback(&self, _ssl: &mut TlsRef) -> () {}

        async fn handshake_complete_callback(
            &self,
            _ssl: &TlsRef,
        ) -> Option<Arc<dyn Any + Send + Sync>> {
            None
        }
    }

    impl TlsAccept for SniCert {
        async fn certificate_callback(&self, ssl: &mut TlsRef) -> () {
            ssl.sni = Some("example.org".into());
        }
    }

    pub async fn run() {
        let callbacks: Box<dyn SendDynTlsAccept> = Box::new(SniCert);
        let mut ssl = TlsRef::default();
        callbacks.certificate_callback(&mut ssl).await;
        assert_eq!(ssl.sni.as_deref(), Some("example.org"));
        assert!(
            callbacks
                .handshake_complete_callback_send(&ssl)
                .await
                .is_none()
        );
    }
}
