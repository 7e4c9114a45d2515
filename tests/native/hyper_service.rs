//! `service::Service`: hyperium/hyper, `src/service/service.rs` (hyper 1.x).
//! Used through `dyn`: generically (`serve_connection(io, S: HttpService)`); hyper's
//! forwarding impls for `&S`, `&mut S`, `Box<S>`, `Rc<S>` and `Arc<S>` all allow
//! `S: ?Sized`, so that a server choosing its service at run time hands hyper an
//! `Arc<dyn ..>`.
//! Shape: no `async` method: the future is an associated type, `type Future: Future<Output =
//! Result<Self::Response, Self::Error>>` (its bound's equality constraint names the trait's own
//! associated types), returned by `fn call(&self, req: Request) -> Self::Future` (the tower /
//! hyper style); a trait type parameter; the project's `?Sized` forwarding impls beside it.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub path: String,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub body: String,
}
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

pub struct Hello;

// The trait and the project's forwarding impls are written twice (`control`, `migrated`); a
// macro keeps them the same, so that only the attribute differs.
macro_rules! service_trait {
    ($(#[$attr:meta])*) => {
        // hyperium/hyper, `src/service/service.rs` (1.x).
        /// An asynchronous function from a `Request` to a `Response`.
        $(#[$attr])*
        pub trait Service<Request> {
            /// Responses given by the service.
            type Response;

            /// Errors produced by the service.
            type Error;

            /// The future response value.
            type Future: Future<Output = Result<Self::Response, Self::Error>>;

            /// Process the request and return the response asynchronously.
            fn call(&self, req: Request) -> Self::Future;
        }

        impl<Request, S: Service<Request> + ?Sized> Service<Request> for &'_ S {
            type Response = S::Response;
            type Error = S::Error;
            type Future = S::Future;
            #[inline]
            fn call(&self, req: Request) -> Self::Future {
                (**self).call(req)
            }
        }

        impl<Request, S: Service<Request> + ?Sized> Service<Request> for Box<S> {
            type Response = S::Response;
            type Error = S::Error;
            type Future = S::Future;
            #[inline]
            fn call(&self, req: Request) -> Self::Future {
                (**self).call(req)
            }
        }

        impl<Request, S: Service<Request> + ?Sized> Service<Request> for Rc<S> {
            type Response = S::Response;
            type Error = S::Error;
            type Future = S::Future;
            #[inline]
            fn call(&self, req: Request) -> Self::Future {
                (**self).call(req)
            }
        }

        impl<Request, S: Service<Request> + ?Sized> Service<Request> for Arc<S> {
            type Response = S::Response;
            type Error = S::Error;
            type Future = S::Future;
            #[inline]
            fn call(&self, req: Request) -> Self::Future {
                (**self).call(req)
            }
        }

        /// A service as hyper's users write one (hyper has no `async fn` here: a boxed future).
        impl Service<super::Request> for super::Hello {
            type Response = super::Response;
            type Error = String;
            type Future = super::BoxFuture<Result<super::Response, String>>;
            fn call(&self, req: super::Request) -> Self::Future {
                Box::pin(async move {
                    if req.path == "/" {
                        Ok(super::Response {
                            status: 200,
                            body: "hello".into(),
                        })
                    } else {
                        Err(format!("no route for {}", req.path))
                    }
                })
            }
        }
    };
}

/// The trait as the project declares it, with its forwarding impls and an impl: they compile.
pub mod control {
    use super::*;

    service_trait!();
}

/// The same trait under `#[dyn_twin]`, the impls unchanged, and calls through the twin.
pub mod migrated {
    use super::*;

    service_trait!(#[hybrid_dispatch::dyn_twin(DynService, send = SendDynService)]);

    type DynHello = dyn SendDynService<
            Request,
            Response = Response,
            Error = String,
            Future = BoxFuture<Result<Response, String>>,
        >;

    /// Generic code as hyper's connection driver is: `S: Service<Request>`.
    async fn serve<S: Service<Request>>(service: S, path: &str) -> Result<S::Response, S::Error> {
        service.call(Request { path: path.into() }).await
    }

    pub async fn run() {
        let service: Arc<DynHello> = Arc::new(Hello);
        // Through the bridge (the object's own `call`) and the twin's forwarding method.
        let ok = (*service).call(Request { path: "/".into() }).await.unwrap();
        assert_eq!(ok.body, "hello");
        let err = (*service).call_dyn(Request { path: "/x".into() }).await;
        assert_eq!(err, Err("no route for /x".into()));
        // Through hyper's forwarding impls: `&S` and `Arc<S>` with `S = dyn ..`.
        assert_eq!(serve(&*service, "/").await.unwrap().status, 200);
        assert_eq!(
            serve(Arc::clone(&service), "/y").await,
            Err("no route for /y".into())
        );
        // In a task, boxed: the trait says neither `Send` nor `Sync`, and its `Send` twin is
        // `Send` only (no `&self` future to share it), so `Arc<DynHello>` is not `Send`.
        drop(service);
        let boxed: Box<DynHello> = Box::new(Hello);
        let status = tokio::spawn(async move { serve(boxed, "/").await.map(|r| r.status) })
            .await
            .unwrap();
        assert_eq!(status, Ok(200));
    }
}
