// A closure is not a `Service`: wrap it with `service_fn`. The message
// should say so rather than blame `Send`.
use hybrid_dispatch::Registry;

fn main() {
    let registry: Registry<u64, u64> = Registry::new();
    let _ = registry.register("inc", |x: u64| async move { x + 1 });
}
