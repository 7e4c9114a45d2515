// Passing a service that borrows a local where `SendService` is required
// (generic code, `Registry::register`, a spawned task): the borrow must
// outlive `'static`. The fix is `move`, or `Arc` for shared data.
use hybrid_dispatch::{SendService, service_fn};

fn spawn_later<S: SendService<u64, Response = u64>>(svc: S) {
    drop(svc);
}

fn main() {
    let limit = 10u64;
    spawn_later(service_fn(|x: u64| core::future::ready(x.min(limit))));
}
