//! Plugin streams as server-sent events, as clients see them: the same app
//! as the binary on `127.0.0.1:0`, hyper's HTTP/1 client (or a raw socket,
//! for clients that go away or stop reading).
//!
//! * the events of a stream, parsed: content type, item order, the end
//!   event when the plugin's stream ends, keep-alive comments, each bound
//!   (items, duration, open streams, shutdown) and each error answer;
//! * a client that disconnects mid-stream: the server drops the plugin's
//!   stream (a drop counter, and the open-stream counts back to 0);
//! * a client that stops reading: other requests and streams go on, and the
//!   send timeout closes its connection and drops its stream.
//!
//! Loopback only; each test is bounded in time and stops its server.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::Once;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::SeqCst;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream::{self, Stream};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

#[path = "common/http_client.rs"]
mod http_client;
#[path = "common/server.rs"]
mod server;

use http_client::Client;
use http_gateway::{Config, Gateway, Health, Plugin, PluginError, Reply};
use server::Server;

/// The most any test may take, server start and stop included.
const TEST_LIMIT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------
// Test plugins, registered while the gateway runs.

/// Counts the drops of the streams it is moved into.
struct DropCount(Arc<AtomicUsize>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// Streams `{"n": 0, 1, 2, …}` forever, one item every `every` (at once
/// when zero), each padded with `pad` bytes; counts its streams' drops.
#[derive(Clone)]
struct Ticker {
    every: Duration,
    pad: usize,
    dropped: Arc<AtomicUsize>,
}

impl Ticker {
    fn new(every: Duration, pad: usize) -> Self {
        Ticker {
            every,
            pad,
            dropped: Arc::default(),
        }
    }

    fn dropped(&self) -> usize {
        self.dropped.load(SeqCst)
    }
}

impl Plugin for Ticker {
    fn describe(&self) -> &str {
        "ticks forever"
    }

    async fn handle(&self, input: Value) -> Reply {
        Ok(input)
    }

    async fn health(&self) -> Health {
        Health {
            ok: true,
            detail: String::new(),
        }
    }

    fn streams(&self) -> Option<&str> {
        Some("{\"n\"} forever")
    }

    fn events(&self, _input: Value) -> impl Stream<Item = Reply> + Send + 'static {
        let (every, pad) = (self.every, "x".repeat(self.pad));
        let counted = DropCount(Arc::clone(&self.dropped));
        stream::unfold((0_u64, counted), move |(n, counted)| {
            let pad = pad.clone();
            async move {
                if !every.is_zero() {
                    tokio::time::sleep(every).await;
                }
                Some((Ok(json!({ "n": n, "pad": pad })), (n + 1, counted)))
            }
        })
    }
}

/// One item, then what its input asks: `{"then": "error"}` an error,
/// `{"then": "panic"}` a panic.
struct Faulty;

impl Plugin for Faulty {
    fn describe(&self) -> &str {
        "fails mid-stream"
    }

    async fn handle(&self, input: Value) -> Reply {
        Ok(input)
    }

    async fn health(&self) -> Health {
        Health {
            ok: true,
            detail: String::new(),
        }
    }

    fn streams(&self) -> Option<&str> {
        Some("one item, then an error or a panic")
    }

    fn events(&self, input: Value) -> impl Stream<Item = Reply> + Send + 'static {
        let panics = input["then"] == "panic";
        stream::iter(0..2).map(move |i| {
            if i == 0 {
                Ok(json!("first"))
            } else if panics {
                panic!("the faulty stream panicked, as asked")
            } else {
                Err(PluginError("went wrong".to_owned()))
            }
        })
    }
}

/// The faulty stream's panic is expected: keep its message out of the
/// output; any other panic is reported as usual.
fn quiet_expected_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = info.payload().downcast_ref::<&str>();
            if !message.is_some_and(|m| m.starts_with("the faulty stream panicked")) {
                report(info);
            }
        }));
    });
}

// ---------------------------------------------------------------------------
// A server-sent events reader.

/// One event: its `event:` field (none for an item) and its `data:`, JSON.
#[derive(Debug, PartialEq)]
struct Event {
    event: Option<String>,
    data: Value,
}

impl Event {
    fn item(data: Value) -> Self {
        Event { event: None, data }
    }

    fn end(reason: &str) -> Self {
        Event {
            event: Some("end".to_owned()),
            data: json!({ "reason": reason }),
        }
    }
}

/// Reads the events of a `text/event-stream` body as they come.
struct Events {
    body: Incoming,
    buf: Vec<u8>,
    /// Comment lines seen (the keep-alive).
    comments: usize,
}

impl Events {
    /// The events of `response`, after checking its head.
    fn of(response: hyper::Response<Incoming>) -> Self {
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = &response.headers()["content-type"];
        assert_eq!(content_type, "text/event-stream");
        Events {
            body: response.into_body(),
            buf: Vec::new(),
            comments: 0,
        }
    }

    /// The next event; `None` once the body ended (nothing left over).
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(end) = self.buf.windows(2).position(|w| w == b"\n\n") {
                let block: Vec<u8> = self.buf.drain(..end + 2).collect();
                let block = String::from_utf8(block).expect("UTF-8");
                let mut event = None;
                let mut data = None;
                for line in block.lines().filter(|l| !l.is_empty()) {
                    if line.starts_with(':') {
                        self.comments += 1;
                    } else if let Some(name) = line.strip_prefix("event: ") {
                        event = Some(name.to_owned());
                    } else if let Some(json) = line.strip_prefix("data: ") {
                        assert!(data.is_none(), "one data line per event: {block:?}");
                        data = Some(serde_json::from_str(json).expect("JSON data"));
                    } else {
                        panic!("unexpected line {line:?}");
                    }
                }
                match data {
                    Some(data) => return Some(Event { event, data }),
                    None => continue, // a comment
                }
            }
            match self.body.frame().await {
                Some(frame) => {
                    if let Ok(bytes) = frame.expect("a body frame").into_data() {
                        self.buf.extend_from_slice(&bytes);
                    }
                }
                None => {
                    assert!(self.buf.is_empty(), "left over: {:?}", self.buf);
                    return None;
                }
            }
        }
    }

    /// Every event left, to the end of the body.
    async fn rest(&mut self) -> Vec<Event> {
        let mut events = Vec::new();
        while let Some(event) = self.next().await {
            events.push(event);
        }
        events
    }
}

async fn open_stream(c: &mut Client, method: Method, plugin: &str, body: &str) -> Events {
    let path = format!("/plugins/{plugin}/stream");
    Events::of(c.open(method, &path, body.to_owned()).await)
}

/// An error answer of the stream route: status, JSON naming the plugin.
async fn assert_refused(c: &mut Client, path: &str, body: &str, status: StatusCode, needle: &str) {
    let answer = c.send(Method::POST, path, body.to_owned()).await;
    assert_eq!(answer.status, status, "{path}: {answer:?}");
    let error: Value = serde_json::from_slice(&answer.body).expect("a JSON error");
    let message = error["error"].as_str().expect("an error message");
    assert!(
        message.contains(needle),
        "{message:?} should say {needle:?}"
    );
}

/// `/stats` of `plugin.events`, as numbers.
fn events_stats(gateway: &Gateway, plugin: &str) -> BTreeMap<String, u64> {
    gateway.stats()["plugins"][plugin]["events"]
        .as_object()
        .unwrap_or_else(|| panic!("no events stats for {plugin}"))
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().expect("a count")))
        .collect()
}

/// Waits (bounded: 5 s) until `done` holds.
async fn until(what: &str, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(5), "never: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The sum of the samples of `/metrics` named `name` with `labels`.
fn metric(gateway: &Gateway, name: &str, labels: &[(&str, &str)]) -> u64 {
    gateway
        .metrics_text()
        .lines()
        .filter(|line| {
            line.starts_with(&format!("{name}{{")) || line.starts_with(&format!("{name} "))
        })
        .filter(|line| {
            labels
                .iter()
                .all(|(k, v)| line.contains(&format!("{k}=\"{v}\"")))
        })
        .map(|line| {
            let value = line.rsplit(' ').next().expect("a value");
            value.parse::<f64>().expect("a number") as u64
        })
        .sum()
}

// ---------------------------------------------------------------------------
// The route.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "Miri cannot run sockets")]
async fn a_stream_is_sent_as_events_in_order_and_ends_with_the_plugins_stream() {
    quiet_expected_panics();
    let config = Config {
        timeout: Duration::from_millis(500),
        max_streams: 2,
        max_stream_items: 4,
        keep_alive: Duration::from_millis(20),
        ..Config::default()
    };
    let server = Server::start(config).await;
    let gateway = server.gateway.clone();
    let ticker = Ticker::new(Duration::from_millis(10), 0);
    let slow = Ticker::new(Duration::from_millis(150), 0);
    gateway
        .plugins()
        .register("ticker", ticker.clone())
        .unwrap();
    gateway.plugins().register("slow", slow.clone()).unwrap();
    gateway.plugins().register("faulty", Faulty).unwrap();
    let late = Ticker::new(Duration::from_secs(30), 0);
    gateway.plugins().register("late", late.clone()).unwrap();
    tokio::time::timeout(TEST_LIMIT, async {
        let c = &mut Client::connect(server.addr).await;

        // `sleep`'s ticks, in order, then the end: the plugin's stream
        // ended, so did the body.
        let input = r#"{"every_ms": 10, "count": 3}"#;
        let response = c
            .open(Method::POST, "/plugins/sleep/stream", input.into())
            .await;
        // Its stream (an `Interval` and the step in flight) does not fit
        // the default capacity: it lives in a buffer of the method's pool.
        assert_eq!(response.headers()["x-plugin-future"], "recycled");
        assert_eq!(response.headers()["cache-control"], "no-cache");
        let mut events = Events::of(response);
        for tick in 1..=3 {
            let event = events.next().await.expect("a tick");
            assert_eq!(event.event, None, "{event:?}");
            assert_eq!(event.data["tick"], tick, "{event:?}");
            assert_eq!(event.data["of"], 3, "{event:?}");
        }
        assert_eq!(events.rest().await, [Event::end("completed")]);
        // The connection is still good for the next request.
        let echo = c.send(Method::POST, "/plugins/echo", "7".into()).await;
        assert_eq!(&echo.body[..], b"7");

        // `GET` without a body (what `EventSource` and `curl -N` send):
        // `{}`. The ticker never ends: `max_stream_items` ends it, and the
        // plugin's stream is dropped.
        let mut events = open_stream(c, Method::GET, "ticker", "").await;
        let items: Vec<Value> = (0..4).map(|n| json!({ "n": n, "pad": "" })).collect();
        let mut expected: Vec<Event> = items.into_iter().map(Event::item).collect();
        expected.push(Event::end("max_items"));
        assert_eq!(events.rest().await, expected);
        until("the ticker's stream is dropped", || ticker.dropped() == 1).await;

        // While a stream is quiet, keep-alive comments. (A client that
        // drops a body mid-stream loses its connection: a client of its own.)
        let mut quiet = Client::connect(server.addr).await;
        let mut events = open_stream(&mut quiet, Method::POST, "slow", "{}").await;
        events.next().await.expect("the first item");
        events.next().await.expect("the second item, 150 ms later");
        assert!(events.comments > 0, "no keep-alive within 150 ms");
        drop((events, quiet));
        until("the slow stream is dropped", || slow.dropped() == 1).await;

        // A plugin's error, or panic, after its first item: an `error`
        // event ends the stream; the connection goes on.
        let mut events = open_stream(c, Method::POST, "faulty", r#"{"then": "error"}"#).await;
        assert_eq!(events.next().await, Some(Event::item(json!("first"))));
        let error = Event {
            event: Some("error".to_owned()),
            data: json!({ "error": "went wrong" }),
        };
        assert_eq!(events.rest().await, [error]);
        let mut events = open_stream(c, Method::POST, "faulty", r#"{"then": "panic"}"#).await;
        assert_eq!(events.next().await, Some(Event::item(json!("first"))));
        let panicked = Event {
            event: Some("error".to_owned()),
            data: json!({ "error": "the plugin's stream panicked" }),
        };
        assert_eq!(events.rest().await, [panicked]);
        let echo = c.send(Method::POST, "/plugins/echo", "8".into()).await;
        assert_eq!(&echo.body[..], b"8");

        // Errors: JSON answers, no stream.
        let nope = "/plugins/nope/stream";
        assert_refused(
            c,
            nope,
            "{}",
            StatusCode::NOT_FOUND,
            "no plugin named 'nope'",
        )
        .await;
        let echo = "/plugins/echo/stream";
        assert_refused(
            c,
            echo,
            "{}",
            StatusCode::NOT_FOUND,
            "plugin 'echo' does not stream",
        )
        .await;
        let sleep = "/plugins/sleep/stream";
        let zero = r#"{"count": 0}"#;
        assert_refused(c, sleep, zero, StatusCode::UNPROCESSABLE_ENTITY, "expected").await;
        assert_refused(c, sleep, "[1", StatusCode::BAD_REQUEST, "malformed JSON").await;
        let put = c.send(Method::PUT, sleep, "{}".into()).await;
        assert_eq!(put.status, StatusCode::METHOD_NOT_ALLOWED);
        // No first item within the request's timeout: 504, and the
        // plugin's stream is dropped.
        let late_path = "/plugins/late/stream";
        let within = "did not answer within 500 ms";
        assert_refused(c, late_path, "{}", StatusCode::GATEWAY_TIMEOUT, within).await;
        until("the late stream is dropped", || late.dropped() == 1).await;
        assert_eq!(events_stats(&gateway, "late")["cancelled"], 1);

        // `max_streams` (2) open: the third waits for nothing, 503 with
        // `Retry-After`; the plugin is not called.
        let mut first = Client::connect(server.addr).await;
        let mut second = Client::connect(server.addr).await;
        let mut one = open_stream(&mut first, Method::POST, "slow", "{}").await;
        let mut two = open_stream(&mut second, Method::POST, "slow", "{}").await;
        assert!(one.next().await.is_some() && two.next().await.is_some());
        assert_eq!(gateway.stats()["streams"], json!({ "open": 2, "max": 2 }));
        let calls = events_stats(&gateway, "ticker")["calls"];
        let full = c
            .send(Method::POST, "/plugins/ticker/stream", "{}".into())
            .await;
        assert_eq!(full.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(full.headers["retry-after"], "1");
        let error: Value = serde_json::from_slice(&full.body).unwrap();
        assert!(
            error["error"].as_str().unwrap().contains("2 streams open"),
            "{error}"
        );
        assert_eq!(events_stats(&gateway, "ticker")["calls"], calls);
        drop((one, two, first, second));
        until("both slow streams are dropped", || slow.dropped() == 3).await;
        until("no stream open", || gateway.stats()["streams"]["open"] == 0).await;

        // Counted: per plugin in `/stats` (the registry's calls and
        // placements, the gateway's outcomes and items), by route and kind
        // in the answers, and in `/metrics`.
        let sleep = events_stats(&gateway, "sleep");
        // Its streams took buffers of the method's pool: one miss, or two
        // when the second ran on the other worker (the first's buffer went
        // back to its thread's cache). The misses are all they allocated.
        let pool = gateway.stats()["sizing"]["futures"]["sleep.events"]["pool"].clone();
        let misses = pool["misses"].as_u64().expect("a pool");
        assert!((1..=2).contains(&misses), "{pool}");
        let buffer = pool["buffer_bytes"].as_u64().expect("a pool");
        let expected: BTreeMap<String, u64> = [
            ("calls", 2), // 1 + 1 refused (the malformed one never called it)
            ("inline", 0),
            ("recycled", 2),
            ("heap", 0),
            ("allocated_bytes", misses * buffer),
            ("in_flight", 0),
            ("completed", 2),
            ("cancelled", 0),
            ("panicked", 0),
            ("items", 3),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(sleep, expected);
        let slow_stats = events_stats(&gateway, "slow");
        assert_eq!((slow_stats["calls"], slow_stats["cancelled"]), (3, 3));
        let faulty = events_stats(&gateway, "faulty");
        assert_eq!(
            (faulty["completed"], faulty["panicked"], faulty["items"]),
            (1, 1, 2)
        );
        let ticker_stats = events_stats(&gateway, "ticker");
        assert_eq!((ticker_stats["cancelled"], ticker_stats["items"]), (1, 4));
        let answers = &gateway.stats()["answers"]["stream"];
        let kinds = [
            ("ok", 7),
            ("not_found", 2),
            ("rejected", 1),
            ("bad_request", 1),
            ("method_not_allowed", 1),
            ("overloaded", 1),
            ("timed_out", 1),
        ];
        for (kind, n) in kinds {
            assert_eq!(answers[kind], n, "{kind}: {answers}");
        }
        // Labelled with where each plugin's stream lives, as the sizing
        // report says (`sleep`'s does not fit the default capacity).
        let sizing = gateway.stats()["sizing"]["futures"].clone();
        let ended = |plugin: &str, end: &str| {
            let placement = sizing[format!("{plugin}.events")]["placement"].clone();
            let placement = placement.as_str().expect("a stream method's row");
            let labels = [("plugin", plugin), ("placement", placement), ("end", end)];
            metric(&gateway, "gateway_streams_total", &labels)
        };
        assert_eq!(sizing["sleep.events"]["placement"], "recycled");
        assert_eq!(ended("sleep", "completed"), 1);
        assert_eq!(ended("sleep", "refused"), 1);
        assert_eq!(ended("ticker", "max_items"), 1);
        assert_eq!(ended("slow", "cancelled"), 3);
        assert_eq!(ended("faulty", "error"), 1);
        assert_eq!(ended("faulty", "panicked"), 1);
        let items = |plugin: &str| {
            metric(
                &gateway,
                "gateway_stream_items_total",
                &[("plugin", plugin)],
            )
        };
        assert_eq!((items("sleep"), items("ticker")), (3, 4));
        assert_eq!(metric(&gateway, "gateway_streams_open", &[]), 0);
        let answered = [("route", "stream"), ("kind", "ok")];
        assert_eq!(metric(&gateway, "gateway_answers_total", &answered), 7);

        // Shutdown ends the streams still open (so the drain does not wait
        // for them), each with its reason.
        let mut events = open_stream(c, Method::POST, "slow", "{}").await;
        events.next().await.expect("the first item");
        let stopping = tokio::spawn(server.stop());
        let mut rest = events.rest().await;
        assert_eq!(rest.pop(), Some(Event::end("shutdown")));
        assert!(rest.iter().all(|e| e.event.is_none()), "{rest:?}");
        assert_eq!(stopping.await.unwrap().cut, 0);
    })
    .await
    .expect("within the time limit");
}

// ---------------------------------------------------------------------------
// Clients that go away, or stop reading.

/// Sends a stream request on a raw socket (its receive buffer `rcvbuf`
/// bytes, when given) and returns the socket.
async fn raw_stream(
    addr: std::net::SocketAddr,
    plugin: &str,
    rcvbuf: Option<u32>,
) -> tokio::net::TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    if let Some(size) = rcvbuf {
        socket.set_recv_buffer_size(size).unwrap();
    }
    let mut tcp = socket.connect(addr).await.expect("connect");
    let request = format!(
        "POST /plugins/{plugin}/stream HTTP/1.1\r\nhost: gateway\r\ncontent-length: 2\r\n\r\n{{}}"
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    tcp
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "Miri cannot run sockets")]
async fn a_client_that_goes_away_mid_stream_makes_the_server_drop_it() {
    let config = Config {
        keep_alive: Duration::from_millis(50),
        max_stream_duration: Duration::from_millis(300),
        max_stream_items: u64::MAX,
        ..Config::default()
    };
    let server = Server::start(config).await;
    let gateway = server.gateway.clone();
    let ticker = Ticker::new(Duration::from_millis(20), 0);
    gateway
        .plugins()
        .register("ticker", ticker.clone())
        .unwrap();
    tokio::time::timeout(TEST_LIMIT, async {
        // Two items read, then the client closes its socket.
        let mut tcp = raw_stream(server.addr, "ticker", None).await;
        let mut received = Vec::new();
        let mut buf = [0_u8; 1024];
        let items = |r: &[u8]| r.windows(6).filter(|w| w == b"data: ").count();
        while items(&received) < 2 {
            let n = tcp.read(&mut buf).await.unwrap();
            assert!(
                n > 0,
                "closed early: {:?}",
                String::from_utf8_lossy(&received)
            );
            received.extend_from_slice(&buf[..n]);
        }
        assert!(received.starts_with(b"HTTP/1.1 200 OK\r\n"));
        assert_eq!(gateway.stats()["streams"]["open"], 1);
        drop(tcp);

        // The server's next write fails: it drops the body, and with it
        // the plugin's stream, and counts it cancelled.
        until("the ticker's stream is dropped", || ticker.dropped() == 1).await;
        until("no stream open", || gateway.stats()["streams"]["open"] == 0).await;
        let stats = events_stats(&gateway, "ticker");
        assert_eq!(
            (stats["in_flight"], stats["cancelled"]),
            (0, 1),
            "{stats:?}"
        );
        assert_eq!(metric(&gateway, "gateway_streams_open", &[]), 0);
        let labels = [("plugin", "ticker"), ("end", "cancelled")];
        assert_eq!(metric(&gateway, "gateway_streams_total", &labels), 1);

        // A client that stays is cut at `max_stream_duration`, with the
        // reason.
        let c = &mut Client::connect(server.addr).await;
        let started = Instant::now();
        let mut events = open_stream(c, Method::POST, "ticker", "{}").await;
        let mut rest = events.rest().await;
        assert!(started.elapsed() >= Duration::from_millis(300));
        assert_eq!(rest.pop(), Some(Event::end("max_duration")));
        assert!(!rest.is_empty() && rest.iter().all(|e| e.event.is_none()));
        until("the second stream is dropped", || ticker.dropped() == 2).await;
    })
    .await
    .expect("within the time limit");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "Miri cannot run sockets")]
async fn a_client_that_stops_reading_blocks_nobody_and_is_cut_by_the_send_timeout() {
    // One plugin request in flight at most: an open stream does not hold
    // it (only its start did), or the requests below would get 503.
    let config = Config {
        max_in_flight: 1,
        send_timeout: Duration::from_millis(300),
        max_stream_duration: Duration::from_secs(60),
        max_stream_items: u64::MAX,
        ..Config::default()
    };
    let server = Server::start(config).await;
    let gateway = server.gateway.clone();
    // As fast as the connection takes them, 16 KiB each: the socket
    // buffers fill within milliseconds.
    let firehose = Ticker::new(Duration::ZERO, 16 * 1024);
    gateway
        .plugins()
        .register("firehose", firehose.clone())
        .unwrap();
    tokio::time::timeout(TEST_LIMIT, async {
        // Asks for the stream and never reads.
        let stalled = raw_stream(server.addr, "firehose", Some(4096)).await;
        until("the firehose opens", || {
            gateway.stats()["streams"]["open"] == 1
        })
        .await;

        // Meanwhile, other requests and streams are served.
        let c = &mut Client::connect(server.addr).await;
        let echo = c.send(Method::POST, "/plugins/echo", "[1]".into()).await;
        assert_eq!((echo.status, &echo.body[..]), (StatusCode::OK, &b"[1]"[..]));
        let input = r#"{"every_ms": 1, "count": 3}"#;
        let mut events = open_stream(c, Method::POST, "sleep", input).await;
        let rest = events.rest().await;
        assert_eq!(rest.len(), 4, "{rest:?}");
        assert_eq!(rest.last(), Some(&Event::end("completed")));

        // The stalled connection's write times out: it is closed, and its
        // stream dropped, though `max_stream_duration` (60 s) is far.
        until("the firehose is dropped", || firehose.dropped() == 1).await;
        until("no stream open", || gateway.stats()["streams"]["open"] == 0).await;
        let stats = events_stats(&gateway, "firehose");
        assert_eq!(
            (stats["in_flight"], stats["cancelled"]),
            (0, 1),
            "{stats:?}"
        );
        drop(stalled);
    })
    .await
    .expect("within the time limit");
    server.stop().await;
}

/// Through `Pin<Box<dyn Stream>>` ([`Dispatch::Boxed`]) the route answers
/// the same, and says where the stream lived.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "Miri cannot run sockets")]
async fn a_boxed_plugin_streams_the_same() {
    let config = Config {
        dispatch: http_gateway::Dispatch::Boxed,
        ..Config::default()
    };
    let server = Server::start(config).await;
    tokio::time::timeout(TEST_LIMIT, async {
        let c = &mut Client::connect(server.addr).await;
        let input = r#"{"every_ms": 1, "count": 2}"#;
        let response = c
            .open(Method::POST, "/plugins/sleep/stream", input.into())
            .await;
        assert_eq!(response.headers()["x-plugin-future"], "heap");
        let ticks: Vec<Value> = Events::of(response)
            .rest()
            .await
            .into_iter()
            .map(|e| e.data["tick"].clone())
            .collect();
        assert_eq!(ticks, [json!(1), json!(2), Value::Null]);
        let path = "/plugins/echo/stream";
        assert_refused(c, path, "{}", StatusCode::NOT_FOUND, "does not stream").await;
        let labels = [
            ("plugin", "sleep"),
            ("placement", "heap"),
            ("end", "completed"),
        ];
        assert_eq!(metric(&server.gateway, "gateway_streams_total", &labels), 1);
    })
    .await
    .expect("within the time limit");
    server.stop().await;
}
