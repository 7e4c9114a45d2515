//! Instructions per call of each `dispatch` row, counted by callgrind.
//!
//! The rows are those of `benches/dispatch.rs`, included as a module (bench
//! targets are separate crates). Build in release mode, then run the binary
//! directly:
//!
//! ```text
//! cargo bench --bench callgrind_dispatch --no-run
//! target/release/deps/callgrind_dispatch-<hash> --measure 100000
//! ```
//!
//! `--measure N [ROW…]` runs every row (or the rows named) under
//! `valgrind --tool=callgrind` twice, N and 2N times, and reports
//! `(Ir(2N) - Ir(N)) / N`: process start-up, setup and the final report are
//! the same in both runs and cancel out; what remains is one call plus the
//! loop around it (an increment, a compare, two `black_box`es). The output
//! files stay in `<target>/release/callgrind/` for `callgrind_annotate`.
//!
//! `ROW N` runs one row N times (what `--measure` runs under valgrind); a row
//! is named as in the criterion output (`3_dyn_inline_pinned`) or by its
//! number (`3`). Without such arguments — as `cargo bench` runs it — every row
//! runs once, is checked against the direct call, and the program exits.
//!
//! The included module brings its counting global allocator along; switched
//! off, it adds one relaxed load and a branch to each allocation (rows 6 and
//! 7 allocate once per call).

#[allow(
    dead_code,
    reason = "the criterion and allocation-counting half of dispatch.rs is not used here"
)]
#[path = "dispatch.rs"]
mod dispatch;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use std::task::Context;

use dispatch::{Fixture, Row, RowVisitor, noop_context, small};
use hybrid_dispatch::service_fn;

/// Runs one row `n` times.
struct Repeat {
    n: u64,
    checksum: u64,
}

impl RowVisitor<'_> for Repeat {
    fn visit<F: Fn(&mut Context<'_>, u64) -> u64>(&mut self, _row: Row, call: F) {
        let mut cx = noop_context();
        let mut acc = 0u64;
        for x in 0..self.n {
            acc = acc.wrapping_add(call(&mut cx, black_box(x)));
        }
        self.checksum = black_box(acc);
    }
}

/// The row named `name`, or by its number alone (`"3"`).
fn parse_row(name: &str) -> Option<Row> {
    Row::ALL
        .into_iter()
        .find(|row| row.name() == name || row.name().split('_').next() == Some(name))
}

/// The `Ir` total of a callgrind output file.
fn total_ir(file: &Path) -> Result<u64, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    text.lines()
        .find_map(|line| {
            line.strip_prefix("totals:")
                .or_else(|| line.strip_prefix("summary:"))
        })
        .and_then(|n| n.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| format!("{}: no totals line", file.display()))
}

/// Runs `row` `n` times under callgrind and returns its `Ir` total.
fn callgrind(exe: &Path, out_dir: &Path, row: Row, n: u64) -> Result<u64, String> {
    let file = out_dir.join(format!("{}.{n}.out", row.name()));
    let status = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", file.display()))
        .arg(exe)
        .arg(row.name())
        .arg(n.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    if !status.success() {
        return Err(format!("valgrind {} {n}: {status}", row.name()));
    }
    total_ir(&file)
}

fn measure(n: u64, rows: &[Row]) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    // `<target>/release/deps/<exe>` → `<target>/release/callgrind/`.
    let out_dir: PathBuf = exe
        .parent()
        .and_then(Path::parent)
        .map_or_else(|| PathBuf::from("callgrind"), |dir| dir.join("callgrind"));
    std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    println!("instructions per call, (Ir(2N) - Ir(N)) / N with N = {n}, under callgrind");
    println!(
        "{:<26} {:>14} {:>14} {:>10}",
        "row", "Ir(N)", "Ir(2N)", "Ir/call"
    );
    for &row in rows {
        let once = callgrind(&exe, &out_dir, row, n)?;
        let twice = callgrind(&exe, &out_dir, row, 2 * n)?;
        let per_call = twice.saturating_sub(once) as f64 / n as f64;
        println!("{:<26} {once:>14} {twice:>14} {per_call:>10.2}", row.name());
    }
    println!(
        "output files: {}/<row>.<N>.out (callgrind_annotate --inclusive=yes FILE)",
        out_dir.display()
    );
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let fixture = Fixture::new(service_fn(small));

    if let Some(at) = args.iter().position(|a| a == "--measure") {
        let rest = &args[at + 1..];
        let (n, names) = match rest.first().and_then(|a| a.parse::<u64>().ok()) {
            Some(n) => (n, &rest[1..]),
            None => (100_000, rest),
        };
        let rows: Vec<Row> = if names.is_empty() {
            Row::ALL.to_vec()
        } else {
            names
                .iter()
                .map(|name| parse_row(name).unwrap_or_else(|| panic!("unknown row {name:?}")))
                .collect()
        };
        fixture.verify();
        if let Err(e) = measure(n, &rows) {
            eprintln!("callgrind_dispatch: {e}");
            std::process::exit(1);
        }
        return;
    }

    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if let [row, n] = positional[..]
        && let (Some(row), Ok(n)) = (parse_row(row), n.parse::<u64>())
    {
        let mut repeat = Repeat { n, checksum: 0 };
        fixture.visit(row, &mut repeat);
        black_box(repeat.checksum);
        return;
    }

    // `cargo bench` (or anything unrecognised): a quick check of every row.
    fixture.verify();
    println!(
        "callgrind_dispatch: all {} rows agree; count instructions with `{} --measure [N] [ROW...]`",
        Row::ALL.len(),
        std::env::current_exe()
            .map_or_else(|_| "callgrind_dispatch".into(), |p| p.display().to_string())
    );
}
