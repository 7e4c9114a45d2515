//! Instructions per call of any row, counted by callgrind: the harness runs
//! its own executable under `valgrind --tool=callgrind`, once per row and
//! repeat count.
//!
//! A row's figure is `(Ir(2N) - Ir(N)) / N`: process start-up, setup and
//! exit are the same in both runs and cancel out; what remains is one call
//! plus the loop around it (an increment, an add, two `black_box`es).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::task::Context;

use super::rows::{Row, RowVisitor, Strategy};
use super::shape::Shape;
use super::valgrind::total_ir;
use super::workload::noop_context;

/// One row of one size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cell {
    /// The size's name (`small`, …).
    pub(crate) size: &'static str,
    /// The row.
    pub(crate) row: Row,
}

impl Cell {
    /// `small/09_call_dyn/awaited`: what [`Repeat`] runs.
    pub(crate) fn name(self) -> String {
        format!("{}/{}", self.size, self.row.name())
    }

    /// Every row of each of `sizes`.
    pub(crate) fn all(sizes: &[&'static str]) -> Vec<Cell> {
        sizes
            .iter()
            .flat_map(|&size| Row::all().map(move |row| Cell { size, row }))
            .collect()
    }

    /// Whether the selector `sel` picks this cell: `/`-separated parts, each
    /// naming its size (`small`), its strategy (`09`, `call_dyn` or
    /// `09_call_dyn`) or its shape (`awaited`); every part must match.
    pub(crate) fn selected_by(self, sel: &str) -> bool {
        let strategy = self.row.strategy.name();
        let (number, bare) = strategy.split_once('_').unwrap_or((strategy, strategy));
        sel.split('/')
            .all(|part| [self.size, strategy, number, bare, self.row.shape.name()].contains(&part))
    }
}

/// Runs one cell `n` times; ignores the others.
#[derive(Debug)]
pub(crate) struct Repeat {
    /// The cell to run.
    pub(crate) cell: Cell,
    /// How many calls.
    pub(crate) n: u64,
    /// Whether it ran.
    pub(crate) ran: bool,
}

impl RowVisitor<'_> for Repeat {
    fn visit<F: FnMut(&mut Context<'_>, u64) -> u64>(
        &mut self,
        size: &'static str,
        row: Row,
        mut call: F,
    ) {
        if size != self.cell.size || row != self.cell.row {
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

/// Where the output files go: `<target>/release/callgrind/`.
pub(crate) fn out_dir(exe: &Path) -> PathBuf {
    exe.parent()
        .and_then(Path::parent)
        .map_or_else(|| PathBuf::from("callgrind"), |dir| dir.join("callgrind"))
}

/// Runs `exe CELL n` under callgrind and returns its `Ir` total.
fn callgrind(exe: &Path, out_dir: &Path, cell: Cell, n: u64) -> Result<u64, String> {
    let file = out_dir.join(format!("{}.{n}.out", cell.name().replace('/', ".")));
    let status = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", file.display()))
        .arg(exe)
        .arg(cell.name())
        .arg(n.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    if !status.success() {
        return Err(format!("valgrind {} {n}: {status}", cell.name()));
    }
    total_ir(&file)
}

/// Instructions per call of each of `cells`, printing a line per cell as it
/// goes.
pub(crate) fn measure(n: u64, cells: &[Cell]) -> Result<Vec<(Cell, f64)>, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out_dir = out_dir(&exe);
    std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    println!("instructions per call, (Ir(2N) - Ir(N)) / N with N = {n}, under callgrind");
    println!(
        "{:<38} {:>14} {:>14} {:>10}",
        "size/row", "Ir(N)", "Ir(2N)", "Ir/call"
    );
    let mut results = Vec::with_capacity(cells.len());
    for &cell in cells {
        let once = callgrind(&exe, &out_dir, cell, n)?;
        let twice = callgrind(&exe, &out_dir, cell, 2 * n)?;
        let per_call = twice.saturating_sub(once) as f64 / n as f64;
        println!(
            "{:<38} {once:>14} {twice:>14} {per_call:>10.2}",
            cell.name()
        );
        results.push((cell, per_call));
    }
    println!(
        "output files: {}/<size>.<strategy>.<shape>.<N>.out (callgrind_annotate --inclusive=yes FILE)",
        out_dir.display()
    );
    Ok(results)
}

/// `156`, or `156.50` when the count is not whole.
pub(crate) fn ir_cell(ir: f64) -> String {
    if (ir - ir.round()).abs() < 0.005 {
        format!("{ir:.0}")
    } else {
        format!("{ir:.2}")
    }
}

/// The measured count of `size`/`row` among `results`, if it was measured.
pub(crate) fn per_call(results: &[(Cell, f64)], size: &str, row: Row) -> Option<f64> {
    results
        .iter()
        .find(|(c, _)| c.size == size && c.row == row)
        .map(|&(_, ir)| ir)
}

/// The measured count of `size`/`row` among `results`, formatted, or `–`.
pub(crate) fn lookup(results: &[(Cell, f64)], size: &str, row: Row) -> String {
    per_call(results, size, row).map_or_else(|| "–".into(), ir_cell)
}

/// The ratios that compare our rows with their closest peers, where both
/// rows were measured: awaited
/// `call_dyn` against awaited `stackfuture`, and the like. `call_inline`
/// and `stackfuture` have the same capacity at every size (64 bytes at
/// SMALL), so their ratio compares the two storages at equal capacity;
/// `call_dyn` has the default one.
pub(crate) fn print_targets(results: &[(Cell, f64)], sizes: &[&'static str]) {
    let get = |size: &str, strategy: Strategy, shape: Shape| {
        per_call(results, size, Row { strategy, shape })
    };
    for &size in sizes {
        let pairs = [
            (Strategy::CallDyn, Strategy::StackFuture, Shape::Awaited),
            (Strategy::CallDyn, Strategy::StackFuture, Shape::Pinned),
            (Strategy::CallInline, Strategy::StackFuture, Shape::Awaited),
            (Strategy::CallInline, Strategy::StackFuture, Shape::Pinned),
            (
                Strategy::CallInline,
                Strategy::StackFuture,
                Shape::AwaitedInPlace,
            ),
            (Strategy::CallInSlot, Strategy::ReusableBox, Shape::Awaited),
            (Strategy::CallDyn, Strategy::AsyncTrait, Shape::Awaited),
            (
                Strategy::CallDyn,
                Strategy::AsyncTrait,
                Shape::AwaitedInPlace,
            ),
            (Strategy::CallInSlot, Strategy::AsyncTrait, Shape::Awaited),
        ];
        for (ours, peer, shape) in pairs {
            if let (Some(a), Some(b)) = (get(size, ours, shape), get(size, peer, shape)) {
                println!(
                    "{size:<7} {} / {} ({}): {} / {} = {:.2}",
                    ours.name(),
                    peer.name(),
                    shape.name(),
                    ir_cell(a),
                    ir_cell(b),
                    a / b
                );
            }
        }
    }
}
