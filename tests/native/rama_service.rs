//! `Service`: plabayo/rama, `rama-core/src/service/svc.rs` (rama 0.4.1; snapshot e4e7ee977,
//! file last changed in 782465900, 2026-08-16).
//! Used through `dyn`: yes, erased by the project itself: `Service::boxed` makes a
//! `BoxService`, an `Arc<dyn DynService<..> + Send + Sync>` of a private trait whose
//! `serve_box` returns `Pin<Box<dyn Future + Send + '_>>`. But the public trait is `Sized`.
//! Shape: native `fn serve(&self, input) -> impl Future<Output = Result<..>> + Send + '_`;
//! `Sized + Send + Sync + 'static`; generic over `Input`; associated types bounded
//! `Send + 'static`; a default method taking `self` by value (`boxed`). Static-only as
//! declared: the attribute refuses the `Sized` supertrait.

use std::any::Any;
use std::convert::Infallible;
use std::marker::PhantomData;
use std::sync::Arc;

/// Doubles numbers, refuses odd ones.
#[derive(Debug, Clone, Copy)]
pub struct Doubler;

/// The trait as the project declares it, natively, and an impl.
pub mod control {
    use super::*;

    /// rama's `BoxService` (stub: holds the service, type-erased).
    pub struct BoxService<Input, Output, Error> {
        inner: Arc<dyn Any + Send + Sync>,
        _types: PhantomData<fn(Input) -> (Output, Error)>,
    }

    impl<Input, Output, Error> BoxService<Input, Output, Error> {
        pub fn new<T>(service: T) -> Self
        where
            T: Service<Input, Output = Output, Error = Error>,
        {
            Self {
                inner: Arc::new(service),
                _types: PhantomData,
            }
        }
    }

    // plabayo/rama, `rama-core/src/service/svc.rs` (0.4.1).
    pub trait Service<Input>: Sized + Send + Sync + 'static {
        type Output: Send + 'static;

        type Error: Send + 'static;

        fn serve(
            &self,
            input: Input,
        ) -> impl Future<Output = Result<Self::Output, Self::Error>> + Send + '_;

        fn boxed(self) -> BoxService<Input, Self::Output, Self::Error> {
            BoxService::new(self)
        }
    }

    impl Service<u64> for Doubler {
        type Output = u64;
        type Error = Infallible;

        async fn serve(&self, input: u64) -> Result<u64, Infallible> {
            Ok(input * 2)
        }
    }
}

/// The same trait under `#[dyn_twin]`: refused, the `Sized` supertrait (docs, "Unsupported
/// shapes").
#[cfg(any())] // BLOCKED: static-only; refused: "a trait with a `Sized` supertrait cannot have a `dyn` twin: remove `: Sized` (put `where Self: Sized` on the methods that need it)"
pub mod migrated {
    use super::*;

    /// rama's `BoxService` (stub: holds the service, type-erased).
    pub struct BoxService<Input, Output, Error> {
        inner: Arc<dyn Any + Send + Sync>,
        _types: PhantomData<fn(Input) -> (Output, Error)>,
    }

    impl<Input, Output, Error> BoxService<Input, Output, Error> {
        pub fn new<T>(service: T) -> Self
        where
            T: Service<Input, Output = Output, Error = Error>,
        {
            Self {
                inner: Arc::new(service),
                _types: PhantomData,
            }
        }
    }

    // plabayo/rama, `rama-core/src/service/svc.rs` (0.4.1).
    #[hybrid_dispatch::dyn_twin(DynService, send = SendDynService)]
    pub trait Service<Input>: Sized + Send + Sync + 'static {
        type Output: Send + 'static;

        type Error: Send + 'static;

        fn serve(
            &self,
            input: Input,
        ) -> impl Future<Output = Result<Self::Output, Self::Error>> + Send + '_;

        fn boxed(self) -> BoxService<Input, Self::Output, Self::Error> {
            BoxService::new(self)
        }
    }

    impl Service<u64> for Doubler {
        type Output = u64;
        type Error = Infallible;

        async fn serve(&self, input: u64) -> Result<u64, Infallible> {
            Ok(input * 2)
        }
    }

    pub async fn run() {
        let svc: Arc<dyn SendDynService<u64, Output = u64, Error = Infallible>> = Arc::new(Doubler);
        assert_eq!(svc.serve(21).await.unwrap(), 42);
        assert_eq!(svc.serve_send(2).await.unwrap(), 4);
    }
}
