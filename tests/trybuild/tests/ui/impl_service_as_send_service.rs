// As `impl_service_registered`, passed to generic code bounded by
// `SendService`.
use hybrid_dispatch::{SendService, Service, service_fn};

fn doubler() -> impl Service<u64, Response = u64> + Send + Sync + 'static {
    service_fn(|x: u64| async move { x * 2 })
}

fn share<S: SendService<u64, Response = u64>>(svc: S) {
    drop(svc);
}

fn main() {
    share(doubler());
}
