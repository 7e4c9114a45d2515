//! The gateway itself: the [`Plugin`] trait, its six plugins, the
//! [`TwinRegistry`] that holds them, the HTTP routes and [`serve`].
//!
//! `main.rs` runs it; `tests/http_gateway.rs` and `benches/gateway.rs`
//! include this file (`#[path = "../examples/http_gateway/gateway.rs"]`) to
//! start the same gateway on a port of their own.
//!
//! | route | answer |
//! |---|---|
//! | `POST /plugins/{name}`, JSON body | 200 and the plugin's JSON output (header `x-plugin-future`: `inline` or `heap`); 400 malformed JSON; 404 unknown plugin; 422 the plugin refused the input; 500 the plugin panicked; 504 no answer within the timeout |
//! | `GET /plugins/{name}/health` | 200 `{"plugin", "ok": true, "detail"}`; 503 the same with `"ok": false`; 404, 500 and 504 as above |
//! | `GET /plugins` | `{"plugins": [{"name", "description"}]}`, by name |
//! | `GET /stats` | per plugin and per method: calls, placements, heap bytes, in flight, completed, cancelled, panicked; the gateway's answers by kind; the sizing report |
//!
//! Every error is JSON: `{"error": "...", "plugin": "..."}`.

use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::{Json, Router};
use futures_util::FutureExt;
use futures_util::future::Either;
use hybrid_dispatch::registry::{TwinHandle, TwinRegistry};
use hybrid_dispatch::space::S32;
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;
use tracing::Instrument;
use tracing::field::{Empty, display};

/// A gateway plugin: what a user writing a gateway writes, with plain
/// `async fn`. `#[dyn_twin]` generates `DynPlugin`, its `dyn` twin with
/// inline futures, and (`send = …`) `SendDynPlugin`, the `Send + Sync`
/// twin the gateway's tasks share: `handle_send`, `health_send` and
/// `describe_dyn` on `dyn SendDynPlugin`, plus `handle_layout` /
/// `health_layout`, the size of each method's future.
#[hybrid_dispatch::dyn_twin(DynPlugin, send = SendDynPlugin)]
pub(crate) trait Plugin {
    /// One line for `GET /plugins`: what the plugin does with its input.
    fn describe(&self) -> &str;

    /// Answers one `POST /plugins/{name}`: JSON in, JSON out, or a refusal
    /// of the input (422).
    async fn handle(&self, input: Value) -> Reply;

    /// Answers `GET /plugins/{name}/health`: can the plugin do its job?
    async fn health(&self) -> Health;
}

/// What `handle` answers: its JSON output, or why it refused the input.
pub(crate) type Reply = Result<Value, PluginError>;

/// A plugin's refusal of its input, answered with 422 and the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PluginError(pub(crate) String);

/// What `health` answers: 200 when `ok`, 503 otherwise, with the detail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Health {
    /// Whether the plugin can do its job.
    pub(crate) ok: bool,
    /// What was checked, in a few words.
    pub(crate) detail: String,
}

impl Health {
    fn ok(detail: impl Into<String>) -> Self {
        Health {
            ok: true,
            detail: detail.into(),
        }
    }

    fn failing(detail: impl Into<String>) -> Self {
        Health {
            ok: false,
            detail: detail.into(),
        }
    }
}

/// The inline capacity of the plugins' futures: 256 bytes.
///
/// Chosen from the sizing report (printed at startup, and in `GET /stats`;
/// x86-64, rustc 1.95): every method's future is 16 to 48 bytes except
/// `sleep.handle` (200 bytes) and `sleep.health` (144), which hold a tokio
/// `Sleep`. With the default capacity (120 bytes) both would go to the heap
/// on every call; 256 is the smallest named capacity above 200. Two
/// futures spill at any reasonable capacity: `render.handle` on purpose
/// (1 KiB of state), and `chain.handle`, whose future holds a call of this
/// same registry in flight, larger than the capacity it is erased into.
/// (The `tracing` feature's per-call span wraps the erased future from the
/// outside, so it changes none of these sizes.)
pub(crate) type Space = S32;

/// The plugins, by name, behind their `Send` twin; every entry counts its
/// calls per method.
pub(crate) type Plugins = TwinRegistry<dyn SendDynPlugin<Space>>;

/// The same plugins behind `Box<dyn Future>`, for [`Dispatch::Boxed`].
type BoxedPlugins = BTreeMap<&'static str, Arc<dyn BoxedPlugin>>;

/// A boxed future, as `#[async_trait]` returns.
type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The [`Plugin`] trait the way `#[async_trait]` (or `dynosaur`) makes it
/// callable through `dyn`: every call boxes its future. Implemented for
/// every plugin, for [`Dispatch::Boxed`].
pub(crate) trait BoxedPlugin: Send + Sync {
    /// [`Plugin::handle`], its future boxed.
    fn handle_boxed(&self, input: Value) -> BoxFuture<'_, Reply>;
    /// [`Plugin::health`], its future boxed.
    fn health_boxed(&self) -> BoxFuture<'_, Health>;
}

impl<P: Plugin + Send + Sync> BoxedPlugin for P {
    fn handle_boxed(&self, input: Value) -> BoxFuture<'_, Reply> {
        Box::pin(self.handle(input))
    }

    fn health_boxed(&self) -> BoxFuture<'_, Health> {
        Box::pin(self.health())
    }
}

/// How the gateway reaches a plugin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dispatch {
    /// Through the [`TwinRegistry`]: the inline erasure, counted per
    /// plugin and per method.
    Twin,
    /// Through a map of `Arc<dyn BoxedPlugin>`: one `Box` per call,
    /// nothing counted. For comparison (`benches/gateway.rs`); `GET /stats`
    /// counts only what goes through the registry, and plugins registered
    /// while the gateway runs are only reachable through it.
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
            dispatch: Dispatch::Twin,
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
    /// `POST /plugins/{name}`'s answers.
    handled: Answers,
    /// `GET /plugins/{name}/health`'s answers.
    checked: Answers,
}

/// The gateway's answers on one route, by kind.
#[derive(Default)]
struct Answers {
    ok: AtomicU64,
    bad_request: AtomicU64,
    not_found: AtomicU64,
    rejected: AtomicU64,
    unhealthy: AtomicU64,
    panicked: AtomicU64,
    timed_out: AtomicU64,
}

fn count(counter: &AtomicU64) {
    counter.fetch_add(1, Relaxed);
}

impl Answers {
    fn to_json(&self) -> Value {
        json!({
            "ok": self.ok.load(Relaxed),
            "bad_request": self.bad_request.load(Relaxed),
            "not_found": self.not_found.load(Relaxed),
            "rejected": self.rejected.load(Relaxed),
            "unhealthy": self.unhealthy.load(Relaxed),
            "panicked": self.panicked.load(Relaxed),
            "timed_out": self.timed_out.load(Relaxed),
        })
    }
}

/// Builds the gateway: its plugins and its routes.
pub(crate) fn app(config: Config) -> (Router, Gateway) {
    let gateway = Gateway::new(config);
    let router = Router::new()
        .route("/plugins", get(list_plugins))
        .route("/plugins/{name}", post(call_plugin))
        .route("/plugins/{name}/health", get(check_plugin))
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

/// One plugin, resolved for one request.
pub(crate) enum Resolved {
    /// A registry entry: calls are tracked (in flight, then completed,
    /// cancelled or panicked) per method.
    Twin(TwinHandle<dyn SendDynPlugin<Space>>),
    /// [`Dispatch::Boxed`].
    Boxed(Arc<dyn BoxedPlugin>),
}

impl Resolved {
    /// Starts a `handle` call: the call, to be awaited, and where its
    /// future lives (`"inline"` or `"heap"`). Nothing runs until it is
    /// awaited.
    pub(crate) fn handle(
        &self,
        input: Value,
    ) -> (impl Future<Output = Reply> + Send + '_, &'static str) {
        let (call, placement) = match self {
            Resolved::Twin(plugin) => {
                let call = plugin.track("handle", |p| p.handle_send(input));
                let placement = placement_of(call.is_heap());
                (Either::Left(call), placement)
            }
            Resolved::Boxed(plugin) => (Either::Right(plugin.handle_boxed(input)), "heap"),
        };
        (call, placement)
    }

    /// Starts a `health` call, as [`handle`](Self::handle) does.
    pub(crate) fn health(&self) -> (impl Future<Output = Health> + Send + '_, &'static str) {
        let (call, placement) = match self {
            Resolved::Twin(plugin) => {
                let call = plugin.track("health", |p| p.health_send());
                let placement = placement_of(call.is_heap());
                (Either::Left(call), placement)
            }
            Resolved::Boxed(plugin) => (Either::Right(plugin.health_boxed()), "heap"),
        };
        (call, placement)
    }
}

/// The `x-plugin-future` header's value.
fn placement_of(heap: bool) -> &'static str {
    if heap { "heap" } else { "inline" }
}

/// How a plugin call ended, as the gateway saw it.
enum Ran<T> {
    Done(T),
    Panicked,
    TimedOut,
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
                handled: Answers::default(),
                checked: Answers::default(),
            }
        });
        Gateway { inner }
    }

    /// The registry: register and remove plugins while the gateway runs.
    pub(crate) fn plugins(&self) -> &Plugins {
        &self.inner.plugins
    }

    /// Resolves plugin `name` for one request (`None`: no such plugin).
    pub(crate) fn plugin(&self, name: &str) -> Option<Resolved> {
        match &self.inner.boxed {
            None => self.inner.plugins.handle(name).ok().map(Resolved::Twin),
            Some(boxed) => boxed.get(name).cloned().map(Resolved::Boxed),
        }
    }

    /// Awaits a plugin call within the timeout, catching a panic: it ends
    /// this request only (the registry counts the call as panicked). On
    /// timeout, `timeout` drops the call's future, which cancels it
    /// (counted as cancelled).
    async fn run<T>(&self, name: &str, call: impl Future<Output = T>) -> Ran<T> {
        let limit = self.inner.config.timeout;
        match tokio::time::timeout(limit, AssertUnwindSafe(call).catch_unwind()).await {
            Ok(Ok(output)) => Ran::Done(output),
            Ok(Err(_payload)) => {
                // The panic hook has reported the message and location.
                tracing::error!(plugin = name, "plugin panicked; answered 500");
                Ran::Panicked
            }
            Err(_elapsed) => {
                let ms = limit.as_millis();
                tracing::warn!(plugin = name, ms, "plugin timed out; its call was dropped");
                Ran::TimedOut
            }
        }
    }

    /// Answers `POST /plugins/{name}` with `body`.
    async fn answer(&self, name: &str, body: &[u8]) -> Response {
        let answers = &self.inner.handled;
        let input: Value = match serde_json::from_slice(body) {
            Ok(input) => input,
            Err(err) => {
                count(&answers.bad_request);
                let error = format!("malformed JSON body: {err}");
                return error_response(StatusCode::BAD_REQUEST, name, error);
            }
        };
        let Some(plugin) = self.plugin(name) else {
            return self.not_found(answers, name);
        };
        let (call, placement) = plugin.handle(input);
        tracing::Span::current().record("future", display(placement));
        match self.run(name, call).await {
            Ran::Done(Ok(output)) => {
                count(&answers.ok);
                let header = [("x-plugin-future", placement)];
                (StatusCode::OK, header, Json(output)).into_response()
            }
            Ran::Done(Err(PluginError(error))) => {
                count(&answers.rejected);
                error_response(StatusCode::UNPROCESSABLE_ENTITY, name, error)
            }
            Ran::Panicked => self.panicked(answers, name),
            Ran::TimedOut => self.timed_out(answers, name),
        }
    }

    /// Answers `GET /plugins/{name}/health`.
    async fn check(&self, name: &str) -> Response {
        let answers = &self.inner.checked;
        let Some(plugin) = self.plugin(name) else {
            return self.not_found(answers, name);
        };
        let (call, placement) = plugin.health();
        tracing::Span::current().record("future", display(placement));
        match self.run(name, call).await {
            Ran::Done(Health { ok, detail }) => {
                let status = if ok {
                    count(&answers.ok);
                    StatusCode::OK
                } else {
                    count(&answers.unhealthy);
                    StatusCode::SERVICE_UNAVAILABLE
                };
                let header = [("x-plugin-future", placement)];
                let body = json!({ "plugin": name, "ok": ok, "detail": detail });
                (status, header, Json(body)).into_response()
            }
            Ran::Panicked => self.panicked(answers, name),
            Ran::TimedOut => self.timed_out(answers, name),
        }
    }

    fn not_found(&self, answers: &Answers, name: &str) -> Response {
        count(&answers.not_found);
        let error = format!("no plugin named '{name}'");
        error_response(StatusCode::NOT_FOUND, name, error)
    }

    fn panicked(&self, answers: &Answers, name: &str) -> Response {
        count(&answers.panicked);
        let error = format!("plugin '{name}' panicked");
        error_response(StatusCode::INTERNAL_SERVER_ERROR, name, error)
    }

    fn timed_out(&self, answers: &Answers, name: &str) -> Response {
        count(&answers.timed_out);
        let ms = self.inner.config.timeout.as_millis();
        let error = format!("plugin '{name}' did not answer within {ms} ms");
        error_response(StatusCode::GATEWAY_TIMEOUT, name, error)
    }

    /// `GET /plugins`: each plugin's name and description.
    fn list(&self) -> Value {
        let plugins = &self.inner.plugins;
        let list: Vec<Value> = plugins
            .names()
            .into_iter()
            // A plugin removed since `names()` is left out.
            .filter_map(|name| {
                let plugin = plugins.handle(&name).ok()?;
                Some(json!({ "name": name, "description": plugin.describe() }))
            })
            .collect();
        json!({ "plugins": list })
    }

    /// `GET /stats`, built from the registry's public counters: per plugin
    /// and per method, what the entry's `CountedTwin` counted (calls,
    /// placements, heap bytes) and how the tracked calls ended.
    pub(crate) fn stats(&self) -> Value {
        let stats = self.inner.plugins.stats();
        let mut plugins = Map::new();
        let mut total = Map::new();
        for (name, counted) in stats.iter() {
            let mut methods = Map::new();
            for (method, c) in counted.iter() {
                let mut counters = vec![("calls", c.calls)];
                // Async methods only: a sync method has no future.
                if let Some(t) = stats.tracked(name, method) {
                    counters.extend([
                        ("inline", c.inline),
                        ("heap", c.heap),
                        ("heap_bytes", c.allocated_bytes),
                        ("in_flight", t.in_flight),
                        ("completed", t.completed),
                        ("cancelled", t.cancelled),
                        ("panicked", t.panicked),
                    ]);
                }
                for (key, value) in &counters {
                    let sum = total.entry(*key).or_insert(json!(0));
                    *sum = json!(sum.as_u64().unwrap_or(0) + value);
                }
                methods.insert(method.to_owned(), Value::Object(object(&counters)));
            }
            plugins.insert(name.to_owned(), Value::Object(methods));
        }

        let sizing = self.inner.plugins.sizing();
        let mut futures = Map::new();
        for (row, entry) in sizing.iter() {
            let layout = entry.future_layout();
            let fields = json!({
                "future_bytes": layout.size(),
                "future_align": layout.align(),
                "placement": placement_of(!entry.is_inline()),
                "plugin_type": entry.service_type_name(),
            });
            futures.insert(row.to_owned(), fields);
        }

        json!({
            "plugins": plugins,
            "total": total,
            "answers": {
                "handle": self.inner.handled.to_json(),
                "health": self.inner.checked.to_json(),
            },
            "sizing": {
                "capacity": sizing.capacity(),
                "capacity_align": sizing.capacity_align(),
                "all_inline": sizing.all_inline(),
                "required_capacity": sizing.required_capacity(),
                "smallest_space": sizing.smallest_space(),
                "futures": futures,
            },
        })
    }
}

fn object(pairs: &[(&str, u64)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), json!(value)))
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

async fn check_plugin(State(gateway): State<Gateway>, Path(name): Path<String>) -> Response {
    let span = tracing::info_span!("health", plugin = %name, future = Empty, status = Empty);
    let response = gateway.check(&name).instrument(span.clone()).await;
    span.record("status", response.status().as_u16());
    response
}

async fn list_plugins(State(gateway): State<Gateway>) -> Json<Value> {
    Json(gateway.list())
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

/// Registers the six plugins (and puts a copy of each in `boxed`).
fn add_plugins(plugins: &Plugins, mut boxed: Option<&mut BoxedPlugins>, gateway: &Weak<Inner>) {
    add(plugins, boxed.as_deref_mut(), "echo", Echo);
    add(plugins, boxed.as_deref_mut(), "sleep", Sleep);
    add(plugins, boxed.as_deref_mut(), "hash", Hash);
    add(plugins, boxed.as_deref_mut(), "render", Render);
    let chain = Chain {
        gateway: gateway.clone(),
    };
    add(plugins, boxed.as_deref_mut(), "chain", chain);
    add(plugins, boxed, "panic", Panic);
}

fn add<P>(plugins: &Plugins, boxed: Option<&mut BoxedPlugins>, name: &'static str, plugin: P)
where
    P: Plugin + Clone + Send + Sync + 'static,
{
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

/// Answers its input as it is: a future the size of its input.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Echo;

impl Plugin for Echo {
    fn describe(&self) -> &str {
        "answers its JSON input as it is"
    }

    async fn handle(&self, input: Value) -> Reply {
        Ok(input)
    }

    async fn health(&self) -> Health {
        Health::ok("answers at once")
    }
}

/// Awaits a tokio timer: its futures hold a `Sleep`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sleep;

impl Plugin for Sleep {
    fn describe(&self) -> &str {
        "sleeps {\"ms\": 0..=60000} milliseconds on a tokio timer"
    }

    async fn handle(&self, input: Value) -> Reply {
        let ms = input
            .get("ms")
            .and_then(Value::as_u64)
            .filter(|ms| *ms <= MAX_SLEEP_MS)
            .ok_or_else(|| refuse(format!("expected {{\"ms\": 0..={MAX_SLEEP_MS}}}")))?;
        drop(input);
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Ok(json!({ "slept_ms": ms }))
    }

    /// The timer works: a 1 ms sleep ends, and not much later.
    async fn health(&self) -> Health {
        let started = Instant::now();
        tokio::time::sleep(Duration::from_millis(1)).await;
        let waited = started.elapsed();
        let detail = format!("a 1 ms timer fired after {} µs", waited.as_micros());
        if waited < Duration::from_millis(500) {
            Health::ok(detail)
        } else {
            Health::failing(detail)
        }
    }
}

/// CPU-bound: no await at all; works for up to `MAX_ROUNDS` rounds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hash;

impl Plugin for Hash {
    fn describe(&self) -> &str {
        "FNV-1a of {\"text\": string}, {\"rounds\": 1..=100000} times"
    }

    async fn handle(&self, input: Value) -> Reply {
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
    }

    /// A self-test against FNV-1a's published value for "a".
    async fn health(&self) -> Health {
        if fnv1a(b"a", 1) == 0xaf63_dc4c_8601_ec8c {
            Health::ok("self-test passed")
        } else {
            Health::failing("self-test failed")
        }
    }
}

/// Too large on purpose: lays the text out on a 1 KiB page that lives
/// across an await, so every `handle` future goes to the heap.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Render;

impl Plugin for Render {
    fn describe(&self) -> &str {
        "lays {\"text\": string} out on a 16 x 64 page"
    }

    async fn handle(&self, input: Value) -> Reply {
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
    }

    async fn health(&self) -> Health {
        Health::ok(format!("{} lines of {COLUMNS} columns", PAGE / COLUMNS))
    }
}

/// Calls other plugins through the gateway, feeding each step's output to
/// the next: its `handle` future holds the step's call in flight.
#[derive(Clone, Debug)]
pub(crate) struct Chain {
    gateway: Weak<Inner>,
}

impl Chain {
    fn gateway(&self) -> Option<Gateway> {
        self.gateway.upgrade().map(|inner| Gateway { inner })
    }
}

impl Plugin for Chain {
    fn describe(&self) -> &str {
        "feeds {\"input\": any} through {\"steps\": [plugin names]}"
    }

    async fn handle(&self, input: Value) -> Reply {
        let gateway = self
            .gateway()
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
            let plugin = gateway
                .plugin(step)
                .ok_or_else(|| refuse(format!("no plugin named '{step}'")))?;
            let (call, _) = plugin.handle(value);
            value = call
                .await
                .map_err(|PluginError(e)| refuse(format!("step '{step}': {e}")))?;
        }
        Ok(json!({ "output": value, "steps": steps.len() }))
    }

    /// It needs the gateway it calls through.
    async fn health(&self) -> Health {
        match self.gateway() {
            Some(gateway) => Health::ok(format!(
                "reaches {} plugins through the gateway",
                gateway.plugins().len()
            )),
            None => Health::failing("the gateway is shutting down"),
        }
    }
}

/// Misbehaves: panics inside its `handle` future. The gateway answers 500
/// for that request only; the registry counts the call as panicked.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Panic;

impl Plugin for Panic {
    fn describe(&self) -> &str {
        "panics, whatever its input"
    }

    async fn handle(&self, input: Value) -> Reply {
        panic!("the panic plugin panicked, as asked ({input})");
    }

    async fn health(&self) -> Health {
        Health::failing("panics on every call, by design")
    }
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
