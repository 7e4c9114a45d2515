//! A callgrind run's instruction total: what `callgrind.rs` builds its
//! tables on, and what benches with a command line of their own use
//! directly (`recycled.rs`, `registry.rs`, `snapshot.rs`, and the
//! gateway's bench, which includes this file by path). Nothing here
//! depends on the rest of `support`.

use std::path::Path;
use std::process::Command;

/// The `Ir` total of a callgrind output file.
pub(crate) fn total_ir(file: &Path) -> Result<u64, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    text.lines()
        .find_map(|line| {
            line.strip_prefix("totals:")
                .or_else(|| line.strip_prefix("summary:"))
        })
        .and_then(|n| n.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| format!("{}: no totals line", file.display()))
}

/// Runs `exe args…` under callgrind and returns its `Ir` total, the output
/// file named `name` in the temp directory.
///
/// # Panics
///
/// If valgrind cannot be run or the run fails (its standard error is the
/// message).
pub(crate) fn ir_total_of(exe: &str, args: &[&str], name: &str) -> u64 {
    let file = std::env::temp_dir().join(name);
    let run = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", file.display()))
        .arg(exe)
        .args(args)
        .output()
        .expect("valgrind");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    total_ir(&file).unwrap()
}
