//! `ProxyHttp`: cloudflare/pingora, `pingora-proxy/src/proxy_trait.rs`.
//! Used through `dyn`: no, `HttpProxy<SV: ProxyHttp>` holds it generically; dyn-compatible.
//! Shape: an associated type `CTX` with no bounds, passed as `&mut Self::CTX` to nearly every
//! method; method `where Self::CTX: Send + Sync` clauses; 40 methods, most with default bodies;
//! `#[cfg(unix)]`/`#[cfg(windows)]` on arguments; `#[cfg(feature = ..)]` and `#[doc(hidden)]`
//! methods; default bodies calling async methods of the session.
#![allow(
    unexpected_cfgs,
    reason = "pingora's `upstream_modules` feature, kept as written"
)]

use std::any::Any;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

#[derive(Debug, Clone, PartialEq)]
pub struct Bytes(pub Vec<u8>);
#[derive(Debug, Clone, Default)]
pub struct RequestHeader {
    pub uri: String,
}
#[derive(Debug, Clone, Default)]
pub struct ResponseHeader {
    pub status: u16,
}
pub mod header {
    #[derive(Debug, Default)]
    pub struct HeaderMap;
}
#[derive(Debug, Clone, PartialEq)]
pub struct HttpPeer {
    pub addr: String,
}
impl fmt::Display for HttpPeer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.addr)
    }
}
#[derive(Debug, PartialEq)]
pub enum ErrorSource {
    Upstream,
    Downstream,
    Internal,
    Unset,
}
#[derive(Debug, PartialEq)]
pub enum ErrorType {
    HTTPStatus(u16),
    WriteError,
    ReadError,
    ConnectionClosed,
    ConnectTimedout,
}
pub use ErrorType::*;
#[derive(Debug)]
pub struct RetryType(pub bool);
impl RetryType {
    pub fn decide_reuse(&mut self, reused: bool) {
        self.0 = reused;
    }
}
#[derive(Debug)]
pub struct Error {
    pub etype: ErrorType,
    pub esource: ErrorSource,
    pub retry: RetryType,
    pub context: Option<String>,
}
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.etype)
    }
}
impl Error {
    pub fn etype(&self) -> &ErrorType {
        &self.etype
    }
    pub fn esource(&self) -> &ErrorSource {
        &self.esource
    }
    pub fn more_context(mut self: Box<Self>, context: String) -> Box<Self> {
        self.context = Some(context);
        self
    }
}
pub type Result<T, E = Box<Error>> = std::result::Result<T, E>;
macro_rules! error {
    ($($t:tt)*) => {{
        let _ = format!($($t)*);
    }};
}
#[derive(Debug, Default)]
pub struct HttpCache {
    pub misses: usize,
}
impl HttpCache {
    pub fn cache_miss(&mut self) {
        self.misses += 1;
    }
}
#[derive(Debug, Default)]
pub struct HttpSession {
    pub req: RequestHeader,
    pub truncated: bool,
}
impl HttpSession {
    pub fn retry_buffer_truncated(&self) -> bool {
        self.truncated
    }
    pub fn request_summary(&self) -> String {
        format!("GET {}", self.req.uri)
    }
}
#[derive(Debug, Default)]
pub struct Session {
    pub downstream: HttpSession,
    pub cache: HttpCache,
    pub responded: Option<u16>,
}
impl Session {
    pub fn req_header(&self) -> &RequestHeader {
        &self.downstream.req
    }
    pub async fn respond_error(&mut self, code: u16) -> Result<()> {
        self.responded = Some(code);
        Ok(())
    }
}
impl AsRef<HttpSession> for Session {
    fn as_ref(&self) -> &HttpSession {
        &self.downstream
    }
}
#[derive(Debug, Default)]
pub struct HttpModules(pub Vec<&'static str>);
impl HttpModules {
    pub fn add_module(&mut self, module: &'static str) {
        self.0.push(module);
    }
}
pub struct ResponseCompressionBuilder;
impl ResponseCompressionBuilder {
    pub fn enable(level: u32) -> &'static str {
        "compression"
    }
}
#[derive(Debug, Clone, PartialEq)]
pub struct CacheKey(pub String);
#[derive(Debug, Clone)]
pub struct CacheMeta;
pub type HitHandler = Box<dyn Any + Send + Sync>;
#[derive(Debug)]
pub enum ForcedFreshness {
    ForceExpired,
}
#[derive(Debug)]
pub enum NoCacheReason {
    Custom(&'static str),
}
#[derive(Debug)]
pub enum RespCacheable {
    Cacheable(CacheMeta),
    Uncacheable(NoCacheReason),
}
pub use RespCacheable::*;
pub type HashBinary = [u8; 16];
pub mod range_filter {
    #[derive(Debug, PartialEq)]
    pub enum RangeType {
        None,
        Single,
    }
}
pub mod proxy_cache {
    pub mod range_filter {
        pub fn range_header_filter(
            req: &super::super::RequestHeader,
            resp: &mut super::super::ResponseHeader,
            max_ranges: Option<usize>,
        ) -> super::super::range_filter::RangeType {
            super::super::range_filter::RangeType::None
        }
    }
}
pub mod pingora_core {
    pub mod protocols {
        pub mod http {
            pub mod conditional_filter {
                pub fn not_modified_filter(
                    req: &super::super::super::super::RequestHeader,
                    resp: &super::super::super::super::ResponseHeader,
                ) -> bool {
                    resp.status == 304
                }
            }
        }
    }
}
#[derive(Debug, Default)]
pub struct Digest;
#[derive(Debug)]
pub enum PurgeStatus {
    Purged,
}
pub struct FailToProxy {
    pub error_code: u16,
    pub can_reuse_downstream: bool,
}

pub struct Gateway {
    pub upstream: String,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // cloudflare/pingora, `pingora-proxy/src/proxy_trait.rs`.
    #[async_trait::async_trait]
    pub trait ProxyHttp {
        type CTX;

        fn new_ctx(&self) -> Self::CTX;

        async fn upstream_peer(
            &self,
            session: &mut Session,
            ctx: &mut Self::CTX,
        ) -> Result<Box<HttpPeer>>;

        fn init_downstream_modules(&self, modules: &mut HttpModules) {
            // Add disabled downstream compression module by default
            modules.add_module(ResponseCompressionBuilder::enable(0));
        }

        #[cfg(feature = "upstream_modules")]
        fn init_upstream_modules(&self, _modules: &mut HttpModules) {}

        async fn request_filter(&self, _session: &mut Session, _ctx: &mut Self::CTX) -> Result<bool>
        where
            Self::CTX: Send + Sync,
        {
            Ok(false)
        }

        async fn early_request_filter(
            &self,
            _session: &mut Session,
            _ctx: &mut Self::CTX,
        ) -> Result<()>
        where
            Self::CTX: Send + Sync,
        {
            Ok(())
        }

        fn allow_spawning_subrequest(&self, _session: &Session, _ctx: &Self::CTX) -> bool
        where
            Self::CTX: Send + Sync,
        {
            false
        }

        async fn request_body_filter(
            &self,
            _session: &mut Session,
            _body: &mut Option<Bytes>,
            _end_of_stream: bool,
            _ctx: &mut Self::CTX,
        ) -> Result<()>
        where
            Self::CTX: Send + Sync,
        {
            Ok(())
        }

        // Ideally only session.cache should be modified, TODO: reflect that in this interface
        fn request_cache_filter(&self, _session: &mut Session, _ctx: &mut Self::CTX) -> Result<()>
        where
            Self::CTX: Send + Sync,
        {
            Ok(())
        }

        fn cache_key_callback(&self, _session: &Session, _ctx: &mut Self::CTX) -> Result<CacheKey> {
            unimplemented!("cache_key_callback must be implemented when caching is enabled")
        }

        fn cache_miss(&self, session: &mut Session, _ctx: &mut Self::CTX) {
            session.cache.cache_miss();
        }

        async fn cache_hit_filter(
            &self,
            _session: &mut Session,
            _meta: &CacheMeta,
            _hit_handler: &mut HitHandler,
            _is_fresh: bool,
            _ctx: &mut Self::CTX,
        ) -> Result<Option<ForcedFreshness>>
        where
            Self::CTX: Send + Sync,
        {
            Ok(None)
        }

        async fn proxy_upstream_filter(
            &self,
            _session: &mut Session,
            _ctx: &mut Self::CTX,
        ) -> Result<bool>
        where
            Self::CTX: Send + Sync,
        {
            Ok(true)
        }

        fn response_cache_filter(
            &self,
            _session: &Session,
            _resp: &ResponseHeader,
            _ctx: &mut Self::CTX,
        ) -> Result<RespCacheable> {
            Ok(Uncacheable(NoCacheReason::Custom("default")))
        }

        fn cache_vary_filter(
            &self,
            _meta: &CacheMeta,
            _ctx: &mut Self::CTX,
            _req: &RequestHeader,
        ) -> Option<HashBinary> {
            // default to None for now to disable vary feature
            None
        }

        fn cache_not_modified_filter(
            &self,
            session: &Session,
            resp: &ResponseHeader,
            _ctx: &mut Self::CTX,
        ) -> Result<bool> {
            Ok(
                pingora_core::protocols::http::conditional_filter::not_modified_filter(
                    session.req_header(),
                    resp,
                ),
            )
        }

        fn range_header_filter(
            &self,
            session: &mut Session,
            resp: &mut ResponseHeader,
            _ctx: &mut Self::CTX,
        ) -> range_filter::RangeType {
            const DEFAULT_MAX_RANGES: Option<usize> = Some(200);
            proxy_cache::range_filter::range_header_filter(
                session.req_header(),
                resp,
                DEFAULT_MAX_RANGES,
            )
        }

        async fn upstream_request_filter(
            &self,
            _session: &mut Session,
            _upstream_request: &mut RequestHeader,
            _ctx: &mut Self::CTX,
        ) -> Result<()>
        where
            Self::CTX: Send + Sync,
        {
            Ok(())
        }

        #[cfg(feature = "upstream_modules")]
        async fn adjust_upstream_modules(
            &self,
            _session: &mut Session,
            _upstream_response: &ResponseHeader,
            _end_of_stream: bool,
            _ctx: &mut Self::CTX,
        ) -> Result<()>
        where
            Self::CTX: Send + Sync,
        {
            Ok(())
        }

        async fn upstream_response_filter(
            &self,
            _session: &mut Session,
            _upstream_response: &mut ResponseHeader,
            _ctx: &mut Self::CTX,
        ) -> Result<()>
        where
            Self::CTX: Send + Sync,
        {
            Ok(())
        }

        async fn response_filter(
            &self,
            _session: &mut Session,
            _upstream_response: &mut ResponseHeader,
            _ctx: &mut Self::CTX,
        ) -> Result<()>
        where
            Self::CTX: Send + Sync,
        {
            Ok(())
        }

        // custom_forwarding is called when downstream and upstream connections are successfully established.
        #[doc(hidden)]
        async fn custom_forwarding(
            &self,
            _session: &mut Session,
            _ctx: &mut Self::CTX,
            _custom_message_to_upstream: Option<mpsc::Sender<Bytes>>,
            _custom_message_to_downstream: mpsc::Sender<Bytes>,
        ) -> Result<()>
        where
            Self::CTX: Send + Sync,
        {
            Ok(())
        }

        // received a custom message from the downstream before sending it to the upstream.
        #[doc(hidden)]
        async fn downstream_custom_message_proxy_filter(
            &self,
            _session: &mut Session,
            custom_message: Bytes,
            _ctx: &mut Self::CTX,
            _final_hop: bool,
        ) -> Result<Option<Bytes>>
        where
            Self::CTX: Send + Sync,
        {
            Ok(Some(custom_message))
        }

        // received a custom message from the upstream before sending it to the downstream.
        #[doc(hidden)]
        async fn upstream_custom_message_proxy_filter(
            &self,
            _session: &mut Session,
            custom_message: Bytes,
            _ctx: &mut Self::CTX,
            _final_hop: bool,
        ) -> Result<Option<Bytes>>
        where
            Self::CTX: Send + Sync,
        {
            Ok(Some(custom_message))
        }

        fn upstream_response_body_filter(
            &self,
            _session: &mut Session,
            _body: &mut Option<Bytes>,
            _end_of_stream: bool,
            _ctx: &mut Self::CTX,
        ) -> Result<Option<Duration>> {
            Ok(None)
        }

        fn upstream_response_trailer_filter(
            &self,
            _session: &mut Session,
            _upstream_trailers: &mut header::HeaderMap,
            _ctx: &mut Self::CTX,
        ) -> Result<()> {
            Ok(())
        }

        fn response_body_filter(
            &self,
            _session: &mut Session,
            _body: &mut Option<Bytes>,
            _end_of_stream: bool,
            _ctx: &mut Self::CTX,
        ) -> Result<Option<Duration>>
        where
            Self::CTX: Send + Sync,
        {
            Ok(None)
        }

        async fn response_trailer_filter(
            &self,
            _session: &mut Session,
            _upstream_trailers: &mut header::HeaderMap,
            _ctx: &mut Self::CTX,
        ) -> Result<Option<Bytes>>
        where
            Self::CTX: Send + Sync,
        {
            Ok(None)
        }

        async fn logging(&self, _session: &mut Session, _e: Option<&Error>, _ctx: &mut Self::CTX)
        where
            Self::CTX: Send + Sync,
        {
        }

        fn persist_connection_context(
            &self,
            _session: &Session,
            _ctx: &Self::CTX,
        ) -> Option<Box<dyn Any + Send + Sync>> {
            None
        }

        fn on_connection_reuse(
            &self,
            _session: &mut Session,
            _ctx: &mut Self::CTX,
            _prev_ctx: Box<dyn Any + Send + Sync>,
        ) {
        }

        fn suppress_error_log(&self, _session: &Session, _ctx: &Self::CTX, _error: &Error) -> bool {
            false
        }

        fn error_while_proxy(
            &self,
            peer: &HttpPeer,
            session: &mut Session,
            e: Box<Error>,
            _ctx: &mut Self::CTX,
            client_reused: bool,
        ) -> Box<Error> {
            let mut e = e.more_context(format!("Peer: {}", peer));
            // only reused client connections where retry buffer is not truncated
            e.retry
                .decide_reuse(client_reused && !session.as_ref().retry_buffer_truncated());
            e
        }

        fn fail_to_connect(
            &self,
            _session: &mut Session,
            _peer: &HttpPeer,
            _ctx: &mut Self::CTX,
            e: Box<Error>,
        ) -> Box<Error> {
            e
        }

        async fn fail_to_proxy(
            &self,
            session: &mut Session,
            e: &Error,
            _ctx: &mut Self::CTX,
        ) -> FailToProxy
        where
            Self::CTX: Send + Sync,
        {
            let code = match e.etype() {
                HTTPStatus(code) => *code,
                _ => {
                    match e.esource() {
                        ErrorSource::Upstream => 502,
                        ErrorSource::Downstream => {
                            match e.etype() {
                                WriteError | ReadError | ConnectionClosed => {
                                    /* conn already dead */
                                    0
                                }
                                _ => 400,
                            }
                        }
                        ErrorSource::Internal | ErrorSource::Unset => 500,
                    }
                }
            };
            if code > 0 {
                session.respond_error(code).await.unwrap_or_else(|e| {
                    error!("failed to send error response to downstream: {e}");
                });
            }

            FailToProxy {
                error_code: code,
                // default to no reuse, which is safest
                can_reuse_downstream: false,
            }
        }

        // 5xx HTTP status will be encoded as ErrorType::HTTPStatus(code)
        fn should_serve_stale(
            &self,
            _session: &mut Session,
            _ctx: &mut Self::CTX,
            error: Option<&Error>, // None when it is called during stale while revalidate
        ) -> bool {
            // A cache MUST NOT generate a stale response unless
            // it is disconnected
            // or doing so is explicitly permitted by the client or origin server
            // (e.g. headers or an out-of-band contract)
            error.is_some_and(|e| e.esource() == &ErrorSource::Upstream)
        }

        async fn connected_to_upstream(
            &self,
            _session: &mut Session,
            _reused: bool,
            _peer: &HttpPeer,
            #[cfg(unix)] _fd: std::os::unix::io::RawFd,
            #[cfg(windows)] _sock: std::os::windows::io::RawSocket,
            _digest: Option<&Digest>,
            _ctx: &mut Self::CTX,
        ) -> Result<()>
        where
            Self::CTX: Send + Sync,
        {
            Ok(())
        }

        fn request_summary(&self, session: &Session, _ctx: &Self::CTX) -> String {
            session.as_ref().request_summary()
        }

        fn is_purge(&self, _session: &Session, _ctx: &Self::CTX) -> bool {
            false
        }

        fn purge_response_filter(
            &self,
            _session: &Session,
            _ctx: &mut Self::CTX,
            _purge_status: PurgeStatus,
            _purge_response: &mut std::borrow::Cow<'static, ResponseHeader>,
        ) -> Result<()> {
            Ok(())
        }
    }

    #[async_trait::async_trait]
    impl ProxyHttp for Gateway {
        type CTX = u32;

        fn new_ctx(&self) -> u32 {
            0
        }

        async fn upstream_peer(
            &self,
            session: &mut Session,
            ctx: &mut u32,
        ) -> Result<Box<HttpPeer>> {
            *ctx += 1;
            Ok(Box::new(HttpPeer {
                addr: self.upstream.clone(),
            }))
        }

        async fn request_filter(&self, session: &mut Session, ctx: &mut u32) -> Result<bool> {
            if session.req_header().uri == "/blocked" {
                session.respond_error(403).await?;
                return Ok(true);
            }
            Ok(false)
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // cloudflare/pingora, `pingora-proxy/src/proxy_trait.rs`.
    #[hybrid_dispatch::dyn_twin(DynProxyHttp, send = SendDynProxyHttp)]
    pub trait ProxyHttp {
        type CTX;

        fn new_ctx(&self) -> Self::CTX;

        async fn upstream_peer(
            &self,
            session: &mut Session,
            ctx: &mut Self::CTX,
        ) -> Result<Box<HttpPeer>>;

        fn init_downstream_modules(&self, modules: &mut HttpModules) {
            // Add disabled downstream compression module by default
            modules.add_module(ResponseCompressionBuilder::enable(0));
        }

        #[cfg(feature = "upstream_modules")]
        fn init_upstream_modules(&self, _modules: &mut HttpModules) {}

        async fn request_filter(&self, _session: &mut Session, _ctx: &mut Self::CTX) -> Result<bool>
        where
            Self::CTX: Send + Sync,
        {
            Ok(false)
        }

        async fn early_request_filter(
            &self,
            _session: &mut Session,
            _ctx: &mut Self::CTX,
        ) -> Result<()>
        where
            Self::CTX: Send + Sync,
        {
            Ok(())
        }

        fn allow_spawning_subrequest(&self, _session: &Session, _ctx: &Self::CTX) -> bool
        where
            Self::CTX: Send + Sync,
        {
            false
        }

        async fn request_body_filter(
            &self,
            _session: &mut Session,
            _body: &mut Option<Bytes>,
            _end_of_stream: bool,
            _ctx: &mut Self::CTX,
        ) -> Result<()>
        where
            Self::CTX: Send + Sync,
        {
            Ok(())
        }

        // Ideally only session.cache should be modified, TODO: reflect that in this interface
        fn request_cache_filter(&self, _session: &mut Session, _ctx: &mut Self::CTX) -> Result<()>
        where
            Self::CTX: Send + Sync,
        {
            Ok(())
        }

        fn cache_key_callback(&self, _session: &Session, _ctx: &mut Self::CTX) -> Result<CacheKey> {
            unimplemented!("cache_key_callback must be implemented when caching is enabled")
        }

        fn cache_miss(&self, session: &mut Session, _ctx: &mut Self::CTX) {
            session.cache.cache_miss();
        }

        async fn cache_hit_filter(
            &self,
            _session: &mut Session,
            _meta: &CacheMeta,
            _hit_handler: &mut HitHandler,
            _is_fresh: bool,
            _ctx: &mut Self::CTX,
        ) -> Result<Option<ForcedFreshness>>
        where
            Self::CTX: Send + Sync,
        {
            Ok(None)
        }

        async fn proxy_upstream_filter(
            &self,
            _session: &mut Session,
            _ctx: &mut Self::CTX,
        ) -> Result<bool>
        where
            Self::CTX: Send + Sync,
        {
            Ok(true)
        }

        fn response_cache_filter(
            &self,
            _session: &Session,
            _resp: &ResponseHeader,
            _ctx: &mut Self::CTX,
        ) -> Result<RespCacheable> {
            Ok(Uncacheable(NoCacheReason::Custom("default")))
        }

        fn cache_vary_filter(
            &self,
            _meta: &CacheMeta,
            _ctx: &mut Self::CTX,
            _req: &RequestHeader,
        ) -> Option<HashBinary> {
            // default to None for now to disable vary feature
            None
        }

        fn cache_not_modified_filter(
            &self,
            session: &Session,
            resp: &ResponseHeader,
            _ctx: &mut Self::CTX,
        ) -> Result<bool> {
            Ok(
                pingora_core::protocols::http::conditional_filter::not_modified_filter(
                    session.req_header(),
                    resp,
                ),
            )
        }

        fn range_header_filter(
            &self,
            session: &mut Session,
            resp: &mut ResponseHeader,
            _ctx: &mut Self::CTX,
        ) -> range_filter::RangeType {
            const DEFAULT_MAX_RANGES: Option<usize> = Some(200);
            proxy_cache::range_filter::range_header_filter(
                session.req_header(),
                resp,
                DEFAULT_MAX_RANGES,
            )
        }

        async fn upstream_request_filter(
            &self,
            _session: &mut Session,
            _upstream_request: &mut RequestHeader,
            _ctx: &mut Self::CTX,
        ) -> Result<()>
        where
            Self::CTX: Send + Sync,
        {
            Ok(())
        }

        #[cfg(feature = "upstream_modules")]
        async fn adjust_upstream_modules(
            &self,
            _session: &mut Session,
            _upstream_response: &ResponseHeader,
            _end_of_stream: bool,
            _ctx: &mut Self::CTX,
        ) -> Result<()>
        where
            Self::CTX: Send + Sync,
        {
            Ok(())
        }

        async fn upstream_response_filter(
            &self,
            _session: &mut Session,
            _upstream_response: &mut ResponseHeader,
            _ctx: &mut Self::CTX,
        ) -> Result<()>
        where
            Self::CTX: Send + Sync,
        {
            Ok(())
        }

        async fn response_filter(
            &self,
            _session: &mut Session,
            _upstream_response: &mut ResponseHeader,
            _ctx: &mut Self::CTX,
        ) -> Result<()>
        where
            Self::CTX: Send + Sync,
        {
            Ok(())
        }

        // custom_forwarding is called when downstream and upstream connections are successfully established.
        #[doc(hidden)]
        async fn custom_forwarding(
            &self,
            _session: &mut Session,
            _ctx: &mut Self::CTX,
            _custom_message_to_upstream: Option<mpsc::Sender<Bytes>>,
            _custom_message_to_downstream: mpsc::Sender<Bytes>,
        ) -> Result<()>
        where
            Self::CTX: Send + Sync,
        {
            Ok(())
        }

        // received a custom message from the downstream before sending it to the upstream.
        #[doc(hidden)]
        async fn downstream_custom_message_proxy_filter(
            &self,
            _session: &mut Session,
            custom_message: Bytes,
            _ctx: &mut Self::CTX,
            _final_hop: bool,
        ) -> Result<Option<Bytes>>
        where
            Self::CTX: Send + Sync,
        {
            Ok(Some(custom_message))
        }

        // received a custom message from the upstream before sending it to the downstream.
        #[doc(hidden)]
        async fn upstream_custom_message_proxy_filter(
            &self,
            _session: &mut Session,
            custom_message: Bytes,
            _ctx: &mut Self::CTX,
            _final_hop: bool,
        ) -> Result<Option<Bytes>>
        where
            Self::CTX: Send + Sync,
        {
            Ok(Some(custom_message))
        }

        fn upstream_response_body_filter(
            &self,
            _session: &mut Session,
            _body: &mut Option<Bytes>,
            _end_of_stream: bool,
            _ctx: &mut Self::CTX,
        ) -> Result<Option<Duration>> {
            Ok(None)
        }

        fn upstream_response_trailer_filter(
            &self,
            _session: &mut Session,
            _upstream_trailers: &mut header::HeaderMap,
            _ctx: &mut Self::CTX,
        ) -> Result<()> {
            Ok(())
        }

        fn response_body_filter(
            &self,
            _session: &mut Session,
            _body: &mut Option<Bytes>,
            _end_of_stream: bool,
            _ctx: &mut Self::CTX,
        ) -> Result<Option<Duration>>
        where
            Self::CTX: Send + Sync,
        {
            Ok(None)
        }

        async fn response_trailer_filter(
            &self,
            _session: &mut Session,
            _upstream_trailers: &mut header::HeaderMap,
            _ctx: &mut Self::CTX,
        ) -> Result<Option<Bytes>>
        where
            Self::CTX: Send + Sync,
        {
            Ok(None)
        }

        async fn logging(&self, _session: &mut Session, _e: Option<&Error>, _ctx: &mut Self::CTX)
        where
            Self::CTX: Send + Sync,
        {
        }

        fn persist_connection_context(
            &self,
            _session: &Session,
            _ctx: &Self::CTX,
        ) -> Option<Box<dyn Any + Send + Sync>> {
            None
        }

        fn on_connection_reuse(
            &self,
            _session: &mut Session,
            _ctx: &mut Self::CTX,
            _prev_ctx: Box<dyn Any + Send + Sync>,
        ) {
        }

        fn suppress_error_log(&self, _session: &Session, _ctx: &Self::CTX, _error: &Error) -> bool {
            false
        }

        fn error_while_proxy(
            &self,
            peer: &HttpPeer,
            session: &mut Session,
            e: Box<Error>,
            _ctx: &mut Self::CTX,
            client_reused: bool,
        ) -> Box<Error> {
            let mut e = e.more_context(format!("Peer: {}", peer));
            // only reused client connections where retry buffer is not truncated
            e.retry
                .decide_reuse(client_reused && !session.as_ref().retry_buffer_truncated());
            e
        }

        fn fail_to_connect(
            &self,
            _session: &mut Session,
            _peer: &HttpPeer,
            _ctx: &mut Self::CTX,
            e: Box<Error>,
        ) -> Box<Error> {
            e
        }

        async fn fail_to_proxy(
            &self,
            session: &mut Session,
            e: &Error,
            _ctx: &mut Self::CTX,
        ) -> FailToProxy
        where
            Self::CTX: Send + Sync,
        {
            let code = match e.etype() {
                HTTPStatus(code) => *code,
                _ => {
                    match e.esource() {
                        ErrorSource::Upstream => 502,
                        ErrorSource::Downstream => {
                            match e.etype() {
                                WriteError | ReadError | ConnectionClosed => {
                                    /* conn already dead */
                                    0
                                }
                                _ => 400,
                            }
                        }
                        ErrorSource::Internal | ErrorSource::Unset => 500,
                    }
                }
            };
            if code > 0 {
                session.respond_error(code).await.unwrap_or_else(|e| {
                    error!("failed to send error response to downstream: {e}");
                });
            }

            FailToProxy {
                error_code: code,
                // default to no reuse, which is safest
                can_reuse_downstream: false,
            }
        }

        // 5xx HTTP status will be encoded as ErrorType::HTTPStatus(code)
        fn should_serve_stale(
            &self,
            _session: &mut Session,
            _ctx: &mut Self::CTX,
            error: Option<&Error>, // None when it is called during stale while revalidate
        ) -> bool {
            // A cache MUST NOT generate a stale response unless
            // it is disconnected
            // or doing so is explicitly permitted by the client or origin server
            // (e.g. headers or an out-of-band contract)
            error.is_some_and(|e| e.esource() == &ErrorSource::Upstream)
        }

        async fn connected_to_upstream(
            &self,
            _session: &mut Session,
            _reused: bool,
            _peer: &HttpPeer,
            #[cfg(unix)] _fd: std::os::unix::io::RawFd,
            #[cfg(windows)] _sock: std::os::windows::io::RawSocket,
            _digest: Option<&Digest>,
            _ctx: &mut Self::CTX,
        ) -> Result<()>
        where
            Self::CTX: Send + Sync,
        {
            Ok(())
        }

        fn request_summary(&self, session: &Session, _ctx: &Self::CTX) -> String {
            session.as_ref().request_summary()
        }

        fn is_purge(&self, _session: &Session, _ctx: &Self::CTX) -> bool {
            false
        }

        fn purge_response_filter(
            &self,
            _session: &Session,
            _ctx: &mut Self::CTX,
            _purge_status: PurgeStatus,
            _purge_response: &mut std::borrow::Cow<'static, ResponseHeader>,
        ) -> Result<()> {
            Ok(())
        }
    }

    impl ProxyHttp for Gateway {
        type CTX = u32;

        fn new_ctx(&self) -> u32 {
            0
        }

        async fn upstream_peer(
            &self,
            session: &mut Session,
            ctx: &mut u32,
        ) -> Result<Box<HttpPeer>> {
            *ctx += 1;
            Ok(Box::new(HttpPeer {
                addr: self.upstream.clone(),
            }))
        }

        async fn request_filter(&self, session: &mut Session, ctx: &mut u32) -> Result<bool> {
            if session.req_header().uri == "/blocked" {
                session.respond_error(403).await?;
                return Ok(true);
            }
            Ok(false)
        }
    }

    pub async fn run() {
        let proxy: Arc<dyn SendDynProxyHttp<CTX = u32>> = Arc::new(Gateway {
            upstream: "10.0.0.1:443".into(),
        });
        let mut session = Session::default();
        let mut ctx = proxy.new_ctx_dyn();
        session.downstream.req.uri = "/blocked".into();
        assert!(proxy.request_filter(&mut session, &mut ctx).await.unwrap());
        assert_eq!(session.responded, Some(403));
        let peer = proxy
            .upstream_peer_send(&mut session, &mut ctx)
            .await
            .unwrap();
        assert_eq!((peer.addr.as_str(), ctx), ("10.0.0.1:443", 1));
    }
}
