//! A plugin gateway over HTTP: an axum server whose routes dispatch to
//! plugins of a `Plugin` trait written with `async fn`, made callable
//! through `dyn` by `#[hybrid_dispatch::dyn_twin]` and held in a
//! `hybrid_dispatch::registry::TwinRegistry`.
//!
//! ```text
//! cargo run --release --example http_gateway [-- --addr 127.0.0.1:3000 --timeout-ms 2000]
//! ```
//!
//! Six plugins with futures of different sizes (`gateway.rs`): `echo`
//! (ready at once), `sleep` (awaits a tokio timer), `hash` (CPU-bound),
//! `render` (a 1 KiB future: always on the heap), `chain` (calls other
//! plugins through the registry) and `panic` (panics). Each has two async
//! methods, `handle` (`POST /plugins/{name}`) and `health`
//! (`GET /plugins/{name}/health`). It prints where each method's future
//! lives, where it listens and `curl` lines to try; every request is logged
//! when it ends (set `RUST_LOG`, e.g. `RUST_LOG=warn`, to change the
//! level); with `--features tracing` each plugin call also gets a `call`
//! span from the library (`TwinHandle::track`: service, method, placement,
//! outcome), nested under its request.
//! Ctrl-C stops it: requests in flight finish, it prints the final counters
//! and exits 0.

mod gateway;

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use gateway::Config;

const USAGE: &str = "usage: http_gateway [--addr HOST:PORT] [--timeout-ms MS]
  --addr        where to listen (default 127.0.0.1:3000)
  --timeout-ms  how long a plugin may take before the request gets 504 (default 2000)";

/// The command line.
struct Args {
    addr: SocketAddr,
    timeout: Duration,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
        timeout: Config::default().timeout,
    };
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
        match flag.as_str() {
            "--addr" => {
                args.addr = value.parse().map_err(|e| format!("--addr {value}: {e}"))?;
            }
            "--timeout-ms" => {
                let ms: u64 = value
                    .parse()
                    .map_err(|e| format!("--timeout-ms {value}: {e}"))?;
                args.timeout = Duration::from_millis(ms);
            }
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    Ok(args)
}

/// Logs to stdout: one line per request when it ends (its span closes),
/// warnings for timeouts, errors for panics. `RUST_LOG` takes
/// `tracing-subscriber`'s target syntax (`info`, `warn,http_gateway=info`).
fn init_logging() {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|spec| spec.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(Level::INFO));
    let format = tracing_subscriber::fmt::layer()
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(std::io::stdout().is_terminal());
    tracing_subscriber::registry()
        .with(format)
        .with(filter)
        .init();
    // A plugin's panic is an error in the log, not a backtrace on stderr:
    // the gateway answers 500 and goes on.
    std::panic::set_hook(Box::new(|info| tracing::error!("{info}")));
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(error) => {
            if !error.is_empty() {
                eprintln!("{error}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(if error.is_empty() { 0 } else { 2 });
        }
    };
    init_logging();

    let config = Config {
        timeout: args.timeout,
        ..Config::default()
    };
    let (router, gateway) = gateway::app(config);
    let plugins = gateway.plugins();
    println!(
        "plugins: {} (per-request timeout {} ms; per-call spans: {})",
        plugins.names().join(", "),
        config.timeout.as_millis(),
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

    let listener = match tokio::net::TcpListener::bind(args.addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("cannot listen on {}: {error}", args.addr);
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().unwrap_or(args.addr);
    println!("listening on http://{addr} (Ctrl-C to stop); try:");
    println!(
        "  curl -s -X POST http://{addr}/plugins/hash -d '{{\"text\": \"hello\", \"rounds\": 1000}}'"
    );
    println!(
        "  curl -s -X POST http://{addr}/plugins/chain -d '{{\"steps\": [\"render\", \"echo\"], \"input\": {{\"text\": \"hi\"}}}}'"
    );
    println!("  curl -s http://{addr}/plugins/sleep/health");
    println!("  curl -s http://{addr}/stats");
    println!();

    let shutdown = async {
        // If the handler cannot be installed, serve until killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        println!("\nCtrl-C: finishing the requests in flight, then stopping");
    };
    if let Err(error) = gateway::serve(listener, router, shutdown).await {
        eprintln!("server error: {error}");
        return ExitCode::FAILURE;
    }
    println!("\nstopped; final counters:\n{}", plugins.stats());
    println!("answers by route and kind: {}", gateway.stats()["answers"]);
    ExitCode::SUCCESS
}
