// `call_send` borrows the `Arc`, so its future is not `'static` and cannot be
// spawned as is: move a clone of the `Arc` into an `async move` block.
use std::sync::Arc;

use hybrid_dispatch::{SendDynService, service_fn};

fn spawn<F: core::future::Future + Send + 'static>(fut: F) {
    drop(fut);
}

fn main() {
    let svc: Arc<dyn SendDynService<u64, u64>> = Arc::new(service_fn(|x: u64| async move { x }));
    spawn(svc.call_send(1));
}
