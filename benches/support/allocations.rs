//! Exact allocations and bytes per call of every row, counted by
//! [`CountingAlloc`](super::counting_alloc::CountingAlloc) (which the bench
//! must install as its `#[global_allocator]`).

use std::hint::black_box;
use std::task::Context;

use super::counting_alloc;
use super::fixture::SizeInfo;
use super::report::{Format, print_grids};
use super::rows::{Row, RowVisitor};
use super::workload::noop_context;

/// Calls per row for the allocation count.
pub(crate) const COUNTED_CALLS: u64 = 10_000;

/// Exact allocations and bytes per call of one row.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct AllocsPerCall {
    /// Allocations per call.
    pub(crate) allocs: f64,
    /// Bytes allocated per call.
    pub(crate) bytes: f64,
}

impl AllocsPerCall {
    /// `0`, `1 · 1048 B`, or fractions where storage is reused
    /// (`0.0001 · 0.1 B`).
    pub(crate) fn cell(self) -> String {
        let number = |v: f64, decimals: usize| {
            if v.fract() == 0.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.decimals$}")
            }
        };
        if self.allocs == 0.0 {
            "0".into()
        } else {
            format!("{} · {} B", number(self.allocs, 4), number(self.bytes, 1))
        }
    }
}

/// Counts every visited row over [`COUNTED_CALLS`] calls, after one call
/// outside the count (so reusable storage has grown, as in a long loop).
#[derive(Debug, Default)]
pub(crate) struct CountAllocations(pub(crate) Vec<(&'static str, Row, AllocsPerCall)>);

impl CountAllocations {
    /// The count of `size`/`row`, if it was visited.
    pub(crate) fn get(&self, size: &str, row: Row) -> Option<AllocsPerCall> {
        self.0
            .iter()
            .find(|(s, r, _)| *s == size && *r == row)
            .map(|&(_, _, a)| a)
    }

    /// Prints the counts, a table per size.
    pub(crate) fn print(&self, format: Format, sizes: &[SizeInfo]) {
        print_grids(
            format,
            &format!("allocations · bytes per call (exact, over {COUNTED_CALLS} calls)"),
            sizes,
            |size, row| {
                self.get(size.name, row)
                    .map_or_else(|| "–".into(), |a| a.cell())
            },
        );
    }
}

impl RowVisitor<'_> for CountAllocations {
    fn visit<F: FnMut(&mut Context<'_>, u64) -> u64>(
        &mut self,
        size: &'static str,
        row: Row,
        mut call: F,
    ) {
        let mut cx = noop_context();
        black_box(call(&mut cx, black_box(0)));
        let counted = counting_alloc::count(|| {
            for x in 0..COUNTED_CALLS {
                black_box(call(&mut cx, black_box(x)));
            }
        });
        let calls = COUNTED_CALLS as f64;
        let per_call = AllocsPerCall {
            allocs: counted.allocs as f64 / calls,
            bytes: counted.bytes as f64 / calls,
        };
        self.0.push((size, row, per_call));
    }
}
