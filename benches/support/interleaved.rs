//! An interleaved round-robin timer: robust to load that drifts during a
//! run (the bench machines are shared VMs), and the source of the spread
//! that says which differences are noise.
//!
//! Every round times one batch of each row in turn (starting one row later
//! each round, so no row always follows the same neighbour), so all rows
//! see the same load. A row's ratio in a round is its time over the
//! baseline's time *in the same round*; its figure is the median of those
//! paired ratios. The rounds are split into blocks, repeated measurements
//! of everything: the lowest and highest block median bound what a repeat
//! of the run would show, so two rows whose ranges overlap are within noise.

use std::hint::black_box;
use std::task::Context;
use std::time::Instant;

use super::rows::{Row, RowVisitor};
use super::workload::noop_context;

/// Runs one row `iters` times (a monomorphic loop behind one indirect call).
pub(crate) type Batch<'f> = Box<dyn FnMut(u64) -> u64 + 'f>;

/// Collects every visited row as a [`Batch`].
#[derive(Default)]
pub(crate) struct CollectBatches<'f>(pub(crate) Vec<(&'static str, Row, Batch<'f>)>);

impl std::fmt::Debug for CollectBatches<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(size, row, _)| (size, row)))
            .finish()
    }
}

impl<'f> RowVisitor<'f> for CollectBatches<'f> {
    fn visit<F: FnMut(&mut Context<'_>, u64) -> u64 + 'f>(
        &mut self,
        size: &'static str,
        row: Row,
        mut call: F,
    ) {
        let batch = move |iters: u64| {
            let mut cx = noop_context();
            let mut acc = 0u64;
            for _ in 0..iters {
                acc = acc.wrapping_add(call(&mut cx, black_box(12_345)));
            }
            acc
        };
        self.0.push((size, row, Box::new(batch)));
    }
}

/// How long the timer runs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    /// Repeated measurements of every row.
    pub(crate) blocks: usize,
    /// Rounds per block.
    pub(crate) rounds: usize,
    /// Calls per timed batch.
    pub(crate) batch: u64,
}

impl Plan {
    /// `BENCH_QUICK=1` (see [`quick`](super::harness::quick)): a tenth
    /// of the rounds.
    pub(crate) fn or_quick(self) -> Plan {
        if super::harness::quick() {
            Plan {
                rounds: self.rounds.div_ceil(10).max(5),
                ..self
            }
        } else {
            self
        }
    }
}

/// One row's interleaved figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Timing {
    /// Median ns per call over all rounds.
    pub(crate) ns: f64,
    /// Median over all rounds of the ratio to the baseline's time in the
    /// same round.
    pub(crate) ratio: f64,
    /// The lowest block's median ratio.
    pub(crate) low: f64,
    /// The highest block's median ratio.
    pub(crate) high: f64,
}

impl Timing {
    /// `1.23× (1.20–1.26)`.
    pub(crate) fn cell(self) -> String {
        format!("{:.2}× ({:.2}–{:.2})", self.ratio, self.low, self.high)
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Times `batches` round-robin as `plan` says; `baseline(i)` is the index of
/// the batch that row `i`'s ratio divides by. Same order as `batches`.
pub(crate) fn interleaved(
    batches: &mut [Batch<'_>],
    baseline: impl Fn(usize) -> usize,
    plan: Plan,
) -> Vec<Timing> {
    let n = batches.len();
    for run in batches.iter_mut() {
        black_box(run(plan.batch)); // warm up
    }
    // samples[block][round][row], ns per call.
    let mut samples = vec![vec![vec![0.0; n]; plan.rounds]; plan.blocks];
    let mut turn = 0;
    for block in &mut samples {
        for round in block.iter_mut() {
            for k in 0..n {
                let i = (turn + k) % n;
                let start = Instant::now();
                black_box(batches[i](black_box(plan.batch)));
                round[i] = start.elapsed().as_secs_f64() * 1e9 / plan.batch as f64;
            }
            turn += 1;
        }
    }
    (0..n)
        .map(|i| {
            let b = baseline(i);
            let ratios = |block: &[Vec<f64>]| -> Vec<f64> {
                block.iter().map(|round| round[i] / round[b]).collect()
            };
            let block_medians: Vec<f64> = samples
                .iter()
                .map(|block| median(&mut ratios(block)))
                .collect();
            let mut all_ratios: Vec<f64> = samples.iter().flat_map(|b| ratios(b)).collect();
            let mut all_ns: Vec<f64> = samples.iter().flatten().map(|round| round[i]).collect();
            Timing {
                ns: median(&mut all_ns),
                ratio: median(&mut all_ratios),
                low: block_medians.iter().copied().fold(f64::INFINITY, f64::min),
                high: block_medians.iter().copied().fold(0.0, f64::max),
            }
        })
        .collect()
}
