//! The HTTP side: routes, handlers and the tower stack around them.
//!
//! From the outside in, every request passes through:
//!
//! 1. [`answer`], which works out the route and plugin name once, counts
//!    every answer by route and kind and gives the error answers that
//!    tower's and tower-http's layers make (405, 408, 413, 500, 504) the
//!    gateway's JSON body;
//! 2. tower-http's `TraceLayer`: one log line per request
//!    ([`crate::log`]);
//! 3. tower-http's `CatchPanicLayer`: a panicking plugin ends its request
//!    with 500, nothing else;
//! 4. on the three plugin routes only (so `/healthz`, `/readyz`, `/metrics`
//!    and `/stats` answer under any load): tower's `LoadShed` over a
//!    `GlobalConcurrencyLimit` (over `max_in_flight` plugin requests in
//!    flight: 503 with `Retry-After` at once), tower-http's
//!    `RequestBodyLimitLayer` (413), `TimeoutLayer` (504; the plugin's
//!    future is dropped, which counts the call as cancelled) and
//!    `RequestBodyTimeoutLayer` (408 when the body stalls).
//!
//! On the stream route these layers see the request until the response
//! head: the stream's first item, not the stream. What bounds the rest is
//! in [`stream`](crate::stream).

use std::any::Any;
use std::error::Error as StdError;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::error_handling::HandleErrorLayer;
use axum::extract::{Extension, Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::sse::{KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{BoxError, Json, Router};
use http_body_util::LengthLimitError;
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::load_shed::LoadShedLayer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutError, TimeoutLayer};
use tower_http::trace::TraceLayer;

use crate::Config;
use crate::gateway::{Gateway, Kind, Route};
use crate::log::{self, SHOWN_CHARS, shown};
use crate::plugins::{Health, PluginError};
use crate::stream::{EventStream, Opened};

/// The longest plugin name the gateway looks up, in bytes (decoded).
pub const MAX_NAME_BYTES: usize = 128;

/// Seconds a client is told to wait (`Retry-After`) when the gateway sheds
/// load.
pub const RETRY_AFTER_SECONDS: u64 = 1;

/// Builds the gateway: its plugins and its routes, with every layer.
pub fn app(config: Config) -> (Router, Gateway) {
    let gateway = Gateway::new(config);
    let in_flight = Arc::new(Semaphore::new(config.max_in_flight));
    let plugin_routes = Router::new()
        .route("/plugins/{name}", post(call_plugin))
        .route("/plugins/{name}/health", get(check_plugin))
        .route(
            "/plugins/{name}/stream",
            get(stream_plugin).post(stream_plugin),
        )
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(move |error: BoxError| async move {
                    overloaded(&error, config.max_in_flight)
                }))
                .layer(LoadShedLayer::new())
                .layer(GlobalConcurrencyLimitLayer::with_semaphore(in_flight))
                .layer(RequestBodyLimitLayer::new(config.max_body_bytes))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::GATEWAY_TIMEOUT,
                    config.timeout,
                ))
                .layer(RequestBodyTimeoutLayer::new(config.body_timeout)),
        );
    let router = Router::new()
        .route("/plugins", get(list_plugins))
        .route("/stats", get(stats))
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(plugin_routes)
        .fallback(no_route)
        .layer(CatchPanicLayer::custom(panicked))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(log::request_span)
                .on_request(())
                .on_response(log::answered)
                .on_body_chunk(())
                .on_eos(())
                .on_failure(()),
        )
        .layer(middleware::from_fn_with_state(gateway.clone(), answer))
        .with_state(gateway.clone());
    (router, gateway)
}

/// Which route a request is for, and the plugin name in its path: worked
/// out once per request by [`answer`], read by the log and the handlers.
#[derive(Clone, Debug)]
pub struct RouteInfo {
    /// The route, by the shape of the path (whatever the method).
    pub route: Route,
    /// The plugin name, on the three plugin routes.
    pub name: Option<Name>,
}

impl RouteInfo {
    /// `/plugins/{name}` is [`Route::Handle`], `/plugins/{name}/health`
    /// [`Route::Health`], `/plugins/{name}/stream` [`Route::Stream`]
    /// (`name` percent-decoded), anything else [`Route::Other`].
    pub fn of(path: &str) -> RouteInfo {
        let mut segments = path.strip_prefix("/plugins/").map(|rest| rest.split('/'));
        let (first, second, third) = match &mut segments {
            Some(s) => (s.next(), s.next(), s.next()),
            None => (None, None, None),
        };
        let route = match (first, second, third) {
            (Some(name), None, None) if !name.is_empty() => Some((Route::Handle, name)),
            (Some(name), Some("health"), None) if !name.is_empty() => Some((Route::Health, name)),
            (Some(name), Some("stream"), None) if !name.is_empty() => Some((Route::Stream, name)),
            _ => None,
        };
        match route {
            Some((route, name)) => RouteInfo {
                route,
                name: Some(Name::decode(name)),
            },
            None => RouteInfo {
                route: Route::Other,
                name: None,
            },
        }
    }
}

/// A plugin name from a path, percent-decoded.
#[derive(Clone, Debug)]
pub struct Name {
    /// Decoded; invalid UTF-8 replaced.
    text: String,
    /// Why it cannot name a plugin, if it cannot.
    problem: Option<&'static str>,
}

impl Name {
    fn decode(segment: &str) -> Name {
        let bytes: Vec<u8> = percent_encoding::percent_decode_str(segment).collect();
        let problem = if bytes.len() > MAX_NAME_BYTES {
            Some("longer than 128 bytes")
        } else if std::str::from_utf8(&bytes).is_err() {
            Some("not UTF-8")
        } else if bytes.iter().any(u8::is_ascii_control) {
            Some("control characters")
        } else {
            None
        };
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
        };
        Name { text, problem }
    }

    /// The name, if it can name a plugin.
    pub fn valid(&self) -> Result<&str, &'static str> {
        match self.problem {
            None => Ok(&self.text),
            Some(problem) => Err(problem),
        }
    }

    /// As logged: quoted, escaped, bounded ([`shown`]).
    pub fn shown(&self) -> String {
        shown(&self.text, SHOWN_CHARS)
    }

    /// As echoed in a JSON error: the name, or for a bad one its first
    /// [`SHOWN_CHARS`] characters (JSON escapes the rest).
    pub fn echoed(&self) -> String {
        match self.problem {
            None => self.text.clone(),
            Some(_) => self.text.chars().take(SHOWN_CHARS).collect(),
        }
    }
}

/// The outermost layer: the route info in, every answer counted, every
/// error JSON.
async fn answer(State(gateway): State<Gateway>, mut request: Request, next: Next) -> Response {
    let info = Arc::new(RouteInfo::of(request.uri().path()));
    let method = request.method().clone();
    request.extensions_mut().insert(Arc::clone(&info));
    let response = next.run(request).await;
    let kind = Kind::of(
        response.status().as_u16(),
        response.extensions().get::<Kind>().copied(),
    );
    gateway.count(info.route, kind);
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    // An answer made by a layer (tower, tower-http, axum's method router):
    // the same JSON as the gateway's own, its headers (`Allow`,
    // `Retry-After`) kept.
    let (mut parts, _) = response.into_parts();
    let error = layer_error(status, &method, &info, gateway.config());
    let mut body = json!({ "error": error });
    if let Some(name) = &info.name {
        body["plugin"] = json!(name.echoed());
    }
    parts.headers.remove(CONTENT_LENGTH);
    parts
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, Body::from(body.to_string()))
}

/// The message of an error answer that a layer made.
fn layer_error(status: StatusCode, method: &Method, info: &RouteInfo, config: &Config) -> String {
    let plugin = info.name.as_ref().map(|n| n.echoed());
    let plugin = plugin.as_deref().unwrap_or("");
    match status {
        StatusCode::METHOD_NOT_ALLOWED => format!("method {method} is not allowed on this route"),
        StatusCode::REQUEST_TIMEOUT => "the request did not arrive in time".to_owned(),
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "the request body is over the limit of {} bytes",
            config.max_body_bytes
        ),
        StatusCode::INTERNAL_SERVER_ERROR if info.name.is_some() => {
            format!("plugin '{plugin}' panicked")
        }
        StatusCode::GATEWAY_TIMEOUT if info.name.is_some() => format!(
            "plugin '{plugin}' did not answer within {} ms",
            config.timeout.as_millis()
        ),
        status => status.canonical_reason().unwrap_or("error").to_lowercase(),
    }
}

/// `CatchPanicLayer`'s answer: 500; [`answer`] writes its body. The panic
/// hook (see `main.rs`) has logged the message.
fn panicked(_payload: Box<dyn Any + Send + 'static>) -> Response {
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// `LoadShed`'s error: 503 with `Retry-After`.
fn overloaded(error: &BoxError, max_in_flight: usize) -> Response {
    let message = if error.is::<tower::load_shed::error::Overloaded>() {
        format!("overloaded: {max_in_flight} plugin requests in flight; retry later")
    } else {
        format!("unavailable: {error}")
    };
    retry_later(message)
}

/// 503 with `Retry-After`, counted as [`Kind::Overloaded`].
fn retry_later(message: String) -> Response {
    let retry = HeaderValue::from(RETRY_AFTER_SECONDS);
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        [(RETRY_AFTER, retry)],
        Json(json!({ "error": message })),
    )
        .into_response();
    response.extensions_mut().insert(Kind::Overloaded);
    response
}

fn error_response(status: StatusCode, plugin: &str, error: String) -> Response {
    (status, Json(json!({ "error": error, "plugin": plugin }))).into_response()
}

/// The plugin name of a request on a plugin route, or its 400 answer.
#[allow(
    clippy::result_large_err,
    reason = "the error is the answer, returned at once: boxing it only adds an allocation"
)]
fn plugin_name(info: &RouteInfo) -> Result<&str, Response> {
    let name = info.name.as_ref().expect("a plugin route has a name");
    name.valid().map_err(|problem| {
        let error = format!("bad plugin name: {problem}");
        error_response(StatusCode::BAD_REQUEST, &name.echoed(), error)
    })
}

/// The request body, or its error answer: 408 when it stalled past the
/// body timeout, 413 over the body limit, 400 otherwise (the client went
/// away, or sent a broken chunked encoding).
async fn read_body(body: Body, plugin: &str, config: &Config) -> Result<Bytes, Response> {
    let error = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => return Ok(bytes),
        Err(error) => error,
    };
    let mut source: Option<&(dyn StdError + 'static)> = Some(&error);
    while let Some(e) = source {
        if e.is::<TimeoutError>() {
            let ms = config.body_timeout.as_millis();
            let message = format!("the request body stalled for more than {ms} ms");
            return Err(error_response(StatusCode::REQUEST_TIMEOUT, plugin, message));
        }
        if e.is::<LengthLimitError>() {
            let limit = config.max_body_bytes;
            let message = format!("the request body is over the limit of {limit} bytes");
            return Err(error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                plugin,
                message,
            ));
        }
        source = e.source();
    }
    let message = format!("the request body could not be read: {error}");
    Err(error_response(StatusCode::BAD_REQUEST, plugin, message))
}

/// `POST /plugins/{name}`.
async fn call_plugin(
    State(gateway): State<Gateway>,
    Extension(info): Extension<Arc<RouteInfo>>,
    body: Body,
) -> Response {
    let name = match plugin_name(&info) {
        Ok(name) => name,
        Err(answer) => return answer,
    };
    let body = match read_body(body, name, gateway.config()).await {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    let input: Value = match serde_json::from_slice(&body) {
        Ok(input) => input,
        Err(err) => {
            let error = format!("malformed JSON body: {err}");
            return error_response(StatusCode::BAD_REQUEST, name, error);
        }
    };
    drop(body);
    let Some(plugin) = gateway.plugin(name) else {
        return not_found(name);
    };
    let (reply, placement) = plugin.handle(input, Some((&gateway, name))).await;
    match reply {
        Ok(output) => {
            let header = [("x-plugin-future", placement)];
            (StatusCode::OK, header, Json(output)).into_response()
        }
        Err(PluginError(error)) => error_response(StatusCode::UNPROCESSABLE_ENTITY, name, error),
    }
}

/// `GET /plugins/{name}/health`.
async fn check_plugin(
    State(gateway): State<Gateway>,
    Extension(info): Extension<Arc<RouteInfo>>,
) -> Response {
    let name = match plugin_name(&info) {
        Ok(name) => name,
        Err(answer) => return answer,
    };
    let Some(plugin) = gateway.plugin(name) else {
        return not_found(name);
    };
    let (Health { ok, detail }, placement) = plugin.health(Some((&gateway, name))).await;
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let header = [("x-plugin-future", placement)];
    let body = json!({ "plugin": name, "ok": ok, "detail": detail });
    let mut response = (status, header, Json(body)).into_response();
    if !ok {
        response.extensions_mut().insert(Kind::Unhealthy);
    }
    response
}

/// `GET` or `POST /plugins/{name}/stream`: the plugin's stream as
/// server-sent events. The input is the JSON body, `{}` when there is none
/// (so that `curl -N` and a browser's `EventSource` can `GET` it).
async fn stream_plugin(
    State(gateway): State<Gateway>,
    Extension(info): Extension<Arc<RouteInfo>>,
    body: Body,
) -> Response {
    let name = match plugin_name(&info) {
        Ok(name) => name,
        Err(answer) => return answer,
    };
    let body = match read_body(body, name, gateway.config()).await {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    let input: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(input) => input,
            Err(err) => {
                let error = format!("malformed JSON body: {err}");
                return error_response(StatusCode::BAD_REQUEST, name, error);
            }
        }
    };
    drop(body);
    let Some(plugin) = gateway.plugin(name) else {
        return not_found(name);
    };
    if !plugin.streams() {
        let error = format!("plugin '{name}' does not stream");
        return error_response(StatusCode::NOT_FOUND, name, error);
    }
    // The slot before the stream: past `max_streams`, the plugin is not
    // called at all.
    let Some(mut opened) = Opened::new(&gateway, name) else {
        let max = gateway.config().max_streams;
        return retry_later(format!("overloaded: {max} streams open; retry later"));
    };
    let (events, placement) = plugin.events(input);
    opened.placed(placement);
    drop(plugin);
    // Pinned once, where the body will own it: the plugin's stream is
    // polled for its first item here and must not move after. (axum boxes
    // every response body anyway; this box takes that one's place.)
    let mut events = Box::pin(EventStream::new(events, opened));
    // The first item decides the answer; waiting for it is under the
    // route's timeout (504, the stream dropped and counted as cancelled).
    if let Err(PluginError(error)) = events.as_mut().first().await {
        return error_response(StatusCode::UNPROCESSABLE_ENTITY, name, error);
    }
    let keep_alive = KeepAlive::new().interval(gateway.config().keep_alive);
    let header = [("x-plugin-future", placement)];
    (header, Sse::new(events).keep_alive(keep_alive)).into_response()
}

fn not_found(name: &str) -> Response {
    let error = format!("no plugin named '{name}'");
    error_response(StatusCode::NOT_FOUND, name, error)
}

async fn list_plugins(State(gateway): State<Gateway>) -> Json<Value> {
    Json(gateway.list())
}

async fn stats(State(gateway): State<Gateway>) -> Json<Value> {
    Json(gateway.stats())
}

async fn metrics(State(gateway): State<Gateway>) -> Response {
    let content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    ([(CONTENT_TYPE, content_type)], gateway.metrics_text()).into_response()
}

/// Liveness: the process answers.
async fn healthz() -> Json<Value> {
    Json(json!({ "ok": true }))
}

/// Readiness: 503 from the first shutdown signal on, so that a load
/// balancer stops sending new work while the gateway drains.
async fn readyz(State(gateway): State<Gateway>) -> Response {
    if gateway.is_draining() {
        let body = Json(json!({ "ready": false, "reason": "draining" }));
        let mut response = (StatusCode::SERVICE_UNAVAILABLE, body).into_response();
        response.extensions_mut().insert(Kind::NotReady);
        response
    } else {
        Json(json!({ "ready": true })).into_response()
    }
}

async fn no_route(method: Method, uri: Uri) -> Response {
    let path: String = uri.path().chars().take(SHOWN_CHARS).collect();
    let error = json!({ "error": format!("no route for {method} {path}") });
    (StatusCode::NOT_FOUND, Json(error)).into_response()
}
