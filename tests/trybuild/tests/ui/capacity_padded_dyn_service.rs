// The capacity is checked where the `dyn` type is named, before any call.
use hybrid_dispatch::{DynService, service_fn};

fn main() {
    let svc = service_fn(|x: u64| async move { x });
    let _erased: &dyn DynService<u64, u64, (u8, u64)> = &svc;
}
