//! Instructions per call of every `dispatch` row at every size, counted by
//! callgrind.
//!
//! The rows and sizes are those of `benches/dispatch.rs` (14 rows × SMALL,
//! MEDIUM, LARGE), included as a module (bench targets are separate crates).
//! Build in release mode, then run the binary directly:
//!
//! ```text
//! cargo bench --bench callgrind_dispatch --no-run
//! target/release/deps/callgrind_dispatch-<hash> --measure 20000
//! target/release/deps/callgrind_dispatch-<hash> --measure 20000 small 09 large/13_call_in_slot
//! ```
//!
//! `--measure N [SEL…]` runs every row of every size (or those selected: a
//! size, `small`; a row, `09_call_dyn_pinned` or `09`; or both,
//! `small/09`) under `valgrind --tool=callgrind` twice, N and 2N times, and
//! reports `(Ir(2N) - Ir(N)) / N`: process start-up, setup and the final
//! report are the same in both runs and cancel out; what remains is one call
//! plus the loop around it (an increment, a compare, two `black_box`es). The
//! output files stay in `<target>/release/callgrind/<size>.<row>.<N>.out` for
//! `callgrind_annotate`.
//!
//! `SIZE/ROW N` runs one row N times (what `--measure` runs under valgrind).
//! Without such arguments — as `cargo bench` runs it — every row runs a few
//! times, is checked against the direct call, and the program exits.
//!
//! The included module brings its counting global allocator along: each
//! allocation and deallocation also bumps thread-local counters, a few
//! instructions that the allocating rows (04, 05, 07's first call, 12, and
//! 08–11 when the future spills) pay on top of glibc's `malloc`/`free`.

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

use dispatch::{Row, RowVisitor, Rows, bench_fixtures, noop_context};

/// Runs the one row `(size, row)` `n` times; ignores the others.
struct Repeat {
    size: String,
    row: Row,
    n: u64,
    ran: bool,
}

impl RowVisitor<'_> for Repeat {
    fn visit<F: FnMut(&mut Context<'_>, u64) -> u64>(
        &mut self,
        size: &'static str,
        row: Row,
        mut call: F,
    ) {
        if size != self.size || row != self.row {
            return;
        }
        let mut cx = noop_context();
        let mut acc = 0u64;
        for x in 0..self.n {
            acc = acc.wrapping_add(call(&mut cx, black_box(x)));
        }
        black_box(acc);
        self.ran = true;
    }
}

const SIZES: [&str; 3] = ["small", "medium", "large"];

/// Whether `sel` (`small`, `09`, `09_call_dyn_pinned`, `small/09`) selects
/// `(size, row)`.
fn selects(sel: &str, size: &str, row: Row) -> bool {
    let row_matches = |r: &str| row.name() == r || row.name().split('_').next() == Some(r);
    match sel.split_once('/') {
        Some((s, r)) => s == size && row_matches(r),
        None => sel == size || row_matches(sel),
    }
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

/// Runs `size/row` `n` times under callgrind and returns its `Ir` total.
fn callgrind(exe: &Path, out_dir: &Path, size: &str, row: Row, n: u64) -> Result<u64, String> {
    let file = out_dir.join(format!("{size}.{}.{n}.out", row.name()));
    let status = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", file.display()))
        .arg(exe)
        .arg(format!("{size}/{}", row.name()))
        .arg(n.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    if !status.success() {
        return Err(format!("valgrind {size}/{} {n}: {status}", row.name()));
    }
    total_ir(&file)
}

fn measure(n: u64, selected: &[(&'static str, Row)]) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    // `<target>/release/deps/<exe>` → `<target>/release/callgrind/`.
    let out_dir: PathBuf = exe
        .parent()
        .and_then(Path::parent)
        .map_or_else(|| PathBuf::from("callgrind"), |dir| dir.join("callgrind"));
    std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    println!("instructions per call, (Ir(2N) - Ir(N)) / N with N = {n}, under callgrind");
    println!(
        "{:<7} {:<24} {:>14} {:>14} {:>10}",
        "size", "row", "Ir(N)", "Ir(2N)", "Ir/call"
    );
    for &(size, row) in selected {
        let once = callgrind(&exe, &out_dir, size, row, n)?;
        let twice = callgrind(&exe, &out_dir, size, row, 2 * n)?;
        let per_call = twice.saturating_sub(once) as f64 / n as f64;
        println!(
            "{size:<7} {:<24} {once:>14} {twice:>14} {per_call:>10.2}",
            row.name()
        );
    }
    println!(
        "output files: {}/<size>.<row>.<N>.out (callgrind_annotate --inclusive=yes FILE)",
        out_dir.display()
    );
    Ok(())
}

fn main() {
    // `cargo bench` appends `--bench`; it is not a row selector.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let (small, medium, large) = bench_fixtures();

    if let Some(at) = args.iter().position(|a| a == "--measure") {
        let rest = &args[at + 1..];
        let (n, sels) = match rest.first().and_then(|a| a.parse::<u64>().ok()) {
            Some(n) => (n, &rest[1..]),
            None => (20_000, rest),
        };
        let selected: Vec<(&'static str, Row)> = SIZES
            .into_iter()
            .flat_map(|size| Row::ALL.into_iter().map(move |row| (size, row)))
            .filter(|&(size, row)| sels.is_empty() || sels.iter().any(|s| selects(s, size, row)))
            .collect();
        if selected.is_empty() {
            eprintln!("callgrind_dispatch: nothing selected by {sels:?}");
            std::process::exit(2);
        }
        small.verify();
        medium.verify();
        large.verify();
        if let Err(e) = measure(n, &selected) {
            eprintln!("callgrind_dispatch: {e}");
            std::process::exit(1);
        }
        return;
    }

    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if let [sel, n] = positional[..]
        && let Some((size, row)) = sel.split_once('/')
        && let Some(row) = Row::ALL.into_iter().find(|&r| selects(row, size, r))
        && let Ok(n) = n.parse::<u64>()
    {
        let mut repeat = Repeat {
            size: size.to_owned(),
            row,
            n,
            ran: false,
        };
        small.visit_all(&mut repeat);
        medium.visit_all(&mut repeat);
        large.visit_all(&mut repeat);
        assert!(repeat.ran, "no size named {size:?}");
        return;
    }

    // `cargo bench` (or anything unrecognised): a quick check of every row.
    small.verify();
    medium.verify();
    large.verify();
    println!(
        "callgrind_dispatch: all {} rows agree at 3 sizes; count instructions with `{} --measure [N] [SEL...]`",
        Row::ALL.len(),
        std::env::current_exe()
            .map_or_else(|_| "callgrind_dispatch".into(), |p| p.display().to_string())
    );
}
