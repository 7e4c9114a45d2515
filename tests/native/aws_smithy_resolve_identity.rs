//! `ResolveIdentity`: smithy-lang/smithy-rs, `rust-runtime/aws-smithy-runtime-api/src/client/
//! identity.rs` (aws-smithy-runtime-api 1.x, the generated AWS SDK's runtime; the trait as its
//! implementors in smithy-rs' tests and in the AWS SDK's users write it).
//! Used through `dyn`: yes, `SharedIdentityResolver` holds an `Arc<dyn ResolveIdentity>`,
//! chosen per auth scheme at run time.
//! Shape: no `async` method: the future is a named type of the project's own,
//! `IdentityFuture<'a>` (a `now_or_later` newtype, either a ready value or a boxed future),
//! returned by a method whose explicit lifetime ties `&'a self` to two borrowed arguments;
//! `Send + Sync + Debug` supertraits; three sync default methods.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub token: String,
    pub expiration: Option<u64>,
}
#[derive(Debug, Default)]
pub struct RuntimeComponents {
    pub now: u64,
}
#[derive(Debug, Default)]
pub struct ConfigBag {
    pub profile: Option<String>,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityCacheLocation {
    RuntimeComponents,
    IdentityResolver,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdentityCachePartition(pub usize);

/// `IdentityFuture<'a>` as `new_type_future!` makes it: ready, or a boxed future.
pub struct IdentityFuture<'a>(IdentityFutureInner<'a>);
enum IdentityFutureInner<'a> {
    Ready(Option<Result<Identity, BoxError>>),
    Later(Pin<Box<dyn Future<Output = Result<Identity, BoxError>> + Send + 'a>>),
}
impl<'a> IdentityFuture<'a> {
    pub fn ready(value: Result<Identity, BoxError>) -> Self {
        IdentityFuture(IdentityFutureInner::Ready(Some(value)))
    }
    pub fn new(future: impl Future<Output = Result<Identity, BoxError>> + Send + 'a) -> Self {
        IdentityFuture(IdentityFutureInner::Later(Box::pin(future)))
    }
}
impl Future for IdentityFuture<'_> {
    type Output = Result<Identity, BoxError>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.0 {
            IdentityFutureInner::Ready(value) => {
                Poll::Ready(value.take().expect("polled after completion"))
            }
            IdentityFutureInner::Later(future) => future.as_mut().poll(cx),
        }
    }
}

// smithy-lang/smithy-rs, `aws-smithy-runtime-api/src/client/identity.rs`.
/// Resolver for identities.
#[hybrid_dispatch::dyn_twin(DynResolveIdentity, send = SendDynResolveIdentity)]
pub trait ResolveIdentity: Send + Sync + Debug {
    /// Asynchronously resolves an identity for a request using the given config.
    fn resolve_identity<'a>(
        &'a self,
        runtime_components: &'a RuntimeComponents,
        config_bag: &'a ConfigBag,
    ) -> IdentityFuture<'a>;

    /// Returns a fallback identity.
    fn fallback_on_interrupt(&self) -> Option<Identity> {
        None
    }

    /// Returns the location of an identity cache associated with this identity resolver.
    fn cache_location(&self) -> IdentityCacheLocation {
        IdentityCacheLocation::RuntimeComponents
    }

    /// Returns the identity cache partition associated with this identity resolver.
    fn cache_partition(&self) -> Option<IdentityCachePartition> {
        None
    }
}

/// A resolver as the SDK's users write one: the future borrows `self` and the config.
#[derive(Debug, Default)]
pub struct ProfileTokenResolver {
    pub calls: AtomicUsize,
}
impl ResolveIdentity for ProfileTokenResolver {
    fn resolve_identity<'a>(
        &'a self,
        runtime_components: &'a RuntimeComponents,
        config_bag: &'a ConfigBag,
    ) -> IdentityFuture<'a> {
        IdentityFuture::new(async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let profile = config_bag.profile.as_deref().ok_or("no profile")?;
            Ok(Identity {
                token: format!("token-for-{profile}"),
                expiration: Some(runtime_components.now + 900),
            })
        })
    }

    fn cache_location(&self) -> IdentityCacheLocation {
        IdentityCacheLocation::IdentityResolver
    }

    fn cache_partition(&self) -> Option<IdentityCachePartition> {
        Some(IdentityCachePartition(7))
    }
}

/// A static resolver (`IdentityFuture::ready`), as smithy-rs' tests write them.
#[derive(Debug)]
pub struct Static(pub Identity);
impl ResolveIdentity for Static {
    fn resolve_identity<'a>(
        &'a self,
        _: &'a RuntimeComponents,
        _: &'a ConfigBag,
    ) -> IdentityFuture<'a> {
        IdentityFuture::ready(Ok(self.0.clone()))
    }

    fn fallback_on_interrupt(&self) -> Option<Identity> {
        Some(self.0.clone())
    }
}

pub async fn run() {
    let components = RuntimeComponents { now: 100 };
    let config = ConfigBag {
        profile: Some("dev".into()),
    };
    // As `SharedIdentityResolver` holds them.
    let resolvers: Vec<Arc<dyn SendDynResolveIdentity>> = vec![
        Arc::new(ProfileTokenResolver::default()),
        Arc::new(Static(Identity {
            token: "static".into(),
            expiration: None,
        })),
    ];

    // Through the bridge and through the twin's forwarding method.
    let identity = resolvers[0]
        .resolve_identity(&components, &config)
        .await
        .unwrap();
    assert_eq!(identity.token, "token-for-dev");
    assert_eq!(identity.expiration, Some(1000));
    let refused = resolvers[0]
        .resolve_identity_dyn(&components, &ConfigBag::default())
        .await;
    assert_eq!(refused.unwrap_err().to_string(), "no profile");
    let identity = resolvers[1]
        .resolve_identity_dyn(&components, &config)
        .await
        .unwrap();
    assert_eq!(identity.token, "static");

    // The sync defaults and overrides.
    assert_eq!(
        resolvers[0].cache_location(),
        IdentityCacheLocation::IdentityResolver
    );
    assert_eq!(
        resolvers[1].cache_location_dyn(),
        IdentityCacheLocation::RuntimeComponents
    );
    assert_eq!(
        resolvers[0].cache_partition(),
        Some(IdentityCachePartition(7))
    );
    assert_eq!(resolvers[0].fallback_on_interrupt_dyn(), None);
    assert_eq!(
        resolvers[1].fallback_on_interrupt().map(|i| i.token),
        Some("static".into())
    );
    // `Debug`, a supertrait, on the object.
    assert!(format!("{:?}", resolvers[1]).contains("static"));

    // In a task, as the orchestrator resolves identities.
    let resolver = Arc::clone(&resolvers[0]);
    let token = tokio::spawn(async move {
        let components = RuntimeComponents { now: 0 };
        let config = ConfigBag {
            profile: Some("ci".into()),
        };
        resolver
            .resolve_identity(&components, &config)
            .await
            .map(|i| i.token)
            .map_err(|e| e.to_string())
    })
    .await
    .unwrap();
    assert_eq!(token.as_deref(), Ok("token-for-ci"));
}
