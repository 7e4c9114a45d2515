//! Compare erasure strategies on your own future sizes, in one process.
//!
//! ```text
//! cargo bench -p benches --bench compare
//! cargo bench -p benches --bench compare -- --sizes 40,300,1200
//! cargo bench -p benches --bench compare -- --sizes 64,128,129 --rounds 51
//! ```
//!
//! For each size it measures one future — an `async fn` holding a
//! `[u64; W]` across one await that is pending once — reached the thirteen
//! ways of `dispatch` (directly, statically, through the usual peers and
//! through each strategy of this crate), each held pinned where it was
//! returned, moved once, and awaited inside an outer `async fn`. It prints
//! time as a ratio to the direct call (the interleaved timer of
//! `support/interleaved.rs`: every round runs a batch of each row in turn,
//! so load on the machine hits all rows alike), exact allocations and bytes
//! per call (a counting global allocator) and the bytes the caller holds,
//! then hints derived from those numbers.
//!
//! A future's size is part of its type, so sizes are precompiled: each
//! requested size maps to the smallest precompiled one at least as large,
//! and the table shows the size actually measured (`size_of_val`). The
//! `StackFuture` and inline-only rows use a capacity equal to that size; the
//! other inline rows use this crate's default capacity, which is what you
//! get without naming one.
//!
//! A bench target rather than an example, so that it measures the very rows
//! of `support/` that `dispatch` and `callgrind_dispatch` measure.

#[allow(dead_code, reason = "each bench uses its part of the shared support")]
#[path = "support/mod.rs"]
mod support;

use support::allocations::{AllocsPerCall, CountAllocations};
use support::counting_alloc::CountingAlloc;
use support::fixture::SizeInfo;
use support::fixture::{Rows, fixture};
use support::harness::{measuring, pin_to_one_core};
use support::interleaved::{Batch, CollectBatches, Plan, Timing, interleaved};
use support::report::{Format, print_grids};
use support::rows::{Row, Strategy};
use support::shape::Shape;

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// One measured size: what was counted about its rows.
struct Measured {
    requested: usize,
    info: SizeInfo,
    fits_default_inline: bool,
    counts: CountAllocations,
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
        info: SizeInfo::of(rows),
        fits_default_inline: rows.fits_default_inline(),
        counts,
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
        rounds: 101,
    };
    // `cargo bench` appends `--bench`.
    let mut it = std::env::args().skip(1).filter(|a| a != "--bench");
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
                return Err("usage: compare [--sizes 40,300,1200] [--rounds 101]".into());
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(args)
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let started = std::time::Instant::now();
    let pinned = pin_to_one_core();
    let mut batches = CollectBatches::default();
    let mut measured = Vec::new();
    for &requested in &args.sizes {
        let Some(&bytes) = PRECOMPILED.iter().find(|&&b| b >= requested) else {
            eprintln!(
                "size {requested} is larger than the largest precompiled future ({} bytes); \
                 add it to `precompiled!` in benches/compare.rs",
                PRECOMPILED[PRECOMPILED.len() - 1]
            );
            std::process::exit(2);
        };
        measured.push(prepare_size(bytes, requested, &mut batches));
    }
    // `cargo test --benches`: the rows were verified; no timing wanted.
    if !measuring() {
        return;
    }
    let keys: Vec<(&'static str, Row)> = batches.0.iter().map(|&(s, r, _)| (s, r)).collect();
    let mut runs: Vec<Batch<'static>> = batches.0.into_iter().map(|(_, _, run)| run).collect();
    let baseline = |i: usize| {
        keys.iter()
            .position(|&(s, r)| s == keys[i].0 && r == Row::BASELINE)
            .expect("every size has the baseline row")
    };
    let plan = Plan {
        blocks: 3,
        rounds: args.rounds.div_ceil(3),
        batch: 2_000,
    };
    let timings = interleaved(&mut runs, baseline, plan);
    let timing = |size: &str, row: Row| {
        let i = keys.iter().position(|&k| k == (size, row)).expect("a row");
        timings[i]
    };

    println!("\n{pinned}");
    let format = Format::from_env();
    for m in &measured {
        println!(
            "\nrequested {} B -> future {} B (size_of_val), {} the default inline capacity; \
             direct call pinned: {:.2} ns",
            m.requested,
            m.info.future_size,
            if m.fits_default_inline {
                "fits"
            } else {
                "larger than"
            },
            timing(m.info.name, Row::BASELINE).ns
        );
        let sizes = std::slice::from_ref(&m.info);
        print_grids(
            format,
            &format!(
                "time as a ratio to {} (interleaved; lowest–highest of {} blocks)",
                Row::BASELINE.name(),
                plan.blocks
            ),
            sizes,
            |size, row| timing(size.name, row).cell(),
        );
        m.counts.print(format, sizes);
        print_hints(m, |row| timing(m.info.name, row));
    }
    println!("\nmeasured in {:.1} s", started.elapsed().as_secs_f64());
}

/// "Which strategy when" for one size, from its numbers only.
fn print_hints(m: &Measured, timing: impl Fn(Row) -> Timing) {
    let ns = |strategy: Strategy, shape: Shape| timing(Row { strategy, shape }).ns;
    let allocs = |strategy: Strategy| {
        let row = Row {
            strategy,
            shape: Shape::Awaited,
        };
        m.counts.get(m.info.name, row).unwrap_or_default()
    };
    let awaited = |s: Strategy| ns(s, Shape::Awaited);
    let fastest = |rows: &mut dyn Iterator<Item = Strategy>| {
        rows.min_by(|&a, &b| awaited(a).total_cmp(&awaited(b)))
            .expect("at least one row")
    };
    let erased = || Strategy::ALL.into_iter().filter(|s| s.is_erased());
    let no_alloc = |s: &Strategy| allocs(*s) == AllocsPerCall::default();
    let best = fastest(&mut erased());
    let best_free = fastest(&mut erased().filter(no_alloc));
    let best_ours = fastest(&mut erased().filter(|s| s.is_ours()));
    println!(
        "hints for {} B, from the awaited column:",
        m.info.future_size
    );
    println!(
        "  - static dispatch (generic `S: Service`) costs {:.2}x the direct call: use it \
         wherever the service type is known",
        awaited(Strategy::StaticGat) / awaited(Strategy::Direct)
    );
    println!(
        "  - fastest behind dyn: {} ({:.2} ns); fastest with 0 allocations: {} ({:.2} ns); \
         ours: {} ({:.2} ns)",
        best.name(),
        awaited(best),
        best_free.name(),
        awaited(best_free),
        best_ours.name(),
        awaited(best_ours)
    );
    let dyn_ns = awaited(Strategy::CallDyn);
    if no_alloc(&Strategy::CallDyn) {
        println!(
            "  - call_dyn stays inline: 0 allocations, {:.2}x faster than async-trait; \
             call_in takes {:.2}x call_dyn's time",
            awaited(Strategy::AsyncTrait) / dyn_ns,
            awaited(Strategy::CallInSlot) / dyn_ns
        );
    } else {
        println!(
            "  - call_dyn spills ({} B): {:.0} allocation/call, {:.2}x async-trait's time; in a \
             loop, call_in with one FutureSlot takes {:.2}x call_dyn's time with {:.4} \
             allocations/call; or name a Cap of at least {} B (call_inline proves it fits: \
             {:.2}x call_dyn's time)",
            m.info.future_size,
            allocs(Strategy::CallDyn).allocs,
            dyn_ns / awaited(Strategy::AsyncTrait),
            awaited(Strategy::CallInSlot) / dyn_ns,
            allocs(Strategy::CallInSlot).allocs,
            m.info.future_size,
            awaited(Strategy::CallInline) / dyn_ns
        );
    }
    let moved = ns(Strategy::CallDyn, Shape::Moved) / ns(Strategy::CallDyn, Shape::Pinned);
    if moved > 1.1 {
        println!(
            "  - moving call_dyn's handle once costs {:+.0}%: poll it where call_dyn returns it \
             (`pin!`, or `.await` on the call itself) rather than passing it on",
            (moved - 1.0) * 100.0
        );
    }
}
