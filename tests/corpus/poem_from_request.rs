//! `FromRequest`: poem-web/poem, `poem/src/web/mod.rs` (d67f4bc0^).
//! Used through `dyn`: no, static-only: `Sized` supertrait, associated functions (no receiver).
//! Shape: a trait lifetime `'a` used in an argument; a default body calling `Self::from_request`.

#[derive(Debug, Default)]
pub struct Request {
    pub query: String,
}
#[derive(Debug, Default)]
pub struct RequestBody;
#[derive(Debug)]
pub struct Error;
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, PartialEq)]
pub struct Query<'a>(pub &'a str);

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // poem-web/poem, `poem/src/web/mod.rs` (d67f4bc0^).
    #[async_trait::async_trait]
    pub trait FromRequest<'a>: Sized {
        async fn from_request(req: &'a Request, body: &mut RequestBody) -> Result<Self>;

        async fn from_request_without_body(req: &'a Request) -> Result<Self> {
            Self::from_request(req, &mut Default::default()).await
        }
    }

    #[async_trait::async_trait]
    impl<'a> FromRequest<'a> for Query<'a> {
        async fn from_request(req: &'a Request, body: &mut RequestBody) -> Result<Self> {
            Ok(Query(&req.query))
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
#[cfg(any())] // BLOCKED: static-only; refused: "a trait with a `Sized` supertrait cannot have a `dyn` twin"
pub mod migrated {
    use super::*;

    // poem-web/poem, `poem/src/web/mod.rs` (d67f4bc0^).
    #[hybrid_dispatch::dyn_twin(DynFromRequest, send = SendDynFromRequest)]
    pub trait FromRequest<'a>: Sized {
        async fn from_request(req: &'a Request, body: &mut RequestBody) -> Result<Self>;

        async fn from_request_without_body(req: &'a Request) -> Result<Self> {
            Self::from_request(req, &mut Default::default()).await
        }
    }

    impl<'a> FromRequest<'a> for Query<'a> {
        async fn from_request(req: &'a Request, body: &mut RequestBody) -> Result<Self> {
            Ok(Query(&req.query))
        }
    }

    pub async fn run() {
        let req = Request {
            query: "a=1".into(),
        };
        assert_eq!(
            Query::from_request_without_body(&req).await.unwrap(),
            Query("a=1")
        );
    }
}
