//! The process around a timed measurement: one pinned core, a quick mode,
//! criterion's configuration and where it writes its results.

use std::hint::black_box;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::task::Context;
use std::time::{Duration, SystemTime};

use criterion::{BenchmarkId, Criterion};

use super::fixture::SizeInfo;
use super::rows::{Row, RowVisitor};
use super::workload::noop_context;

/// Whether `BENCH_QUICK` is set (and not `0`): shorter criterion runs and a
/// tenth of the interleaved rounds, for a first look (noisier ratios).
pub(crate) fn quick() -> bool {
    std::env::var_os("BENCH_QUICK").is_some_and(|v| v != "0")
}

/// Whether cargo asked for measurements (`cargo bench` passes `--bench`;
/// `cargo test --benches` does not, and criterion then runs each row once).
pub(crate) fn measuring() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    has("--bench") && !has("--test") && !has("--list") && !has("--profile-time")
}

/// When [`measuring`], pins this process, every thread of it, to one CPU
/// with `taskset`, so that rows do not migrate between cores
/// mid-measurement: CPU `BENCH_CPU` if set (`none` leaves the process
/// unpinned), else CPU 1 where there is one (CPU 0 takes most interrupts),
/// else CPU 0. Returns what it did, to print beside the results.
pub(crate) fn pin_to_one_core() -> String {
    if !measuring() {
        return "not pinned (not measuring)".into();
    }
    let cpu = match std::env::var("BENCH_CPU") {
        Ok(cpu) if cpu == "none" => return "not pinned (BENCH_CPU=none)".into(),
        Ok(cpu) => cpu,
        Err(_) => {
            let cpus = std::thread::available_parallelism().map_or(1, usize::from);
            if cpus > 1 { "1" } else { "0" }.to_owned()
        }
    };
    let pid = std::process::id().to_string();
    match Command::new("taskset")
        .args(["-a", "-c", "-p", &cpu, &pid])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(status) if status.success() => format!("pinned to CPU {cpu} (taskset)"),
        Ok(status) => format!("not pinned: taskset -c {cpu} failed ({status})"),
        Err(e) => format!("not pinned: no taskset ({e})"),
    }
}

/// Criterion configured for `warm_up` and `measurement` per benchmark (a
/// fifth of each, and 10 samples, in [`quick`] mode), then from the command
/// line.
pub(crate) fn criterion(warm_up: Duration, measurement: Duration, samples: usize) -> Criterion {
    let (warm_up, measurement, samples) = if quick() {
        (warm_up / 5, measurement / 5, 10)
    } else {
        (warm_up, measurement, samples)
    };
    Criterion::default()
        .warm_up_time(warm_up)
        .measurement_time(measurement)
        .sample_size(samples)
        .configure_from_args()
}

/// Where criterion writes its results: the same rule as criterion 0.5
/// (`CRITERION_HOME`, else `CARGO_TARGET_DIR/criterion`), with the target
/// directory otherwise taken from this executable's path
/// (`<target>/<profile>/deps/<exe>`) instead of `cargo metadata`.
fn criterion_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return Some(home.into());
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return Some(PathBuf::from(target).join("criterion"));
    }
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.parent()?.parent()?.join("criterion"))
}

/// Criterion's median point estimate (ns per iteration) of `group/id`
/// (`id` may be `function/parameter`), if this run wrote it.
pub(crate) fn criterion_median(group: &str, id: &str, since: SystemTime) -> Option<f64> {
    let path = criterion_dir()?
        .join(group)
        .join(id)
        .join("new")
        .join("estimates.json");
    if std::fs::metadata(&path).ok()?.modified().ok()? < since {
        return None; // left over from an earlier run
    }
    let json = std::fs::read_to_string(path).ok()?;
    let median = &json[json.find("\"median\"")?..];
    let key = "\"point_estimate\":";
    let estimate = &median[median.find(key)? + key.len()..];
    let end = estimate.find([',', '}'])?;
    estimate[..end].trim().parse().ok()
}

/// Criterion: one benchmark per row, `<strategy>/<shape>` in group
/// `<prefix>_<size>`, each iteration `calls` calls (1: the call alone).
pub(crate) struct CriterionRows<'c> {
    /// Where the benchmarks go.
    pub(crate) criterion: &'c mut Criterion,
    /// The groups' prefix (`dispatch`, `alloc`).
    pub(crate) prefix: &'static str,
    /// Calls per iteration.
    pub(crate) calls: u64,
}

impl std::fmt::Debug for CriterionRows<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CriterionRows")
            .field("prefix", &self.prefix)
            .field("calls", &self.calls)
            .finish_non_exhaustive()
    }
}

impl CriterionRows<'_> {
    /// A table cell: this run's median ns per call of `row` and its ratio to
    /// [`Row::BASELINE`], or `–` where criterion wrote none since `since`
    /// (a filtered run).
    pub(crate) fn cell(
        prefix: &str,
        calls: u64,
        since: SystemTime,
        size: &SizeInfo,
        row: Row,
    ) -> String {
        let group = format!("{prefix}_{}", size.name);
        let ns = |row: Row| criterion_median(&group, &row.name(), since).map(|m| m / calls as f64);
        match (ns(row), ns(Row::BASELINE)) {
            (Some(t), Some(b)) => format!("{t:.2} ({:.2}×)", t / b),
            _ => "–".into(),
        }
    }
}

impl RowVisitor<'_> for CriterionRows<'_> {
    fn visit<F: FnMut(&mut Context<'_>, u64) -> u64>(
        &mut self,
        size: &'static str,
        row: Row,
        mut call: F,
    ) {
        let mut group = self
            .criterion
            .benchmark_group(format!("{}_{size}", self.prefix));
        let id = BenchmarkId::new(row.strategy.name(), row.shape.name());
        let calls = self.calls;
        group.bench_function(id, |b| {
            let mut cx = noop_context();
            if calls == 1 {
                b.iter(|| call(&mut cx, black_box(12_345)));
            } else {
                b.iter(|| {
                    let mut acc = 0u64;
                    for x in 0..calls {
                        acc = acc.wrapping_add(call(&mut cx, black_box(x)));
                    }
                    acc
                });
            }
        });
        group.finish();
    }
}
