//! `ServiceFactory`: ntex-rs/ntex, `ntex-service/src/lib.rs` (ntex-service 5.0.0; snapshot
//! 649d9534c, 2026-08-22).
//! Used through `dyn`: yes, by the project's own erasure, `ServiceFactory::boxed()` into a
//! `BoxServiceFactory` (a private object-safe trait returning boxed futures); an ntex server
//! holds one per route.
//! Shape: native `async fn`, not `Send` (ntex runs on per-thread runtimes: local twin only); a
//! trait type parameter **with a default** (`Cfg = ()`) after two without; an associated type
//! bounded by another async trait with equality constraints naming the trait's own associated
//! types (`type Service: Service<St, Req, Res = Self::Res, Error = Self::Error>`); `#[inline]`
//! on default `async fn`s; a default `async fn` with a where clause on `Self` and the trait's
//! parameters (`where Self: 'static, St: Default + 'static, Req: 'static, Cfg: 'static`) whose
//! body calls another trait method; generic `where Self: Sized` methods taking `self` by value
//! (`map`, `boxed`).

use std::any::Any;
use std::marker::PhantomData;
use std::rc::Rc;

/// ntex's `Ctx` (a service's call context), stubbed: the state it hands the call.
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

// ntex-rs/ntex, `ntex-service/src/lib.rs`: the `Service` trait the factory's `type Service`
// names (without `#[dyn_twin]`: `ntex_service.rs` tries it).
pub trait Service<St, Req> {
    type Res;
    type Error;
    async fn call(&self, req: Req, ctx: Ctx<'_, Self, St>) -> Result<Self::Res, Self::Error>;
    #[inline]
    async fn ready(&self, ctx: Ctx<'_, Self, St>) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// ntex's `Pipeline` (a ready-to-call service), stubbed: it holds the service.
pub struct Pipeline<Req, Res, Err> {
    pub service: Rc<dyn Any>,
    _t: PhantomData<fn(Req) -> Result<Res, Err>>,
}
impl<Req, Res, Err> Pipeline<Req, Res, Err> {
    pub fn with<S: Any>(service: S) -> Self {
        Pipeline {
            service: Rc::new(service),
            _t: PhantomData,
        }
    }
}
/// ntex's `dev::MapFactory` and `boxed::BoxServiceFactory`, stubbed.
pub struct MapFactory<F, A, Res> {
    pub f: F,
    pub factory: A,
    _r: PhantomData<Res>,
}
pub struct BoxServiceFactory<St, Req, Res, Err, Cfg, InitErr>(
    pub Box<dyn Any>,
    PhantomData<Types<St, Req, Res, Err, Cfg, InitErr>>,
);
type Types<St, Req, Res, Err, Cfg, InitErr> = fn(St, Req, Cfg) -> (Res, Err, InitErr);

/// The trait as the project declares it, and the impls: they compile.
pub mod control {
    use super::*;

    // ntex-rs/ntex, `ntex-service/src/lib.rs` (5.0.0).
    pub trait ServiceFactory<St, Req, Cfg = ()> {
        /// Responses given by the created services.
        type Res;

        /// Errors produced by the created services.
        type Error;

        /// The kind of `Service` created by this factory.
        type Service: Service<St, Req, Res = Self::Res, Error = Self::Error>;

        /// Errors potentially raised while building a service.
        type InitError;

        /// Create and return a new service value asynchronously.
        async fn create(&self, cfg: &Cfg) -> Result<Self::Service, Self::InitError>;

        #[inline]
        /// Create and return a new service value asynchronously and wrap into a container
        async fn pipeline(
            &self,
            cfg: &Cfg,
        ) -> Result<Pipeline<Req, Self::Res, Self::Error>, Self::InitError>
        where
            Self: 'static,
            St: Default + 'static,
            Req: 'static,
            Cfg: 'static,
        {
            Ok(Pipeline::with(self.create(cfg).await?))
        }

        #[inline]
        /// Map this service's output to a different type, returning a new service
        fn map<F, Res>(self, f: F) -> MapFactory<F, Self, Res>
        where
            Self: Sized,
            F: Fn(Self::Res) -> Res + Clone,
        {
            MapFactory {
                f,
                factory: self,
                _r: PhantomData,
            }
        }

        /// Create boxed service factory
        fn boxed(self) -> BoxServiceFactory<St, Req, Self::Res, Self::Error, Cfg, Self::InitError>
        where
            St: 'static,
            Req: 'static,
            Cfg: 'static,
            Self: Sized + 'static,
        {
            BoxServiceFactory(Box::new(self), PhantomData)
        }
    }

    /// A service and its factory as ntex's users write them: `async fn`s, `Rc` state.
    pub struct Multiplier {
        pub by: u64,
    }
    impl Service<(), u32> for Multiplier {
        type Res = u64;
        type Error = String;
        async fn call(&self, req: u32, _: Ctx<'_, Self, ()>) -> Result<u64, String> {
            Ok(u64::from(req) * self.by)
        }
    }

    /// Per-worker configuration (`Cfg`), as ntex servers pass one.
    #[derive(Debug, Clone, Default)]
    pub struct WorkerCfg {
        pub factor: u64,
    }

    pub struct MultiplierFactory {
        pub created: std::cell::Cell<usize>,
    }
    impl ServiceFactory<(), u32, WorkerCfg> for MultiplierFactory {
        type Res = u64;
        type Error = String;
        type Service = Multiplier;
        type InitError = &'static str;

        async fn create(&self, cfg: &WorkerCfg) -> Result<Multiplier, &'static str> {
            if cfg.factor == 0 {
                return Err("factor must not be zero");
            }
            self.created.set(self.created.get() + 1);
            Ok(Multiplier { by: cfg.factor })
        }
    }

    /// A factory using the default `Cfg = ()`.
    pub struct UnitFactory;
    impl ServiceFactory<(), u32> for UnitFactory {
        type Res = u64;
        type Error = String;
        type Service = Multiplier;
        type InitError = ();

        async fn create(&self, _: &()) -> Result<Multiplier, ()> {
            Ok(Multiplier { by: 1 })
        }
    }
}

/// The same trait under `#[dyn_twin]`, the impls unchanged, and calls through the twin.
pub mod migrated {
    use super::*;

    // ntex-rs/ntex, `ntex-service/src/lib.rs` (5.0.0).
    #[hybrid_dispatch::dyn_twin(DynServiceFactory)]
    pub trait ServiceFactory<St, Req, Cfg = ()> {
        /// Responses given by the created services.
        type Res;

        /// Errors produced by the created services.
        type Error;

        /// The kind of `Service` created by this factory.
        type Service: Service<St, Req, Res = Self::Res, Error = Self::Error>;

        /// Errors potentially raised while building a service.
        type InitError;

        /// Create and return a new service value asynchronously.
        async fn create(&self, cfg: &Cfg) -> Result<Self::Service, Self::InitError>;

        #[inline]
        /// Create and return a new service value asynchronously and wrap into a container
        async fn pipeline(
            &self,
            cfg: &Cfg,
        ) -> Result<Pipeline<Req, Self::Res, Self::Error>, Self::InitError>
        where
            Self: 'static,
            St: Default + 'static,
            Req: 'static,
            Cfg: 'static,
        {
            Ok(Pipeline::with(self.create(cfg).await?))
        }

        #[inline]
        /// Map this service's output to a different type, returning a new service
        fn map<F, Res>(self, f: F) -> MapFactory<F, Self, Res>
        where
            Self: Sized,
            F: Fn(Self::Res) -> Res + Clone,
        {
            MapFactory {
                f,
                factory: self,
                _r: PhantomData,
            }
        }

        /// Create boxed service factory
        fn boxed(self) -> BoxServiceFactory<St, Req, Self::Res, Self::Error, Cfg, Self::InitError>
        where
            St: 'static,
            Req: 'static,
            Cfg: 'static,
            Self: Sized + 'static,
        {
            BoxServiceFactory(Box::new(self), PhantomData)
        }
    }

    /// A service and its factory as ntex's users write them: `async fn`s, `Rc` state.
    pub struct Multiplier {
        pub by: u64,
    }
    impl Service<(), u32> for Multiplier {
        type Res = u64;
        type Error = String;
        async fn call(&self, req: u32, _: Ctx<'_, Self, ()>) -> Result<u64, String> {
            Ok(u64::from(req) * self.by)
        }
    }

    /// Per-worker configuration (`Cfg`), as ntex servers pass one.
    #[derive(Debug, Clone, Default)]
    pub struct WorkerCfg {
        pub factor: u64,
    }

    pub struct MultiplierFactory {
        pub created: std::cell::Cell<usize>,
    }
    impl ServiceFactory<(), u32, WorkerCfg> for MultiplierFactory {
        type Res = u64;
        type Error = String;
        type Service = Multiplier;
        type InitError = &'static str;

        async fn create(&self, cfg: &WorkerCfg) -> Result<Multiplier, &'static str> {
            if cfg.factor == 0 {
                return Err("factor must not be zero");
            }
            self.created.set(self.created.get() + 1);
            Ok(Multiplier { by: cfg.factor })
        }
    }

    /// A factory using the default `Cfg = ()`.
    pub struct UnitFactory;
    impl ServiceFactory<(), u32> for UnitFactory {
        type Res = u64;
        type Error = String;
        type Service = Multiplier;
        type InitError = ();

        async fn create(&self, _: &()) -> Result<Multiplier, ()> {
            Ok(Multiplier { by: 1 })
        }
    }

    type DynFactory = dyn DynServiceFactory<
            (),
            u32,
            WorkerCfg,
            Res = u64,
            Error = String,
            Service = Multiplier,
            InitError = &'static str,
        >;

    pub async fn run() {
        let factory: Rc<DynFactory> = Rc::new(MultiplierFactory {
            created: std::cell::Cell::new(0),
        });

        // Through the bridge and through the twin.
        let svc = factory.create(&WorkerCfg { factor: 3 }).await.unwrap();
        assert_eq!(svc.call(7, Ctx::new(&())).await, Ok(21));
        let svc = factory.create_dyn(&WorkerCfg { factor: 5 }).await.unwrap();
        assert_eq!(svc.by, 5);
        assert_eq!(
            factory.create(&WorkerCfg::default()).await.err(),
            Some("factor must not be zero")
        );

        // The default `pipeline` (`where Self: 'static, St: Default + 'static, ..`), which calls
        // `create`: through the bridge and through the twin.
        let pipeline = factory
            .pipeline(&WorkerCfg { factor: 2 })
            .await
            .ok()
            .unwrap();
        assert_eq!(pipeline.service.downcast_ref::<Multiplier>().unwrap().by, 2);
        let pipeline = factory
            .pipeline_dyn(&WorkerCfg { factor: 4 })
            .await
            .ok()
            .unwrap();
        assert_eq!(pipeline.service.downcast_ref::<Multiplier>().unwrap().by, 4);

        // The default `Cfg = ()` on the twin object too.
        let unit: Box<
            dyn DynServiceFactory<
                    (),
                    u32,
                    Res = u64,
                    Error = String,
                    Service = Multiplier,
                    InitError = (),
                >,
        > = Box::new(UnitFactory);
        assert_eq!(unit.create(&()).await.unwrap().by, 1);

        // `where Self: Sized` methods stay on the concrete type.
        let mapped = UnitFactory.map(|res: u64| res + 1);
        assert_eq!((mapped.f)(1), 2);
        let _boxed = UnitFactory.boxed();
    }
}
