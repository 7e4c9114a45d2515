// A closure is not a `Service`, so it is not a `DynService` either: wrap it
// with `service_fn`.
use hybrid_dispatch::DynService;

fn main() {
    let inc = |x: u64| async move { x + 1 };
    let _erased: &dyn DynService<u64, u64> = &inc;
}
