// Generic code bounded by `SendService` given a bare closure: a closure is
// not a service until `service_fn` wraps it.
use hybrid_dispatch::SendService;

fn spawn_server<S: SendService<u64, Response = u64>>(svc: S) {
    drop(svc);
}

fn main() {
    spawn_server(|x: u64| async move { x + 1 });
}
