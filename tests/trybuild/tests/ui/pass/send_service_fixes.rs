// What the `Send` erasure's messages advise, compiled and run: return
// `impl SendService`, own the data (`move`, `Arc`), and keep a service whose
// future holds an `Rc` on the local erasure, `DynService`.
use std::rc::Rc;
use std::sync::Arc;

use hybrid_dispatch::{DynService, Registry, SendDynService, SendService, service_fn};

fn doubler() -> impl SendService<u64, Response = u64> {
    service_fn(|x: u64| async move { x * 2 })
}

fn main() {
    let registry: Registry<u64, u64> = Registry::new();
    registry.register("double", doubler()).unwrap();
    let _shared: Arc<dyn SendDynService<u64, u64>> = Arc::new(doubler());

    let limit = Arc::new(10u64);
    let owning = service_fn(move |x: u64| core::future::ready(x.min(*limit)));
    registry.register("min", owning).unwrap();

    let local = service_fn(|x: u64| async move {
        let rc = Rc::new(x);
        core::future::ready(()).await;
        *rc
    });
    let erased: &dyn DynService<u64, u64> = &local;
    drop(erased.call_dyn(1));
    println!("{:?}", registry.names());
}
