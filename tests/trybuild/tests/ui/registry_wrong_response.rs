// A service whose response type is not the registry's: the message should
// show the two types, not blame `Send`.
use hybrid_dispatch::{Registry, service_fn};

fn main() {
    let registry: Registry<u64, u64> = Registry::new();
    let svc = service_fn(|x: u64| async move { x as u32 });
    let _ = registry.register("x", svc);
}
