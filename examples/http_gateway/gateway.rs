//! The gateway itself: its plugins, the [`Registry`] that holds them, the
//! HTTP routes and [`serve`].
//!
//! `main.rs` runs it; `tests/http_gateway.rs` and `benches/gateway.rs`
//! include this file (`#[path = "../examples/http_gateway/gateway.rs"]`) to
//! start the same gateway on a port of their own.
//!
//! | route | answer |
//! |---|---|
//! | `POST /plugins/{name}`, JSON body | 200 and the plugin's JSON output (header `x-plugin-future`: `inline` or `heap`); 400 malformed JSON; 404 unknown plugin; 422 the plugin refused the input; 500 the plugin panicked; 504 no answer within the timeout |
//! | `GET /plugins` | `{"plugins": [names]}` |
//! | `GET /stats` | per-plugin counters, the gateway's answers by kind, the sizing report |
//!
//! Every error is JSON: `{"error": "...", "plugin": "..."}`.

use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::{Json, Router};
use futures_util::FutureExt;
use futures_util::future::Either;
use hybrid_dispatch::space::S32;
use hybrid_dispatch::{Registry, SendDynService, Service, service_fn};
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;
use tracing::Instrument;
use tracing::field::{Empty, display};

/// What every plugin answers: its JSON output, or why it refused the input.
pub(crate) type Reply = Result<Value, PluginError>;

/// A plugin's refusal of its input, answered with 422 and the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PluginError(pub(crate) String);

/// The plugins: JSON in, [`Reply`] out, futures of up to 256 bytes inline.
///
/// Chosen from the sizing report (printed at startup, and in `GET /stats`):
/// with the default capacity, `sleep`'s future (160 bytes: it holds a
/// tokio `Sleep`) would go to the heap on every call; 256 bytes keep
/// `echo`, `hash`, `sleep` and `panic` inline, even with the 56 bytes the
/// `tracing` feature's span adds. Two plugins spill: `render` on purpose
/// (1 KiB of state), and `chain` at any capacity: its future holds a call
/// of this same registry in flight, which is larger than the capacity it
/// is erased into.
pub(crate) type Plugins = Registry<Value, Reply, S32>;

/// The same plugins behind `Box<dyn Future>`, for [`Dispatch::Boxed`].
type BoxedPlugins = BTreeMap<&'static str, Arc<dyn SendDynService<Value, Reply, S32>>>;

/// How the gateway reaches a plugin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dispatch {
    /// Through the [`Registry`]: the inline erasure, counted per plugin.
    Registry,
    /// Through a map of `Arc<dyn SendDynService>` called with
    /// `call_send_boxed`: one `Box` per call, nothing counted. For
    /// comparison (`benches/gateway.rs`); `GET /stats` counts only what
    /// goes through the registry, and plugins registered while the gateway
    /// runs are only reachable through it.
    Boxed,
}

/// The gateway's settings.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Config {
    /// How long a plugin may take; then the request gets 504 and the
    /// plugin's future is dropped (counted as cancelled).
    pub(crate) timeout: Duration,
    /// How plugins are called.
    pub(crate) dispatch: Dispatch,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timeout: Duration::from_secs(2),
            dispatch: Dispatch::Registry,
        }
    }
}

/// The longest `sleep` a request may ask for.
pub(crate) const MAX_SLEEP_MS: u64 = 60_000;
/// The most rounds `hash` computes for one request: its work runs on a
/// runtime worker without yielding, so this bounds how long one request
/// can hold that worker.
pub(crate) const MAX_ROUNDS: u64 = 100_000;
/// The most steps in one `chain`.
pub(crate) const MAX_STEPS: usize = 8;
/// `render`'s page: 16 lines of 64 columns.
const COLUMNS: usize = 64;
const PAGE: usize = 16 * COLUMNS;

/// The gateway's shared state: cheap to clone (an `Arc`).
#[derive(Clone)]
pub(crate) struct Gateway {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    plugins: Plugins,
    /// `Some` for [`Dispatch::Boxed`].
    boxed: Option<BoxedPlugins>,
    answers: Answers,
}

/// The gateway's answers to `POST /plugins/{name}`, by kind.
#[derive(Default)]
struct Answers {
    ok: AtomicU64,
    bad_request: AtomicU64,
    not_found: AtomicU64,
    rejected: AtomicU64,
    panicked: AtomicU64,
    timed_out: AtomicU64,
}

/// Builds the gateway: its plugins and its routes.
pub(crate) fn app(config: Config) -> (Router, Gateway) {
    let gateway = Gateway::new(config);
    let router = Router::new()
        .route("/plugins", get(list_plugins))
        .route("/plugins/{name}", post(call_plugin))
        .route("/stats", get(stats))
        .fallback(no_route)
        .with_state(gateway.clone());
    (router, gateway)
}

/// Serves `router` on `listener` until `shutdown` completes, then lets the
/// requests in flight finish and returns.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    // Small answers go out at once rather than after Nagle's delay.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

impl Gateway {
    fn new(config: Config) -> Self {
        // `chain` calls plugins through the gateway, which owns it: it
        // holds a `Weak`, so the gateway is not kept alive by its own plugin.
        let inner = Arc::new_cyclic(|gateway: &Weak<Inner>| {
            let plugins = Plugins::new();
            let mut boxed = (config.dispatch == Dispatch::Boxed).then(BTreeMap::new);
            add_plugins(&plugins, boxed.as_mut(), gateway);
            Inner {
                config,
                plugins,
                boxed,
                answers: Answers::default(),
            }
        });
        Gateway { inner }
    }

    /// The registry: register and remove plugins while the gateway runs.
    pub(crate) fn plugins(&self) -> &Plugins {
        &self.inner.plugins
    }

    /// Starts a call of plugin `name`: the call, to be awaited, and where
    /// its future lives (`"inline"` or `"heap"`); `None` for an unknown
    /// name. Nothing runs until the call is awaited.
    pub(crate) fn call(
        &self,
        name: &str,
        input: Value,
    ) -> Option<(impl Future<Output = Reply> + Send + 'static, &'static str)> {
        match &self.inner.boxed {
            None => {
                let handle = self.inner.plugins.handle(name).ok()?;
                // Where a call's future goes is decided by its type, so
                // the plugin's sizing says it before the call.
                let placement = if handle.sizing().is_inline() {
                    "inline"
                } else {
                    "heap"
                };
                let call = async move { handle.call(input).await };
                Some((Either::Left(call), placement))
            }
            Some(boxed) => {
                let plugin = Arc::clone(boxed.get(name)?);
                let call = async move { plugin.call_send_boxed(input).await };
                Some((Either::Right(call), "heap"))
            }
        }
    }

    /// Answers `POST /plugins/{name}` with `body`.
    async fn answer(&self, name: &str, body: &[u8]) -> Response {
        let answers = &self.inner.answers;
        let input: Value = match serde_json::from_slice(body) {
            Ok(input) => input,
            Err(err) => {
                answers.bad_request.fetch_add(1, Relaxed);
                let error = format!("malformed JSON body: {err}");
                return error_response(StatusCode::BAD_REQUEST, name, error);
            }
        };
        let Some((call, placement)) = self.call(name, input) else {
            answers.not_found.fetch_add(1, Relaxed);
            let error = format!("no plugin named '{name}'");
            return error_response(StatusCode::NOT_FOUND, name, error);
        };
        tracing::Span::current().record("future", display(placement));

        // A panic is caught around the call's future: it ends this request
        // only (the registry counts the call as panicked). On timeout,
        // `timeout` drops the future, which cancels the call (counted as
        // cancelled).
        let limit = self.inner.config.timeout;
        let result = tokio::time::timeout(limit, AssertUnwindSafe(call).catch_unwind()).await;
        match result {
            Ok(Ok(Ok(output))) => {
                answers.ok.fetch_add(1, Relaxed);
                let header = [("x-plugin-future", placement)];
                (StatusCode::OK, header, Json(output)).into_response()
            }
            Ok(Ok(Err(PluginError(error)))) => {
                answers.rejected.fetch_add(1, Relaxed);
                error_response(StatusCode::UNPROCESSABLE_ENTITY, name, error)
            }
            Ok(Err(_payload)) => {
                answers.panicked.fetch_add(1, Relaxed);
                // The panic hook has reported the message and location.
                tracing::error!(plugin = name, "plugin panicked; answered 500");
                let error = format!("plugin '{name}' panicked");
                error_response(StatusCode::INTERNAL_SERVER_ERROR, name, error)
            }
            Err(_elapsed) => {
                answers.timed_out.fetch_add(1, Relaxed);
                let ms = limit.as_millis();
                tracing::warn!(plugin = name, ms, "plugin timed out; its call was dropped");
                let error = format!("plugin '{name}' did not answer within {ms} ms");
                error_response(StatusCode::GATEWAY_TIMEOUT, name, error)
            }
        }
    }

    /// `GET /stats`, built from the registry's public counters.
    pub(crate) fn stats(&self) -> Value {
        let stats = self.inner.plugins.stats();
        let mut plugins = Map::new();
        let mut total = Map::new();
        for (name, s) in stats.iter() {
            let counters = [
                ("calls", s.calls),
                ("inline", s.inline),
                ("heap", s.heap),
                ("heap_bytes", s.heap_bytes),
                ("in_flight", s.in_flight),
                ("completed", s.completed),
                ("cancelled", s.cancelled),
                ("panicked", s.panicked),
            ];
            for (key, value) in counters {
                let sum = total.entry(key).or_insert(json!(0));
                *sum = json!(sum.as_u64().unwrap_or(0) + value);
            }
            plugins.insert(name.to_owned(), Value::Object(object(counters)));
        }

        let sizing = self.inner.plugins.sizing();
        let mut futures = Map::new();
        for (name, entry) in sizing.iter() {
            let layout = entry.future_layout();
            let placement = if entry.is_inline() { "inline" } else { "heap" };
            let fields = json!({
                "future_bytes": layout.size(),
                "future_align": layout.align(),
                "placement": placement,
                "service_type": entry.service_type_name(),
            });
            futures.insert(name.to_owned(), fields);
        }

        let a = &self.inner.answers;
        json!({
            "plugins": plugins,
            "total": total,
            "answers": {
                "ok": a.ok.load(Relaxed),
                "bad_request": a.bad_request.load(Relaxed),
                "not_found": a.not_found.load(Relaxed),
                "rejected": a.rejected.load(Relaxed),
                "panicked": a.panicked.load(Relaxed),
                "timed_out": a.timed_out.load(Relaxed),
            },
            "sizing": {
                "capacity": sizing.capacity(),
                "capacity_align": sizing.capacity_align(),
                "all_inline": sizing.all_inline(),
                "required_capacity": sizing.required_capacity(),
                "smallest_space": sizing.smallest_space(),
                "plugins": futures,
            },
        })
    }
}

fn object<const N: usize>(pairs: [(&str, u64); N]) -> Map<String, Value> {
    pairs
        .into_iter()
        .map(|(key, value)| (key.to_owned(), json!(value)))
        .collect()
}

fn error_response(status: StatusCode, plugin: &str, error: String) -> Response {
    (status, Json(json!({ "error": error, "plugin": plugin }))).into_response()
}

async fn call_plugin(
    State(gateway): State<Gateway>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    // One span per request: with `FmtSpan::CLOSE` the log has a line per
    // dispatch with the plugin, where its future lived and the status.
    let span = tracing::info_span!("request", plugin = %name, future = Empty, status = Empty);
    let response = gateway.answer(&name, &body).instrument(span.clone()).await;
    span.record("status", response.status().as_u16());
    response
}

async fn list_plugins(State(gateway): State<Gateway>) -> Json<Value> {
    Json(json!({ "plugins": gateway.plugins().names() }))
}

async fn stats(State(gateway): State<Gateway>) -> Json<Value> {
    Json(gateway.stats())
}

async fn no_route(method: Method, uri: Uri) -> Response {
    let error = json!({ "error": format!("no route for {method} {uri}") });
    (StatusCode::NOT_FOUND, Json(error)).into_response()
}

// ---------------------------------------------------------------------------
// The plugins.

/// Registers the plugins: six services of different future sizes.
fn add_plugins(plugins: &Plugins, mut boxed: Option<&mut BoxedPlugins>, gateway: &Weak<Inner>) {
    // Ready at once: a future the size of its output.
    let echo = service_fn(|input: Value| std::future::ready(Ok(input)));
    add(plugins, boxed.as_deref_mut(), "echo", echo);

    // Awaits a tokio timer: the future holds a `Sleep`.
    let sleep = service_fn(|input: Value| async move {
        let ms = input
            .get("ms")
            .and_then(Value::as_u64)
            .filter(|ms| *ms <= MAX_SLEEP_MS)
            .ok_or_else(|| refuse(format!("expected {{\"ms\": 0..={MAX_SLEEP_MS}}}")))?;
        drop(input);
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Ok(json!({ "slept_ms": ms }))
    });
    add(plugins, boxed.as_deref_mut(), "sleep", sleep);

    // CPU-bound: no await at all; works for up to `MAX_ROUNDS` rounds.
    let hash = service_fn(|input: Value| async move {
        let usage = || {
            refuse(format!(
                "expected {{\"text\": string, \"rounds\": 1..={MAX_ROUNDS}}}"
            ))
        };
        let text = input
            .get("text")
            .and_then(Value::as_str)
            .ok_or_else(usage)?;
        let rounds = match input.get("rounds") {
            None => 1,
            Some(rounds) => rounds
                .as_u64()
                .filter(|r| (1..=MAX_ROUNDS).contains(r))
                .ok_or_else(usage)?,
        };
        let hash = fnv1a(text.as_bytes(), rounds);
        Ok(json!({ "hash": format!("{hash:016x}"), "rounds": rounds }))
    });
    add(plugins, boxed.as_deref_mut(), "hash", hash);

    // Too large on purpose: lays the text out on a 1 KiB page that lives
    // across an await, so every call's future goes to the heap.
    let render = service_fn(|input: Value| async move {
        let text = input
            .get("text")
            .and_then(Value::as_str)
            .ok_or_else(|| refuse("expected {\"text\": string}".into()))?;
        let mut page = [b' '; PAGE];
        for (cell, byte) in page
            .iter_mut()
            .zip(text.bytes().filter(u8::is_ascii_graphic))
        {
            *cell = byte;
        }
        tokio::task::yield_now().await;
        let glyphs = page.iter().filter(|b| **b != b' ').count();
        let lines: Vec<String> = page
            .chunks(COLUMNS)
            .map(|line| String::from_utf8_lossy(line).trim_end().to_owned())
            .filter(|line| !line.is_empty())
            .collect();
        Ok(json!({ "glyphs": glyphs, "lines": lines }))
    });
    add(plugins, boxed.as_deref_mut(), "render", render);

    // Calls other plugins through the gateway, feeding each step's output
    // to the next: its future holds the step's call in flight.
    let gateway = gateway.clone();
    let chain = service_fn(move |input: Value| {
        let gateway = gateway.clone();
        async move {
            let gateway = gateway
                .upgrade()
                .map(|inner| Gateway { inner })
                .ok_or_else(|| refuse("the gateway is shutting down".into()))?;
            let usage = || {
                refuse(format!(
                    "expected {{\"steps\": [1..={MAX_STEPS} plugin names other than chain], \"input\": any}}"
                ))
            };
            let steps: Vec<String> = input
                .get("steps")
                .and_then(Value::as_array)
                .filter(|steps| (1..=MAX_STEPS).contains(&steps.len()))
                .ok_or_else(usage)?
                .iter()
                .map(|step| step.as_str().filter(|s| *s != "chain").map(str::to_owned))
                .collect::<Option<_>>()
                .ok_or_else(usage)?;
            let mut value = input.get("input").cloned().unwrap_or(Value::Null);
            drop(input);
            for step in &steps {
                let (call, _) = gateway
                    .call(step, value)
                    .ok_or_else(|| refuse(format!("no plugin named '{step}'")))?;
                value = call
                    .await
                    .map_err(|PluginError(e)| refuse(format!("step '{step}': {e}")))?;
            }
            Ok(json!({ "output": value, "steps": steps.len() }))
        }
    });
    add(plugins, boxed.as_deref_mut(), "chain", chain);

    // Misbehaves: panics inside its future. The gateway answers 500 for
    // that request only; the registry counts the call as panicked.
    let panic = service_fn(|input: Value| async move {
        panic!("the panic plugin panicked, as asked ({input})");
    });
    add(plugins, boxed, "panic", panic);
}

/// Registers `plugin` under `name` (and puts a copy in `boxed`). With the
/// crate's `tracing` feature, wraps it in `Traced` first, so every call
/// gets a span with the plugin's name, where its future lives and how the
/// call ended.
fn add<S>(plugins: &Plugins, boxed: Option<&mut BoxedPlugins>, name: &'static str, plugin: S)
where
    S: Service<Value, Response = Reply> + Clone + Send + Sync + 'static,
    for<'a> S::Future<'a>: Send,
{
    #[cfg(feature = "tracing")]
    let plugin = hybrid_dispatch::layer::Traced::new(plugin, name);
    if let Some(boxed) = boxed {
        boxed.insert(name, Arc::new(plugin.clone()));
    }
    plugins
        .register(name, plugin)
        .expect("each plugin has its own name");
}

fn refuse(message: String) -> PluginError {
    PluginError(message)
}

/// FNV-1a (64-bit) over `bytes`, `rounds` times, carrying the state.
fn fnv1a(bytes: &[u8], rounds: u64) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for _ in 0..rounds {
        for &byte in bytes {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}
