// As `impl_service_registered`, erased with `SendDynService` directly.
use std::sync::Arc;

use hybrid_dispatch::{SendDynService, Service, service_fn};

fn doubler() -> impl Service<u64, Response = u64> + Send + Sync + 'static {
    service_fn(|x: u64| async move { x * 2 })
}

fn main() {
    let _shared: Arc<dyn SendDynService<u64, u64>> = Arc::new(doubler());
}
