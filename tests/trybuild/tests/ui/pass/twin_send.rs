//! The `Send` twin, inline-only twins and `bridge = false`, under the
//! lints a library denies.
#![deny(missing_docs, missing_debug_implementations, unreachable_pub, warnings)]

use hybrid_dispatch::{dyn_twin, capacity::S4};
use std::sync::Arc;

/// Jobs that run on any thread.
#[dyn_twin(DynJob, send = SendDynJob)]
pub trait Job {
    /// Runs.
    async fn run(&self, n: u64) -> u64;
    /// Borrows its input.
    async fn label(&self, prefix: &str) -> String;
    /// A default body, wrapped in `async move` by the rewrite.
    async fn retries(&self) -> u32 {
        3
    }
}

/// Never allocates.
#[dyn_twin(DynTiny, inline_only, send = SendDynTiny)]
pub trait Tiny {
    /// Adds.
    async fn add(&self, x: u64) -> u64;
}

/// No bridge impls.
#[dyn_twin(DynBare, bridge = false)]
pub trait Bare {
    /// Runs.
    async fn run(&self) -> u8;
}

struct Double;

impl Job for Double {
    async fn run(&self, n: u64) -> u64 {
        n * 2
    }
    async fn label(&self, prefix: &str) -> String {
        format!("{prefix}double")
    }
}

impl Tiny for Double {
    async fn add(&self, x: u64) -> u64 {
        x + 1
    }
}

impl Bare for Double {
    async fn run(&self) -> u8 {
        1
    }
}

fn assert_send<T: Send>(_: &T) {}

fn main() {
    let job: Arc<dyn SendDynJob> = Arc::new(Double);
    let fut = job.run_send(1);
    assert_send(&fut);
    drop(fut);
    let fut = job.label("a");
    assert_send(&fut);
    drop(fut);
    let tiny: &dyn SendDynTiny<S4> = &Double;
    drop(tiny.add_send(1));
    let bare: &dyn DynBare = &Double;
    drop(bare.run_dyn());
}
