//! `Middleware`: TrueLayer/reqwest-middleware, `reqwest-middleware/src/middleware.rs`.
//! Used through `dyn`: yes, `Arc<dyn Middleware>` in `ClientWithMiddleware`.
//! Shape: `'static + Send + Sync`; `&mut Extensions` and a `Next<'_>` by value whose `run` ties
//! the extensions' borrow to the `Next`'s lifetime.

use std::sync::Arc;

use futures_util::future::BoxFuture;

#[derive(Debug, Default)]
pub struct Request {
    pub headers: Vec<String>,
}
#[derive(Debug)]
pub struct Response {
    pub headers: Vec<String>,
}
#[derive(Debug, Default)]
pub struct Extensions(pub Vec<String>);
#[derive(Debug)]
pub struct Error;
pub type Result<T, E = Error> = std::result::Result<T, E>;
pub struct Next<'a> {
    pub name: &'a str,
}
impl<'a> Next<'a> {
    pub fn run(
        self,
        req: Request,
        extensions: &'a mut Extensions,
    ) -> BoxFuture<'a, Result<Response>> {
        extensions.0.push(self.name.to_string());
        Box::pin(async move {
            Ok(Response {
                headers: req.headers,
            })
        })
    }
}
pub struct AddHeader;

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // TrueLayer/reqwest-middleware, `reqwest-middleware/src/middleware.rs`.
    #[async_trait::async_trait]
    pub trait Middleware: 'static + Send + Sync {
        async fn handle(
            &self,
            req: Request,
            extensions: &mut Extensions,
            next: Next<'_>,
        ) -> Result<Response>;
    }

    #[async_trait::async_trait]
    impl Middleware for AddHeader {
        async fn handle(
            &self,
            mut req: Request,
            extensions: &mut Extensions,
            next: Next<'_>,
        ) -> Result<Response> {
            req.headers.push("x-mw: 1".into());
            next.run(req, extensions).await
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // TrueLayer/reqwest-middleware, `reqwest-middleware/src/middleware.rs`.
    #[hybrid_dispatch::dyn_twin(DynMiddleware, send = SendDynMiddleware)]
    pub trait Middleware: 'static + Send + Sync {
        async fn handle(
            &self,
            req: Request,
            extensions: &mut Extensions,
            next: Next<'_>,
        ) -> Result<Response>;
    }

    impl Middleware for AddHeader {
        async fn handle(
            &self,
            mut req: Request,
            extensions: &mut Extensions,
            next: Next<'_>,
        ) -> Result<Response> {
            req.headers.push("x-mw: 1".into());
            next.run(req, extensions).await
        }
    }

    pub async fn run() {
        let mw: Arc<dyn SendDynMiddleware> = Arc::new(AddHeader);
        let mut extensions = Extensions::default();
        let res = mw
            .handle(Request::default(), &mut extensions, Next { name: "client" })
            .await
            .unwrap();
        assert_eq!(res.headers, vec!["x-mw: 1".to_string()]);
        assert_eq!(extensions.0, vec!["client".to_string()]);
    }
}
