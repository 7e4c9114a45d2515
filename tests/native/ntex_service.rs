//! `Service`: ntex-rs/ntex, `ntex-service/src/lib.rs` (ntex-service 5.0.0; snapshot
//! 649d9534c, 2026-08-22).
//! Used through `dyn`: yes, by the project's own erasure (`boxed::service`, a private
//! object-safe trait returning boxed futures), for routers and middleware chains.
//! Shape: native `async fn`, not `Send` (local twin only); two trait type parameters; every
//! async method takes a context that names `Self` in its generic arguments
//! (`ctx: Ctx<'_, Self, St>`); `#[inline]` on default `async fn`s, one with an empty body and an
//! argument it never uses; generic `where Self: Sized` methods taking `self` by value. Not
//! dyn-compatible as declared (a `Self` inside an argument's type): the attribute refuses it.

use std::marker::PhantomData;
use std::rc::Rc;

/// ntex's `Ctx`, stubbed.
pub struct Ctx<'a, Svc: ?Sized, St = ()> {
    pub st: &'a St,
    _t: PhantomData<Rc<Svc>>,
}
impl<'a, Svc: ?Sized, St> Ctx<'a, Svc, St> {
    pub fn new(st: &'a St) -> Self {
        Ctx {
            st,
            _t: PhantomData,
        }
    }
}
/// ntex's `dev::Map`, stubbed.
pub struct Map<F, A, Res> {
    pub f: F,
    pub service: A,
    _r: PhantomData<Res>,
}

pub struct Echo;

/// The trait as the project declares it, and an impl: they compile.
pub mod control {
    use super::*;

    // ntex-rs/ntex, `ntex-service/src/lib.rs` (5.0.0).
    pub trait Service<St, Req> {
        type Res;

        type Error;

        async fn call(&self, req: Req, ctx: Ctx<'_, Self, St>) -> Result<Self::Res, Self::Error>;

        #[inline]
        async fn ready(&self, ctx: Ctx<'_, Self, St>) -> Result<(), Self::Error> {
            Ok(())
        }

        #[inline]
        async fn shutdown(&self, cfg: Ctx<'_, Self, St>) {}

        #[inline]
        fn map<F, Res>(self, f: F) -> Map<F, Self, Res>
        where
            Self: Sized,
            F: Fn(Self::Res) -> Res,
        {
            Map {
                f,
                service: self,
                _r: PhantomData,
            }
        }
    }

    impl Service<u32, String> for Echo {
        type Res = String;
        type Error = ();
        async fn call(&self, req: String, ctx: Ctx<'_, Self, u32>) -> Result<String, ()> {
            Ok(format!("{req} #{}", ctx.st))
        }
    }
}

/// The same trait under `#[dyn_twin]`: refused, `Self` in an argument's type (docs,
/// "Unsupported shapes").
#[cfg(any())] // BLOCKED: not dyn-compatible; refused (one error per method, on `Self` in `Ctx<'_, Self, St>`): "`call` takes `Self` as an argument, so it cannot be called through `dyn`: add `where Self: Sized` to leave it out of the twin"
pub mod migrated {
    use super::*;

    // ntex-rs/ntex, `ntex-service/src/lib.rs` (5.0.0).
    #[hybrid_dispatch::dyn_twin(DynService)]
    pub trait Service<St, Req> {
        type Res;

        type Error;

        async fn call(&self, req: Req, ctx: Ctx<'_, Self, St>) -> Result<Self::Res, Self::Error>;

        #[inline]
        async fn ready(&self, ctx: Ctx<'_, Self, St>) -> Result<(), Self::Error> {
            Ok(())
        }

        #[inline]
        async fn shutdown(&self, cfg: Ctx<'_, Self, St>) {}

        #[inline]
        fn map<F, Res>(self, f: F) -> Map<F, Self, Res>
        where
            Self: Sized,
            F: Fn(Self::Res) -> Res,
        {
            Map {
                f,
                service: self,
                _r: PhantomData,
            }
        }
    }

    impl Service<u32, String> for Echo {
        type Res = String;
        type Error = ();
        async fn call(&self, req: String, ctx: Ctx<'_, Self, u32>) -> Result<String, ()> {
            Ok(format!("{req} #{}", ctx.st))
        }
    }

    pub async fn run() {
        let svc: Box<dyn DynService<u32, String, Res = String, Error = ()>> = Box::new(Echo);
        assert_eq!(
            svc.call_dyn("hi".into(), Ctx::new(&1)).await,
            Ok("hi #1".into())
        );
    }
}
