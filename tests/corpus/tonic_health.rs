//! `Health`: hyperium/tonic, `tonic-health/src/generated/grpc_health_v1.rs` (tonic-build output, checked in).
//! Used through `dyn`: no, `HealthServer<T: Health>` holds `Arc<T>` (the shape of every
//! tonic-generated service trait); dyn-compatible given the stream type.
//! Shape: fully qualified `std::marker::Send + std::marker::Sync + 'static`; an associated stream
//! type bounded by `Stream<Item = ..> + Send + 'static`, declared between the methods; generic
//! wrapper types in arguments and results.

use std::sync::Arc;

pub mod tonic {
    #[derive(Debug)]
    pub struct Request<T>(pub T);
    impl<T> Request<T> {
        pub fn into_inner(self) -> T {
            self.0
        }
    }
    #[derive(Debug)]
    pub struct Response<T>(pub T);
    impl<T> Response<T> {
        pub fn new(t: T) -> Self {
            Response(t)
        }
        pub fn into_inner(self) -> T {
            self.0
        }
    }
    #[derive(Debug)]
    pub struct Status(pub String);
    pub mod codegen {
        pub mod tokio_stream {
            pub use futures_util::stream::Stream;
        }
    }
}
#[derive(Debug, Clone, PartialEq)]
pub struct HealthCheckRequest {
    pub service: String,
}
#[derive(Debug, Clone, PartialEq)]
pub struct HealthCheckResponse {
    pub status: i32,
}
pub mod super_ {
    pub use super::{HealthCheckRequest, HealthCheckResponse};
}
pub struct HealthService;

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // hyperium/tonic, `tonic-health/src/generated/grpc_health_v1.rs` (tonic-build output, checked in).
    #[async_trait::async_trait]
    pub trait Health: std::marker::Send + std::marker::Sync + 'static {
        async fn check(
            &self,
            request: tonic::Request<super_::HealthCheckRequest>,
        ) -> std::result::Result<tonic::Response<super_::HealthCheckResponse>, tonic::Status>;
        type WatchStream: tonic::codegen::tokio_stream::Stream<
                Item = std::result::Result<super_::HealthCheckResponse, tonic::Status>,
            > + std::marker::Send
            + 'static;
        async fn watch(
            &self,
            request: tonic::Request<super_::HealthCheckRequest>,
        ) -> std::result::Result<tonic::Response<Self::WatchStream>, tonic::Status>;
    }

    #[async_trait::async_trait]
    impl Health for HealthService {
        async fn check(
            &self,
            request: tonic::Request<HealthCheckRequest>,
        ) -> Result<tonic::Response<HealthCheckResponse>, tonic::Status> {
            let status = if request.into_inner().service.is_empty() {
                1
            } else {
                3
            };
            Ok(tonic::Response::new(HealthCheckResponse { status }))
        }

        type WatchStream = futures_util::stream::Empty<Result<HealthCheckResponse, tonic::Status>>;

        async fn watch(
            &self,
            request: tonic::Request<HealthCheckRequest>,
        ) -> Result<tonic::Response<Self::WatchStream>, tonic::Status> {
            Ok(tonic::Response::new(futures_util::stream::empty()))
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // hyperium/tonic, `tonic-health/src/generated/grpc_health_v1.rs` (tonic-build output, checked in).
    #[hybrid_dispatch::dyn_twin(DynHealth, send = SendDynHealth)]
    pub trait Health: std::marker::Send + std::marker::Sync + 'static {
        async fn check(
            &self,
            request: tonic::Request<super_::HealthCheckRequest>,
        ) -> std::result::Result<tonic::Response<super_::HealthCheckResponse>, tonic::Status>;
        type WatchStream: tonic::codegen::tokio_stream::Stream<
                Item = std::result::Result<super_::HealthCheckResponse, tonic::Status>,
            > + std::marker::Send
            + 'static;
        async fn watch(
            &self,
            request: tonic::Request<super_::HealthCheckRequest>,
        ) -> std::result::Result<tonic::Response<Self::WatchStream>, tonic::Status>;
    }

    impl Health for HealthService {
        async fn check(
            &self,
            request: tonic::Request<HealthCheckRequest>,
        ) -> Result<tonic::Response<HealthCheckResponse>, tonic::Status> {
            let status = if request.into_inner().service.is_empty() {
                1
            } else {
                3
            };
            Ok(tonic::Response::new(HealthCheckResponse { status }))
        }

        type WatchStream = futures_util::stream::Empty<Result<HealthCheckResponse, tonic::Status>>;

        async fn watch(
            &self,
            request: tonic::Request<HealthCheckRequest>,
        ) -> Result<tonic::Response<Self::WatchStream>, tonic::Status> {
            Ok(tonic::Response::new(futures_util::stream::empty()))
        }
    }

    pub async fn run() {
        type Watch = futures_util::stream::Empty<Result<HealthCheckResponse, tonic::Status>>;
        let health: Arc<dyn SendDynHealth<WatchStream = Watch>> = Arc::new(HealthService);
        let resp = health
            .check(tonic::Request(HealthCheckRequest {
                service: String::new(),
            }))
            .await;
        assert_eq!(
            resp.unwrap().into_inner(),
            HealthCheckResponse { status: 1 }
        );
    }
}
