//! `#[dyn_twin]` in a build without `alloc` (`cargo test
//! --no-default-features --features macros --test ui_no_alloc`): a twin
//! that is not `inline_only` is one error saying what to do
//! (`tests/ui-no-alloc/*.stderr`), and the `inline_only` twin it advises
//! builds and runs (`tests/ui-no-alloc/pass/`). trybuild builds the cases
//! with this run's features. To re-pin: `TRYBUILD=overwrite` before the
//! command above.
#![cfg(all(feature = "macros", not(feature = "alloc")))]

#[test]
#[cfg_attr(miri, ignore = "runs the compiler")]
fn ui_no_alloc() {
    if std::env::var_os("HYBRID_DISPATCH_SKIP_UI").is_some() {
        eprintln!("UI tests skipped: HYBRID_DISPATCH_SKIP_UI is set (not the stable toolchain)");
        return;
    }
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui-no-alloc/*.rs");
    cases.pass("tests/ui-no-alloc/pass/*.rs");
}
