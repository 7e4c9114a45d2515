// `Service` has a generic associated type, so it cannot be a trait object:
// `dyn Service<…>` is refused. The `dyn` form of every service is
// `dyn DynService<Req, Resp>` (or `dyn SendDynService<Req, Resp>`).
use hybrid_dispatch::{Service, service_fn};

fn main() {
    let _svc: Box<dyn Service<u64, Response = u64>> =
        Box::new(service_fn(|x: u64| async move { x + 1 }));
}
