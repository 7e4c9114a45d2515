//! `Middleware`: http-rs/tide, `src/middleware.rs`.
//! Used through `dyn`: yes, `Arc<Vec<Arc<dyn Middleware<State>>>>` in the server and `Next`.
//! Shape: a trait type parameter `State`; `Send + Sync + 'static`; a `Next<'_, State>` by value;
//! a sync default method naming `Self` (`type_name::<Self>()`).

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

pub struct Next<'a, State> {
    pub endpoint: &'a str,
    pub state: std::marker::PhantomData<State>,
}
impl<State: Clone + Send + Sync + 'static> Next<'_, State> {
    pub async fn run(self, req: Request<State>) -> Response {
        Response {
            status: 200,
            body: format!("{} {}", self.endpoint, req.url),
        }
    }
}
pub struct Logger;

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // http-rs/tide, `src/middleware.rs`.
    #[async_trait::async_trait]
    pub trait Middleware<State>: Send + Sync + 'static {
        async fn handle(&self, request: Request<State>, next: Next<'_, State>) -> crate_::Result;

        fn name(&self) -> &str {
            std::any::type_name::<Self>()
        }
    }

    #[async_trait::async_trait]
    impl<State: Clone + Send + Sync + 'static> Middleware<State> for Logger {
        async fn handle(&self, req: Request<State>, next: Next<'_, State>) -> crate_::Result {
            let mut res = next.run(req).await;
            res.body.push_str(" logged");
            Ok(res)
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // http-rs/tide, `src/middleware.rs`.
    #[hybrid_dispatch::dyn_twin(DynMiddleware, send = SendDynMiddleware)]
    pub trait Middleware<State>: Send + Sync + 'static {
        async fn handle(&self, request: Request<State>, next: Next<'_, State>) -> crate_::Result;

        fn name(&self) -> &str {
            std::any::type_name::<Self>()
        }
    }

    impl<State: Clone + Send + Sync + 'static> Middleware<State> for Logger {
        async fn handle(&self, req: Request<State>, next: Next<'_, State>) -> crate_::Result {
            let mut res = next.run(req).await;
            res.body.push_str(" logged");
            Ok(res)
        }
    }

    pub async fn run() {
        let mw: Arc<dyn SendDynMiddleware<()>> = Arc::new(Logger);
        let next = Next {
            endpoint: "ep",
            state: std::marker::PhantomData,
        };
        let res = mw
            .handle(
                Request {
                    state: (),
                    url: "/a".into(),
                },
                next,
            )
            .await
            .unwrap();
        assert_eq!(res.body, "ep /a logged");
    }
}
