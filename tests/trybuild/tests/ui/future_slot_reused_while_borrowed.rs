// A `FutureSlot` holds one future at a time: the second `call_in` needs the
// slot while the first future still borrows it. Await (or drop) the first.
use core::pin::pin;

use hybrid_dispatch::{DynService, FutureSlot, service_fn};

fn main() {
    let svc = service_fn(|x: u64| async move { x + 1 });
    let erased: &dyn DynService<u64, u64> = &svc;
    let mut slot = pin!(FutureSlot::new());
    let first = erased.call_in(slot.as_mut(), 1);
    let second = erased.call_in(slot.as_mut(), 2);
    drop((first, second));
}
