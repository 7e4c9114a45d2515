//! `Resolver`: rwf2/Rocket, `core/lib/src/tls/resolver.rs`.
//! Used through `dyn`: yes, `DynResolver(Arc<dyn Resolver>)`.
//! Shape: `'static`; associated functions with `where Self: Sized` (one async with a default body
//! naming `Self`); a by-value argument with `'_` (`ClientHello<'_>`).

use std::marker::PhantomData;
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct Build;
#[derive(Debug, Default)]
pub struct Rocket<P>(pub P);
#[derive(Debug)]
pub struct ClientHello<'a> {
    pub server_name: Option<&'a str>,
}
#[derive(Debug, PartialEq)]
pub struct ServerConfig(pub String);
pub mod figment {
    #[derive(Debug)]
    pub struct Error(pub String);
    impl From<String> for Error {
        fn from(s: String) -> Self {
            Error(s)
        }
    }
}
pub mod tls {
    #[derive(Debug)]
    pub struct Error(pub String);
    impl From<super::figment::Error> for Error {
        fn from(e: super::figment::Error) -> Self {
            Error(e.0)
        }
    }
    pub type Result<T, E = Error> = std::result::Result<T, E>;
}
pub mod crate_ {
    pub use super::tls;
}
pub struct Fairing<R>(PhantomData<R>);

pub struct BySni(pub Arc<ServerConfig>);

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // rwf2/Rocket, `core/lib/src/tls/resolver.rs`.
    #[async_trait::async_trait]
    pub trait Resolver: Send + Sync + 'static {
        async fn init(rocket: &Rocket<Build>) -> crate_::tls::Result<Self>
        where
            Self: Sized,
        {
            let _rocket = rocket;
            let type_name = std::any::type_name::<Self>();
            Err(figment::Error::from(format!("{type_name}: Resolver::init() unimplemented")).into())
        }

        async fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<ServerConfig>>;

        fn fairing() -> Fairing<Self>
        where
            Self: Sized,
        {
            Fairing(PhantomData)
        }
    }

    #[async_trait::async_trait]
    impl Resolver for BySni {
        async fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<ServerConfig>> {
            hello.server_name.map(|_| Arc::clone(&self.0))
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // rwf2/Rocket, `core/lib/src/tls/resolver.rs`.
    #[hybrid_dispatch::dyn_twin(DynResolver, send = SendDynResolver)]
    pub trait Resolver: Send + Sync + 'static {
        async fn init(rocket: &Rocket<Build>) -> crate_::tls::Result<Self>
        where
            Self: Sized,
        {
            let _rocket = rocket;
            let type_name = std::any::type_name::<Self>();
            Err(figment::Error::from(format!("{type_name}: Resolver::init() unimplemented")).into())
        }

        async fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<ServerConfig>>;

        fn fairing() -> Fairing<Self>
        where
            Self: Sized,
        {
            Fairing(PhantomData)
        }
    }

    impl Resolver for BySni {
        async fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<ServerConfig>> {
            hello.server_name.map(|_| Arc::clone(&self.0))
        }
    }

    pub async fn run() {
        let resolver: Arc<dyn SendDynResolver> =
            Arc::new(BySni(Arc::new(ServerConfig("cert".into()))));
        let config = resolver
            .resolve(ClientHello {
                server_name: Some("a.org"),
            })
            .await;
        assert_eq!(config.unwrap().0, "cert");
    }
}
