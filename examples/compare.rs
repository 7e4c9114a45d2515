//! Compare erasure strategies on your own future sizes, in one process.
//!
//! ```text
//! cargo run --release --example compare
//! cargo run --release --example compare -- --sizes 40,300,1200
//! cargo run --release --example compare -- --sizes 64,128,129 --rounds 51
//! ```
//!
//! For each size it measures one future — an `async fn` holding a
//! `[u64; W]` across one await that is pending once — reached fourteen ways:
//! directly, statically (GAT, RPITIT), through the usual peers
//! (`#[async_trait]`, `Pin<Box<dyn Future>>`, `stackfuture::StackFuture`,
//! tokio-util's `ReusableBoxFuture`, a naive `SmallBox<dyn Future, S16>`) and
//! through each strategy of this crate (`call_dyn` pinned and moved once,
//! `call_send`, `call_boxed`, `call_in` with a reused `FutureSlot`,
//! `call_inline`). It prints ns per call (the median of interleaved rounds:
//! every round runs a batch of each row in turn, so load on the machine hits
//! all rows alike), the ratio to the direct call, exact allocations and bytes
//! per call (a counting global allocator) and the bytes the caller holds (the
//! handle, or the reusable storage), then hints derived from those numbers.
//!
//! A future's size is part of its type, so sizes are precompiled: each
//! requested size maps to the smallest precompiled one at least as large,
//! and the table shows the size actually measured (`size_of_val`). The
//! `StackFuture` and inline-only rows use a capacity equal to that size; the
//! other inline rows use this crate's default capacity (128 bytes), which is
//! what you get without naming one.
//!
//! The rows are those of `benches/dispatch.rs`, included here so that the
//! example, the criterion benches and the callgrind counts measure the same
//! code.

#[allow(
    dead_code,
    reason = "the criterion half of the bench file is not used here; its rows are"
)]
#[path = "../benches/dispatch.rs"]
mod dispatch;

use dispatch::{CollectBatches, CountAllocations, Row, Rows, fixture, interleaved_medians};

/// One measured size: its rows' batches and what was counted about them.
struct Measured {
    requested: usize,
    future_size: usize,
    fits_default_inline: bool,
    handles: Vec<usize>,
    allocs: Vec<(f64, f64)>,
}

/// Leaks `rows` (a few zero-sized services) so that its batches can live as
/// long as the interleaved timer needs them, and records its counts.
fn prepare<R: Rows + 'static>(
    rows: R,
    requested: usize,
    batches: &mut CollectBatches<'static>,
) -> Measured {
    let rows: &'static R = Box::leak(Box::new(rows));
    rows.verify();
    let mut counts = CountAllocations::default();
    rows.visit_all(&mut counts);
    rows.visit_all(batches);
    Measured {
        requested,
        future_size: rows.future_size(),
        fits_default_inline: rows.fits_default_inline(),
        handles: Row::ALL.iter().map(|&r| rows.handle_size(r)).collect(),
        allocs: counts
            .0
            .iter()
            .map(|(_, _, a)| (a.allocs, a.bytes))
            .collect(),
    }
}

/// Instantiates the precompiled sizes: `W` payload words, an `8 × W + 24`
/// byte future, `StackFuture` and inline-only capacities of the same size.
macro_rules! precompiled {
    ($($w:literal),+ $(,)?) => {
        /// Future sizes (bytes) that can be measured, ascending.
        const PRECOMPILED: &[usize] = &[$(8 * $w + 24),+];

        /// Builds the fixture whose future is `bytes` long (one of
        /// [`PRECOMPILED`]) and prepares its rows.
        fn prepare_size(
            bytes: usize,
            requested: usize,
            batches: &mut CollectBatches<'static>,
        ) -> Measured {
            let name: &'static str = Box::leak(format!("{bytes}B").into_boxed_str());
            match bytes {
                $(b if b == 8 * $w + 24 => prepare(
                    fixture::<$w, { 8 * $w + 24 }, [u64; $w + 3]>(name),
                    requested,
                    batches,
                ),)+
                _ => unreachable!("{bytes} is not precompiled"),
            }
        }
    };
}

precompiled!(
    1, 2, 4, 8, 12, 13, 16, 24, 35, 48, 64, 96, 128, 192, 256, 512
);

/// Parsed command line.
struct Args {
    sizes: Vec<usize>,
    rounds: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        sizes: vec![40, 300, 1000],
        rounds: 301,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--sizes" => {
                let list = it.next().ok_or("--sizes needs a list, e.g. 40,300,1200")?;
                args.sizes = list
                    .split(',')
                    .map(|s| s.trim().parse().map_err(|e| format!("size {s:?}: {e}")))
                    .collect::<Result<_, _>>()?;
            }
            "--rounds" => {
                let n = it.next().ok_or("--rounds needs a number")?;
                args.rounds = n.parse().map_err(|e| format!("rounds {n:?}: {e}"))?;
            }
            "-h" | "--help" => {
                return Err("usage: compare [--sizes 40,300,1200] [--rounds 301]".into());
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(args)
}

/// Calls per timed batch.
const BATCH: u64 = 2_000;

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let started = std::time::Instant::now();
    let mut batches = CollectBatches::default();
    let mut measured = Vec::new();
    for &requested in &args.sizes {
        let Some(&bytes) = PRECOMPILED.iter().find(|&&b| b >= requested) else {
            eprintln!(
                "size {requested} is larger than the largest precompiled future ({} bytes); \
                 add it to `precompiled!` in examples/compare.rs",
                PRECOMPILED[PRECOMPILED.len() - 1]
            );
            std::process::exit(2);
        };
        measured.push(prepare_size(bytes, requested, &mut batches));
    }
    let ns = interleaved_medians(&mut batches.0, args.rounds, BATCH);
    let rows = Row::ALL.len();

    println!(
        "ns/call: median of {} interleaved rounds of {BATCH} calls; ratio to 01_direct_async_fn; \
         allocations exact over {} calls; handle = bytes the caller holds",
        args.rounds,
        dispatch::COUNTED_CALLS
    );
    for (i, m) in measured.iter().enumerate() {
        let t = &ns[i * rows..(i + 1) * rows];
        println!(
            "\nrequested {} B -> future {} B (size_of_val){}",
            m.requested,
            m.future_size,
            if m.fits_default_inline {
                ", fits the default 128-byte inline capacity"
            } else {
                ", larger than the default 128-byte inline capacity"
            }
        );
        println!(
            "{:<24} {:>9} {:>7} {:>12} {:>11} {:>7}",
            "strategy", "ns/call", "ratio", "allocs/call", "bytes/call", "handle"
        );
        for (j, row) in Row::ALL.into_iter().enumerate() {
            let (a, b) = m.allocs[j];
            println!(
                "{:<24} {:>9.2} {:>6.2}x {a:>12.4} {b:>11.1} {:>7}",
                row.name(),
                t[j],
                t[j] / t[0],
                m.handles[j]
            );
        }
        print_hints(m, t);
    }
    println!("\nmeasured in {:.1} s", started.elapsed().as_secs_f64());
}

/// "Which strategy when" for one size, from its numbers only.
fn print_hints(m: &Measured, t: &[f64]) {
    let at = |row: Row| Row::ALL.iter().position(|&r| r == row).expect("a row");
    let ns = |row: Row| t[at(row)];
    let allocs = |row: Row| m.allocs[at(row)].0;
    let erased = || Row::ALL.into_iter().filter(|r| r.is_erased());
    let fastest = |rows: &mut dyn Iterator<Item = Row>| {
        rows.min_by(|&a, &b| ns(a).total_cmp(&ns(b)))
            .expect("at least one row")
    };
    let best = fastest(&mut erased());
    let best_free = fastest(&mut erased().filter(|&r| allocs(r) == 0.0));
    let best_ours = fastest(&mut erased().filter(|&r| r.is_ours()));
    println!("hints for {} B:", m.future_size);
    println!(
        "  - static dispatch (generic `S: Service`) costs {:.2}x the direct call: use it \
         wherever the service type is known",
        ns(Row::StaticGat) / ns(Row::Direct)
    );
    println!(
        "  - fastest behind dyn: {} ({:.2} ns, {:.2}x direct); fastest with 0 allocations: {} \
         ({:.2} ns); ours: {} ({:.2} ns)",
        best.name(),
        ns(best),
        ns(best) / ns(Row::Direct),
        best_free.name(),
        ns(best_free),
        best_ours.name(),
        ns(best_ours)
    );
    let default = Row::CallDynPinned;
    if allocs(default) == 0.0 {
        println!(
            "  - call_dyn stays inline: 0 allocations, {:.2}x faster than async-trait, {:.2}x \
             ReusableBoxFuture's time",
            ns(Row::AsyncTrait) / ns(default),
            ns(default) / ns(Row::ReusableBox)
        );
    } else {
        println!(
            "  - call_dyn spills ({} B > 128 B): {:.0} allocation/call, {:.2}x async-trait's \
             time; in a loop, call_in with one FutureSlot takes {:.2} ns ({:.2}x call_dyn) with \
             {:.4} allocations/call; or name a Space of at least {} B (call_inline proves it fits: \
             {:.2} ns)",
            m.future_size,
            allocs(default),
            ns(default) / ns(Row::AsyncTrait),
            ns(Row::CallInSlot),
            ns(Row::CallInSlot) / ns(default),
            allocs(Row::CallInSlot),
            m.future_size,
            ns(Row::CallInline)
        );
    }
    let moved = ns(Row::CallDynMoved) / ns(default);
    if moved > 1.1 {
        println!(
            "  - moving the handle once costs {:+.0}%: `.await` it or `pin!` it where call_dyn \
             returns it",
            (moved - 1.0) * 100.0
        );
    }
}
