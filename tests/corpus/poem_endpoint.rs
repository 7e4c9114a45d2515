//! `Endpoint`: poem-web/poem, `poem/src/endpoint/endpoint.rs` (d67f4bc0^, poem 1.x/2.x).
//! Used through `dyn`: yes, `BoxEndpoint<'a, T> = Box<dyn Endpoint<Output = T> + 'a>`, and
//! `Arc<dyn Endpoint<Output = Response>>` in the server.
//! Shape: an associated type bounded by a local trait (`IntoResponse`); a default body that
//! awaits `self.call(req)` and converts the result.

use std::sync::Arc;

#[derive(Debug, Default)]
pub struct Request {
    pub path: String,
}
#[derive(Debug, PartialEq)]
pub struct Response {
    pub status: u16,
    pub body: String,
}
#[derive(Debug)]
pub struct Error(pub u16);
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
impl IntoResponse for Error {
    fn into_response(self) -> Response {
        Response {
            status: self.0,
            body: String::new(),
        }
    }
}

pub struct Hello;

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // poem-web/poem, `poem/src/endpoint/endpoint.rs` (d67f4bc0^, poem 1.x/2.x).
    #[async_trait::async_trait]
    pub trait Endpoint: Send + Sync {
        type Output: IntoResponse;

        async fn call(&self, req: Request) -> Result<Self::Output>;

        async fn get_response(&self, req: Request) -> Response {
            self.call(req)
                .await
                .map(IntoResponse::into_response)
                .unwrap_or_else(|err| err.into_response())
        }
    }

    #[async_trait::async_trait]
    impl Endpoint for Hello {
        type Output = String;

        async fn call(&self, req: Request) -> Result<String> {
            if req.path == "/" {
                Ok("hello".to_string())
            } else {
                Err(Error(404))
            }
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // poem-web/poem, `poem/src/endpoint/endpoint.rs` (d67f4bc0^, poem 1.x/2.x).
    #[hybrid_dispatch::dyn_twin(DynEndpoint, send = SendDynEndpoint)]
    pub trait Endpoint: Send + Sync {
        type Output: IntoResponse;

        async fn call(&self, req: Request) -> Result<Self::Output>;

        async fn get_response(&self, req: Request) -> Response {
            self.call(req)
                .await
                .map(IntoResponse::into_response)
                .unwrap_or_else(|err| err.into_response())
        }
    }

    impl Endpoint for Hello {
        type Output = String;

        async fn call(&self, req: Request) -> Result<String> {
            if req.path == "/" {
                Ok("hello".to_string())
            } else {
                Err(Error(404))
            }
        }
    }

    pub async fn run() {
        let ep: Arc<dyn SendDynEndpoint<Output = String>> = Arc::new(Hello);
        assert_eq!(
            ep.get_response(Request { path: "/".into() }).await.body,
            "hello"
        );
        assert_eq!(
            ep.get_response_send(Request { path: "/x".into() })
                .await
                .status,
            404
        );
    }
}
