//! `FromRequestParts`: tokio-rs/axum, `axum-core/src/extract/mod.rs` (19101f62^, axum 0.6/0.7).
//! Used through `dyn`: no, static-only: `Sized` supertrait, an associated function.
//! Shape: a trait type parameter `S` borrowed in the argument list.

#[derive(Debug, Default)]
pub struct Parts {
    pub uri: String,
}
pub trait IntoResponse {}
impl IntoResponse for () {}

#[derive(Debug, PartialEq)]
pub struct Path(pub String);

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // tokio-rs/axum, `axum-core/src/extract/mod.rs` (19101f62^, axum 0.6/0.7).
    #[async_trait::async_trait]
    pub trait FromRequestParts<S>: Sized {
        type Rejection: IntoResponse;

        async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection>;
    }

    #[async_trait::async_trait]
    impl<S: Sync> FromRequestParts<S> for Path {
        type Rejection = ();

        async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ()> {
            Ok(Path(parts.uri.clone()))
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
#[cfg(any())] // BLOCKED: static-only; refused: "a trait with a `Sized` supertrait cannot have a `dyn` twin"
pub mod migrated {
    use super::*;

    // tokio-rs/axum, `axum-core/src/extract/mod.rs` (19101f62^, axum 0.6/0.7).
    #[hybrid_dispatch::dyn_twin(DynFromRequestParts, send = SendDynFromRequestParts)]
    pub trait FromRequestParts<S>: Sized {
        type Rejection: IntoResponse;

        async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection>;
    }

    impl<S: Sync> FromRequestParts<S> for Path {
        type Rejection = ();

        async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ()> {
            Ok(Path(parts.uri.clone()))
        }
    }

    pub async fn run() {
        let mut parts = Parts { uri: "/a".into() };
        assert_eq!(
            Path::from_request_parts(&mut parts, &()).await,
            Ok(Path("/a".into()))
        );
    }
}
