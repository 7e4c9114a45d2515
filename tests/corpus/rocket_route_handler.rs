//! `Handler`: rwf2/Rocket, `core/lib/src/route/handler.rs`.
//! Used through `dyn`: yes, `Box<dyn Handler>` in `Route` (cloned through `Cloneable`).
//! Shape: a sealed user supertrait `Cloneable` blanket-implemented for `T: Handler + Clone` (in
//! the migrated copy its `Box<dyn Handler>` becomes `Box<dyn SendDynHandler>`); `'static`;
//! a method lifetime `'r` with `&'r Request<'_>`; the result borrows `'r`.

use std::any::Any;
use std::marker::PhantomData;
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct Build;
#[derive(Debug, Default)]
pub struct Orbit;
#[derive(Debug, Default)]
pub struct Rocket<P> {
    pub phase: P,
    pub state: Vec<String>,
}
#[derive(Debug)]
pub struct Request<'r> {
    pub uri: &'r str,
}
#[derive(Debug)]
pub struct Data<'r> {
    pub body: &'r [u8],
}
#[derive(Debug, Default)]
pub struct Response<'r> {
    pub body: Option<&'r str>,
    pub headers: Vec<String>,
}
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Status(pub u16);

pub enum Outcome<'r> {
    Success(Response<'r>),
    Error(Status),
    Forward((Data<'r>, Status)),
}
#[derive(Clone)]
pub struct Static(pub &'static str);

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // rwf2/Rocket, `core/lib/src/route/handler.rs`.
    #[async_trait::async_trait]
    pub trait Handler: Cloneable + Send + Sync + 'static {
        async fn handle<'r>(&self, request: &'r Request<'_>, data: Data<'r>) -> Outcome<'r>;
    }

    mod private {
        pub trait Sealed {}
        impl<T: super::Handler + Clone> Sealed for T {}
    }
    pub trait Cloneable: private::Sealed {
        #[doc(hidden)]
        fn clone_handler(&self) -> Box<dyn Handler>;
    }
    impl<T: Handler + Clone> Cloneable for T {
        fn clone_handler(&self) -> Box<dyn Handler> {
            Box::new(self.clone())
        }
    }

    #[async_trait::async_trait]
    impl Handler for Static {
        async fn handle<'r>(&self, request: &'r Request<'_>, data: Data<'r>) -> Outcome<'r> {
            if request.uri == "/" {
                Outcome::Success(Response {
                    body: Some(self.0),
                    headers: vec![],
                })
            } else {
                Outcome::Forward((data, Status(404)))
            }
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // rwf2/Rocket, `core/lib/src/route/handler.rs`.
    #[hybrid_dispatch::dyn_twin(DynHandler, send = SendDynHandler)]
    pub trait Handler: Cloneable + Send + Sync + 'static {
        async fn handle<'r>(&self, request: &'r Request<'_>, data: Data<'r>) -> Outcome<'r>;
    }

    mod private {
        pub trait Sealed {}
        impl<T: super::Handler + Clone> Sealed for T {}
    }
    pub trait Cloneable: private::Sealed {
        #[doc(hidden)]
        fn clone_handler(&self) -> Box<dyn SendDynHandler>;
    }
    impl<T: Handler + Clone> Cloneable for T {
        fn clone_handler(&self) -> Box<dyn SendDynHandler> {
            Box::new(self.clone())
        }
    }

    impl Handler for Static {
        async fn handle<'r>(&self, request: &'r Request<'_>, data: Data<'r>) -> Outcome<'r> {
            if request.uri == "/" {
                Outcome::Success(Response {
                    body: Some(self.0),
                    headers: vec![],
                })
            } else {
                Outcome::Forward((data, Status(404)))
            }
        }
    }

    pub async fn run() {
        let handler: Box<dyn SendDynHandler> = Box::new(Static("hi"));
        let req = Request { uri: "/" };
        match handler.handle(&req, Data { body: b"" }).await {
            Outcome::Success(res) => assert_eq!(res.body, Some("hi")),
            _ => panic!("expected success"),
        }
    }
}
