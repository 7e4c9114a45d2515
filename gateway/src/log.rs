//! What the gateway logs: one line per request, when its answer is ready,
//! from tower-http's `TraceLayer`; the plugin name in it escaped and
//! bounded.
//!
//! A plugin name comes from the client (percent-decoded from the path), so
//! logged as it is, `%0A` would start a forged log line, `%1B` write a raw
//! escape byte to the operator's terminal, and a 60 KB name be written in
//! full for every request. [`shown`] quotes it, escapes everything but
//! printable ASCII and cuts it at [`SHOWN_CHARS`] characters.

use std::fmt::Write;
use std::time::Duration;

use axum::http::{Request, Response};
use tracing::Span;
use tracing::field::Empty;

use crate::routes::RouteInfo;

/// The most characters of a client-supplied name or path that are logged.
pub const SHOWN_CHARS: usize = 64;

/// `text` as it is safe to log: in double quotes; printable ASCII as it
/// is, `"` and `\` escaped, everything else as `\n`, `\t` or `\u{1b}`;
/// at most `max` characters of `text`, then `…` and its length in bytes.
/// The work is bounded by `max`, not by the length of `text`.
///
/// ```
/// use http_gateway::log::shown;
/// assert_eq!(shown("echo", 64), r#""echo""#);
/// assert_eq!(shown("x\nERROR forged\u{1b}[2J", 64), r#""x\nERROR forged\u{1b}[2J""#);
/// assert_eq!(shown(&"a".repeat(60_000), 4), r#""aaaa"… (60000 bytes)"#);
/// ```
pub fn shown(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max) + 2);
    out.push('"');
    let mut chars = text.chars();
    for c in chars.by_ref().take(max) {
        match c {
            ' ' => out.push(' '),
            c if c.is_ascii_graphic() && c != '"' && c != '\\' => out.push(c),
            c => out.extend(c.escape_default()),
        }
    }
    out.push('"');
    if chars.next().is_some() {
        let _ = write!(out, "… ({} bytes)", text.len());
    }
    out
}

/// The request's span (`TraceLayer::make_span_with`): method, route and
/// the plugin name, escaped and bounded, or the path for other routes.
pub(crate) fn request_span<B>(request: &Request<B>) -> Span {
    let span = tracing::info_span!(
        "request",
        method = %request.method(),
        route = Empty,
        plugin = Empty,
        path = Empty,
    );
    // Logging off: no name to escape.
    if span.is_disabled() {
        return span;
    }
    if let Some(info) = request.extensions().get::<std::sync::Arc<RouteInfo>>() {
        span.record("route", info.route.name());
        match &info.name {
            Some(name) => span.record("plugin", tracing::field::display(name.shown())),
            None => span.record(
                "path",
                tracing::field::display(shown(request.uri().path(), SHOWN_CHARS)),
            ),
        };
    }
    span
}

/// The request's one line (`TraceLayer::on_response`): status and latency,
/// a warning for 5xx.
pub(crate) fn answered<B>(response: &Response<B>, latency: Duration, _span: &Span) {
    let status = response.status().as_u16();
    let micros = latency.as_micros() as u64;
    if status >= 500 {
        tracing::warn!(status, micros, "answered");
    } else {
        tracing::info!(status, micros, "answered");
    }
}
