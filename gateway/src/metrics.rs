//! `GET /metrics`: the gateway's counters in the Prometheus text format,
//! kept by `prometheus-client` (the Prometheus project's Rust client).
//!
//! Each gateway has its own [`Registry`] rather than a process-wide
//! recorder, so that several gateways in one process (the tests, the
//! bench) count apart.
//!
//! | metric | labels | what |
//! |---|---|---|
//! | `gateway_plugin_calls_total` | `plugin`, `method`, `placement`, `outcome` | plugin calls that ended: `placement` is `inline`, `recycled` or `heap` (where the call's future lived), `outcome` `completed`, `cancelled` (timeout, client gone) or `panicked` |
//! | `gateway_plugin_call_duration_seconds` | the same | a histogram of how long those calls took |
//! | `gateway_answers_total` | `route` (`handle`, `health`, `other`), `kind` | every answer the gateway sent, by kind (the same counts as `answers` in `/stats`) |
//! | `gateway_streams_total` | `plugin`, `placement`, `end` | plugin streams (`/plugins/{name}/stream`) that ended: `end` is `completed`, `error`, `refused` (422), `max_items`, `max_duration`, `shutdown`, `cancelled` (client gone, no first item in time) or `panicked` |
//! | `gateway_streams_open` | | plugin streams open now |
//! | `gateway_stream_items_total` | `plugin` | items sent as events |
//! | `gateway_connections_accepted_total`, `gateway_connections_open` | | TCP connections |
//! | `gateway_connections_header_timeouts_total` | | connections closed because a request's head did not arrive within the header timeout (idle keep-alive connections included) |
//! | `gateway_ready` | | 1 while serving, 0 while draining |

use std::fmt;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The labels of one ended plugin call.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct CallLabels {
    pub(crate) plugin: String,
    pub(crate) method: &'static str,
    pub(crate) placement: &'static str,
    pub(crate) outcome: &'static str,
}

/// The labels of one answer.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct AnswerLabels {
    pub(crate) route: &'static str,
    pub(crate) kind: &'static str,
}

/// The labels of one ended stream.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct StreamLabels {
    pub(crate) plugin: String,
    pub(crate) placement: &'static str,
    pub(crate) end: &'static str,
}

/// A plugin's name, as a label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct PluginLabel {
    pub(crate) plugin: String,
}

/// 50 µs to 13 s, ×4 per bucket: from an `echo` call to a `sleep` at the
/// timeout.
fn call_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.000_05, 4.0, 10))
}

/// The gateway's Prometheus metrics.
pub(crate) struct Metrics {
    registry: Registry,
    pub(crate) calls: Family<CallLabels, Counter>,
    pub(crate) durations: Family<CallLabels, Histogram, fn() -> Histogram>,
    pub(crate) answers: Family<AnswerLabels, Counter>,
    pub(crate) streams: Family<StreamLabels, Counter>,
    pub(crate) streams_open: Gauge,
    pub(crate) stream_items: Family<PluginLabel, Counter>,
    pub(crate) accepted: Counter,
    pub(crate) open: Gauge,
    pub(crate) header_timeouts: Counter<u64, AtomicU64>,
    pub(crate) ready: Gauge,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    pub(crate) fn new() -> Self {
        let mut metrics = Metrics {
            registry: Registry::with_prefix("gateway"),
            calls: Family::default(),
            durations: Family::new_with_constructor(call_buckets),
            answers: Family::default(),
            streams: Family::default(),
            streams_open: Gauge::default(),
            stream_items: Family::default(),
            accepted: Counter::default(),
            open: Gauge::default(),
            header_timeouts: Counter::default(),
            ready: Gauge::default(),
        };
        let r = &mut metrics.registry;
        r.register(
            "plugin_calls",
            "Plugin calls that ended, by plugin, method, where the future lived and how the call ended",
            metrics.calls.clone(),
        );
        r.register(
            "plugin_call_duration_seconds",
            "How long plugin calls took, by plugin, method, placement and outcome",
            metrics.durations.clone(),
        );
        r.register(
            "answers",
            "Answers sent, by route and kind",
            metrics.answers.clone(),
        );
        r.register(
            "streams",
            "Plugin streams that ended, by plugin, where the stream lived and how it ended",
            metrics.streams.clone(),
        );
        r.register(
            "streams_open",
            "Plugin streams open",
            metrics.streams_open.clone(),
        );
        r.register(
            "stream_items",
            "Items sent by plugin streams, by plugin",
            metrics.stream_items.clone(),
        );
        r.register(
            "connections_accepted",
            "TCP connections accepted",
            metrics.accepted.clone(),
        );
        r.register(
            "connections_open",
            "TCP connections open",
            metrics.open.clone(),
        );
        r.register(
            "connections_header_timeouts",
            "Connections closed because a request head did not arrive within the header timeout",
            metrics.header_timeouts.clone(),
        );
        r.register(
            "ready",
            "1 while the gateway takes new work, 0 while it drains",
            metrics.ready.clone(),
        );
        metrics.ready.set(1);
        metrics
    }

    /// Counts one ended plugin call and its duration.
    pub(crate) fn call_ended(&self, labels: &CallLabels, started: Instant) {
        self.calls.get_or_create(labels).inc();
        let seconds = started.elapsed().as_secs_f64();
        self.durations.get_or_create(labels).observe(seconds);
    }

    /// The text exposition format.
    pub(crate) fn encode(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }
}
