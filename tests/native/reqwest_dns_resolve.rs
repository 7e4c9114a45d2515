//! `dns::Resolve`: seanmonstar/reqwest, `src/dns/resolve.rs` (reqwest 0.12).
//! Used through `dyn`: yes, `ClientBuilder::dns_resolver` stores the resolver as an
//! `Arc<dyn Resolve>` (hickory-dns, the system resolver, a user's override map).
//! Shape: no `async` method: one method returning an already-boxed `'static` future through
//! an alias, `Resolving = Pin<Box<dyn Future<Output = Result<Addrs, BoxError>> + Send>>`, whose
//! output is itself a boxed trait object (`Addrs = Box<dyn Iterator<Item = SocketAddr> +
//! Send>`); `Send + Sync`.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type Addrs = Box<dyn Iterator<Item = SocketAddr> + Send>;
pub type Resolving = Pin<Box<dyn Future<Output = Result<Addrs, BoxError>> + Send>>;

/// reqwest's `dns::Name` (a host name), stubbed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name(pub String);
impl Name {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

// seanmonstar/reqwest, `src/dns/resolve.rs` (0.12).
/// Trait for customizing DNS resolution in reqwest.
#[hybrid_dispatch::dyn_twin(DynResolve, send = SendDynResolve)]
pub trait Resolve: Send + Sync {
    /// Performs DNS resolution on a `Name`.
    fn resolve(&self, name: Name) -> Resolving;
}

/// An override map in front of a fallback, as reqwest's `DnsResolverWithOverrides` is.
pub struct Overrides {
    pub map: HashMap<String, Vec<SocketAddr>>,
    pub fallback: Arc<dyn SendDynResolve>,
}
impl Resolve for Overrides {
    fn resolve(&self, name: Name) -> Resolving {
        match self.map.get(name.as_str()) {
            Some(addrs) => {
                let addrs: Addrs = Box::new(addrs.clone().into_iter());
                Box::pin(std::future::ready(Ok(addrs)))
            }
            None => self.fallback.resolve(name),
        }
    }
}

/// A resolver that knows only `localhost`, as a test resolver would.
pub struct Localhost;
impl Resolve for Localhost {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            if name.as_str() == "localhost" {
                let addrs: Addrs = Box::new(std::iter::once(SocketAddr::from(([127, 0, 0, 1], 0))));
                Ok(addrs)
            } else {
                Err(format!("no such host: {}", name.as_str()).into())
            }
        })
    }
}

pub async fn run() {
    let resolver: Arc<dyn SendDynResolve> = Arc::new(Overrides {
        map: HashMap::from([(
            "example.test".to_string(),
            vec![SocketAddr::from(([10, 0, 0, 1], 443))],
        )]),
        fallback: Arc::new(Localhost),
    });

    // Through the bridge and through the twin's forwarding method.
    let addrs: Vec<_> = resolver
        .resolve(Name("example.test".into()))
        .await
        .unwrap()
        .collect();
    assert_eq!(addrs, [SocketAddr::from(([10, 0, 0, 1], 443))]);
    let addrs: Vec<_> = resolver
        .resolve_dyn(Name("localhost".into()))
        .await
        .unwrap()
        .collect();
    assert_eq!(addrs, [SocketAddr::from(([127, 0, 0, 1], 0))]);
    let err = resolver
        .resolve(Name("nowhere".into()))
        .await
        .err()
        .unwrap();
    assert_eq!(err.to_string(), "no such host: nowhere");

    // The future is `'static`: made here, awaited in a task.
    let pending = resolver.resolve(Name("localhost".into()));
    let count = tokio::spawn(async move { pending.await.map(Iterator::count).ok() })
        .await
        .unwrap();
    assert_eq!(count, Some(1));
}
