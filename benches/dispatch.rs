//! Dispatch cost of one future, thirteen ways × three shapes, at three
//! sizes, in one criterion run.
//!
//! The future under test, the peers and the rows are in `support/`
//! (`workload.rs`, `peers.rs`, `rows.rs`): every row builds the future,
//! polls it to completion (pending, then ready) with a no-op waker and drops
//! it, holding it pinned where it was returned, moved once, or awaited
//! inside an outer `async fn`.
//!
//! ```text
//! cargo bench -p benches --bench dispatch                        # ~2 min
//! BENCH_QUICK=1 cargo bench -p benches --bench dispatch          # ~30 s, noisier
//! BENCH_MARKDOWN=1 cargo bench -p benches --bench dispatch       # tables for BENCHMARKS.md
//! BENCH_SVG=docs/charts cargo bench -p benches --bench dispatch  # and the awaited chart
//! cargo bench -p benches --bench dispatch -- small/09_call_dyn   # criterion filter: its table then has gaps
//! ```
//!
//! The process pins itself to one CPU with `taskset` where it exists
//! (`BENCH_CPU=n` picks another, `BENCH_CPU=none` none), runs criterion
//! (groups `dispatch_small`, `dispatch_medium`, `dispatch_large`, one
//! benchmark `<strategy>/<shape>` each), counts allocations exactly (the
//! counting `#[global_allocator]` of `support/counting_alloc.rs`), runs the
//! interleaved round-robin timer of `support/interleaved.rs` over every row,
//! and prints per size: time as a ratio to the direct call pinned, with the
//! spread of three repeated blocks; criterion's medians; allocations and
//! bytes per call. With `BENCH_SVG=DIR` it also draws the interleaved ratios
//! of the awaited shape, every size, as `DIR/time_awaited.svg`
//! (`support/chart.rs`).

#[allow(dead_code, reason = "each bench uses its part of the shared support")]
#[path = "support/mod.rs"]
mod support;

use std::time::{Duration, SystemTime};

use support::allocations::CountAllocations;
use support::chart::{Bar, StrategyChart, svg_dir_from_env};
use support::counting_alloc::CountingAlloc;
use support::fixture::bench_sizes;
use support::harness::{CriterionRows, criterion, measuring, pin_to_one_core};
use support::interleaved::{CollectBatches, Plan, interleaved};
use support::report::{Format, print_grids};
use support::rows::Row;
use support::shape::Shape;

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// The interleaved timer: 3 blocks of 67 rounds, 2,000 calls per batch.
const PLAN: Plan = Plan {
    blocks: 3,
    rounds: 67,
    batch: 2_000,
};

fn main() {
    let start = SystemTime::now();
    let pinned = pin_to_one_core();
    let sizes = bench_sizes();
    sizes.verify();
    let infos = sizes.infos();

    let mut criterion = criterion(Duration::from_millis(200), Duration::from_millis(600), 20);
    sizes.visit_all(&mut CriterionRows {
        criterion: &mut criterion,
        prefix: "dispatch",
        calls: 1,
    });
    criterion.final_summary();
    if !measuring() {
        return;
    }

    let mut counts = CountAllocations::default();
    sizes.visit_all(&mut counts);
    let mut batches = CollectBatches::default();
    sizes.visit_all(&mut batches);
    let keys: Vec<(&'static str, Row)> = batches.0.iter().map(|&(s, r, _)| (s, r)).collect();
    let baseline = |i: usize| {
        keys.iter()
            .position(|&(s, r)| s == keys[i].0 && r == Row::BASELINE)
            .expect("every size has the baseline row")
    };
    let plan = PLAN.or_quick();
    let mut runs: Vec<_> = batches.0.into_iter().map(|(_, _, run)| run).collect();
    let timings = interleaved(&mut runs, baseline, plan);
    let timing = |size: &str, row: Row| {
        keys.iter()
            .position(|&k| k == (size, row))
            .map(|i| timings[i])
    };

    let format = Format::from_env();
    let base_ns: Vec<String> = infos
        .iter()
        .filter_map(|i| {
            Some(format!(
                "{} {:.2} ns",
                i.name,
                timing(i.name, Row::BASELINE)?.ns
            ))
        })
        .collect();
    println!("\n{pinned}; {} per call", base_ns.join(", "));
    print_grids(
        format,
        &format!(
            "time per call as a ratio to {} of the same size: median over {} interleaved rounds of \
             {} calls of the ratio to the baseline's time in the same round; in parentheses the \
             lowest and highest median of {} blocks of {} rounds (overlapping ranges: within noise)",
            Row::BASELINE.name(),
            plan.blocks * plan.rounds,
            plan.batch,
            plan.blocks,
            plan.rounds
        ),
        &infos,
        |size, row| timing(size.name, row).map_or_else(|| "–".into(), |t| t.cell()),
    );
    if let Some(dir) = svg_dir_from_env() {
        let chart = StrategyChart::new(
            format!(
                "Time per call, awaited, ÷ the direct call pinned ({} interleaved rounds; lower is \
                 better)",
                plan.blocks * plan.rounds
            ),
            format!(
                "time ÷ direct call pinned, same size (whisker: spread of {} block medians)",
                plan.blocks
            ),
            Shape::Awaited,
            &infos,
            |ratio| format!("{ratio:.2}×"),
            |size, row| {
                timing(size.name, row).map(|t| Bar {
                    value: t.ratio,
                    spread: Some((t.low, t.high)),
                })
            },
        );
        chart.write_to(&dir, "time_awaited.svg");
    }
    print_grids(
        format,
        &format!(
            "criterion: median ns per call (ratio to {}), rows run one after another",
            Row::BASELINE.name()
        ),
        &infos,
        |size, row| CriterionRows::cell("dispatch", 1, start, size, row),
    );
    counts.print(format, &infos);
}
