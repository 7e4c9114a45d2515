//! Runs the plugin gateway (the library beside this file) on a port.
//!
//! ```text
//! cargo run --release -p hybrid-dispatch-gateway -- --addr 127.0.0.1:3000
//! ```
//!
//! It prints where each plugin method's future lives, where it listens and
//! `curl` lines to try, then logs one line per request to stdout (set
//! `RUST_LOG`, e.g. `RUST_LOG=warn` or `RUST_LOG=off`, to change the
//! level). SIGINT (Ctrl-C) or SIGTERM: `/readyz` turns 503, requests in
//! flight finish within the shutdown deadline, the final counters are
//! printed; exit 0, or 1 if connections had to be cut. A second signal
//! cuts them at once.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use http_gateway::log::shown;
use http_gateway::{Config, serve};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

const USAGE: &str = "usage: http_gateway [--FLAG VALUE]...
  --addr HOST:PORT            where to listen (default 127.0.0.1:3000)
  --timeout-ms MS             a plugin request's deadline, body included: then 504 (default 2000)
  --body-timeout-ms MS        the longest stall while reading a body: then 408 (default 1000)
  --max-body-bytes N          the largest request body: over it, 413 (default 65536)
  --max-in-flight N           plugin requests at once: past it, 503 + Retry-After (default 256)
  --max-connections N         open connections at once (default 1024, kept below the fd limit)
  --header-timeout-ms MS      a connection idle or sending its request head longer is closed (default 5000)
  --drain-delay-ms MS         after a signal, /readyz answers 503 this long before accepting stops (default 0)
  --shutdown-deadline-ms MS   then requests in flight get this long to finish (default 10000)
  --max-streams N             plugin streams open at once: past it, 503 + Retry-After (default 64)
  --max-stream-ms MS          the longest a plugin stream stays open (default 300000)
  --max-stream-items N        the most events one plugin stream sends (default 100000)
  --keep-alive-ms MS          a comment this often while a stream is quiet (default 15000)
  --send-timeout-ms MS        a connection whose client does not read this long is closed (default 30000)
  --max-idle N                idle buffers kept per plugin method for futures that do not fit inline;
                              0: a box per call instead (default: the registry's bound per future size)";

/// Parses the command line into the gateway's settings and its address.
fn parse_args() -> Result<(SocketAddr, Config), String> {
    let mut addr = SocketAddr::from(([127, 0, 0, 1], 3000));
    let mut config = Config::default();
    let mut argv = std::env::args().skip(1);
    while let Some(arg) = argv.next() {
        let (flag, inline_value) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
            None => (arg, None),
        };
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        let value = inline_value
            .or_else(|| argv.next())
            .ok_or_else(|| format!("{flag} needs a value"))?;
        let number =
            || -> Result<u64, String> { value.parse().map_err(|e| format!("{flag} {value}: {e}")) };
        let ms = || number().map(Duration::from_millis);
        match flag.as_str() {
            "--addr" => addr = value.parse().map_err(|e| format!("--addr {value}: {e}"))?,
            "--timeout-ms" => config.timeout = ms()?,
            "--body-timeout-ms" => config.body_timeout = ms()?,
            "--max-body-bytes" => config.max_body_bytes = number()? as usize,
            "--max-in-flight" => config.max_in_flight = number()?.max(1) as usize,
            "--max-connections" => config.max_connections = number()?.max(1) as usize,
            "--header-timeout-ms" => config.header_timeout = ms()?,
            "--drain-delay-ms" => config.drain_delay = ms()?,
            "--shutdown-deadline-ms" => config.shutdown_deadline = ms()?,
            "--max-streams" => config.max_streams = number()?.max(1) as usize,
            "--max-stream-ms" => config.max_stream_duration = ms()?,
            "--max-stream-items" => config.max_stream_items = number()?,
            "--keep-alive-ms" => config.keep_alive = ms()?.max(Duration::from_millis(1)),
            "--send-timeout-ms" => config.send_timeout = ms()?,
            "--max-idle" => config.max_idle = Some(number()? as usize),
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    Ok((addr, config))
}

/// Logs to stdout: one line per request when its answer is ready,
/// warnings for 5xx answers, errors for panics. `RUST_LOG` takes
/// `tracing-subscriber`'s target syntax (`info`, `warn,http_gateway=info`,
/// `off`).
fn init_logging() {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|spec| spec.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(Level::INFO));
    let format = tracing_subscriber::fmt::layer().with_ansi(std::io::stdout().is_terminal());
    tracing_subscriber::registry()
        .with(format)
        .with(filter)
        .init();
    // A plugin's panic is an error in the log, not a backtrace on stderr:
    // the gateway answers 500 and goes on. Its message may quote the
    // client's input: escaped and bounded like a plugin name.
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("(not a string)");
        let location = info.location().map(ToString::to_string);
        tracing::error!(
            message = %shown(message, 256),
            location = location.as_deref().unwrap_or("?"),
            "panicked"
        );
    }));
}

/// The fd limit is raised to its hard maximum; the connection cap is kept
/// below it (with room for the listener, logs and the blocking pool), so
/// that the process never runs out of descriptors.
fn cap_connections(config: &mut Config) {
    const SPARE: u64 = 64;
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) if limit < config.max_connections as u64 + SPARE => {
            let cap = limit.saturating_sub(SPARE).max(1) as usize;
            println!(
                "file descriptor limit {limit}: at most {cap} connections (not {})",
                config.max_connections
            );
            config.max_connections = cap;
        }
        Ok(_) => {}
        Err(error) => println!("cannot read the file descriptor limit: {error}"),
    }
}

/// SIGINT and SIGTERM, each a message on the returned channel.
fn stop_signals() -> std::io::Result<mpsc::Receiver<()>> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let (stop, stops) = mpsc::channel(4);
    tokio::spawn(async move {
        let mut count = 0;
        loop {
            let name = tokio::select! {
                _ = interrupt.recv() => "SIGINT",
                _ = terminate.recv() => "SIGTERM",
            };
            count += 1;
            if count == 1 {
                println!("\n{name}: draining (a second signal stops at once)");
            } else {
                println!("\n{name} again: stopping now");
            }
            if stop.send(()).await.is_err() {
                return;
            }
        }
    });
    Ok(stops)
}

fn main() -> ExitCode {
    let (addr, mut config) = match parse_args() {
        Ok(parsed) => parsed,
        Err(error) => {
            if !error.is_empty() {
                eprintln!("{error}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(if error.is_empty() { 0 } else { 2 });
        }
    };
    init_logging();
    cap_connections(&mut config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(run(addr, config));
    // A plugin's blocking work still running stops at its next round (its
    // request is gone); do not wait for it.
    runtime.shutdown_timeout(Duration::from_millis(100));
    code
}

async fn run(addr: SocketAddr, config: Config) -> ExitCode {
    let (router, gateway) = http_gateway::app(config);
    let plugins = gateway.plugins();
    println!(
        "plugins: {} (timeout {} ms, body limit {} bytes, at most {} plugin requests in flight and {} connections; per-call spans: {})",
        plugins.names().join(", "),
        config.timeout.as_millis(),
        config.max_body_bytes,
        config.max_in_flight,
        config.max_connections,
        if cfg!(feature = "tracing") {
            "on"
        } else {
            "off, add --features tracing"
        },
    );
    println!(
        "\nwhere each plugin method's future lives:\n{}",
        plugins.sizing()
    );

    let stops = match stop_signals() {
        Ok(stops) => stops,
        Err(error) => {
            eprintln!("cannot handle signals: {error}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("cannot listen on {addr}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().unwrap_or(addr);
    println!("listening on http://{addr} (Ctrl-C to stop); try:");
    println!(
        "  curl -s -X POST http://{addr}/plugins/hash -d '{{\"text\": \"hello\", \"rounds\": 1000}}'"
    );
    println!(
        "  curl -s -X POST http://{addr}/plugins/chain -d '{{\"steps\": [\"render\", \"echo\"], \"input\": {{\"text\": \"hi\"}}}}'"
    );
    println!("  curl -s http://{addr}/plugins/sleep/health");
    println!(
        "  curl -sN http://{addr}/plugins/sleep/stream -d '{{\"every_ms\": 500, \"count\": 5}}'"
    );
    println!("  curl -s http://{addr}/stats");
    println!("  curl -s http://{addr}/metrics");
    println!();

    let served = match serve(listener, router, gateway.clone(), stops).await {
        Ok(served) => served,
        Err(error) => {
            eprintln!("server error: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("\nstopped; final counters:\n{}", gateway.plugins().stats());
    println!("answers by route and kind: {}", gateway.stats()["answers"]);
    if served.cut == 0 {
        ExitCode::SUCCESS
    } else {
        println!("{} connections were cut", served.cut);
        ExitCode::FAILURE
    }
}
