// The future from `call_dyn` borrows the service: returning it from the
// function that owns the service is a borrowing mistake. (Share the service
// with `Arc` and call it where the future is awaited.)
use hybrid_dispatch::{DynService, InlineFuture, service_fn};

fn start() -> InlineFuture<'static, u64> {
    let svc = service_fn(|x: u64| async move { x + 1 });
    let erased: &dyn DynService<u64, u64> = &svc;
    erased.call_dyn(1)
}

fn main() {
    drop(start());
}
