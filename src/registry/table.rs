//! Plain-text tables for the registry's reports.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Columns of text, padded to the widest cell; numeric columns align right.
pub(super) struct Table<const N: usize> {
    header: [&'static str; N],
    right: [bool; N],
    rows: Vec<[String; N]>,
}

impl<const N: usize> Table<N> {
    pub(super) fn new(header: [&'static str; N], right: [bool; N]) -> Self {
        Table {
            header,
            right,
            rows: Vec::new(),
        }
    }

    pub(super) fn row(&mut self, cells: [String; N]) {
        self.rows.push(cells);
    }
}

impl<const N: usize> fmt::Display for Table<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut widths = self.header.map(|h| h.chars().count());
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let header = self.header.map(String::from);
        for row in core::iter::once(&header).chain(&self.rows) {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                let pad = widths[i] - cell.chars().count();
                if self.right[i] {
                    line.extend(core::iter::repeat_n(' ', pad));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.extend(core::iter::repeat_n(' ', pad));
                }
            }
            writeln!(f, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

/// `type_name` without module paths: `alloc::vec::Vec<my_crate::Job>` becomes
/// `Vec<Job>`. A closure keeps the function it is defined in
/// (`main::{{closure}}`), the only name it has. Table cells only; `Debug`
/// output keeps the full names.
pub(super) fn short_type_name(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    // Where the path segment being copied began in `out`.
    let mut segment = 0;
    let mut rest = full;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("::") {
            if after.starts_with("{{") {
                out.push_str("::");
            } else {
                out.truncate(segment);
            }
            rest = after;
            continue;
        }
        out.push(c);
        if !(c.is_alphanumeric() || c == '_') {
            segment = out.len();
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn short_type_names_drop_paths() {
        assert_eq!(
            short_type_name("alloc::vec::Vec<my_crate::Job>"),
            "Vec<Job>"
        );
        assert_eq!(
            short_type_name(
                "hybrid_dispatch::service_fn::ServiceFn<fn(u64) -> core::future::ready::Ready<u64>>"
            ),
            "ServiceFn<fn(u64) -> Ready<u64>>"
        );
        assert_eq!(short_type_name("[u64; 24]"), "[u64; 24]");
        assert_eq!(short_type_name("smallbox::space::S16"), "S16");
        assert_eq!(
            short_type_name("ServiceFn<plugins::main::{{closure}}::{{closure}}>"),
            "ServiceFn<main::{{closure}}::{{closure}}>"
        );
    }

    #[test]
    fn columns_are_padded_and_aligned() {
        let mut table = Table::new(["name", "n"], [false, true]);
        table.row(["a".into(), "100".into()]);
        table.row(["long".into(), "1".into()]);
        assert_eq!(table.to_string(), "name    n\na     100\nlong    1\n");
    }
}
