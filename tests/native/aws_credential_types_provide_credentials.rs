//! `ProvideCredentials`: awslabs/aws-sdk-rust (smithy-lang/smithy-rs),
//! `aws/rust-runtime/aws-credential-types/src/provider.rs` (aws-credential-types 1.x; the trait
//! as aws-config's providers, `DefaultCredentialsChain`, `ImdsCredentialsProvider`,
//! `EcsCredentialsProvider`, implement it).
//! Used through `dyn`: yes, `SharedCredentialsProvider` holds an
//! `Arc<dyn ProvideCredentials>`; every AWS SDK client takes one.
//! Shape: no `async` method: the future is a named type of the project's own,
//! `future::ProvideCredentials<'a>` (ready, or a boxed future), returned by a method with an
//! explicit lifetime and `where Self: 'a`; `Send + Sync + std::fmt::Debug`; a sync default
//! method.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub provider_name: &'static str,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialsError {
    CredentialsNotLoaded,
    ProviderError(String),
}
pub type Result = std::result::Result<Credentials, CredentialsError>;

/// `aws_credential_types::provider::future`, stubbed.
pub mod future {
    use super::*;

    pub struct ProvideCredentials<'a>(Inner<'a>);
    enum Inner<'a> {
        Ready(Option<Result>),
        Later(Pin<Box<dyn Future<Output = Result> + Send + 'a>>),
    }
    impl<'a> ProvideCredentials<'a> {
        pub fn new(future: impl Future<Output = Result> + Send + 'a) -> Self {
            ProvideCredentials(Inner::Later(Box::pin(future)))
        }
        pub fn ready(credentials: Result) -> Self {
            ProvideCredentials(Inner::Ready(Some(credentials)))
        }
    }
    impl Future for ProvideCredentials<'_> {
        type Output = Result;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result> {
            match &mut self.0 {
                Inner::Ready(value) => Poll::Ready(value.take().expect("polled after completion")),
                Inner::Later(future) => future.as_mut().poll(cx),
            }
        }
    }
}

/// An IMDS-like provider: fetches once, then keeps the last credentials as its fallback.
#[derive(Debug, Default)]
pub struct ImdsLike {
    pub fetches: AtomicUsize,
}
impl ImdsLike {
    async fn credentials(&self) -> Result {
        let n = self.fetches.fetch_add(1, Ordering::SeqCst);
        Ok(Credentials {
            access_key_id: format!("AKIA{n}"),
            provider_name: "imds",
        })
    }
}

/// The trait as the project declares it, and an impl: they compile.
pub mod control {
    use super::*;

    // awslabs/aws-sdk-rust, `aws-credential-types/src/provider.rs`.
    /// Asynchronous Credentials Provider
    pub trait ProvideCredentials: Send + Sync + std::fmt::Debug {
        /// Returns a future that provides credentials.
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a;

        /// Returns fallback credentials.
        fn fallback_on_interrupt(&self) -> Option<Credentials> {
            None
        }
    }

    impl ProvideCredentials for ImdsLike {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            future::ProvideCredentials::new(self.credentials())
        }
    }
}

/// The same trait under `#[dyn_twin]`, the impls unchanged, and calls through the twin.
pub mod migrated {
    use super::*;

    // awslabs/aws-sdk-rust, `aws-credential-types/src/provider.rs`.
    /// Asynchronous Credentials Provider
    #[hybrid_dispatch::dyn_twin(DynProvideCredentials, send = SendDynProvideCredentials)]
    pub trait ProvideCredentials: Send + Sync + std::fmt::Debug {
        /// Returns a future that provides credentials.
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a;

        /// Returns fallback credentials.
        fn fallback_on_interrupt(&self) -> Option<Credentials> {
            None
        }
    }

    impl ProvideCredentials for ImdsLike {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            future::ProvideCredentials::new(self.credentials())
        }
    }

    /// Static credentials, as `Credentials` itself implements the trait.
    #[derive(Debug)]
    pub struct Static(pub Credentials);
    impl ProvideCredentials for Static {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            future::ProvideCredentials::ready(Ok(self.0.clone()))
        }

        fn fallback_on_interrupt(&self) -> Option<Credentials> {
            Some(self.0.clone())
        }
    }

    pub async fn run() {
        // As `SharedCredentialsProvider` holds them.
        let providers: Vec<Arc<dyn SendDynProvideCredentials>> = vec![
            Arc::new(ImdsLike::default()),
            Arc::new(Static(Credentials {
                access_key_id: "AKIASTATIC".into(),
                provider_name: "static",
            })),
        ];
        let first = providers[0].provide_credentials().await.unwrap();
        assert_eq!(first.access_key_id, "AKIA0");
        let second = providers[0].provide_credentials_dyn().await.unwrap();
        assert_eq!(second.access_key_id, "AKIA1");
        assert_eq!(providers[0].fallback_on_interrupt(), None);
        assert_eq!(
            providers[1]
                .fallback_on_interrupt_dyn()
                .unwrap()
                .provider_name,
            "static"
        );
        let provider = Arc::clone(&providers[1]);
        let from_task = tokio::spawn(async move { provider.provide_credentials().await })
            .await
            .unwrap();
        assert_eq!(from_task.unwrap().access_key_id, "AKIASTATIC");
    }
}
