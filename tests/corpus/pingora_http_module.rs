//! `HttpModule`: cloudflare/pingora, `pingora-core/src/modules/http/mod.rs`.
//! Used through `dyn`: yes, `Module = Box<dyn HttpModule + 'static + Send + Sync>`.
//! Shape: `&mut self` async methods with default bodies that ignore their arguments;
//! `as_any` returning `&dyn Any`.

use std::any::Any;

#[derive(Debug)]
pub struct Error;
pub type Result<T, E = Box<Error>> = std::result::Result<T, E>;
#[derive(Debug, Default)]
pub struct RequestHeader {
    pub headers: Vec<(String, String)>,
}
#[derive(Debug, Default)]
pub struct ResponseHeader;
#[derive(Debug, Default)]
pub struct HeaderMap;
#[derive(Debug, Clone, PartialEq)]
pub struct Bytes(pub Vec<u8>);

pub struct AddHeader(pub &'static str);

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // cloudflare/pingora, `pingora-core/src/modules/http/mod.rs`.
    #[async_trait::async_trait]
    pub trait HttpModule {
        async fn request_header_filter(&mut self, _req: &mut RequestHeader) -> Result<()> {
            Ok(())
        }

        async fn request_body_filter(
            &mut self,
            _body: &mut Option<Bytes>,
            _end_of_stream: bool,
        ) -> Result<()> {
            Ok(())
        }

        async fn response_header_filter(
            &mut self,
            _resp: &mut ResponseHeader,
            _end_of_stream: bool,
        ) -> Result<()> {
            Ok(())
        }

        fn response_body_filter(
            &mut self,
            _body: &mut Option<Bytes>,
            _end_of_stream: bool,
        ) -> Result<()> {
            Ok(())
        }

        fn response_trailer_filter(
            &mut self,
            _trailers: &mut Option<Box<HeaderMap>>,
        ) -> Result<Option<Bytes>> {
            Ok(None)
        }

        fn response_done_filter(&mut self) -> Result<Option<Bytes>> {
            Ok(None)
        }

        fn as_any(&self) -> &dyn Any;
        fn as_any_mut(&mut self) -> &mut dyn Any;
    }

    #[async_trait::async_trait]
    impl HttpModule for AddHeader {
        async fn request_header_filter(&mut self, req: &mut RequestHeader) -> Result<()> {
            req.headers.push(("x-module".into(), self.0.into()));
            Ok(())
        }

        fn as_any(&self) -> &dyn Any {
            self
        }
        fn as_any_mut(&mut self) -> &mut dyn Any {
            self
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // cloudflare/pingora, `pingora-core/src/modules/http/mod.rs`.
    #[hybrid_dispatch::dyn_twin(DynHttpModule, send = SendDynHttpModule)]
    pub trait HttpModule {
        async fn request_header_filter(&mut self, _req: &mut RequestHeader) -> Result<()> {
            Ok(())
        }

        async fn request_body_filter(
            &mut self,
            _body: &mut Option<Bytes>,
            _end_of_stream: bool,
        ) -> Result<()> {
            Ok(())
        }

        async fn response_header_filter(
            &mut self,
            _resp: &mut ResponseHeader,
            _end_of_stream: bool,
        ) -> Result<()> {
            Ok(())
        }

        fn response_body_filter(
            &mut self,
            _body: &mut Option<Bytes>,
            _end_of_stream: bool,
        ) -> Result<()> {
            Ok(())
        }

        fn response_trailer_filter(
            &mut self,
            _trailers: &mut Option<Box<HeaderMap>>,
        ) -> Result<Option<Bytes>> {
            Ok(None)
        }

        fn response_done_filter(&mut self) -> Result<Option<Bytes>> {
            Ok(None)
        }

        fn as_any(&self) -> &dyn Any;
        fn as_any_mut(&mut self) -> &mut dyn Any;
    }

    impl HttpModule for AddHeader {
        async fn request_header_filter(&mut self, req: &mut RequestHeader) -> Result<()> {
            req.headers.push(("x-module".into(), self.0.into()));
            Ok(())
        }

        fn as_any(&self) -> &dyn Any {
            self
        }
        fn as_any_mut(&mut self) -> &mut dyn Any {
            self
        }
    }

    pub async fn run() {
        let mut module: Box<dyn SendDynHttpModule> = Box::new(AddHeader("on"));
        let mut req = RequestHeader::default();
        module.request_header_filter(&mut req).await.unwrap();
        module.request_header_filter_send(&mut req).await.unwrap();
        assert_eq!(req.headers.len(), 2);
    }
}
