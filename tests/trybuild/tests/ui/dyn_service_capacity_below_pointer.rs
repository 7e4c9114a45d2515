// `DynService` keeps a box pointer in its buffer for futures that do not
// fit, so even a service whose future fits is refused a capacity smaller
// than a pointer.
use hybrid_dispatch::{DynService, service_fn};

fn main() {
    let svc = service_fn(|x: u8| core::future::ready(x)); // 2 bytes
    let erased: &dyn DynService<u8, u8, u32> = &svc; // 4 bytes
    drop(erased.call_dyn(1));
}
