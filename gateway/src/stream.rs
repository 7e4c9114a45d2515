//! A plugin's stream served as server-sent events: bounded, counted, and
//! dropped when the client goes away.
//!
//! The tower layers of the plugin routes end where the handler returns the
//! response head: the in-flight limit's permit is given back and the
//! timeout stops counting, while the body (the stream) goes on as long as
//! the plugin's stream does. So a stream carries its own bounds:
//!
//! * **a slot** out of `max_streams`, held until the stream is dropped
//!   (past it: 503 with `Retry-After`, at once);
//! * **a duration**: after `max_stream_duration` the gateway sends
//!   `event: end` with `{"reason": "max_duration"}` and drops the plugin's
//!   stream;
//! * **an item count**: after `max_stream_items` items, `event: end`
//!   (`max_items`);
//! * **shutdown**: when the gateway starts draining, every stream ends
//!   (`shutdown`) so that the drain is not held up by streams that never
//!   end;
//! * **the client**: when it goes away, the next write fails (an item or a
//!   keep-alive comment, every `keep_alive` at the latest), hyper drops the
//!   body, and with it the plugin's stream; when it stops reading, the
//!   connection's send timeout closes it (see [`serve`](mod@crate::serve)).
//!
//! Every stream ends with an event that says why (`end`, or `error` for a
//! plugin's error or panic), so that a client (a browser's `EventSource`
//! reconnects by itself when a connection just closes) can tell a finished
//! stream from a lost connection.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::response::sse::Event;
use futures_util::Stream;
use futures_util::future::Either;
use prometheus_client::metrics::counter::Counter;
use serde_json::{Value, json};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

use hybrid_dispatch::SendInlineStream;

use crate::gateway::Gateway;
use crate::metrics::StreamLabels;
use crate::plugins::{BoxStream, Cap, PluginError, Reply};

/// A plugin's stream, erased: the twin's inline stream, or a box
/// ([`Dispatch::Boxed`](crate::Dispatch::Boxed)).
pub(crate) type PluginStream = Either<SendInlineStream<'static, Reply, Cap>, BoxStream<Reply>>;

/// How a stream ended: the `end` label in `/metrics`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// The plugin's stream ended.
    Completed,
    /// The plugin's stream sent an error after its first item.
    Error,
    /// Its first item was an error: the input was refused (422).
    Refused,
    /// `max_stream_items` were sent.
    MaxItems,
    /// It was open for `max_stream_duration`.
    MaxDuration,
    /// The gateway started draining.
    Shutdown,
    /// Dropped before it ended: the client went away (or stopped reading),
    /// the first item did not come in time, the connection was cut.
    Cancelled,
    /// The plugin's stream panicked.
    Panicked,
}

impl End {
    pub(crate) fn name(self) -> &'static str {
        match self {
            End::Completed => "completed",
            End::Error => "error",
            End::Refused => "refused",
            End::MaxItems => "max_items",
            End::MaxDuration => "max_duration",
            End::Shutdown => "shutdown",
            End::Cancelled => "cancelled",
            End::Panicked => "panicked",
        }
    }
}

/// The streams of one plugin, for `/stats`: open, and how the others
/// ended, in the three outcomes of a plugin call. `completed`: the
/// plugin's stream ended by itself (`completed`, `error`, `refused`);
/// `cancelled`: the gateway dropped it first (a bound, shutdown, the
/// client); `panicked`.
#[derive(Debug, Default)]
pub(crate) struct StreamCounts {
    pub(crate) open: AtomicU64,
    pub(crate) completed: AtomicU64,
    pub(crate) cancelled: AtomicU64,
    pub(crate) panicked: AtomicU64,
    pub(crate) items: AtomicU64,
}

/// The gateway's streams: slots, per-plugin counts and the drain signal.
#[derive(Debug)]
pub(crate) struct Streams {
    slots: Arc<Semaphore>,
    max: usize,
    /// By plugin name; an entry is made by a plugin's first stream (only
    /// registered plugins get that far) and kept, as the registry's
    /// counters of a removed plugin are not.
    counts: Mutex<BTreeMap<String, Arc<StreamCounts>>>,
    drain: watch::Sender<bool>,
}

impl Streams {
    pub(crate) fn new(max: usize) -> Self {
        Streams {
            slots: Arc::new(Semaphore::new(max)),
            max,
            counts: Mutex::default(),
            drain: watch::channel(false).0,
        }
    }

    pub(crate) fn max(&self) -> usize {
        self.max
    }

    /// Streams open now, all plugins.
    pub(crate) fn open(&self) -> usize {
        self.max - self.slots.available_permits()
    }

    /// The counts of `plugin`'s streams, if it ever streamed.
    pub(crate) fn counts(&self, plugin: &str) -> Option<Arc<StreamCounts>> {
        self.lock().get(plugin).cloned()
    }

    /// Ends every stream (`shutdown`), and every stream opened from now on
    /// at its first poll.
    pub(crate) fn drain(&self) {
        self.drain.send_replace(true);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Arc<StreamCounts>>> {
        // The map is left consistent by every operation on it.
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One open stream of one plugin, counted from the moment it takes its
/// slot until it is dropped, whatever drops it.
#[derive(Debug)]
pub(crate) struct Opened {
    gateway: Gateway,
    counts: Arc<StreamCounts>,
    plugin: String,
    placement: &'static str,
    /// How it ended, once known.
    end: Option<End>,
    /// `gateway_stream_items_total` for this plugin, resolved once.
    items: Counter,
    _slot: OwnedSemaphorePermit,
}

impl Opened {
    /// Takes a slot for a stream of `plugin`; `None` when `max_streams` are
    /// open. Then [`placed`](Self::placed) says where the stream lives.
    pub(crate) fn new(gateway: &Gateway, plugin: &str) -> Option<Self> {
        let streams = gateway.streams();
        let slot = Arc::clone(&streams.slots).try_acquire_owned().ok()?;
        let counts = Arc::clone(streams.lock().entry(plugin.to_owned()).or_default());
        counts.open.fetch_add(1, Relaxed);
        let metrics = gateway.metrics();
        metrics.streams_open.inc();
        let items = metrics
            .stream_items
            .get_or_create(&crate::metrics::PluginLabel {
                plugin: plugin.to_owned(),
            })
            .clone();
        Some(Opened {
            gateway: gateway.clone(),
            counts,
            plugin: plugin.to_owned(),
            placement: "inline",
            end: None,
            items,
            _slot: slot,
        })
    }

    /// Where the plugin's erased stream lives: `inline`, `recycled` or `heap`.
    pub(crate) fn placed(&mut self, placement: &'static str) {
        self.placement = placement;
    }

    /// Records how the stream ended (the last call wins); dropped without
    /// one, it was cancelled, or it panicked.
    pub(crate) fn end(&mut self, end: End) {
        self.end = Some(end);
    }

    fn item(&self) {
        self.counts.items.fetch_add(1, Relaxed);
        self.items.inc();
    }
}

impl Drop for Opened {
    fn drop(&mut self) {
        let end = self.end.unwrap_or(if std::thread::panicking() {
            End::Panicked
        } else {
            End::Cancelled
        });
        let outcome = match end {
            End::Completed | End::Error | End::Refused => &self.counts.completed,
            End::Panicked => &self.counts.panicked,
            End::MaxItems | End::MaxDuration | End::Shutdown | End::Cancelled => {
                &self.counts.cancelled
            }
        };
        outcome.fetch_add(1, Relaxed);
        self.counts.open.fetch_sub(1, Relaxed);
        let metrics = self.gateway.metrics();
        let labels = StreamLabels {
            plugin: std::mem::take(&mut self.plugin),
            placement: self.placement,
            end: end.name(),
        };
        metrics.streams.get_or_create(&labels).inc();
        metrics.streams_open.dec();
    }
}

pin_project_lite::pin_project! {
    /// The body of a `200 text/event-stream` answer: the plugin's first
    /// item (received by [`first`](EventStream::first) before the answer
    /// was made), then the rest of its stream, each as an event, within the
    /// bounds of the module docs.
    #[project = EventStreamProj]
    pub(crate) struct EventStream {
        // The first item, once `first` received it.
        first: Option<Value>,
        // Set when the stream ended before its first item.
        empty: bool,
        // `None` once the stream ended: the plugin's stream is dropped at
        // once, not when the connection gets round to dropping the body.
        #[pin]
        events: Option<PluginStream>,
        bounds: Pin<Box<dyn Future<Output = End> + Send>>,
        sent: u64,
        max_items: u64,
        opened: Opened,
        done: bool,
    }
}

impl EventStream {
    /// The plugin's stream `events`, counted by `opened`.
    pub(crate) fn new(events: PluginStream, opened: Opened) -> Self {
        let config = *opened.gateway.config();
        let mut drain = opened.gateway.streams().drain.subscribe();
        // One box per stream, never per item.
        let bounds = Box::pin(async move {
            tokio::select! {
                () = tokio::time::sleep(config.max_stream_duration) => End::MaxDuration,
                // An error: the gateway is gone, which is a shutdown too.
                _ = drain.wait_for(|draining| *draining) => End::Shutdown,
            }
        });
        EventStream {
            first: None,
            empty: false,
            events: Some(events),
            bounds,
            sent: 0,
            max_items: config.max_stream_items,
            opened,
            done: false,
        }
    }
}

impl EventStream {
    /// Waits for the plugin's first item: `Err` is a refusal of the input
    /// (the stream ends, counted `refused`); an item, or the end of an
    /// empty stream, is kept to be sent first.
    pub(crate) async fn first(mut self: Pin<&mut Self>) -> Result<(), PluginError> {
        let first = std::future::poll_fn(|cx| {
            let events = self.as_mut().project().events.as_pin_mut();
            events.expect("not ended").poll_next(cx)
        })
        .await;
        let this = self.project();
        match first {
            Some(Ok(value)) => *this.first = Some(value),
            Some(Err(refusal)) => {
                *this.done = true;
                this.opened.end(End::Refused);
                return Err(refusal);
            }
            None => *this.empty = true,
        }
        Ok(())
    }
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("sent", &self.sent)
            .field("opened", &self.opened)
            .finish_non_exhaustive()
    }
}

impl Stream for EventStream {
    type Item = Result<Event, Infallible>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        if *this.empty {
            return ended(&mut this, End::Completed, end_event(End::Completed));
        }
        if let Poll::Ready(end) = this.bounds.as_mut().poll(cx) {
            return ended(&mut this, end, end_event(end));
        }
        if *this.sent >= *this.max_items {
            return ended(&mut this, End::MaxItems, end_event(End::MaxItems));
        }
        let next = match this.first.take() {
            Some(first) => Some(Ok(first)),
            None => {
                let events = this.events.as_mut().as_pin_mut().expect("not ended");
                // A panicking plugin ends its own stream with an `error`
                // event, not the client's connection (hyper would abort the
                // connection's task). The panic hook has logged it; the
                // erased stream is fused after a panic.
                match catch_unwind(AssertUnwindSafe(|| events.poll_next(cx))) {
                    Ok(Poll::Ready(next)) => next,
                    Ok(Poll::Pending) => return Poll::Pending,
                    Err(_panic) => {
                        let error = "the plugin's stream panicked";
                        return ended(&mut this, End::Panicked, error_event(error));
                    }
                }
            }
        };
        match next {
            Some(Ok(value)) => {
                *this.sent += 1;
                this.opened.item();
                Poll::Ready(Some(Ok(data_event(&value))))
            }
            Some(Err(PluginError(error))) => ended(&mut this, End::Error, error_event(&error)),
            None => ended(&mut this, End::Completed, end_event(End::Completed)),
        }
    }
}

/// Ends the stream with its last `event`: the plugin's stream is dropped.
fn ended(
    this: &mut EventStreamProj<'_>,
    end: End,
    event: Event,
) -> Poll<Option<Result<Event, Infallible>>> {
    *this.done = true;
    this.events.set(None);
    this.opened.end(end);
    Poll::Ready(Some(Ok(event)))
}

/// An item: `data: {json}`.
fn data_event(value: &Value) -> Event {
    // `Display` of a `Value` is its compact JSON: one line, as `data:`
    // needs (a newline inside a string is escaped).
    Event::default().data(value.to_string())
}

fn end_event(end: End) -> Event {
    let data = json!({ "reason": end.name() }).to_string();
    Event::default().event("end").data(data)
}

fn error_event(error: &str) -> Event {
    let data = json!({ "error": error }).to_string();
    Event::default().event("error").data(data)
}
