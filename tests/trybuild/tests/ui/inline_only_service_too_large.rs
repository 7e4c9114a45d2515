// The inline-only erasure cannot spill, so a service whose future is larger
// than the capacity is a build error, reported at the cast. The message
// should say what to do: a larger capacity, a smaller future, or
// `DynService` (which spills).
use hybrid_dispatch::{InlineOnlyService, service_fn, capacity::S2};

fn main() {
    let svc = service_fn(|x: u64| core::future::ready([x; 8])); // 72 bytes
    let erased: &dyn InlineOnlyService<u64, [u64; 8], S2> = &svc; // 16 bytes
    drop(erased.call_inline(1));
}
