//! `Endpoint`: poem-web/poem, `poem/src/endpoint/endpoint.rs` (poem 3.1.12; snapshot 6ede4fb8,
//! file last changed in 4e3b2da6, 2025-06-16). The native successor of
//! `tests/corpus/poem_endpoint.rs` (poem 1.x/2.x, `#[async_trait]`, before d67f4bc0).
//! Used through `dyn`: yes. poem's `BoxEndpoint` is `Box<dyn DynEndpoint<Output = T>>`, a
//! hand-written boxed twin (`ToDynEndpoint`, and `impl Endpoint for dyn DynEndpoint + '_`),
//! which is what `#[dyn_twin]` replaces (left out here).
//! Shape: native `fn call(&self, req) -> impl Future<Output = Result<Self::Output>> + Send`;
//! `Send + Sync`; an associated type bounded by a trait of the project (`IntoResponse`); a
//! default body that is an `async move` block awaiting `self.call(req)`; the project's
//! forwarding impls for `&T`, `Box<T>` and `Arc<T>` with `T: ?Sized` (src/twin/docs.md,
//! "Known limits": on `Arc<dyn SendDynEndpoint>` and `Box<..>` the twin's own methods are
//! called through the object, `(*ep).call_send(..)`).

use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub path: String,
}
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub body: String,
}
#[derive(Debug)]
pub struct Error {
    pub status: u16,
    pub msg: String,
}
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub trait IntoResponse: Send {
    fn into_response(self) -> Response;
}
impl IntoResponse for String {
    fn into_response(self) -> Response {
        Response {
            status: 200,
            body: self,
        }
    }
}
impl IntoResponse for Response {
    fn into_response(self) -> Response {
        self
    }
}
impl Error {
    pub fn into_response(self) -> Response {
        Response {
            status: self.status,
            body: self.msg,
        }
    }
}

/// An endpoint that greets `/hello/<name>` and knows no other path.
pub struct Hello;

/// The trait as the project declares it, natively, and an impl.
pub mod control {
    use super::*;

    // poem-web/poem, `poem/src/endpoint/endpoint.rs` (3.1.12).
    pub trait Endpoint: Send + Sync {
        type Output: IntoResponse;

        fn call(&self, req: Request) -> impl Future<Output = Result<Self::Output>> + Send;

        fn get_response(&self, req: Request) -> impl Future<Output = Response> + Send {
            async move {
                self.call(req)
                    .await
                    .map(IntoResponse::into_response)
                    .unwrap_or_else(|err| err.into_response())
            }
        }
    }

    impl<T: Endpoint + ?Sized> Endpoint for Arc<T> {
        type Output = T::Output;

        async fn call(&self, req: Request) -> Result<Self::Output> {
            self.as_ref().call(req).await
        }
    }

    impl Endpoint for Hello {
        type Output = String;

        async fn call(&self, req: Request) -> Result<String> {
            Ok(req.path)
        }
    }
}

/// The same trait under `#[dyn_twin]`, the impls unchanged, and calls through the `Send` twin.
pub mod migrated {
    use super::*;

    // poem-web/poem, `poem/src/endpoint/endpoint.rs` (3.1.12).
    #[hybrid_dispatch::dyn_twin(DynEndpoint, send = SendDynEndpoint)]
    pub trait Endpoint: Send + Sync {
        type Output: IntoResponse;

        fn call(&self, req: Request) -> impl Future<Output = Result<Self::Output>> + Send;

        fn get_response(&self, req: Request) -> impl Future<Output = Response> + Send {
            async move {
                self.call(req)
                    .await
                    .map(IntoResponse::into_response)
                    .unwrap_or_else(|err| err.into_response())
            }
        }
    }

    impl<T: Endpoint + ?Sized> Endpoint for &T {
        type Output = T::Output;

        async fn call(&self, req: Request) -> Result<Self::Output> {
            T::call(self, req).await
        }
    }

    impl<T: Endpoint + ?Sized> Endpoint for Box<T> {
        type Output = T::Output;

        async fn call(&self, req: Request) -> Result<Self::Output> {
            self.as_ref().call(req).await
        }
    }

    impl<T: Endpoint + ?Sized> Endpoint for Arc<T> {
        type Output = T::Output;

        async fn call(&self, req: Request) -> Result<Self::Output> {
            self.as_ref().call(req).await
        }
    }

    impl Endpoint for Hello {
        type Output = String;

        async fn call(&self, req: Request) -> Result<String> {
            match req.path.strip_prefix("/hello/") {
                Some(name) => Ok(format!("hello, {name}")),
                None => Err(Error {
                    status: 404,
                    msg: "not found".into(),
                }),
            }
        }
    }

    fn req(path: &str) -> Request {
        Request { path: path.into() }
    }

    /// poem's routes hold endpoints erased, `BoxEndpoint<'static, Response>`: here, the twin.
    pub type BoxEndpoint = Box<dyn SendDynEndpoint<Output = String>>;

    pub async fn run() {
        let ep: BoxEndpoint = Box::new(Hello);
        // The bridge (reached through poem's own `Box<T>` forwarding impl).
        assert_eq!(ep.call(req("/hello/ann")).await.unwrap(), "hello, ann");
        let resp = ep.get_response(req("/bye")).await;
        assert_eq!((resp.status, resp.body.as_str()), (404, "not found"));
        // The twin's own methods, through the object (the forwarding impls make `Box<dyn ..>`
        // an implementor too: `ep.call_send(..)` would not pick a capacity, E0283).
        assert_eq!(
            (*ep).call_send(req("/hello/bo")).await.unwrap(),
            "hello, bo"
        );
        let resp = (*ep).get_response_send(req("/hello/cy")).await;
        assert_eq!((resp.status, resp.body.as_str()), (200, "hello, cy"));

        // Shared between tasks.
        let shared: Arc<dyn SendDynEndpoint<Output = String>> = Arc::new(Hello);
        let task = {
            let shared = Arc::clone(&shared);
            tokio::spawn(async move { shared.get_response(req("/hello/di")).await })
        };
        assert_eq!(task.await.unwrap().body, "hello, di");
        assert!((*shared).call_send(req("/")).await.is_err());
        // A reference to the object is an `Endpoint` through poem's `&T` impl.
        let by_ref: &dyn SendDynEndpoint<Output = String> = &*shared;
        assert_eq!(
            Endpoint::call(&by_ref, req("/hello/ed")).await.unwrap(),
            "hello, ed"
        );
    }
}
