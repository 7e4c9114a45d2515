// The `dyn` type names a response type the service does not return.
use hybrid_dispatch::{DynService, service_fn};

fn main() {
    let svc = service_fn(|x: u64| async move { x as u32 });
    let _erased: &dyn DynService<u64, u64> = &svc;
}
