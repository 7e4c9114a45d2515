//! The gateway's shared state: its plugins, its counters, its metrics.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};
use std::time::Instant;

use futures_util::future::Either;
use hybrid_dispatch::SendInlineFuture;
use hybrid_dispatch::twin::TwinHandle;
use serde_json::{Map, Value, json};

use crate::Config;
use crate::Dispatch;
use crate::metrics::{AnswerLabels, CallLabels, Metrics};
use crate::plugins::{
    BoxFuture, BoxedPlugin, BoxedPlugins, Cap, Health, Plugin, Plugins, Reply, SendDynPlugin,
    add_plugins,
};
use crate::stream::{PluginStream, Streams};

/// The gateway's shared state: cheap to clone (an `Arc`).
#[derive(Clone, Debug)]
pub struct Gateway {
    inner: Arc<Inner>,
}

/// A [`Gateway`] that does not keep it alive: what `chain` holds, since
/// the gateway owns `chain`.
#[derive(Clone, Debug)]
pub struct WeakGateway(Weak<Inner>);

impl WeakGateway {
    /// The gateway, unless it is gone.
    pub fn upgrade(&self) -> Option<Gateway> {
        self.0.upgrade().map(|inner| Gateway { inner })
    }
}

struct Inner {
    config: Config,
    plugins: Plugins,
    /// `Some` for [`Dispatch::Boxed`].
    boxed: Option<BoxedPlugins>,
    answers: Answers,
    metrics: Metrics,
    /// Open streams: their slots, per-plugin counts, the drain signal.
    streams: Streams,
    /// Set on the first shutdown signal: `/readyz` answers 503 from then on.
    draining: AtomicBool,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("config", &self.config)
            .field("plugins", &self.plugins.names())
            .field("draining", &self.draining)
            .finish_non_exhaustive()
    }
}

/// Where an answer went: the three plugin routes, and everything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// `/plugins/{name}`, whatever the method.
    Handle,
    /// `/plugins/{name}/health`, whatever the method.
    Health,
    /// `/plugins/{name}/stream`, whatever the method.
    Stream,
    /// Every other path: `/plugins`, `/stats`, `/metrics`, `/healthz`,
    /// `/readyz`, unknown ones.
    Other,
}

impl Route {
    const ALL: [Route; 4] = [Route::Handle, Route::Health, Route::Stream, Route::Other];

    /// Its name in `/stats` and in `/metrics` (label `route`).
    pub fn name(self) -> &'static str {
        match self {
            Route::Handle => "handle",
            Route::Health => "health",
            Route::Stream => "stream",
            Route::Other => "other",
        }
    }
}

/// What kind of answer the gateway sent: every answer is counted as one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// 2xx.
    Ok,
    /// 400: malformed JSON, a bad plugin name, an unreadable body.
    BadRequest,
    /// 404: no such plugin, no such route, a plugin that does not stream.
    NotFound,
    /// 405: the route exists, not with this method.
    MethodNotAllowed,
    /// 408: the request body stalled longer than the body timeout.
    RequestTimeout,
    /// 413: the request body is over the body limit.
    TooLarge,
    /// 422: the plugin refused its input.
    Rejected,
    /// 500: a plugin (or the gateway) panicked.
    Panicked,
    /// 503 from a plugin's health check.
    Unhealthy,
    /// 503 with `Retry-After`: too many requests in flight (load shedding),
    /// or too many streams open.
    Overloaded,
    /// 503 from `/readyz` while draining.
    NotReady,
    /// 504: no answer within the request timeout.
    TimedOut,
    /// Any other status.
    Other,
}

impl Kind {
    const ALL: [Kind; 13] = [
        Kind::Ok,
        Kind::BadRequest,
        Kind::NotFound,
        Kind::MethodNotAllowed,
        Kind::RequestTimeout,
        Kind::TooLarge,
        Kind::Rejected,
        Kind::Panicked,
        Kind::Unhealthy,
        Kind::Overloaded,
        Kind::NotReady,
        Kind::TimedOut,
        Kind::Other,
    ];

    /// Its name in `/stats` and in `/metrics` (label `kind`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Ok => "ok",
            Kind::BadRequest => "bad_request",
            Kind::NotFound => "not_found",
            Kind::MethodNotAllowed => "method_not_allowed",
            Kind::RequestTimeout => "request_timeout",
            Kind::TooLarge => "too_large",
            Kind::Rejected => "rejected",
            Kind::Panicked => "panicked",
            Kind::Unhealthy => "unhealthy",
            Kind::Overloaded => "overloaded",
            Kind::NotReady => "not_ready",
            Kind::TimedOut => "timed_out",
            Kind::Other => "other",
        }
    }

    /// The kind of an answer with `status`. A 503 is `Overloaded` unless
    /// whoever made it said otherwise (a response extension).
    pub fn of(status: u16, said: Option<Kind>) -> Kind {
        if let Some(kind) = said {
            return kind;
        }
        match status {
            200..=299 => Kind::Ok,
            400 => Kind::BadRequest,
            404 => Kind::NotFound,
            405 => Kind::MethodNotAllowed,
            408 => Kind::RequestTimeout,
            413 => Kind::TooLarge,
            422 => Kind::Rejected,
            500 => Kind::Panicked,
            503 => Kind::Overloaded,
            504 => Kind::TimedOut,
            _ => Kind::Other,
        }
    }

    fn index(self) -> usize {
        Kind::ALL.iter().position(|k| *k == self).expect("listed")
    }
}

/// The answers sent, by route and kind.
#[derive(Default)]
struct Answers {
    counts: [[AtomicU64; Kind::ALL.len()]; Route::ALL.len()],
}

impl Answers {
    fn to_json(&self) -> Value {
        let mut routes = Map::new();
        for (route, counts) in Route::ALL.iter().zip(&self.counts) {
            let kinds: Map<String, Value> = Kind::ALL
                .iter()
                .zip(counts)
                .map(|(kind, n)| (kind.name().to_owned(), json!(n.load(Relaxed))))
                .collect();
            routes.insert(route.name().to_owned(), Value::Object(kinds));
        }
        Value::Object(routes)
    }
}

/// One plugin, resolved for one request.
pub enum Resolved {
    /// A registry entry: calls are tracked (in flight, then completed,
    /// cancelled or panicked) per method.
    Twin(TwinHandle<dyn SendDynPlugin<Cap>>),
    /// [`Dispatch::Boxed`].
    Boxed(Arc<dyn BoxedPlugin>),
}

impl Resolved {
    /// A `handle` call, made when first polled: the reply, and where the
    /// plugin's future lived (`"inline"`, `"recycled"` or `"heap"`).
    /// Counted in `/metrics` when `meter` names the gateway and the plugin
    /// (what the route does).
    ///
    /// The plugin's erased future is built in place, inside this one, and
    /// awaited pinned there, as the twin's bridge does: awaiting this moves
    /// the input and a few pointers, not the 128-byte handle. (Returning
    /// the handle, as this did, moved it into an `Either`, a tuple and the
    /// metering wrapper before the first poll; `GATEWAY_BENCH.md` has the
    /// timings.)
    pub fn handle<'a>(
        &'a self,
        input: Value,
        meter: Option<(&'a Gateway, &'a str)>,
    ) -> impl Future<Output = (Reply, &'static str)> + Send + 'a {
        self.call(
            "handle",
            meter,
            input,
            |plugin, input| plugin.handle_send(input),
            |plugin, input| plugin.handle_boxed(input),
        )
    }

    /// Whether the plugin streams ([`Plugin::streams`]).
    pub fn streams(&self) -> bool {
        match self {
            Resolved::Twin(plugin) => plugin.streams().is_some(),
            Resolved::Boxed(plugin) => plugin.streams_boxed().is_some(),
        }
    }

    /// Starts the plugin's stream ([`Plugin::events`]), and where it lives
    /// (`"inline"`, `"recycled"` or `"heap"`). It owns what it needs: it
    /// outlives the handle (a recycled one keeps its pool alive).
    pub(crate) fn events(&self, input: Value) -> (PluginStream, &'static str) {
        match self {
            Resolved::Twin(plugin) => {
                let events = plugin.events_send(input);
                let placement = placement_of(events.is_recycled(), events.is_heap());
                (Either::Left(events), placement)
            }
            Resolved::Boxed(plugin) => (Either::Right(plugin.events_boxed(input)), "heap"),
        }
    }

    /// A `health` call, as [`handle`](Self::handle) makes one.
    pub fn health<'a>(
        &'a self,
        meter: Option<(&'a Gateway, &'a str)>,
    ) -> impl Future<Output = (Health, &'static str)> + Send + 'a {
        self.call(
            "health",
            meter,
            (),
            |plugin, ()| plugin.health_send(),
            |plugin, ()| plugin.health_boxed(),
        )
    }

    /// Makes `method`'s call with `arg` (`twin` of a registered plugin,
    /// `boxed` of a boxed one) where this future is, and awaits it there,
    /// metered if `meter` says so. One `async` block per kind of plugin:
    /// a single block matching on both made a larger state and moved the
    /// input and the reply more (callgrind, `benches/gateway.rs`).
    fn call<'a, A, T>(
        &'a self,
        method: &'static str,
        meter: Option<(&'a Gateway, &'a str)>,
        arg: A,
        twin: impl FnOnce(&'a TwinHandle<dyn SendDynPlugin<Cap>>, A) -> SendInlineFuture<'a, T, Cap>
        + 'a,
        boxed: impl FnOnce(&'a dyn BoxedPlugin, A) -> BoxFuture<'a, T> + 'a,
    ) -> impl Future<Output = (T, &'static str)> + 'a
    where
        A: 'a,
        T: 'a,
    {
        match self {
            Resolved::Twin(plugin) => Either::Left(async move {
                let call = pin!(twin(plugin, arg));
                let placement = placement_of(call.is_recycled(), call.is_heap());
                let call = traced(call, plugin, method, placement);
                let output = match meter {
                    Some((gateway, name)) => gateway.metered(name, method, placement, call).await,
                    None => call.await,
                };
                (output, placement)
            }),
            Resolved::Boxed(plugin) => Either::Right(async move {
                let call = boxed(&**plugin, arg);
                let output = match meter {
                    Some((gateway, name)) => gateway.metered(name, method, "heap", call).await,
                    None => call.await,
                };
                (output, "heap")
            }),
        }
    }
}

impl std::fmt::Debug for Resolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Resolved::Twin(handle) => f.debug_tuple("Twin").field(handle).finish(),
            Resolved::Boxed(_) => f.write_str("Boxed(..)"),
        }
    }
}

/// The `x-plugin-future` header's value.
fn placement_of(recycled: bool, heap: bool) -> &'static str {
    match (recycled, heap) {
        (true, _) => "recycled",
        (false, true) => "heap",
        (false, false) => "inline",
    }
}

/// With the `tracing` feature, the call in a `call` span naming the plugin,
/// the method and where its future lives, entered around every poll, so
/// what the plugin logs nests under it. (The registry counts how the call
/// ended, in `/stats` and `/metrics`.)
#[cfg(feature = "tracing")]
fn traced<F: Future>(
    call: F,
    plugin: &TwinHandle<dyn SendDynPlugin<Cap>>,
    method: &'static str,
    placement: &'static str,
) -> tracing::instrument::Instrumented<F> {
    use tracing::Instrument;
    call.instrument(tracing::info_span!(
        "call",
        service = %TwinHandle::name(plugin),
        method,
        placement,
    ))
}

/// Without the `tracing` feature, the call as it is.
#[cfg(not(feature = "tracing"))]
fn traced<F: Future>(
    call: F,
    _: &TwinHandle<dyn SendDynPlugin<Cap>>,
    _: &'static str,
    _: &'static str,
) -> F {
    call
}

impl Gateway {
    /// The gateway with its six plugins registered.
    pub fn new(config: Config) -> Self {
        // `chain` calls plugins through the gateway, which owns it: it
        // holds a `Weak`, so the gateway is not kept alive by its own plugin.
        let inner = Arc::new_cyclic(|gateway: &Weak<Inner>| {
            // The futures that do not fit inline are recycled from
            // per-method pools (`max_idle: Some(0)` boxes them instead, to
            // show what a spill costs in `/stats` and `/metrics`).
            let plugins = match config.max_idle {
                Some(max_idle) => Plugins::with_max_idle(max_idle),
                None => Plugins::new(),
            };
            let mut boxed = (config.dispatch == Dispatch::Boxed).then(BoxedPlugins::new);
            add_plugins(&plugins, boxed.as_mut(), WeakGateway(gateway.clone()));
            Inner {
                config,
                plugins,
                boxed,
                answers: Answers::default(),
                metrics: Metrics::new(),
                streams: Streams::new(config.max_streams),
                draining: AtomicBool::new(false),
            }
        });
        Gateway { inner }
    }

    /// Its settings.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The registry: register and remove plugins while the gateway runs.
    pub fn plugins(&self) -> &Plugins {
        &self.inner.plugins
    }

    /// Resolves plugin `name` for one request (`None`: no such plugin).
    ///
    /// A handle (one `Arc` clone of the entry), not `TwinRegistry::get`: a
    /// request holds its plugin for as long as the plugin runs, and a
    /// worker runs many requests at once, while `get`'s snapshot guards
    /// are for short holds (a thread has 16 hazard slots; past them each
    /// load takes a count of the whole map's `Arc` under a process-wide
    /// lock).
    pub fn plugin(&self, name: &str) -> Option<Resolved> {
        match &self.inner.boxed {
            None => self.inner.plugins.handle(name).ok().map(Resolved::Twin),
            Some(boxed) => boxed.get(name).cloned().map(Resolved::Boxed),
        }
    }

    /// `call` (of `plugin`'s `method`, its future in `placement`), counted
    /// in `/metrics` when it ends: completed, cancelled or panicked, and
    /// how long it took.
    pub fn metered<F: Future>(
        &self,
        plugin: &str,
        method: &'static str,
        placement: &'static str,
        call: F,
    ) -> Metered<F> {
        Metered {
            call,
            gateway: self.clone(),
            labels: CallLabels {
                plugin: plugin.to_owned(),
                method,
                placement,
                outcome: "cancelled",
            },
            started: None,
        }
    }

    /// Counts one answer.
    pub fn count(&self, route: Route, kind: Kind) {
        self.inner.answers.counts[Route::ALL.iter().position(|r| *r == route).expect("listed")]
            [kind.index()]
        .fetch_add(1, Relaxed);
        let labels = AnswerLabels {
            route: route.name(),
            kind: kind.name(),
        };
        self.inner.metrics.answers.get_or_create(&labels).inc();
    }

    /// From now on `/readyz` answers 503 (and `gateway_ready` is 0), and
    /// every plugin stream ends (`event: end`, `shutdown`), so that the
    /// drain waits for no stream.
    pub fn start_draining(&self) {
        self.inner.draining.store(true, Relaxed);
        self.inner.metrics.ready.set(0);
        self.inner.streams.drain();
    }

    /// Whether [`start_draining`](Self::start_draining) was called.
    pub fn is_draining(&self) -> bool {
        self.inner.draining.load(Relaxed)
    }

    /// `GET /metrics`: the Prometheus text format.
    pub fn metrics_text(&self) -> String {
        self.inner.metrics.encode()
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub(crate) fn streams(&self) -> &Streams {
        &self.inner.streams
    }

    /// `GET /plugins`: each plugin's name and description, and what its
    /// stream sends (`null`: it does not stream).
    pub(crate) fn list(&self) -> Value {
        let plugins = &self.inner.plugins;
        let list: Vec<Value> = plugins
            .names()
            .into_iter()
            // A plugin removed since `names()` is left out.
            .filter_map(|name| {
                let plugin = plugins.handle(&name).ok()?;
                let (description, stream) = (plugin.describe(), plugin.streams());
                Some(json!({ "name": name, "description": description, "stream": stream }))
            })
            .collect();
        json!({ "plugins": list })
    }

    /// `GET /stats`, built from the registry's public counters: per plugin
    /// and per method, what the entry's `CountedTwin` counted (calls,
    /// placements, bytes allocated) and how the tracked calls ended. The stream
    /// method, `events`, is not a future the registry can track: its
    /// `in_flight` (streams open), `completed`, `cancelled` and `panicked`
    /// are the gateway's own counts (see [`stream`](crate::stream)), with
    /// `items`, the events sent.
    pub fn stats(&self) -> Value {
        let stats = self.inner.plugins.stats();
        let mut plugins = Map::new();
        let mut total = Map::new();
        for (name, counted) in stats.iter() {
            let mut methods = Map::new();
            for (method, c) in counted.iter() {
                let mut counters = vec![("calls", c.calls)];
                // Async methods only: a sync method has no future.
                let streams = (method == "events").then(|| self.inner.streams.counts(name));
                if let Some(streams) = streams {
                    let s = streams.unwrap_or_default();
                    counters.extend([
                        ("inline", c.inline),
                        ("recycled", c.recycled),
                        ("heap", c.heap),
                        ("allocated_bytes", c.allocated_bytes),
                        ("in_flight", s.open.load(Relaxed)),
                        ("completed", s.completed.load(Relaxed)),
                        ("cancelled", s.cancelled.load(Relaxed)),
                        ("panicked", s.panicked.load(Relaxed)),
                        ("items", s.items.load(Relaxed)),
                    ]);
                } else if let Some(t) = stats.tracked(name, method) {
                    counters.extend([
                        ("inline", c.inline),
                        ("recycled", c.recycled),
                        ("heap", c.heap),
                        ("allocated_bytes", c.allocated_bytes),
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
            let mut fields = json!({
                "future_bytes": layout.size(),
                "future_align": layout.align(),
                "placement": placement_of(entry.is_recycled(), !entry.is_inline()),
                "plugin_type": entry.service_type_name(),
            });
            // A recycling method's pool: buffers allocated (misses),
            // freed, and held idle now.
            let pool = row.rsplit_once('.').and_then(|(plugin, method)| {
                let handle = self.inner.plugins.handle(plugin).ok()?;
                TwinHandle::pool_stats(&handle, method)
            });
            if let Some(p) = pool {
                fields["pool"] = json!({
                    "misses": p.misses,
                    "freed": p.freed,
                    "idle": p.idle,
                    "idle_bytes": p.idle_bytes,
                    "max_idle": p.max_idle,
                    "buffer_bytes": p.buffer_bytes,
                });
            }
            futures.insert(row.to_owned(), fields);
        }

        json!({
            "plugins": plugins,
            "total": total,
            "answers": self.inner.answers.to_json(),
            "connections": {
                "accepted": self.inner.metrics.accepted.get(),
                "open": self.inner.metrics.open.get(),
                "header_timeouts": self.inner.metrics.header_timeouts.get(),
            },
            "streams": {
                "open": self.inner.streams.open(),
                "max": self.inner.streams.max(),
            },
            "ready": !self.is_draining(),
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

pin_project_lite::pin_project! {
    /// A plugin call counted in `/metrics` when it ends (see
    /// [`Gateway::metered`]).
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Metered<F> {
        #[pin]
        call: F,
        gateway: Gateway,
        labels: CallLabels,
        // Set at the first poll.
        started: Option<Instant>,
    }

    impl<F> PinnedDrop for Metered<F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some(started) = *this.started {
                this.gateway.inner.metrics.call_ended(this.labels, started);
            }
        }
    }
}

impl<F: std::fmt::Debug> std::fmt::Debug for Metered<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metered")
            .field("labels", &self.labels)
            .finish_non_exhaustive()
    }
}

/// Marks the call panicked if a poll unwinds: the future is dropped later,
/// by whoever caught the panic, when `std::thread::panicking()` no longer
/// says so.
struct PanicGuard<'a>(&'a mut &'static str);

impl Drop for PanicGuard<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            *self.0 = "panicked";
        }
    }
}

impl<F: Future> Future for Metered<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        this.started.get_or_insert_with(Instant::now);
        let guard = PanicGuard(&mut this.labels.outcome);
        let poll = this.call.poll(cx);
        if poll.is_ready() {
            *guard.0 = "completed";
        }
        poll
    }
}
