// A registry holds `Send` services whose futures are `Send`; a future that
// holds an `Rc` across an `.await` cannot be registered. The message should
// say why (the future is not `Send`) rather than only "not implemented".
use std::rc::Rc;

use hybrid_dispatch::{Registry, service_fn};

fn main() {
    let registry: Registry<u64, u64> = Registry::new();
    let svc = service_fn(|x: u64| async move {
        let local = Rc::new(x);
        core::future::ready(()).await;
        *local
    });
    let _ = registry.register("x", svc);
}
