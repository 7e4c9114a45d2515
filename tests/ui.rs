//! Compile-fail tests: every compile-time error a user can hit, with the
//! message pinned (`tests/ui/*.stderr`). The messages are the stable
//! toolchain's; `.ci/run` sets `HYBRID_DISPATCH_SKIP_UI` on the MSRV and
//! nightly toolchains, whose wording differs.
//!
//! To re-pin after an intended change: `TRYBUILD=overwrite cargo test --test ui`.

#[test]
#[cfg_attr(miri, ignore = "runs the compiler")]
fn ui() {
    if std::env::var_os("HYBRID_DISPATCH_SKIP_UI").is_some() {
        eprintln!("UI tests skipped: HYBRID_DISPATCH_SKIP_UI is set (not the stable toolchain)");
        return;
    }
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
