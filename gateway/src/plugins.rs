//! The [`Plugin`] trait, written with plain `async fn` and made callable
//! through `dyn` by `#[dyn_twin]`, and the gateway's six plugins.
//!
//! A plugin may also stream ([`Plugin::events`], served as server-sent
//! events at `/plugins/{name}/stream`): `sleep` does, one tick per
//! interval.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use futures_util::Stream;
use futures_util::future::Either;
use futures_util::stream;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use hybrid_dispatch::capacity::DefaultCapacity;
use hybrid_dispatch::twin::TwinRegistry;

use crate::gateway::WeakGateway;

/// A gateway plugin: what a user writing a gateway writes, with plain
/// `async fn`. `#[dyn_twin]` generates `DynPlugin`, its `dyn` twin with
/// inline futures, and (`send = …`) `SendDynPlugin`, the `Send + Sync`
/// twin the gateway's tasks share: `handle_send`, `health_send` and
/// `describe_dyn` on `dyn SendDynPlugin`, plus `handle_layout` /
/// `health_layout`, the size of each method's future; `events_send`
/// erases the stream of [`events`](Plugin::events) the same way (a
/// `SendInlineStream`, sized by `events_layout`).
#[hybrid_dispatch::dyn_twin(DynPlugin, send = SendDynPlugin)]
pub trait Plugin {
    /// One line for `GET /plugins`: what the plugin does with its input.
    fn describe(&self) -> &str;

    /// What the plugin's stream ([`events`](Plugin::events)) sends, in one
    /// line for `GET /plugins`; `None` (the default) if the plugin does not
    /// stream, and then `/plugins/{name}/stream` answers 404 without
    /// calling `events`.
    ///
    /// Why a method of its own rather than a default `events` that fails:
    /// the gateway tells "does not stream" from "refused this input" (422)
    /// and from "had nothing to send" (an empty stream) without starting a
    /// stream, and `GET /plugins` shows which plugins stream.
    fn streams(&self) -> Option<&str> {
        None
    }

    /// Answers `/plugins/{name}/stream` (when [`streams`](Plugin::streams)
    /// says so): items over time, each sent as one server-sent event. The
    /// first item decides the answer: `Err` is a refusal of the input (422,
    /// as for `handle`), and `Ok` starts a `200 text/event-stream` with it.
    /// A later `Err` is sent as an `error` event and ends the stream.
    ///
    /// The stream owns what it needs (`+ 'static`): the gateway sends it
    /// after its handler has returned the response head, so it cannot
    /// borrow the request's handle on the plugin. The gateway bounds it
    /// (items, duration, open streams) and drops it when the client goes
    /// away. The default streams nothing.
    fn events(&self, input: Value) -> impl Stream<Item = Reply> + Send + 'static {
        drop(input);
        stream::empty()
    }

    /// Answers one `POST /plugins/{name}`: JSON in, JSON out, or a refusal
    /// of the input (422).
    async fn handle(&self, input: Value) -> Reply;

    /// Answers `GET /plugins/{name}/health`: can the plugin do its job?
    async fn health(&self) -> Health;
}

/// What `handle` answers: its JSON output, or why it refused the input.
pub type Reply = Result<Value, PluginError>;

/// A plugin's refusal of its input, answered with 422 and the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginError(pub String);

/// What `health` answers: 200 when `ok`, 503 otherwise, with the detail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Health {
    /// Whether the plugin can do its job.
    pub ok: bool,
    /// What was checked, in a few words.
    pub detail: String,
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

/// The inline capacity of the plugins' futures: the crate's default, 120
/// bytes, chosen by nobody.
///
/// What the sizing report says (printed at startup, and in `GET /stats`;
/// x86-64, rustc 1.95): most methods' futures are 16 to 48 bytes and stay
/// inline in the 128-byte handle. Those that do not fit are recycled, each
/// from its method's pool (sized from the future's layout), so they
/// allocate nothing per call once warm: `sleep.handle` (200 bytes) and
/// `sleep.health` (144), which hold a tokio `Sleep`; `hash.handle` (200),
/// which waits for a core and then for its work on the blocking pool;
/// `sleep.events`, its stream of ticks (176 bytes: an `Interval` and the
/// step in flight), once per stream; `render.handle` (1 KiB of state, on
/// purpose); and `chain.handle`, whose future holds a call of this same
/// registry in flight, larger than the capacity it is erased into. The
/// gateway once chose 256 bytes (`S32`) by hand to keep the first four
/// inline, when the registry boxed what did not fit: every call then moved
/// a 264-byte handle on each `.await`, which cost a fast call (`echo`)
/// more than the recycling now costs a slow one (`GATEWAY_BENCH.md`). (The
/// `tracing` feature's per-call span and the gateway's metering wrap the
/// erased future from the outside, so they change none of these sizes.)
pub type Cap = DefaultCapacity;

/// The plugins, by name, behind their `Send` twin; every entry counts its
/// calls per method.
pub type Plugins = TwinRegistry<dyn SendDynPlugin<Cap>>;

/// The longest `sleep` a request may ask for.
pub const MAX_SLEEP_MS: u64 = 60_000;
/// The most rounds `hash` computes for one request.
pub const MAX_ROUNDS: u64 = 100_000;
/// The most ticks in one `sleep` stream.
pub const MAX_TICKS: u64 = 10_000;
/// The most bytes `hash` hashes for one request (`rounds` × text length):
/// 256 MiB, a few hundred milliseconds of one core in a release build.
pub const MAX_HASH_BYTES: u64 = 1 << 28;
/// The most steps in one `chain`.
pub const MAX_STEPS: usize = 8;
/// `render`'s page: 16 lines of 64 columns.
const COLUMNS: usize = 64;
const PAGE: usize = 16 * COLUMNS;

/// The same plugins behind `Box<dyn Future>`, for [`Dispatch::Boxed`](crate::Dispatch::Boxed).
pub(crate) type BoxedPlugins = std::collections::BTreeMap<&'static str, Arc<dyn BoxedPlugin>>;

/// A boxed future, as `#[async_trait]` returns.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The [`Plugin`] trait the way `#[async_trait]` (or `dynosaur`) makes it
/// callable through `dyn`: every call boxes its future. Implemented for
/// every plugin, for [`Dispatch::Boxed`](crate::Dispatch::Boxed).
pub trait BoxedPlugin: Send + Sync {
    /// [`Plugin::handle`], its future boxed.
    fn handle_boxed(&self, input: Value) -> BoxFuture<'_, Reply>;
    /// [`Plugin::health`], its future boxed.
    fn health_boxed(&self) -> BoxFuture<'_, Health>;
    /// [`Plugin::streams`].
    fn streams_boxed(&self) -> Option<&str>;
    /// [`Plugin::events`], its stream boxed.
    fn events_boxed(&self, input: Value) -> BoxStream<Reply>;
}

/// A boxed stream, as `Pin<Box<dyn Stream>>` users write.
pub type BoxStream<T> = Pin<Box<dyn Stream<Item = T> + Send>>;

impl<P: Plugin + Send + Sync> BoxedPlugin for P {
    fn handle_boxed(&self, input: Value) -> BoxFuture<'_, Reply> {
        Box::pin(self.handle(input))
    }

    fn health_boxed(&self) -> BoxFuture<'_, Health> {
        Box::pin(self.health())
    }

    fn streams_boxed(&self) -> Option<&str> {
        self.streams()
    }

    fn events_boxed(&self, input: Value) -> BoxStream<Reply> {
        Box::pin(self.events(input))
    }
}

// ---------------------------------------------------------------------------
// The plugins.

/// Registers the six plugins (and puts a copy of each in `boxed`).
pub(crate) fn add_plugins(
    plugins: &Plugins,
    mut boxed: Option<&mut BoxedPlugins>,
    gateway: WeakGateway,
) {
    add(plugins, boxed.as_deref_mut(), "echo", Echo);
    add(plugins, boxed.as_deref_mut(), "sleep", Sleep);
    add(plugins, boxed.as_deref_mut(), "hash", Hash::new());
    add(plugins, boxed.as_deref_mut(), "render", Render);
    add(plugins, boxed.as_deref_mut(), "chain", Chain { gateway });
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
pub struct Echo;

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

/// Awaits a tokio timer: its futures hold a `Sleep`. It also streams:
/// one tick every `every_ms` milliseconds, `count` of them, on a tokio
/// `Interval`, the first at once.
#[derive(Clone, Copy, Debug)]
pub struct Sleep;

/// The input of `sleep`'s stream: `(every_ms, count)`, by default one
/// tick a second, ten of them.
fn ticks(input: &Value) -> Result<(u64, u64), PluginError> {
    let usage = || {
        refuse(format!(
            "expected {{\"every_ms\": 1..={MAX_SLEEP_MS}, \"count\": 1..={MAX_TICKS}}}"
        ))
    };
    if !input.is_object() {
        return Err(usage());
    }
    let field = |key: &str, default: u64, max: u64| match input.get(key) {
        None => Ok(default),
        Some(value) => value
            .as_u64()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(usage),
    };
    Ok((
        field("every_ms", 1000, MAX_SLEEP_MS)?,
        field("count", 10, MAX_TICKS)?,
    ))
}

impl Plugin for Sleep {
    fn describe(&self) -> &str {
        "sleeps {\"ms\": 0..=60000} milliseconds on a tokio timer"
    }

    fn streams(&self) -> Option<&str> {
        Some(
            "ticks {\"count\": 1..=10000} times, every {\"every_ms\": 1..=60000} ms, the first at once",
        )
    }

    fn events(&self, input: Value) -> impl Stream<Item = Reply> + Send + 'static {
        let (every_ms, count) = match ticks(&input) {
            Ok(ticks) => ticks,
            Err(refusal) => return Either::Left(stream::iter([Err(refusal)])),
        };
        // The interval is made at the first poll, on the runtime that polls.
        let state = (0, None::<(tokio::time::Interval, Instant)>);
        Either::Right(stream::unfold(state, move |(tick, timer)| async move {
            if tick == count {
                return None;
            }
            let (mut interval, started) = timer.unwrap_or_else(|| {
                let mut interval = tokio::time::interval(Duration::from_millis(every_ms));
                // A slow reader gets the ticks late, not in a burst.
                interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                (interval, Instant::now())
            });
            interval.tick().await;
            let elapsed_ms = started.elapsed().as_millis() as u64;
            let item = json!({ "tick": tick + 1, "of": count, "elapsed_ms": elapsed_ms });
            Some((Ok(item), (tick + 1, Some((interval, started)))))
        }))
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

/// CPU-bound: FNV-1a over a text, many rounds.
///
/// `tokio::time::timeout` cannot stop code that never yields, so the work
/// runs on tokio's blocking pool, at most one hash per core at a time
/// (further requests wait for a core, within their timeout), and stops at
/// the next round once the request's future is dropped (timeout, client
/// gone, shutdown). Its size is bounded by the input limits: at most
/// [`MAX_HASH_BYTES`] bytes hashed (`rounds` × text length) per request.
#[derive(Clone, Debug)]
pub struct Hash {
    cores: Arc<Semaphore>,
}

impl Hash {
    /// A `hash` plugin that uses at most one blocking thread per core.
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Hash {
            cores: Arc::new(Semaphore::new(cores)),
        }
    }
}

impl Default for Hash {
    fn default() -> Self {
        Hash::new()
    }
}

/// Tells the blocking work to stop when the request's future is dropped.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Relaxed);
    }
}

impl Plugin for Hash {
    fn describe(&self) -> &str {
        "FNV-1a of {\"text\": string}, {\"rounds\": 1..=100000} times; rounds x text bytes <= 2^28"
    }

    async fn handle(&self, mut input: Value) -> Reply {
        let usage = || {
            refuse(format!(
                "expected {{\"text\": string, \"rounds\": 1..={MAX_ROUNDS}}}, rounds x text bytes <= {MAX_HASH_BYTES}"
            ))
        };
        let rounds = match input.get("rounds") {
            None => 1,
            Some(rounds) => rounds
                .as_u64()
                .filter(|r| (1..=MAX_ROUNDS).contains(r))
                .ok_or_else(usage)?,
        };
        let Some(Value::String(text)) = input.get_mut("text").map(Value::take) else {
            return Err(usage());
        };
        drop(input);
        if rounds.saturating_mul(text.len() as u64) > MAX_HASH_BYTES {
            return Err(usage());
        }
        // Waiting for a core counts against the request's timeout.
        let core = Arc::clone(&self.cores)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let stop = StopOnDrop(Arc::new(AtomicBool::new(false)));
        let stopped = Arc::clone(&stop.0);
        let work = tokio::task::spawn_blocking(move || {
            let _core = core;
            fnv1a_until(text.as_bytes(), rounds, &stopped)
        });
        match work.await {
            Ok(Some(hash)) => Ok(json!({ "hash": format!("{hash:016x}"), "rounds": rounds })),
            // Stopped: only when `stop` was dropped, so nobody awaits this.
            Ok(None) => Err(refuse("stopped".into())),
            Err(error) => match error.try_into_panic() {
                Ok(payload) => std::panic::resume_unwind(payload),
                Err(error) => Err(refuse(format!("the hash did not run: {error}"))),
            },
        }
    }

    /// A self-test against FNV-1a's published value for "a".
    async fn health(&self) -> Health {
        if fnv1a(b"a", 1) == 0xaf63_dc4c_8601_ec8c {
            Health::ok(format!(
                "self-test passed; {} of {} cores free",
                self.cores.available_permits(),
                std::thread::available_parallelism().map_or(1, usize::from)
            ))
        } else {
            Health::failing("self-test failed")
        }
    }
}

/// Too large on purpose: lays the text out on a 1 KiB page that lives
/// across an await, so every `handle` future goes to the heap.
#[derive(Clone, Copy, Debug)]
pub struct Render;

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
/// the next: its `handle` future holds the step's call in flight. Each step
/// is a plugin call of its own in `/stats` and `/metrics`.
#[derive(Clone, Debug)]
pub struct Chain {
    gateway: WeakGateway,
}

impl Plugin for Chain {
    fn describe(&self) -> &str {
        "feeds {\"input\": any} through {\"steps\": [plugin names]}"
    }

    async fn handle(&self, input: Value) -> Reply {
        let gateway = self
            .gateway
            .upgrade()
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
            let (reply, _) = plugin.handle(value, Some((&gateway, step))).await;
            value = reply.map_err(|PluginError(e)| refuse(format!("step '{step}': {e}")))?;
        }
        Ok(json!({ "output": value, "steps": steps.len() }))
    }

    /// It needs the gateway it calls through.
    async fn health(&self) -> Health {
        match self.gateway.upgrade() {
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
pub struct Panic;

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
    fnv1a_until(bytes, rounds, &AtomicBool::new(false)).expect("never stopped")
}

/// [`fnv1a`], checking `stop` before each round: `None` once it is set.
/// A round is at most the body limit long, so a stop is seen within
/// microseconds.
fn fnv1a_until(bytes: &[u8], rounds: u64, stop: &AtomicBool) -> Option<u64> {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for _ in 0..rounds {
        if stop.load(Relaxed) {
            return None;
        }
        for &byte in bytes {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    Some(hash)
}
