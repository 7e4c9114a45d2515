//! The HTTP gateway over loopback, in one run: requests per second and
//! latency percentiles with the same plugins (one `Plugin` trait written
//! with `async fn`) dispatched through the `#[dyn_twin]` twin's inline
//! erasure and through boxed futures, what share of a request the dispatch
//! is, and what the per-request INFO log line costs.
//!
//! ```text
//! cargo bench -p hybrid-dispatch-gateway --bench gateway             # everything
//! cargo bench -p hybrid-dispatch-gateway --bench gateway -- logging  # section 4 only
//! cargo bench -p hybrid-dispatch-gateway --bench gateway -- dispatch  # the calls without HTTP only
//! cargo bench -p hybrid-dispatch-gateway --bench gateway -- callgrind  # their instructions (valgrind)
//! ```
//!
//! Two gateways run side by side on one 2-worker tokio runtime, differing
//! only in [`Dispatch`]: `twin` (the
//! [`TwinRegistry`](hybrid_dispatch::twin::TwinRegistry): a name lookup
//! in its snapshot, with no lock, then a handle: an `Arc` clone of the
//! entry, which a request holds while it runs; `handle_send` on `dyn SendDynPlugin` with futures up
//! to 120 bytes inline and larger ones recycled, tracked and counted per method) and `boxed` (a
//! `BTreeMap` of `Arc<dyn BoxedPlugin>`: the same trait with every call's
//! future boxed, as `#[async_trait]` or `dynosaur` would do it; no
//! counters). The clients run on a current-thread runtime on the main
//! thread: three busy threads on the machine's cores.
//!
//! 1. **The call without HTTP**: the gateway's own call (lookup, erasure,
//!    the plugin, poll to completion, drop) in a loop on a current-thread
//!    runtime; the same call through a plugin resolved once (the twin's
//!    handle, tracked, and the boxed plugin); and, to take the cost apart, through a bare
//!    `Arc<dyn SendDynPlugin>` outside any registry (no counters), with
//!    the gateway's capacity (the default one) and `S32` (256 bytes, which
//!    the gateway used before), awaited as returned or pinned where
//!    returned; and by name through the twin's bridge (`Plugin::handle` on
//!    the twin object, whose erased future is pinned inside the bridge's).
//!    Each minus a loop that only clones and drops
//!    the input; with the allocations per call from the tests' counting
//!    allocator. `echo` does nothing, so for it this is the dispatch.
//!    With `-- callgrind [N]`, instead: each row's instructions per call
//!    under callgrind, `(Ir(2N) - Ir(N)) / N` minus the same for the loop
//!    that only clones the input (N = 20000 unless given), which a busy
//!    machine does not move: the timings of this section moved by 10-20 ns
//!    between builds that ran the same instructions.
//! 2. **One connection**: sequential requests, so each latency is one
//!    unloaded HTTP round trip (JSON parsing and writing, hyper, axum,
//!    loopback TCP, waking the threads, the client). One connection to
//!    each gateway, the requests alternating between them, so both see the
//!    same machine.
//! 3. **32 connections**: throughput and latency under load.
//!
//! 4. **Logging on and off**: the built `http_gateway` binary, twice, as
//!    an operator runs it (its own 2-worker runtime), one with
//!    `RUST_LOG=info` (a line per request), one with `RUST_LOG=off`; both
//!    write stdout to a file under cargo's target directory. `echo` over
//!    one connection and over 32, the two processes alternating; besides
//!    throughput, the server's CPU time per request (user + system, from
//!    `/proc/<pid>/stat`), which a busy machine disturbs much less.
//!
//! Plugins: `echo` (a 48-byte `handle` future, inline in the twin) and
//! `render` (1120 bytes: recycled in the twin gateway, boxed in the other). Rounds alternate the two
//! gateways so drift on a shared machine does not favour one.

use std::hint::black_box;
use std::net::SocketAddr;
use std::pin::pin;
use std::time::{Duration, Instant};

use hyper::Method;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

#[path = "../tests/common/http_client.rs"]
mod http_client;

// The library tests' counting allocator (per thread), so this file needs
// no `unsafe` of its own.
#[path = "../../tests/common/counting_alloc.rs"]
#[allow(dead_code, unreachable_pub, reason = "the bench uses a part")]
mod counting_alloc;

use std::process::{Child, Command, Stdio};
use std::sync::Arc;

// The benches' callgrind runner (it depends on nothing else there).
#[path = "../../benches/support/valgrind.rs"]
mod valgrind;

use counting_alloc::count;
use http_client::Client;
use http_gateway::{BoxedPlugin, Cap, Config, Dispatch, Gateway, Resolved, SendDynPlugin};
use hybrid_dispatch::capacity::{Capacity, S32};
use hybrid_dispatch::twin::TwinHandle;

#[global_allocator]
static GLOBAL: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc;

const MODES: [(Dispatch, &str); 2] = [(Dispatch::Twin, "twin"), (Dispatch::Boxed, "boxed")];
/// The rows of the measurement without HTTP: the two gateways' own calls,
/// and calls through a plugin resolved once; with the mode (index into
/// `MODES`) whose round trip each is set against.
const DISPATCH_ROWS: [(&str, usize); 10] = [
    ("twin, by name (the gateway)", 0),
    ("boxed, by name (the gateway)", 1),
    ("twin, resolved once (`handle_send`, tracked)", 0),
    ("boxed, resolved once (`handle_boxed`)", 1),
    ("twin, bare `Arc<dyn SendDynPlugin>` (no counters)", 0),
    ("twin, bare, S32 (264-byte handle)", 0),
    ("twin, bare, pinned where returned (`pin!`)", 0),
    ("twin, bare, S32, pinned where returned", 0),
    (
        "twin, by name, metered (the gateway's handler: + `/metrics`)",
        0,
    ),
    ("twin, by name, through the bridge (`Plugin::handle`)", 0),
];
const WORKLOADS: [(&str, &str); 2] = [("echo", r#"{"i": 1}"#), ("render", r#"{"text": "hello"}"#)];

const ROUNDS: usize = 5;
const DISPATCHES: u32 = 200_000;
const SEQUENTIAL: usize = 3_000;
const CONNECTIONS: usize = 32;
const LOAD_TIME: Duration = Duration::from_millis(1000);

fn main() {
    let started = Instant::now();
    // `cargo bench` passes `--bench`; a word names the one section to run.
    let only_logging = std::env::args().skip(1).any(|arg| arg == "logging");
    let only_dispatch = std::env::args().skip(1).any(|arg| arg == "dispatch");
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|arg| arg == "repeat") {
        let n = args[at + 3]
            .parse()
            .expect("repeat WORKLOAD ROW N: a number");
        repeat(&args[at + 1], &args[at + 2], n);
        return;
    }
    if let Some(at) = args.iter().position(|arg| arg == "callgrind") {
        let n = args
            .get(at + 1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(20_000);
        measure_callgrind(n);
        return;
    }
    println!("gateway bench: {ROUNDS} rounds, modes alternating within each round\n");
    if only_logging {
        let clients = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("client runtime");
        measure_logging(&clients);
        println!("\nwhole run: {:.1?}", started.elapsed());
        return;
    }

    let dispatch = measure_dispatch();
    if only_dispatch {
        print_dispatch(&dispatch);
        println!("\nwhole run: {:.1?}", started.elapsed());
        return;
    }

    let servers = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("server runtime");
    let addrs: Vec<SocketAddr> = MODES
        .iter()
        .map(|(mode, _)| start(&servers, *mode))
        .collect();
    let clients = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");

    // Latencies in ns and request counts, per (workload, mode).
    let mut sequential = vec![vec![Vec::new(); MODES.len()]; WORKLOADS.len()];
    let mut loaded = vec![vec![Vec::new(); MODES.len()]; WORKLOADS.len()];
    let mut rates = vec![vec![Vec::new(); MODES.len()]; WORKLOADS.len()];
    let mut placement = vec![vec![String::new(); MODES.len()]; WORKLOADS.len()];
    for round in 0..ROUNDS {
        for (w, (plugin, body)) in WORKLOADS.iter().enumerate() {
            let (samples, futures) = clients.block_on(one_connection_each(&addrs, plugin, body));
            for (m, (samples, future)) in samples.into_iter().zip(futures).enumerate() {
                sequential[w][m].extend(samples);
                placement[w][m] = future;
            }
            // Alternate which mode goes first.
            for m in (0..MODES.len()).map(|m| (m + round) % MODES.len()) {
                let addr = addrs[m];
                let (samples, elapsed) = clients.block_on(many_connections(addr, plugin, body));
                rates[w][m].push(samples.len() as f64 / elapsed.as_secs_f64());
                loaded[w][m].extend(samples);
            }
        }
    }

    println!(
        "| plugin | dispatch (future) | 1 connection: req/s | p50 | p99 | {CONNECTIONS} connections: req/s (min-max of {ROUNDS} rounds) | p50 | p99 |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for (w, (plugin, _)) in WORKLOADS.iter().enumerate() {
        for (m, (_, mode)) in MODES.iter().enumerate() {
            let one = &mut sequential[w][m];
            let one_rate = one.len() as f64 / (one.iter().sum::<u64>() as f64 / 1e9);
            let many = &mut loaded[w][m];
            let round_rates = &mut rates[w][m];
            round_rates.sort_by(f64::total_cmp);
            let many_rate = round_rates[round_rates.len() / 2];
            let (low, high) = (round_rates[0], round_rates[round_rates.len() - 1]);
            println!(
                "| {plugin} | {mode} ({}) | {one_rate:.0} | {} | {} | {many_rate:.0} ({low:.0}-{high:.0}) | {} | {} |",
                placement[w][m],
                micros(percentile(one, 50)),
                micros(percentile(one, 99)),
                micros(percentile(many, 50)),
                micros(percentile(many, 99)),
            );
        }
    }

    println!("\nthe call without HTTP against one request (1 connection, median round trip):\n");
    println!(
        "| plugin | call | call without HTTP | allocations per call | round trip p50 | share of the round trip |"
    );
    println!("|---|---|---:|---:|---:|---:|");
    for (w, (plugin, _)) in WORKLOADS.iter().enumerate() {
        let round_trips: Vec<f64> = (0..MODES.len())
            .map(|m| percentile(&mut sequential[w][m], 50) as f64)
            .collect();
        for (row, (label, mode)) in DISPATCH_ROWS.iter().enumerate() {
            let (ns, allocs) = dispatch[w][row];
            let round_trip = round_trips[*mode];
            println!(
                "| {plugin} | {label} | {ns:.0} ns | {allocs:.2} | {} | {:.3} % |",
                micros(round_trip as u64),
                100.0 * ns / round_trip,
            );
        }
        for (label, twin, boxed) in [("by name", 0, 1), ("resolved once", 2, 3)] {
            let (twin, boxed) = (dispatch[w][twin].0, dispatch[w][boxed].0);
            println!(
                "|   | boxed - twin, {label} | {:+.0} ns | | | {:+.3} % |",
                boxed - twin,
                100.0 * (boxed - twin) / round_trips[0],
            );
        }
    }
    measure_logging(&clients);
    println!("\nwhole run: {:.1?}", started.elapsed());
}

/// The logging settings compared, as `RUST_LOG` values.
const LOGGING: [&str; 2] = ["off", "info"];

/// The built binary, started with `RUST_LOG=log`, its stdout to a file.
struct Process {
    child: Child,
    addr: SocketAddr,
}

impl Process {
    fn start(log: &str) -> Process {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
        let path = dir.join(format!("gateway-bench-{log}.log"));
        let file = std::fs::File::create(&path).expect("the log file");
        let child = Command::new(env!("CARGO_BIN_EXE_http_gateway"))
            .args(["--addr", "127.0.0.1:0"])
            .env("RUST_LOG", log)
            .stdin(Stdio::null())
            .stdout(file)
            .spawn()
            .expect("the gateway binary");
        // Killed on drop, also if it never listens.
        let mut process = Process {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let started = Instant::now();
        loop {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let addr = text.lines().find_map(|line| {
                let rest = line.strip_prefix("listening on http://")?;
                rest.split(' ').next()?.parse().ok()
            });
            if let Some(addr) = addr {
                process.addr = addr;
                return process;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "{text}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Process {
    /// The CPU time the process has used so far (user + system).
    fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))
            .expect("/proc/<pid>/stat");
        // Fields after the command (which may hold spaces), from field 3 on.
        let fields: Vec<&str> = stat[stat.rfind(')').expect("(comm)") + 2..]
            .split(' ')
            .collect();
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        Duration::from_secs_f64(ticks as f64 / clock_ticks() as f64)
    }
}

/// Clock ticks per second, the unit of `/proc/<pid>/stat`'s times.
fn clock_ticks() -> u64 {
    let out = Command::new("getconf").arg("CLK_TCK").output();
    out.ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

impl Drop for Process {
    fn drop(&mut self) {
        // This bench's own child, by its id.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `echo` through the binary with logging off and on: one connection
/// (the two alternating request by request), then 32 (alternating which
/// goes first), `ROUNDS` times.
fn measure_logging(clients: &Runtime) {
    let processes: Vec<Process> = LOGGING.iter().map(|log| Process::start(log)).collect();
    let addrs: Vec<SocketAddr> = processes.iter().map(|p| p.addr).collect();
    let (plugin, body) = WORKLOADS[0];
    let mut sequential = vec![Vec::new(); LOGGING.len()];
    let mut loaded = vec![Vec::new(); LOGGING.len()];
    let mut rates = vec![Vec::new(); LOGGING.len()];
    // Server CPU time and requests, per setting, over the 32-connection loads.
    let mut cpu = vec![(Duration::ZERO, 0usize); LOGGING.len()];
    for round in 0..ROUNDS {
        let (samples, _) = clients.block_on(one_connection_each(&addrs, plugin, body));
        for (l, samples) in samples.into_iter().enumerate() {
            sequential[l].extend(samples);
        }
        for l in (0..LOGGING.len()).map(|l| (l + round) % LOGGING.len()) {
            let before = processes[l].cpu();
            let (samples, elapsed) = clients.block_on(many_connections(addrs[l], plugin, body));
            cpu[l].0 += processes[l].cpu() - before;
            cpu[l].1 += samples.len();
            rates[l].push(samples.len() as f64 / elapsed.as_secs_f64());
            loaded[l].extend(samples);
        }
    }
    println!(
        "\nthe binary (`{plugin}`), its per-request INFO log line off and on (stdout to a file):\n"
    );
    println!(
        "| RUST_LOG | 1 connection: req/s | p50 | p99 | {CONNECTIONS} connections: req/s (min-max of {ROUNDS} rounds) | p50 | p99 | server CPU per request |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut medians = Vec::new();
    for (l, log) in LOGGING.iter().enumerate() {
        let one = &mut sequential[l];
        let one_rate = one.len() as f64 / (one.iter().sum::<u64>() as f64 / 1e9);
        let round_rates = &mut rates[l];
        round_rates.sort_by(f64::total_cmp);
        let many_rate = round_rates[round_rates.len() / 2];
        medians.push((one_rate, many_rate, 0.0));
        let (low, high) = (round_rates[0], round_rates[round_rates.len() - 1]);
        let many = &mut loaded[l];
        let per_request = cpu[l].0.as_nanos() as f64 / cpu[l].1 as f64;
        medians[l].2 = per_request;
        println!(
            "| {log} | {one_rate:.0} | {} | {} | {many_rate:.0} ({low:.0}-{high:.0}) | {} | {} | {:.1} µs |",
            micros(percentile(one, 50)),
            micros(percentile(one, 99)),
            micros(percentile(many, 50)),
            micros(percentile(many, 99)),
            per_request / 1e3,
        );
    }
    let ((off_one, off_many, off_cpu), (on_one, on_many, on_cpu)) = (medians[0], medians[1]);
    println!(
        "\nlogging on / off: throughput {:.2}x over 1 connection, {:.2}x over {CONNECTIONS}; server CPU per request {:.2}x",
        on_one / off_one,
        on_many / off_many,
        on_cpu / off_cpu,
    );
}

/// Starts a gateway dispatching with `mode` on an ephemeral loopback port.
fn start(runtime: &Runtime, mode: Dispatch) -> SocketAddr {
    let config = Config {
        dispatch: mode,
        ..Config::default()
    };
    let (router, gateway) = http_gateway::app(config);
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        // Served until the process exits: no stop is ever sent.
        let (stop, stops) = tokio::sync::mpsc::channel(1);
        std::mem::forget(stop);
        tokio::spawn(http_gateway::serve(listener, router, gateway, stops));
        addr
    })
}

/// Sequential requests on one connection to each gateway, alternating
/// between them (after a warm-up): per gateway, the latencies in ns and
/// where the plugin's future lived (the `x-plugin-future` header).
async fn one_connection_each(
    addrs: &[SocketAddr],
    plugin: &str,
    body: &str,
) -> (Vec<Vec<u64>>, Vec<String>) {
    let path = format!("/plugins/{plugin}");
    let mut clients = Vec::new();
    let mut futures = Vec::new();
    for addr in addrs {
        let mut c = Client::connect(*addr).await;
        let mut future = String::new();
        for _ in 0..SEQUENTIAL / 10 {
            future = request(&mut c, &path, body).await;
        }
        clients.push(c);
        futures.push(future);
    }
    let mut samples = vec![Vec::with_capacity(SEQUENTIAL); addrs.len()];
    for i in 0..SEQUENTIAL {
        for m in (0..addrs.len()).map(|m| (m + i) % addrs.len()) {
            let sent = Instant::now();
            request(&mut clients[m], &path, body).await;
            samples[m].push(sent.elapsed().as_nanos() as u64);
        }
    }
    (samples, futures)
}

/// `CONNECTIONS` clients sending back to back for `LOAD_TIME`: every
/// latency in ns, and the time it took.
async fn many_connections(addr: SocketAddr, plugin: &str, body: &str) -> (Vec<u64>, Duration) {
    let path = format!("/plugins/{plugin}");
    let mut clients = Vec::new();
    for _ in 0..CONNECTIONS {
        clients.push(Client::connect(addr).await);
    }
    let started = Instant::now();
    let deadline = started + LOAD_TIME;
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|mut c| {
            let (path, body) = (path.clone(), body.to_owned());
            tokio::spawn(async move {
                let mut samples = Vec::new();
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    request(&mut c, &path, &body).await;
                    samples.push(sent.elapsed().as_nanos() as u64);
                }
                samples
            })
        })
        .collect();
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await.expect("client task"));
    }
    (samples, started.elapsed())
}

/// One request, which must succeed; returns where the future lived.
async fn request(c: &mut Client, path: &str, body: &str) -> String {
    let answer = c.send(Method::POST, path, body.to_owned()).await;
    assert!(answer.status.is_success(), "{answer:?}");
    black_box(answer.body);
    answer.future.unwrap_or_default()
}

/// How a call is made in the measurement without HTTP.
enum Caller {
    /// The gateway's own call: by name, through its `Dispatch`.
    Gateway(Gateway),
    /// The registry's handle, resolved once (no lock, no name lookup),
    /// calling `handle_send`: counted and tracked by the entry's
    /// `CountedTwin`, as every call to a registered plugin is.
    Handle(TwinHandle<dyn SendDynPlugin<Cap>>),
    /// The boxed gateway's plugin, resolved once.
    Boxed(Arc<dyn BoxedPlugin>),
    /// The plugin behind its twin, outside any registry: no counting
    /// wrapper, no tracking; what is left is the erasure itself.
    Bare(Arc<dyn SendDynPlugin<Cap>>),
    /// The same with a capacity of 256 bytes (`S32`, what the gateway used
    /// before its registry recycled the futures that do not fit): a
    /// 264-byte handle, which every `.await` moves.
    BareS32(Arc<dyn SendDynPlugin<S32>>),
    /// `Bare`, the handle pinned where the call returns it and awaited
    /// through `Pin<&mut _>`: the `.await` moves a pointer, not the handle.
    Pinned(Arc<dyn SendDynPlugin<Cap>>),
    /// `BareS32`, pinned where returned.
    PinnedS32(Arc<dyn SendDynPlugin<S32>>),
    /// `Gateway`, the call wrapped as the HTTP handler wraps it: counted in
    /// `/metrics` (labels with the plugin's name, a latency histogram).
    Metered(Gateway),
    /// `Gateway`, the call made through the trait's own method on the
    /// twin object (the bridge): the erased future is pinned inside the
    /// bridge's, which holds only the arguments until its first poll.
    Bridge(Gateway),
}

/// The gateway's plugin `name`, outside any registry.
fn bare<S: Capacity>(name: &str) -> Arc<dyn SendDynPlugin<S>> {
    match name {
        "echo" => Arc::new(http_gateway::Echo),
        "render" => Arc::new(http_gateway::Render),
        _ => unreachable!("not a workload: {name}"),
    }
}

/// The calls without HTTP alone (`-- dispatch`): time and allocations per
/// call, and the differences the targets are about.
fn print_dispatch(dispatch: &[Vec<(f64, f64)>]) {
    println!("| plugin | call | call without HTTP | allocations per call |");
    println!("|---|---|---:|---:|");
    for (w, (plugin, _)) in WORKLOADS.iter().enumerate() {
        for (row, (label, _)) in DISPATCH_ROWS.iter().enumerate() {
            let (ns, allocs) = dispatch[w][row];
            println!("| {plugin} | {label} | {ns:.0} ns | {allocs:.2} |");
        }
        for (label, twin, boxed) in [("by name", 0, 1), ("resolved once", 2, 3)] {
            let (twin, boxed) = (dispatch[w][twin].0, dispatch[w][boxed].0);
            println!("|   | boxed - twin, {label} | {:+.0} ns | |", boxed - twin);
        }
    }
}

/// Per workload, per row of `DISPATCH_ROWS`: ns per call without HTTP and
/// allocations per call. The median of five runs of `DISPATCHES` calls.
fn measure_dispatch() -> Vec<Vec<(f64, f64)>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    WORKLOADS
        .iter()
        .map(|(plugin, body)| {
            let input: Value = serde_json::from_str(body).expect("JSON");
            callers(plugin)
                .iter()
                .map(|caller| {
                    let mut runs: Vec<(f64, f64)> = (0..5)
                        .map(|_| {
                            let baseline = runtime.block_on(clone_only(&input, DISPATCHES));
                            let (total, allocs) = count(|| {
                                runtime.block_on(dispatch(caller, plugin, &input, DISPATCHES))
                            });
                            let (_, clone_allocs) =
                                count(|| runtime.block_on(clone_only(&input, DISPATCHES)));
                            let n = f64::from(DISPATCHES);
                            let ns = total.saturating_sub(baseline).as_nanos() as f64 / n;
                            let per_call = (allocs.allocs as f64 - clone_allocs.allocs as f64) / n;
                            (ns, per_call)
                        })
                        .collect();
                    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
                    runs[runs.len() / 2]
                })
                .collect()
        })
        .collect()
}

/// A fresh gateway of `dispatch`, with the default configuration.
fn gateway(dispatch: Dispatch) -> Gateway {
    http_gateway::app(Config {
        dispatch,
        ..Config::default()
    })
    .1
}

/// How each row of `DISPATCH_ROWS` calls `plugin`, in that order.
fn callers(plugin: &str) -> [Caller; DISPATCH_ROWS.len()] {
    let twin = gateway(Dispatch::Twin);
    let boxed = gateway(Dispatch::Boxed);
    let handle = twin.plugins().handle(plugin).expect("plugin");
    let Some(Resolved::Boxed(boxed_plugin)) = boxed.plugin(plugin) else {
        panic!("the boxed gateway resolves to boxed plugins");
    };
    [
        Caller::Gateway(twin),
        Caller::Gateway(boxed),
        Caller::Handle(handle),
        Caller::Boxed(boxed_plugin),
        Caller::Bare(bare(plugin)),
        Caller::BareS32(bare(plugin)),
        Caller::Pinned(bare(plugin)),
        Caller::PinnedS32(bare(plugin)),
        Caller::Metered(gateway(Dispatch::Twin)),
        Caller::Bridge(gateway(Dispatch::Twin)),
    ]
}

/// `repeat WORKLOAD ROW N`: `n` calls of one row (its index in
/// `DISPATCH_ROWS`, or `clone` for the loop that only clones the input)
/// with `workload`'s plugin and input, after 100 to warm up; prints
/// nothing. What `callgrind` runs under valgrind.
fn repeat(workload: &str, row: &str, n: u32) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let (plugin, body) = WORKLOADS
        .iter()
        .find(|(plugin, _)| *plugin == workload)
        .expect("repeat WORKLOAD ROW N: a workload");
    let input: Value = serde_json::from_str(body).expect("JSON");
    if row == "clone" {
        black_box(runtime.block_on(clone_only(&input, 100 + n)));
        return;
    }
    let row: usize = row
        .parse()
        .expect("repeat WORKLOAD ROW N: a row index or `clone`");
    let callers = callers(plugin);
    let caller = callers
        .get(row)
        .expect("repeat WORKLOAD ROW N: a row of DISPATCH_ROWS");
    runtime.block_on(dispatch(caller, plugin, &input, 100));
    black_box(runtime.block_on(dispatch(caller, plugin, &input, n)));
}

/// Each row's instructions per call without HTTP, from callgrind: the
/// counts a loaded machine does not move, where the timed rows move by
/// 10-20 ns between builds.
fn measure_callgrind(n: u32) {
    let exe = std::env::current_exe().expect("the bench's path");
    let exe = exe.to_str().expect("a UTF-8 path");
    let per_call = |workload: &str, row: &str| {
        let run = |n: u32| {
            let name = format!("cg.gateway.{workload}.{row}.{n}");
            valgrind::ir_total_of(exe, &["repeat", workload, row, &n.to_string()], &name)
        };
        (run(2 * n).saturating_sub(run(n))) as f64 / f64::from(n)
    };
    println!("## Instructions per call without HTTP (callgrind, (Ir(2N) - Ir(N)) / N, N = {n})\n");
    println!("Each minus the same for a loop that only clones the input.\n");
    println!("| plugin | call | instructions | ÷ boxed, by name |");
    println!("|---|---|---:|---:|");
    for (plugin, _) in WORKLOADS {
        let clone = per_call(plugin, "clone");
        let rows: Vec<f64> = (0..DISPATCH_ROWS.len())
            .map(|row| per_call(plugin, &row.to_string()) - clone)
            .collect();
        for ((label, _), ir) in DISPATCH_ROWS.iter().zip(&rows) {
            println!("| {plugin} | {label} | {ir:.0} | {:.2} |", ir / rows[1]);
        }
    }
}

/// `n` calls of `plugin`, each with a fresh copy of `input`, awaited and
/// dropped.
async fn dispatch(caller: &Caller, plugin: &str, input: &Value, n: u32) -> Duration {
    let started = Instant::now();
    for _ in 0..n {
        let output = match caller {
            Caller::Gateway(gateway) => {
                let resolved = gateway.plugin(black_box(plugin)).expect("plugin");
                resolved.handle(input.clone(), None).await.0
            }
            Caller::Handle(handle) => handle.handle_send(input.clone()).await,
            Caller::Boxed(plugin) => plugin.handle_boxed(input.clone()).await,
            Caller::Bare(plugin) => plugin.handle_send(input.clone()).await,
            Caller::BareS32(plugin) => plugin.handle_send(input.clone()).await,
            Caller::Pinned(plugin) => pin!(plugin.handle_send(input.clone())).await,
            Caller::PinnedS32(plugin) => pin!(plugin.handle_send(input.clone())).await,
            Caller::Metered(gateway) => {
                let resolved = gateway.plugin(black_box(plugin)).expect("plugin");
                resolved
                    .handle(input.clone(), Some((gateway, plugin)))
                    .await
                    .0
            }
            Caller::Bridge(gateway) => {
                let Some(Resolved::Twin(resolved)) = gateway.plugin(black_box(plugin)) else {
                    unreachable!("a twin gateway")
                };
                http_gateway::Plugin::handle(&*resolved, input.clone()).await
            }
        };
        black_box(output.expect("answer"));
    }
    started.elapsed()
}

/// What `dispatch` does besides dispatching, `n` times: copy the input,
/// drop a value.
async fn clone_only(input: &Value, n: u32) -> Duration {
    let started = Instant::now();
    for _ in 0..n {
        black_box(input.clone());
    }
    started.elapsed()
}

fn percentile(samples: &mut [u64], p: usize) -> u64 {
    samples.sort_unstable();
    samples[(samples.len() * p / 100).min(samples.len() - 1)]
}

fn micros(ns: u64) -> String {
    format!("{:.1} µs", ns as f64 / 1e3)
}
