//! What the benches share: the future under test, its peers, the rows that
//! reach it and the ways of measuring them. Each bench includes this folder
//! with `#[path = "support/mod.rs"] mod support;` (bench targets are
//! separate crates) and uses its part of it.
//!
//! | file | what |
//! |---|---|
//! | `workload.rs` | the future under test, `work::<W>`, its three sizes, the task context |
//! | `peers.rs` | the same future behind `async-trait`, `Box<dyn Future>`, `stackfuture`, … |
//! | `shape.rs` | pinned where returned, moved once, awaited in an outer `async fn` |
//! | `rows.rs` | thirteen strategies × three shapes, a non-inlined function each |
//! | `fixture.rs` | one future size with every row's service and storage; the bench sizes |
//! | `counting_alloc.rs` | the counting `#[global_allocator]` |
//! | `allocations.rs` | exact allocations and bytes per call of every row |
//! | `interleaved.rs` | the round-robin timer, its paired ratios and their spread |
//! | `harness.rs` | one pinned core, quick mode, criterion's configuration and results |
//! | `callgrind.rs` | instructions per call under `valgrind --tool=callgrind` |
//! | `valgrind.rs` | a callgrind run's instruction total (also included by the gateway's bench) |
//! | `report.rs` | the tables, as text or markdown |
//! | `chart.rs` | the same numbers as SVG bar charts, for `BENCHMARKS.md` |

pub(crate) mod allocations;
pub(crate) mod callgrind;
pub(crate) mod chart;
pub(crate) mod counting_alloc;
pub(crate) mod fixture;
pub(crate) mod harness;
pub(crate) mod interleaved;
pub(crate) mod peers;
pub(crate) mod report;
pub(crate) mod rows;
pub(crate) mod shape;
pub(crate) mod valgrind;
pub(crate) mod workload;
