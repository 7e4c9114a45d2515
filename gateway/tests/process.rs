//! The built `http_gateway` binary as an operator runs it: started as a
//! child process on `127.0.0.1:0`, its stdout (the log) read line by line,
//! stopped with SIGINT or SIGTERM sent by the `kill` command.
//!
//! * SIGTERM drains like SIGINT: `/readyz` turns 503, the request in
//!   flight finishes, exit 0;
//! * clients stalled mid-head and mid-body and a plugin call of 30 s cannot
//!   hold the process past the shutdown deadline; a second signal ends the
//!   drain at once (exit 1: connections were cut);
//! * a forged plugin name (`%0A`, `%1B`, 60 KB) gives one log line, the
//!   name escaped and bounded.
//!
//! Loopback only; every wait is bounded, and a child still running when a
//! test ends is killed.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hyper::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[path = "common/http_client.rs"]
mod http_client;

use http_client::Client;

/// The most any test may take.
const TEST_LIMIT: Duration = Duration::from_secs(60);

/// A running gateway process.
struct Process {
    child: Child,
    addr: SocketAddr,
    /// Its stdout so far, line by line, as bytes (a raw escape byte must
    /// show).
    lines: Arc<Mutex<Vec<Vec<u8>>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Process {
    /// Starts the binary with `args` (and `--addr 127.0.0.1:0`), logging at
    /// INFO, and waits (bounded) until it listens.
    fn start(args: &[&str]) -> Process {
        let mut child = Command::new(env!("CARGO_BIN_EXE_http_gateway"))
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the gateway binary starts");
        let stdout = child.stdout.take().expect("piped");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let reader = std::thread::spawn({
            let lines = Arc::clone(&lines);
            move || {
                for line in BufReader::new(stdout).split(b'\n') {
                    let Ok(line) = line else { return };
                    lines.lock().unwrap().push(line);
                }
            }
        });
        let mut process = Process {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            lines,
            reader: Some(reader),
        };
        let started = Instant::now();
        loop {
            let listening = process.lines.lock().unwrap().iter().find_map(|line| {
                let line = String::from_utf8_lossy(line);
                let rest = line.strip_prefix("listening on http://")?;
                rest.split(' ').next()?.parse::<SocketAddr>().ok()
            });
            if let Some(addr) = listening {
                process.addr = addr;
                return process;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the gateway did not start listening: {}",
                process.text()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Sends `signal` (`"INT"`, `"TERM"`) to this child only, by its id.
    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("the kill command runs");
        assert!(status.success(), "kill -{signal}");
    }

    /// Waits (bounded by `limit`) for the process to exit: its status and
    /// when it exited.
    async fn exited(&mut self, limit: Duration) -> Option<(ExitStatus, Instant)> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                let exited = Instant::now();
                if let Some(reader) = self.reader.take() {
                    reader.join().expect("the reader thread");
                }
                return Some((status, exited));
            }
            if started.elapsed() >= limit {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }

    /// Its stdout so far, invalid UTF-8 replaced.
    fn text(&self) -> String {
        let lines = self.lines.lock().unwrap();
        let lines: Vec<_> = lines.iter().map(|l| String::from_utf8_lossy(l)).collect();
        lines.join("\n")
    }

    /// `GET /stats`, on a connection of its own (closed after).
    async fn stats(&self) -> Value {
        let mut c = Client::connect(self.addr).await;
        let answer = c.send(Method::GET, "/stats", String::new()).await;
        serde_json::from_slice(&answer.body).expect("JSON")
    }

    /// Waits (bounded: 10 s) until `plugin.handle` has `n` calls in flight.
    async fn until_in_flight(&self, plugin: &str, n: u64) {
        let started = Instant::now();
        loop {
            let stats = self.stats().await;
            if stats["plugins"][plugin]["handle"]["in_flight"] == n {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "{stats}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // A failed test may leave it running: end this child, by its id.
        if self.running() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Sends `request` as raw bytes on a new connection, and leaves it there.
async fn raw(addr: SocketAddr, request: &str) -> TcpStream {
    let mut tcp = TcpStream::connect(addr).await.expect("connect");
    tcp.write_all(request.as_bytes()).await.expect("write");
    tcp
}

/// Reads until the server closes `tcp`: everything it sent.
async fn read_to_close(mut tcp: TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(TEST_LIMIT, tcp.read_to_end(&mut received)).await;
    // A reset is a close too.
    let _ = read.expect("closed within the test limit");
    received
}

fn post(path: &str, body: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_and_sigint_drain_the_requests_in_flight() {
    for (signal, name) in [("TERM", "SIGTERM"), ("INT", "SIGINT")] {
        let mut gateway = Process::start(&["--drain-delay-ms", "1000"]);
        let addr = gateway.addr;
        tokio::time::timeout(TEST_LIMIT, async {
            let in_flight = tokio::spawn(async move {
                let mut c = Client::connect(addr).await;
                c.send(Method::POST, "/plugins/sleep", r#"{"ms": 1500}"#.into())
                    .await
            });
            gateway.until_in_flight("sleep", 1).await;
            gateway.signal(signal);

            // Draining: not ready (a load balancer stops sending work),
            // still alive, still serving.
            let started = Instant::now();
            loop {
                let mut c = Client::connect(addr).await;
                let ready = c.send(Method::GET, "/readyz", String::new()).await;
                if ready.status == StatusCode::SERVICE_UNAVAILABLE {
                    let body: Value = serde_json::from_slice(&ready.body).unwrap();
                    assert_eq!(body, json!({ "ready": false, "reason": "draining" }));
                    let live = c.send(Method::GET, "/healthz", String::new()).await;
                    assert_eq!(live.status, StatusCode::OK);
                    break;
                }
                assert!(started.elapsed() < Duration::from_millis(900), "{name}");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }

            // The request in flight finishes; then the process exits 0.
            let answer = in_flight.await.expect("client task");
            assert_eq!(answer.status, StatusCode::OK, "{name}");
            assert_eq!(&answer.body[..], br#"{"slept_ms":1500}"#);
            let (status, _) = gateway
                .exited(Duration::from_secs(10))
                .await
                .unwrap_or_else(|| panic!("{name}: still running"));
            let text = gateway.text();
            assert!(status.success(), "{name}: {status}\n{text}");
            assert!(text.contains(&format!("{name}: draining")), "{text}");
            assert!(text.contains("drained: every connection closed"), "{text}");
            assert!(text.contains("stopped; final counters"), "{text}");
        })
        .await
        .expect("within the time limit");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_clients_cannot_hold_exit_past_the_deadline() {
    // Nothing but the deadline ends these: every other limit is a minute.
    let mut gateway = Process::start(&[
        "--header-timeout-ms",
        "60000",
        "--body-timeout-ms",
        "60000",
        "--timeout-ms",
        "60000",
        "--shutdown-deadline-ms",
        "500",
    ]);
    let addr = gateway.addr;
    tokio::time::timeout(TEST_LIMIT, async {
        let mid_head = raw(addr, "POST /plugins/echo HTTP/1.1\r\nhost: x\r\n").await;
        let mid_body = raw(addr, &post("/plugins/echo", &" ".repeat(100))[..120]).await;
        let slow = raw(addr, &post("/plugins/sleep", r#"{"ms": 30000}"#)).await;
        gateway.until_in_flight("sleep", 1).await;

        let signalled = Instant::now();
        gateway.signal("INT");
        let (status, exited) = gateway
            .exited(Duration::from_secs(10))
            .await
            .expect("the process exits");
        let took = exited - signalled;
        assert!(
            took >= Duration::from_millis(450) && took < Duration::from_secs(3),
            "exited {took:?} after the signal"
        );
        let text = gateway.text();
        assert_eq!(status.code(), Some(1), "{text}");
        assert!(text.contains("shutdown deadline reached"), "{text}");
        assert!(text.contains("3 connections were cut"), "{text}");
        // The slow call was dropped, not answered.
        for tcp in [mid_head, mid_body, slow] {
            assert!(read_to_close(tcp).await.is_empty());
        }
    })
    .await
    .expect("within the time limit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_signal_ends_the_drain_at_once() {
    let mut gateway = Process::start(&["--timeout-ms", "60000", "--shutdown-deadline-ms", "30000"]);
    let addr = gateway.addr;
    tokio::time::timeout(TEST_LIMIT, async {
        let slow = raw(addr, &post("/plugins/sleep", r#"{"ms": 30000}"#)).await;
        gateway.until_in_flight("sleep", 1).await;
        gateway.signal("TERM");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(gateway.running(), "draining: waits for the call in flight");
        let signalled = Instant::now();
        gateway.signal("INT");
        let (status, exited) = gateway
            .exited(Duration::from_secs(10))
            .await
            .expect("the process exits");
        let took = exited - signalled;
        assert!(
            took < Duration::from_secs(2),
            "exited {took:?} after the second signal"
        );
        let text = gateway.text();
        assert_eq!(status.code(), Some(1), "{text}");
        assert!(text.contains("SIGINT again: stopping now"), "{text}");
        assert!(text.contains("1 connections were cut"), "{text}");
        assert!(read_to_close(slow).await.is_empty());
    })
    .await
    .expect("within the time limit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_names_give_one_escaped_bounded_log_line_each() {
    let mut gateway = Process::start(&[]);
    let addr = gateway.addr;
    let forged = "x%0A2026-01-01T00:00:00Z%20ERROR%20forged%1B%5B2J";
    let long = "n".repeat(60_000);
    tokio::time::timeout(TEST_LIMIT, async {
        let mut c = Client::connect(addr).await;
        for name in [forged, &long] {
            let path = format!("/plugins/{name}");
            let answer = c.send(Method::POST, &path, "{}".into()).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST);
            // A GET on the same route: 405, logged the same way.
            let answer = c.send(Method::GET, &path, String::new()).await;
            assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
        }
        // A panic whose message quotes the client's input.
        let answer = c
            .send(
                Method::POST,
                "/plugins/panic",
                r#"{"x": "\u001b[2J\n"}"#.into(),
            )
            .await;
        assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
        drop(c);
        gateway.signal("TERM");
        let (status, _) = gateway
            .exited(Duration::from_secs(10))
            .await
            .expect("the process exits");
        assert!(status.success());
    })
    .await
    .expect("within the time limit");

    let lines = gateway.lines.lock().unwrap().clone();
    let text = gateway.text();
    // No raw escape byte, no line that the client wrote.
    assert!(!lines.iter().any(|l| l.contains(&0x1b)), "{text}");
    assert!(
        !lines.iter().any(|l| l.starts_with(b"2026-01-01T00:00:00Z")),
        "{text}"
    );
    let with = |needle: &str| -> Vec<String> {
        let lines = text.lines().filter(|l| l.contains(needle));
        lines.map(str::to_owned).collect()
    };
    // One line per request, the name escaped.
    let shown = r#"plugin="x\n2026-01-01T00:00:00Z ERROR forged\u{1b}[2J""#;
    let forged_lines = with("forged");
    assert_eq!(forged_lines.len(), 2, "{forged_lines:#?}");
    assert!(forged_lines[0].contains(shown), "{}", forged_lines[0]);
    assert!(forged_lines[0].contains("answered status=400"));
    assert!(forged_lines[1].contains("answered status=405"));
    // The 60 KB name: 64 characters of it and its length.
    let long_lines = with("(60000 bytes)");
    assert_eq!(long_lines.len(), 2, "{long_lines:#?}");
    let bounded = format!("plugin=\"{}\"… (60000 bytes)", "n".repeat(64));
    assert!(
        long_lines
            .iter()
            .all(|l| l.contains(&bounded) && l.len() < 300)
    );
    // The panic: its message escaped, on one line.
    let panics = with("panicked");
    assert!(
        panics
            .iter()
            .any(|l| l.contains(r#"as asked ({\"x\":\"\\u001b[2J\\n\"})"#)),
        "{panics:#?}"
    );
    // Nothing near the size of what the clients sent.
    assert!(text.len() < 16_000, "{} bytes of log", text.len());
}
