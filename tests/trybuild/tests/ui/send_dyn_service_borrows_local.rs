// A service that borrows a local is not `'static`, and the `Send` erasure
// needs `'static` (see `SendDynService`'s docs). The message should point
// at the borrow; the fix is `move` (own the data) or `DynService`.
use hybrid_dispatch::{SendDynService, service_fn};

fn main() {
    let limit = 10u64;
    let svc = service_fn(|x: u64| core::future::ready(x.min(limit)));
    let _erased: &dyn SendDynService<u64, u64> = &svc;
}
