//! Instructions per call of every row of `dispatch` — 13 strategies ×
//! pinned / moved / awaited × SMALL, MEDIUM, LARGE — counted by callgrind.
//!
//! ```text
//! cargo bench -p benches --bench callgrind_dispatch -- --measure 20000                 # every row
//! cargo bench -p benches --bench callgrind_dispatch -- --measure 20000 small 09        # a size, a strategy
//! cargo bench -p benches --bench callgrind_dispatch -- --measure 20000 small/09/awaited large/12
//! cargo bench -p benches --bench callgrind_dispatch -- --measure 20000 --markdown      # tables for BENCHMARKS.md
//! cargo bench -p benches --bench callgrind_dispatch -- --measure 20000 --svg docs/charts  # and its chart
//! ```
//!
//! `--measure N [--markdown] [--svg DIR] [SEL…]` runs every row of every size (or those
//! selected: `/`-separated parts naming a size, `small`; a strategy, `09`,
//! `call_dyn` or `09_call_dyn`; a shape, `awaited`) under
//! `valgrind --tool=callgrind` with N and 2N calls, prints `(Ir(2N) - Ir(N))
//! / N` for each, then a table per size (a column per shape); with `--svg DIR`
//! (or `BENCH_SVG=DIR`) it also draws the awaited column of every size as
//! `DIR/instructions_awaited.svg` (`support/chart.rs`). The output
//! files stay in `<target>/release/callgrind/` for `callgrind_annotate`.
//!
//! `SIZE/STRATEGY/SHAPE N` runs one row N times (what `--measure` runs under
//! valgrind). Without either — as `cargo bench` runs it — every row is
//! checked against the direct call, and the program exits.
//!
//! No counting allocator here: the allocating rows pay glibc's `malloc` and
//! `free` and nothing more.

#[allow(dead_code, reason = "each bench uses its part of the shared support")]
#[path = "support/mod.rs"]
mod support;

use support::callgrind::{self, Cell, Repeat};
use support::chart::{Bar, StrategyChart, svg_dir_from_env};
use support::fixture::bench_sizes;
use support::report::{Format, print_grids};
use support::shape::Shape;

fn main() {
    // `cargo bench` appends `--bench`; it is not a row selector.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let sizes = bench_sizes();
    let infos = sizes.infos();
    let names: Vec<&'static str> = infos.iter().map(|i| i.name).collect();

    if let Some(at) = args.iter().position(|a| a == "--measure") {
        let mut markdown = support::report::markdown();
        let mut svg = svg_dir_from_env();
        let mut rest: Vec<&String> = Vec::new();
        let mut options = args[at + 1..].iter();
        while let Some(arg) = options.next() {
            match arg.as_str() {
                "--markdown" => markdown = true,
                "--svg" => match options.next() {
                    Some(dir) => svg = Some(support::chart::from_root(dir.into())),
                    None => {
                        eprintln!("callgrind_dispatch: --svg needs a directory");
                        std::process::exit(2);
                    }
                },
                _ => rest.push(arg),
            }
        }
        let (n, sels) = match rest.first().and_then(|a| a.parse::<u64>().ok()) {
            Some(n) => (n, &rest[1..]),
            None => (20_000, &rest[..]),
        };
        let cells: Vec<Cell> = Cell::all(&names)
            .into_iter()
            .filter(|c| sels.is_empty() || sels.iter().any(|s| c.selected_by(s)))
            .collect();
        if cells.is_empty() {
            eprintln!("callgrind_dispatch: nothing selected by {sels:?}");
            std::process::exit(2);
        }
        sizes.verify();
        let results = match callgrind::measure(n, &cells) {
            Ok(results) => results,
            Err(e) => {
                eprintln!("callgrind_dispatch: {e}");
                std::process::exit(1);
            }
        };
        let title = format!(
            "instructions per call (callgrind, (Ir(2N) - Ir(N)) / N, N = {n}); handle = bytes \
             the caller holds"
        );
        let format = if markdown {
            Format::Markdown
        } else {
            Format::Text
        };
        print_grids(format, &title, &infos, |size, row| {
            callgrind::lookup(&results, size.name, row)
        });
        println!();
        callgrind::print_targets(&results, &names);
        if let Some(dir) = svg {
            let chart = StrategyChart::new(
                format!("Instructions per call, awaited (callgrind, N = {n}; fewer is better)"),
                "instructions per call: (Ir(2N) − Ir(N)) / N".into(),
                Shape::Awaited,
                &infos,
                callgrind::ir_cell,
                |size, row| {
                    callgrind::per_call(&results, size.name, row).map(|value| Bar {
                        value,
                        spread: None,
                    })
                },
            );
            chart.write_to(&dir, "instructions_awaited.svg");
        }
        return;
    }

    // One cell, N times: what `--measure` runs under valgrind. (No `let`
    // chains: the MSRV is 1.86.)
    let one = match &args[..] {
        [sel, n] => {
            let cells: Vec<Cell> = Cell::all(&names)
                .into_iter()
                .filter(|c| c.selected_by(sel) && sel.matches('/').count() == 2)
                .collect();
            match (&cells[..], n.parse::<u64>()) {
                ([cell], Ok(n)) => Some((*cell, n)),
                _ => None,
            }
        }
        _ => None,
    };
    if let Some((cell, n)) = one {
        let mut repeat = Repeat {
            cell,
            n,
            ran: false,
        };
        sizes.visit_all(&mut repeat);
        assert!(repeat.ran, "{} did not run", cell.name());
        return;
    }

    // `cargo bench` (or anything unrecognised): a quick check of every row.
    sizes.verify();
    println!(
        "callgrind_dispatch: all {} rows agree at {} sizes; count instructions with \
         `cargo bench -p benches --bench callgrind_dispatch -- --measure [N] [--markdown] [--svg DIR] [SEL...]`",
        support::rows::Row::all().count(),
        names.len()
    );
}
