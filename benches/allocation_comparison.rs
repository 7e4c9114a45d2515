//! Time and allocations side by side: every row of `benches/dispatch.rs`
//! (direct, static GAT, RPITIT, async-trait, boxed, `StackFuture`,
//! `ReusableBoxFuture`, naive `SmallBox`, and each of this crate's
//! strategies) at the three sizes (SMALL 40 B, MEDIUM 304 B, LARGE 1048 B),
//! each criterion iteration being 10,000 calls in a row — the shape of a hot
//! loop, where reusable storage pays off and every per-call allocation
//! shows.
//!
//! `cargo bench --bench allocation_comparison` counts, exactly, the
//! allocations and bytes of 10,000 calls of each row (counting
//! `#[global_allocator]` from `tests/common/counting_alloc.rs`; one call
//! runs before the count, so reusable storage has already grown, as in any
//! long loop), runs criterion (groups `alloc_small`, `alloc_medium`,
//! `alloc_large`), and prints a table per size: ns per call (criterion's
//! median ÷ 10,000), ratio to the direct call, allocations and bytes per
//! call.

#[allow(
    dead_code,
    reason = "the criterion half of dispatch.rs is not used here; its rows are"
)]
#[path = "dispatch.rs"]
mod dispatch;

use std::hint::black_box;
use std::task::Context;
use std::time::{Duration, SystemTime};

use criterion::Criterion;
use dispatch::{
    COUNTED_CALLS, CountAllocations, Row, RowVisitor, Rows, bench_fixtures, criterion_median,
    measuring, noop_context,
};

/// Calls per criterion iteration.
const CALLS: u64 = 10_000;

/// Criterion: one benchmark per row, [`CALLS`] calls per iteration.
struct Bench<'c> {
    criterion: &'c mut Criterion,
}

impl RowVisitor<'_> for Bench<'_> {
    fn visit<F: FnMut(&mut Context<'_>, u64) -> u64>(
        &mut self,
        size: &'static str,
        row: Row,
        mut call: F,
    ) {
        let mut group = self.criterion.benchmark_group(format!("alloc_{size}"));
        group.bench_function(row.name(), |b| {
            let mut cx = noop_context();
            b.iter(|| {
                let mut acc = 0u64;
                for x in 0..CALLS {
                    acc = acc.wrapping_add(call(&mut cx, black_box(x)));
                }
                acc
            });
        });
        group.finish();
    }
}

fn main() {
    let start = SystemTime::now();
    let (small, medium, large) = bench_fixtures();
    small.verify();
    medium.verify();
    large.verify();

    let mut counts = CountAllocations::default();
    small.visit_all(&mut counts);
    medium.visit_all(&mut counts);
    large.visit_all(&mut counts);

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(600))
        .sample_size(10)
        .configure_from_args();
    let mut bench = Bench {
        criterion: &mut criterion,
    };
    small.visit_all(&mut bench);
    medium.visit_all(&mut bench);
    large.visit_all(&mut bench);
    criterion.final_summary();
    if !measuring() {
        return;
    }

    println!(
        "\n{CALLS} calls per iteration; ns/call = criterion median / {CALLS}; ratio to \
         01_direct_async_fn of the same size; allocations exact over {COUNTED_CALLS} calls"
    );
    let sizes = [
        ("small", small.future_size()),
        ("medium", medium.future_size()),
        ("large", large.future_size()),
    ];
    for (size, bytes) in sizes {
        println!("\n{size}: future {bytes} bytes");
        println!(
            "{:<24} {:>9} {:>8} {:>12} {:>11}",
            "row", "ns/call", "ratio", "allocs/call", "bytes/call"
        );
        let group = format!("alloc_{size}");
        let ns = |row: Row| criterion_median(&group, row.name(), start).map(|m| m / CALLS as f64);
        let base = ns(Row::Direct);
        for row in Row::ALL {
            let (t, ratio) = match (ns(row), base) {
                (Some(t), Some(b)) => (format!("{t:.2}"), format!("{:.2}x", t / b)),
                _ => ("-".into(), "-".into()),
            };
            let (_, _, a) = counts
                .0
                .iter()
                .find(|(s, r, _)| *s == size && *r == row)
                .expect("every row was counted");
            println!(
                "{:<24} {t:>9} {ratio:>8} {:>12.4} {:>11.1}",
                row.name(),
                a.allocs,
                a.bytes
            );
        }
    }
}
