//! The library's `SnapshotCell` (`src/future/snapshot.rs`, compiled here by
//! path) on loom's atomics, lock and thread-locals; its model-checking tests
//! are `snapshot::loom_tests` in that file: `cargo test --release -p
//! hybrid-dispatch-loom`. A warning fails the build, as clippy's `-D
//! warnings` does in the library's.
#![deny(warnings)]

#[allow(dead_code, reason = "the tests use the cell; nothing else here does")]
#[allow(
    unexpected_cfgs,
    reason = "the file's other tests are under the library's `feature = \"std\"`, which this crate lacks: they stay out"
)]
#[path = "../../../src/future/snapshot.rs"]
mod snapshot;
