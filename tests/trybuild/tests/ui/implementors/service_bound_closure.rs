// Generic code bounded by `Service` given a bare closure: the message should
// say `service_fn`.
use hybrid_dispatch::Service;

fn warm_up<S: Service<u64>>(svc: &S) {
    drop(svc.call(0));
}

fn main() {
    warm_up(&|x: u64| async move { x + 1 });
}
