//! The tables every bench prints: per future size, a line per strategy and
//! a column per shape, as aligned text or as markdown for `BENCHMARKS.md`.

use super::fixture::SizeInfo;
use super::rows::{Row, Strategy};
use super::shape::Shape;

/// Whether `BENCH_MARKDOWN` is set (and not `0`): print the tables as
/// markdown, ready for `BENCHMARKS.md`.
pub(crate) fn markdown() -> bool {
    std::env::var_os("BENCH_MARKDOWN").is_some_and(|v| v != "0")
}

/// Text or markdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// Aligned columns for a terminal.
    Text,
    /// Markdown tables.
    Markdown,
}

impl Format {
    /// Markdown if `BENCH_MARKDOWN` says so (see
    /// [`markdown`]), else text.
    pub(crate) fn from_env() -> Format {
        if markdown() {
            Format::Markdown
        } else {
            Format::Text
        }
    }
}

/// Prints `title`, then for each size a table: one line per strategy, its
/// handle size, and `cell(size, row)` for each shape.
pub(crate) fn print_grids(
    format: Format,
    title: &str,
    sizes: &[SizeInfo],
    cell: impl Fn(&SizeInfo, Row) -> String,
) {
    println!("\n{title}");
    for size in sizes {
        let mut lines: Vec<Vec<String>> = vec![
            ["strategy", "handle"]
                .into_iter()
                .chain(Shape::ALL.map(Shape::name))
                .map(String::from)
                .collect(),
        ];
        for (strategy, handle) in Strategy::ALL.into_iter().zip(&size.handles) {
            let name = match format {
                Format::Text => strategy.name(),
                Format::Markdown => strategy.label(),
            };
            let mut line = vec![name.to_owned(), handle.to_string()];
            line.extend(Shape::ALL.map(|shape| cell(size, Row { strategy, shape })));
            lines.push(line);
        }
        match format {
            Format::Text => {
                println!("\n{}: future {} bytes", size.name, size.future_size);
                let widths: Vec<usize> = (0..lines[0].len())
                    .map(|c| {
                        lines
                            .iter()
                            .map(|l| l[c].chars().count())
                            .max()
                            .unwrap_or(0)
                    })
                    .collect();
                for line in &lines {
                    let mut out = format!("{:<w$}", line[0], w = widths[0]);
                    for (text, w) in line.iter().zip(&widths).skip(1) {
                        out += &format!("  {text:>w$}");
                    }
                    println!("{out}");
                }
            }
            Format::Markdown => {
                println!(
                    "\n{}, {}-byte future:\n",
                    size.name.to_uppercase(),
                    size.future_size
                );
                println!("| {} |", lines[0].join(" | "));
                println!("|---|{}", "--:|".repeat(lines[0].len() - 1));
                for line in &lines[1..] {
                    println!("| {} |", line.join(" | "));
                }
            }
        }
    }
}
