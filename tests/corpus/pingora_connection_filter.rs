//! `ConnectionFilter`: cloudflare/pingora, `pingora-core/src/listeners/connection_filter.rs`.
//! Used through `dyn`: yes, `Arc<dyn ConnectionFilter>` in the listener builder.
//! Shape: `Debug` supertrait; a default async body that ignores its argument.

use std::fmt::Debug;
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Debug)]
pub struct BlockPort(pub u16);

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // cloudflare/pingora, `pingora-core/src/listeners/connection_filter.rs`.
    #[async_trait::async_trait]
    pub trait ConnectionFilter: Debug + Send + Sync {
        async fn should_accept(&self, _addr: Option<&SocketAddr>) -> bool {
            true
        }
    }

    #[async_trait::async_trait]
    impl ConnectionFilter for BlockPort {
        async fn should_accept(&self, addr_opt: Option<&SocketAddr>) -> bool {
            addr_opt.map(|addr| addr.port() != self.0).unwrap_or(true)
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // cloudflare/pingora, `pingora-core/src/listeners/connection_filter.rs`.
    #[hybrid_dispatch::dyn_twin(DynConnectionFilter, send = SendDynConnectionFilter)]
    pub trait ConnectionFilter: Debug + Send + Sync {
        async fn should_accept(&self, _addr: Option<&SocketAddr>) -> bool {
            true
        }
    }

    impl ConnectionFilter for BlockPort {
        async fn should_accept(&self, addr_opt: Option<&SocketAddr>) -> bool {
            addr_opt.map(|addr| addr.port() != self.0).unwrap_or(true)
        }
    }

    pub async fn run() {
        let filter: Arc<dyn SendDynConnectionFilter> = Arc::new(BlockPort(22));
        let ssh: SocketAddr = "127.0.0.1:22".parse().unwrap();
        let web: SocketAddr = "127.0.0.1:80".parse().unwrap();
        assert!(!filter.should_accept(Some(&ssh)).await);
        assert!(filter.should_accept_send(Some(&web)).await);
    }
}
