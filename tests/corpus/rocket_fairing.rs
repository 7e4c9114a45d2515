//! `Fairing`: rwf2/Rocket, `core/lib/src/fairing/mod.rs`.
//! Used through `dyn`: yes, `Vec<Box<dyn Fairing>>` in `Fairings`.
//! Shape: `Send + Sync + AsAny + 'static` (`AsAny: Any`, blanket-implemented); arguments with a
//! `'_` nested inside a borrowed argument (`&mut Request<'_>`, `&'r Request<'_>`); a method
//! lifetime `'r` shared by two arguments; empty default bodies.

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

pub mod fairing {
    pub type Result<T = super::Rocket<super::Build>, E = super::Rocket<super::Build>> =
        std::result::Result<T, E>;
}
pub use fairing::Result;
#[derive(Debug, Clone, Copy)]
pub struct Info {
    pub name: &'static str,
}
pub trait AsAny: Any {
    fn as_any_ref(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}
impl<T: Any> AsAny for T {
    fn as_any_ref(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
pub struct PoweredBy;

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // rwf2/Rocket, `core/lib/src/fairing/mod.rs`.
    #[async_trait::async_trait]
    pub trait Fairing: Send + Sync + AsAny + 'static {
        fn info(&self) -> Info;

        async fn on_ignite(&self, rocket: Rocket<Build>) -> Result {
            Ok(rocket)
        }

        async fn on_liftoff(&self, _rocket: &Rocket<Orbit>) {}

        async fn on_request(&self, _req: &mut Request<'_>, _data: &mut Data<'_>) {}

        async fn on_response<'r>(&self, _req: &'r Request<'_>, _res: &mut Response<'r>) {}

        async fn on_shutdown(&self, _rocket: &Rocket<Orbit>) {}
    }

    #[async_trait::async_trait]
    impl Fairing for PoweredBy {
        fn info(&self) -> Info {
            Info { name: "powered-by" }
        }

        async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
            res.body = Some(req.uri);
            res.headers.push("X-Powered-By: Rocket".into());
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // rwf2/Rocket, `core/lib/src/fairing/mod.rs`.
    #[hybrid_dispatch::dyn_twin(DynFairing, send = SendDynFairing)]
    pub trait Fairing: Send + Sync + AsAny + 'static {
        fn info(&self) -> Info;

        async fn on_ignite(&self, rocket: Rocket<Build>) -> Result {
            Ok(rocket)
        }

        async fn on_liftoff(&self, _rocket: &Rocket<Orbit>) {}

        async fn on_request(&self, _req: &mut Request<'_>, _data: &mut Data<'_>) {}

        async fn on_response<'r>(&self, _req: &'r Request<'_>, _res: &mut Response<'r>) {}

        async fn on_shutdown(&self, _rocket: &Rocket<Orbit>) {}
    }

    impl Fairing for PoweredBy {
        fn info(&self) -> Info {
            Info { name: "powered-by" }
        }

        async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
            res.body = Some(req.uri);
            res.headers.push("X-Powered-By: Rocket".into());
        }
    }

    pub async fn run() {
        let fairings: Vec<Box<dyn SendDynFairing>> = vec![Box::new(PoweredBy)];
        let req = Request { uri: "/index" };
        let mut res = Response::default();
        fairings[0].on_response(&req, &mut res).await;
        assert_eq!(res.body, Some("/index"));
        assert_eq!(res.headers.len(), 1);
    }
}
