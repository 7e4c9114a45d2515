// Middleware methods (`ServiceExt`) are for services; a bare closure has
// none until `service_fn` wraps it.
use hybrid_dispatch::ServiceExt;

fn main() {
    let _svc = (|x: u64| async move { x + 1 }).map_response(|x| x * 2);
}
