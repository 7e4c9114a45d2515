// `impl Service<…> + Send + Sync + 'static` hides whether the futures are
// `Send`, so the service cannot be registered. The message should point to
// `impl SendService<u64, Response = u64>`.
use hybrid_dispatch::{Registry, Service, service_fn};

fn doubler() -> impl Service<u64, Response = u64> + Send + Sync + 'static {
    service_fn(|x: u64| async move { x * 2 })
}

fn main() {
    let registry: Registry<u64, u64> = Registry::new();
    let _ = registry.register("double", doubler());
}
