//! Time and allocations side by side in the shape of a hot loop: every row
//! of `dispatch` (13 strategies × pinned / moved / awaited) at the three
//! sizes (SMALL 40 B, MEDIUM 304 B, LARGE 1048 B), each criterion iteration
//! being 10,000 calls in a row, where reusable storage pays off and every
//! per-call allocation shows.
//!
//! ```text
//! cargo bench -p benches --bench allocation_comparison                    # ~2 min
//! BENCH_QUICK=1 BENCH_MARKDOWN=1 cargo bench -p benches --bench allocation_comparison
//! ```
//!
//! It counts, exactly, the allocations and bytes of 10,000 calls of each
//! row (the counting `#[global_allocator]` of `support/counting_alloc.rs`;
//! one call runs before the count, so reusable storage has already grown,
//! as in any long loop), runs criterion on one pinned CPU (groups
//! `alloc_small`, `alloc_medium`, `alloc_large`), and prints per size: ns
//! per call (criterion's median ÷ 10,000) with the ratio to the direct call
//! pinned, and allocations · bytes per call.

#[allow(dead_code, reason = "each bench uses its part of the shared support")]
#[path = "support/mod.rs"]
mod support;

use std::time::{Duration, SystemTime};

use support::allocations::CountAllocations;
use support::counting_alloc::CountingAlloc;
use support::fixture::bench_sizes;
use support::harness::{CriterionRows, criterion, measuring, pin_to_one_core};
use support::report::{Format, print_grids};
use support::rows::Row;

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// Calls per criterion iteration.
const CALLS: u64 = 10_000;

fn main() {
    let start = SystemTime::now();
    let pinned = pin_to_one_core();
    let sizes = bench_sizes();
    sizes.verify();
    let infos = sizes.infos();

    let mut counts = CountAllocations::default();
    sizes.visit_all(&mut counts);

    let mut criterion = criterion(Duration::from_millis(200), Duration::from_millis(500), 10);
    sizes.visit_all(&mut CriterionRows {
        criterion: &mut criterion,
        prefix: "alloc",
        calls: CALLS,
    });
    criterion.final_summary();
    if !measuring() {
        return;
    }

    let format = Format::from_env();
    println!("\n{pinned}");
    print_grids(
        format,
        &format!(
            "ns per call (criterion median / {CALLS} calls per iteration) and ratio to {}",
            Row::BASELINE.name()
        ),
        &infos,
        |size, row| CriterionRows::cell("alloc", CALLS, start, size, row),
    );
    counts.print(format, &infos);
}
