//! `CredentialProvider`: apache/arrow-rs, `object_store/src/client/mod.rs` (d9b8ba77^).
//! Used through `dyn`: yes, `AwsCredentialProvider = Arc<dyn CredentialProvider<Credential = AwsCredential>>`
//! (and the Azure and GCP ones).
//! Shape: an associated type with no bounds, returned inside `Arc` from an async method.

use std::sync::Arc;

#[derive(Debug, PartialEq)]
pub struct AwsCredential {
    pub key_id: String,
}
#[derive(Debug)]
pub struct Error;
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug)]
pub struct StaticCredentialProvider<T> {
    credential: Arc<T>,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // apache/arrow-rs, `object_store/src/client/mod.rs` (d9b8ba77^).
    #[async_trait::async_trait]
    pub trait CredentialProvider: std::fmt::Debug + Send + Sync {
        type Credential;

        async fn get_credential(&self) -> Result<Arc<Self::Credential>>;
    }

    #[async_trait::async_trait]
    impl<T> CredentialProvider for StaticCredentialProvider<T>
    where
        T: std::fmt::Debug + Send + Sync,
    {
        type Credential = T;

        async fn get_credential(&self) -> Result<Arc<T>> {
            Ok(Arc::clone(&self.credential))
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // apache/arrow-rs, `object_store/src/client/mod.rs` (d9b8ba77^).
    #[hybrid_dispatch::dyn_twin(DynCredentialProvider, send = SendDynCredentialProvider)]
    pub trait CredentialProvider: std::fmt::Debug + Send + Sync {
        type Credential;

        async fn get_credential(&self) -> Result<Arc<Self::Credential>>;
    }

    impl<T> CredentialProvider for StaticCredentialProvider<T>
    where
        T: std::fmt::Debug + Send + Sync,
    {
        type Credential = T;

        async fn get_credential(&self) -> Result<Arc<T>> {
            Ok(Arc::clone(&self.credential))
        }
    }

    pub async fn run() {
        let provider: Arc<dyn SendDynCredentialProvider<Credential = AwsCredential>> =
            Arc::new(StaticCredentialProvider {
                credential: Arc::new(AwsCredential {
                    key_id: "AKIA".into(),
                }),
            });
        assert_eq!(provider.get_credential().await.unwrap().key_id, "AKIA");
    }
}
