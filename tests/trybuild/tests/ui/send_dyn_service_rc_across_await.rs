// A future that holds an `Rc` across an `.await` is not `Send`, so the
// service is not a `SendDynService`. The message should name the `Send`
// requirement and offer `DynService`, the local erasure.
use std::rc::Rc;

use hybrid_dispatch::{SendDynService, service_fn};

fn main() {
    let svc = service_fn(|x: u64| async move {
        let local = Rc::new(x);
        core::future::ready(()).await;
        *local
    });
    let _erased: &dyn SendDynService<u64, u64> = &svc;
}
