//! `Signer`: apache/arrow-rs, `object_store/src/signer.rs` (d9b8ba77^).
//! Used through `dyn`: no, each cloud store implements it and callers name the concrete store;
//! dyn-compatible.
//! Shape: `'static` supertrait; a default body looping over a borrowed slice and calling
//! `self.signed_url(..)`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct Path(pub String);
#[derive(Debug, Clone)]
pub enum Method {
    Get,
    Put,
}
#[derive(Debug, Clone, PartialEq)]
pub struct Url(pub String);
#[derive(Debug)]
pub struct Error;
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug)]
pub struct Presigner {
    pub host: String,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // apache/arrow-rs, `object_store/src/signer.rs` (d9b8ba77^).
    #[async_trait::async_trait]
    pub trait Signer: Send + Sync + fmt::Debug + 'static {
        async fn signed_url(
            &self,
            method: Method,
            path: &Path,
            expires_in: Duration,
        ) -> Result<Url>;

        async fn signed_urls(
            &self,
            method: Method,
            paths: &[Path],
            expires_in: Duration,
        ) -> Result<Vec<Url>> {
            let mut urls = Vec::with_capacity(paths.len());
            for path in paths {
                urls.push(self.signed_url(method.clone(), path, expires_in).await?);
            }
            Ok(urls)
        }
    }

    #[async_trait::async_trait]
    impl Signer for Presigner {
        async fn signed_url(
            &self,
            method: Method,
            path: &Path,
            expires_in: Duration,
        ) -> Result<Url> {
            Ok(Url(format!(
                "https://{}/{}?X-Amz-Expires={}",
                self.host,
                path.0,
                expires_in.as_secs()
            )))
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // apache/arrow-rs, `object_store/src/signer.rs` (d9b8ba77^).
    #[hybrid_dispatch::dyn_twin(DynSigner, send = SendDynSigner)]
    pub trait Signer: Send + Sync + fmt::Debug + 'static {
        async fn signed_url(
            &self,
            method: Method,
            path: &Path,
            expires_in: Duration,
        ) -> Result<Url>;

        async fn signed_urls(
            &self,
            method: Method,
            paths: &[Path],
            expires_in: Duration,
        ) -> Result<Vec<Url>> {
            let mut urls = Vec::with_capacity(paths.len());
            for path in paths {
                urls.push(self.signed_url(method.clone(), path, expires_in).await?);
            }
            Ok(urls)
        }
    }

    impl Signer for Presigner {
        async fn signed_url(
            &self,
            method: Method,
            path: &Path,
            expires_in: Duration,
        ) -> Result<Url> {
            Ok(Url(format!(
                "https://{}/{}?X-Amz-Expires={}",
                self.host,
                path.0,
                expires_in.as_secs()
            )))
        }
    }

    pub async fn run() {
        let signer: Arc<dyn SendDynSigner> = Arc::new(Presigner { host: "s3".into() });
        let urls = signer
            .signed_urls(Method::Get, &[Path("a".into())], Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(urls, vec![Url("https://s3/a?X-Amz-Expires=60".into())]);
    }
}
