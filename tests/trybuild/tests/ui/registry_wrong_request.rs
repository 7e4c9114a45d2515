// A service of another request type than the registry's.
use hybrid_dispatch::{Registry, service_fn};

fn main() {
    let registry: Registry<String, u64> = Registry::new();
    let _ = registry.register("x", service_fn(|x: u64| async move { x }));
}
