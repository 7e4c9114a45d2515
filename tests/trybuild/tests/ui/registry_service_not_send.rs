// A service that is itself `!Send` (its closure owns an `Rc`) cannot be
// shared by a registry across threads. The fix is `Arc`.
use std::rc::Rc;

use hybrid_dispatch::{Registry, service_fn};

fn main() {
    let registry: Registry<u64, u64> = Registry::new();
    let offset = Rc::new(1u64);
    let svc = service_fn(move |x: u64| core::future::ready(x + *offset));
    let _ = registry.register("x", svc);
}
