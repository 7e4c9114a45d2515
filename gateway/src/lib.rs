//! A plugin gateway over HTTP, built to be run: plugins of one trait
//! written with `async fn`, made callable through `dyn` by
//! `#[hybrid_dispatch::dyn_twin]` and held in a
//! `hybrid_dispatch::twin::TwinRegistry`, behind an axum router with
//! the layers an operator expects (tower, tower-http, hyper's server with
//! a timer), Prometheus metrics and a shutdown that drains.
//!
//! `main.rs` runs it (`cargo run --release -p hybrid-dispatch-gateway`);
//! `tests/http_gateway.rs` and `benches/gateway.rs` start the same gateway
//! on a port of their own, or the built binary.
//!
//! | route | answer |
//! |---|---|
//! | `POST /plugins/{name}`, JSON body | 200 and the plugin's JSON output (header `x-plugin-future`: `inline`, `recycled` or `heap`); 400 malformed JSON or a bad name (not UTF-8, control characters, over [`MAX_NAME_BYTES`]); 404 unknown plugin; 405 another method; 408 the body stalled over `body_timeout`; 413 a body over `max_body_bytes`; 422 the plugin refused the input; 500 the plugin panicked; 503 with `Retry-After` over `max_in_flight` plugin requests; 504 no answer within `timeout` |
//! | `GET` or `POST /plugins/{name}/stream`, JSON body or none (`{}`) | 200 `text/event-stream` (header `x-plugin-future`: where the erased stream lives), after the stream's first item: each item of the plugin's stream as an event (`data:` its JSON), a comment every `keep_alive` while it is quiet, then `event: end` with `{"reason"}` (`completed`, `max_items`, `max_duration` or `shutdown`), or `event: error` with `{"error"}`; 404 unknown plugin, or a plugin that does not stream; 503 with `Retry-After` over `max_streams` open streams; the errors of `POST /plugins/{name}` (422 is a refusal by the stream's first item; 504 no first item within `timeout`) |
//! | `GET /plugins/{name}/health` | 200 `{"plugin", "ok": true, "detail"}`; 503 the same with `"ok": false`; the errors above |
//! | `GET /plugins` | `{"plugins": [{"name", "description", "stream"}]}`, by name (`stream`: what its stream sends, or `null`) |
//! | `GET /stats` | per plugin and per method: calls, placements (inline, recycled, heap), bytes allocated, in flight, completed, cancelled, panicked (the registry's counters); every answer by route and kind; connections; readiness; the sizing report (with each recycling method's pool: buffers allocated, freed, idle) |
//! | `GET /metrics` | Prometheus text format (OpenMetrics): per plugin and method, calls by placement and outcome and a latency histogram; answers by route and kind; connections (see [`metrics`](crate::metrics)) |
//! | `GET /healthz` | 200 `{"ok": true}` while the process answers |
//! | `GET /readyz` | 200 `{"ready": true}`; 503 `{"ready": false}` once shutdown began |
//!
//! Every error is JSON, `{"error": "...", "plugin": "..."}` (`plugin` on
//! the plugin routes), and every answer is counted in `/stats` and
//! `/metrics` (a stream's when its head is sent; how it ended, when it
//! ends: see [`stream`]).

use std::time::Duration;

pub mod gateway;
pub mod log;
mod metrics;
pub mod plugins;
pub mod routes;
pub mod serve;
pub mod stream;

pub use gateway::{Gateway, Kind, Resolved, Route};
pub use plugins::{
    BoxStream, BoxedPlugin, Cap, Chain, DynPlugin, Echo, Hash, Health, Panic, Plugin, PluginError,
    Plugins, Render, Reply, SendDynPlugin, Sleep,
};
pub use routes::{MAX_NAME_BYTES, app};
pub use serve::{Served, serve};

/// How the gateway reaches a plugin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dispatch {
    /// Through the [`TwinRegistry`](hybrid_dispatch::twin::TwinRegistry):
    /// the inline erasure, counted per plugin and per method.
    Twin,
    /// Through a map of `Arc<dyn BoxedPlugin>`: one `Box` per call,
    /// nothing counted by a registry. For comparison (`benches/gateway.rs`);
    /// plugins registered while the gateway runs are only reachable
    /// through the registry.
    Boxed,
}

/// The gateway's settings; `main.rs` has a flag for each.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// How long a request on a plugin route may take, body included; then
    /// it gets 504 and the plugin's future is dropped (counted as
    /// cancelled).
    pub timeout: Duration,
    /// How long the request body may stall between two reads; then 408.
    /// Shorter than `timeout`, or the 504 comes first.
    pub body_timeout: Duration,
    /// The largest request body, in bytes; over it, 413.
    pub max_body_bytes: usize,
    /// Plugin requests in flight at once; past it, 503 with `Retry-After`
    /// at once (load shedding, not queueing).
    pub max_in_flight: usize,
    /// Open connections at once; past it, new ones wait in the backlog.
    pub max_connections: usize,
    /// How long a connection may take to send a request head, or stay
    /// idle between requests; then it is closed.
    pub header_timeout: Duration,
    /// After the first stop: how long `/readyz` answers 503 while the
    /// gateway still takes new connections.
    pub drain_delay: Duration,
    /// After that: how long requests in flight may take to finish before
    /// their connections are closed.
    pub shutdown_deadline: Duration,
    /// How plugins are called.
    pub dispatch: Dispatch,
    /// Plugin streams open at once (`/plugins/{name}/stream`); past it,
    /// 503 with `Retry-After`. Apart from `max_in_flight`, which bounds
    /// only how a stream starts (up to its first item): an open stream
    /// holds one of these instead, so long streams cannot starve plain
    /// requests.
    pub max_streams: usize,
    /// The longest a stream stays open; then the gateway ends it with
    /// `event: end` (`max_duration`). `timeout` covers only the wait for
    /// its first item.
    pub max_stream_duration: Duration,
    /// The most items one stream sends; then it ends (`max_items`).
    pub max_stream_items: u64,
    /// While a stream is quiet, a comment line this often, so that proxies
    /// keep the connection and a client that went away is noticed (a write
    /// to a closed connection fails, and the stream is dropped).
    pub keep_alive: Duration,
    /// How long a write to a connection may stall (a client that does not
    /// read); then the connection is closed and its stream dropped. Without
    /// it a stalled reader would hold its stream past `max_stream_duration`:
    /// hyper stops polling a body it cannot write.
    pub send_timeout: Duration,
    /// Idle buffers the registry keeps per plugin method for the futures
    /// that do not fit inline ([`Cap`](crate::plugins::Cap)): a call takes
    /// one and gives it back when its future ends, so a steady stream of
    /// calls allocates nothing. `None`: the registry's default bound,
    /// sized from each future's layout; `Some(0)`: no recycling, a box per
    /// call of such a future (to see what a spill costs).
    pub max_idle: Option<usize>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timeout: Duration::from_secs(2),
            body_timeout: Duration::from_secs(1),
            max_body_bytes: 64 * 1024,
            max_in_flight: 256,
            max_connections: 1024,
            header_timeout: Duration::from_secs(5),
            drain_delay: Duration::ZERO,
            shutdown_deadline: Duration::from_secs(10),
            dispatch: Dispatch::Twin,
            max_streams: 64,
            max_stream_duration: Duration::from_secs(300),
            max_stream_items: 100_000,
            keep_alive: Duration::from_secs(15),
            send_timeout: Duration::from_secs(30),
            max_idle: None,
        }
    }
}
