//! The read side of a name map: `arc_swap::ArcSwap::load` + drop against
//! the crate's `SnapshotCell::load` + drop, as a call by name uses them:
//! the thread has just written 128 bytes of its own (the caller's state)
//! before the load, and writes 128 more (the call's future) before the
//! drop, so the store buffer is full when each side's barrier runs.
//!
//! ```text
//! cargo bench -p benches --bench snapshot                         # one thread, then two threads on one cell
//! cargo bench -p benches --bench snapshot -- --fences             # the same with the fallback barriers
//! cargo bench -p benches --bench snapshot -- --callgrind 100000   # instructions per load + drop (valgrind)
//! ```
//!
//! * **Time**: interleaved rounds (each times a batch of every row, in
//!   rotating order), the median over rounds of each row's ns per
//!   iteration, and of the row minus the `writes only` row (the 256 bytes
//!   of stores alone), which is what the load and drop add.
//! * **Two threads**: both load the same cell in the same rows at once;
//!   each reports its own median, the table shows both.
//! * **Writers**: ns per swap (and drop of the old value), which makes the
//!   heavy barrier: `membarrier` interrupts every CPU running a thread of
//!   the process.
//! * **Instructions**: `(Ir(2N) - Ir(N)) / N` under callgrind, one thread.
//!
//! `SnapshotCell` is crate-private: the module is compiled here from its
//! source file (`#[path]`), the same code the library builds.

use std::hint::black_box;
use std::sync::{Arc, Barrier};
use std::time::Instant;

use arc_swap::ArcSwap;

#[allow(dead_code, reason = "each bench uses its part of the shared support")]
#[path = "support/mod.rs"]
mod support;

#[allow(dead_code, reason = "only the cell and its barriers are measured")]
#[allow(
    unexpected_cfgs,
    reason = "the file's tests are under the library's `feature = \"std\"`, which this package lacks: they stay out"
)]
#[path = "../src/future/snapshot.rs"]
mod snapshot;

use snapshot::{SnapshotCell, barriers, use_fences};

/// What the cells hold: a map of a few entries, as a registry's.
type Map = Vec<(Arc<str>, u64)>;

fn map() -> Arc<Map> {
    Arc::new(
        (0..8)
            .map(|i| (Arc::from(format!("plugin-{i}")), i))
            .collect(),
    )
}

/// Iterations per timed batch.
const BATCH: u64 = 200_000;

/// 128 bytes of stores the compiler cannot drop.
#[inline(always)]
fn write_128(seed: u64) {
    let mut buffer = [0u64; 16];
    for (i, word) in buffer.iter_mut().enumerate() {
        *word = seed.wrapping_add(i as u64);
    }
    black_box(&mut buffer);
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Row {
    WritesOnly,
    ArcSwap,
    Snapshot,
}

impl Row {
    const ALL: [Row; 3] = [Row::WritesOnly, Row::ArcSwap, Row::Snapshot];

    fn key(self) -> &'static str {
        match self {
            Row::WritesOnly => "writes_only",
            Row::ArcSwap => "arc_swap",
            Row::Snapshot => "snapshot",
        }
    }
}

struct Cells {
    arc_swap: ArcSwap<Map>,
    snapshot: SnapshotCell<Map>,
}

#[inline(never)]
fn writes_only(n: u64) -> u64 {
    let mut sum = 0;
    for i in 0..n {
        write_128(i);
        sum += black_box(8u64);
        write_128(i ^ 1);
    }
    sum
}

#[inline(never)]
fn arc_swap(cell: &ArcSwap<Map>, n: u64) -> u64 {
    let mut sum = 0;
    for i in 0..n {
        write_128(i);
        let map = cell.load();
        sum += black_box(map.len() as u64);
        write_128(i ^ 1);
        drop(map);
    }
    sum
}

#[inline(never)]
fn snapshot(cell: &SnapshotCell<Map>, n: u64) -> u64 {
    let mut sum = 0;
    for i in 0..n {
        write_128(i);
        let map = cell.load();
        sum += black_box(map.len() as u64);
        write_128(i ^ 1);
        drop(map);
    }
    sum
}

fn run(cells: &Cells, row: Row, n: u64) -> u64 {
    match row {
        Row::WritesOnly => writes_only(n),
        Row::ArcSwap => arc_swap(&cells.arc_swap, n),
        Row::Snapshot => snapshot(&cells.snapshot, n),
    }
}

/// ns per iteration of each row, one entry per round.
fn rounds(cells: &Cells, count: usize, start: Option<&Barrier>) -> Vec<[f64; 3]> {
    (0..count)
        .map(|round| {
            let mut times = [0.0; 3];
            for k in 0..Row::ALL.len() {
                let at = (round + k) % Row::ALL.len();
                if let Some(start) = start {
                    start.wait();
                }
                let began = Instant::now();
                black_box(run(cells, Row::ALL[at], BATCH));
                times[at] = began.elapsed().as_nanos() as f64 / BATCH as f64;
            }
            times
        })
        .collect()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// (median ns per iteration, median ns over `writes only`) per row.
fn summary(times: &[[f64; 3]]) -> Vec<(f64, f64)> {
    (0..Row::ALL.len())
        .map(|at| {
            let raw = median(times.iter().map(|t| t[at]).collect());
            let over = median(times.iter().map(|t| t[at] - t[0]).collect());
            (raw, over)
        })
        .collect()
}

fn print_table(title: &str, columns: &[Vec<(f64, f64)>]) {
    println!("## {title}\n");
    print!("| row |");
    for c in 0..columns.len() {
        print!(" thread {c}: ns | over writes |");
    }
    println!("\n|---|{}", "---:|---:|".repeat(columns.len()));
    for (at, row) in Row::ALL.iter().enumerate() {
        print!("| {} |", row.key());
        for column in columns {
            print!(" {:.2} | {:.2} |", column[at].0, column[at].1);
        }
        println!();
    }
    println!();
}

fn cells() -> Cells {
    Cells {
        arc_swap: ArcSwap::new(map()),
        snapshot: SnapshotCell::new(map()),
    }
}

fn one_thread(count: usize) {
    let cells = cells();
    rounds(&cells, 2, None); // warm: the thread's node and arc-swap's debts
    let times = rounds(&cells, count, None);
    print_table(
        &format!("One thread, {count} rounds of {BATCH}"),
        &[summary(&times)],
    );
}

fn two_threads(count: usize) {
    let cells = Arc::new(cells());
    let start = Arc::new(Barrier::new(2));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let cells = Arc::clone(&cells);
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                rounds(&cells, 2, Some(&start));
                summary(&rounds(&cells, count, Some(&start)))
            })
        })
        .collect();
    let columns: Vec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    print_table(
        &format!("Two threads loading the same cells, {count} rounds of {BATCH}, rows in step"),
        &columns,
    );
}

/// The writer's side, once per registration or removal: ns per swap of
/// a prepared `Arc` (the old one dropped at once: no snapshot holds it),
/// alone, or while another thread loads from the same cells in a loop
/// (then `membarrier` interrupts that thread's CPU).
fn swaps(count: usize, busy: bool) {
    let cells = Arc::new(cells());
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let loader = busy.then(|| {
        let (cells, stop) = (Arc::clone(&cells), Arc::clone(&stop));
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                black_box(arc_swap(&cells.arc_swap, 100));
                black_box(snapshot(&cells.snapshot, 100));
            }
        })
    });
    let n = 2_000;
    let maps: Vec<Arc<Map>> = (0..2).map(|_| map()).collect();
    let mut arc_swap = Vec::new();
    let mut snapshot = Vec::new();
    for _ in 0..count {
        let began = Instant::now();
        for i in 0..n {
            drop(cells.arc_swap.swap(Arc::clone(&maps[i % 2])));
        }
        arc_swap.push(began.elapsed().as_nanos() as f64 / n as f64);
        let began = Instant::now();
        for i in 0..n {
            drop(cells.snapshot.swap(Arc::clone(&maps[i % 2])));
        }
        snapshot.push(began.elapsed().as_nanos() as f64 / n as f64);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    if let Some(loader) = loader {
        loader.join().unwrap();
    }
    let also = if busy { ", another thread loading" } else { "" };
    println!("## Writers: swap + drop of the old value{also}, {count} rounds of {n}\n");
    println!("| row | ns per swap |\n|---|---:|");
    println!("| arc_swap | {:.0} |", median(arc_swap));
    println!("| snapshot | {:.0} |\n", median(snapshot));
}

fn instructions(exe: &str, row: Row, n: u64, fences: bool) -> u64 {
    let n = n.to_string();
    let mut args = vec!["--repeat", row.key(), &n];
    if fences {
        args.push("--fences");
    }
    let name = format!("cg.snapshot.{}.{n}", row.key());
    support::valgrind::ir_total_of(exe, &args, &name)
}

fn callgrind(n: u64, fences: bool) {
    let exe = std::env::current_exe().unwrap();
    let exe = exe.to_str().unwrap();
    println!("## Instructions per iteration (callgrind, (Ir(2N) - Ir(N)) / N, N = {n})\n");
    println!("| row | instructions |\n|---|---:|");
    for row in Row::ALL {
        let one = instructions(exe, row, n, fences);
        let two = instructions(exe, row, 2 * n, fences);
        println!("| {} | {} |", row.key(), two.saturating_sub(one) / n);
    }
    println!();
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let fences = args.iter().any(|a| a == "--fences");
    if fences {
        assert!(use_fences(), "decided before any cell exists");
    }
    if let Some(at) = args.iter().position(|a| a == "--repeat") {
        let row = *Row::ALL
            .iter()
            .find(|r| r.key() == args[at + 1])
            .expect("row");
        let n = args[at + 2].parse().unwrap();
        let cells = cells();
        eprintln!("barriers: {:?}", barriers());
        run(&cells, row, 1000); // warm
        black_box(run(&cells, row, n));
        return;
    }
    let count = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(31);
    let _ = cells(); // decides the barriers
    println!("Barriers: {:?}\n", barriers());
    if let Some(at) = args.iter().position(|a| a == "--callgrind") {
        let n = args
            .get(at + 1)
            .and_then(|a| a.parse().ok())
            .unwrap_or(100_000);
        callgrind(n, fences);
        return;
    }
    one_thread(count);
    two_threads(count);
    swaps(count, false);
    swaps(count, true);
}
