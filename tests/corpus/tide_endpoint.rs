//! `Endpoint`: http-rs/tide, `src/endpoint.rs`.
//! Used through `dyn`: yes, `Box<dyn Endpoint<State>>` / `Arc<dyn Endpoint<State>>` in the router.
//! Shape: a trait type parameter with bounds including `'static`; `Send + Sync + 'static`.

use std::sync::Arc;

#[derive(Debug)]
pub struct Request<State> {
    pub state: State,
    pub url: String,
}
#[derive(Debug, PartialEq)]
pub struct Response {
    pub status: u16,
    pub body: String,
}
#[derive(Debug)]
pub struct Error;
pub type Result<T = Response> = std::result::Result<T, Error>;
pub mod crate_ {
    pub use super::Result;
}

pub struct Hello;

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // http-rs/tide, `src/endpoint.rs`.
    #[async_trait::async_trait]
    pub trait Endpoint<State: Clone + Send + Sync + 'static>: Send + Sync + 'static {
        async fn call(&self, req: Request<State>) -> crate_::Result;
    }

    #[async_trait::async_trait]
    impl<State: Clone + Send + Sync + 'static> Endpoint<State> for Hello {
        async fn call(&self, req: Request<State>) -> crate_::Result {
            Ok(Response {
                status: 200,
                body: format!("hello {}", req.url),
            })
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // http-rs/tide, `src/endpoint.rs`.
    #[hybrid_dispatch::dyn_twin(DynEndpoint, send = SendDynEndpoint)]
    pub trait Endpoint<State: Clone + Send + Sync + 'static>: Send + Sync + 'static {
        async fn call(&self, req: Request<State>) -> crate_::Result;
    }

    impl<State: Clone + Send + Sync + 'static> Endpoint<State> for Hello {
        async fn call(&self, req: Request<State>) -> crate_::Result {
            Ok(Response {
                status: 200,
                body: format!("hello {}", req.url),
            })
        }
    }

    pub async fn run() {
        let ep: Arc<dyn SendDynEndpoint<()>> = Arc::new(Hello);
        assert_eq!(
            ep.call(Request {
                state: (),
                url: "/x".into()
            })
            .await
            .unwrap()
            .body,
            "hello /x"
        );
    }
}
