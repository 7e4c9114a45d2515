//! Compile-fail tests: every compile-time error a user can hit, with the
//! message pinned (`tests/ui/*.stderr`), and the fixes those messages advise
//! (`tests/ui/pass/*.rs`, built and run). The paths are this package's
//! (`tests/trybuild/`). The messages are the stable toolchain's; set
//! `HYBRID_DISPATCH_SKIP_UI` to skip them on another, whose wording differs.
//!
//! The pass cases matter to the compile-fail ones too: with none, trybuild
//! only runs `cargo check`, which never evaluates the constant assertions
//! inside generic functions (too large or over-aligned for the inline-only
//! erasure, a capacity smaller than a pointer). Those fire during code
//! generation, so their cases would compile "successfully" under `check`.
//!
//! To re-pin after an intended change: `TRYBUILD=overwrite cargo test
//! --test ui` (in the workspace root or here, the package `hybrid-dispatch-ui`).
#![cfg(all(feature = "std", feature = "macros"))]

#[test]
#[cfg_attr(miri, ignore = "runs the compiler")]
fn ui() {
    if std::env::var_os("HYBRID_DISPATCH_SKIP_UI").is_some() {
        eprintln!("UI tests skipped: HYBRID_DISPATCH_SKIP_UI is set (not the stable toolchain)");
        return;
    }
    let cases = trybuild::TestCases::new();
    let features = cfg!(any(feature = "tower", feature = "tracing"));
    if features {
        // `#[dyn_twin]`'s messages are about the user's trait and name
        // nothing the optional features add: they run with the default
        // features only (CI runs this suite with both), half the cases.
        eprintln!("tests/ui/twin_*.rs skipped: no optional feature changes their messages");
        let mut paths: Vec<_> = std::fs::read_dir("tests/ui")
            .expect("tests/ui")
            .map(|entry| entry.expect("an entry of tests/ui").path())
            .filter(|path| {
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default();
                name.ends_with(".rs") && !name.starts_with("twin_")
            })
            .collect();
        paths.sort();
        for path in paths {
            cases.compile_fail(path);
        }
    } else {
        cases.compile_fail("tests/ui/*.rs");
    }
    // These messages list the `Service` implementors rustc knows, and the
    // optional features add some (`tower`: `FromTower`; `tracing`: the
    // `Traced` layer): they are pinned for the default features, and
    // skipped (not failed) with either on.
    if features {
        eprintln!(
            "tests/ui/implementors/ skipped: an optional feature adds Service implementors to their messages"
        );
    } else {
        cases.compile_fail("tests/ui/implementors/*.rs");
    }
    cases.pass("tests/ui/pass/*.rs");
}
