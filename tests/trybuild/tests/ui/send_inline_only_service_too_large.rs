// The `Send` twin of the inline-only erasure refuses a too-large future the
// same way.
use hybrid_dispatch::{SendInlineOnlyService, service_fn, capacity::S2};

fn main() {
    let svc = service_fn(|x: u64| core::future::ready([x; 8])); // 72 bytes
    let erased: &dyn SendInlineOnlyService<u64, [u64; 8], S2> = &svc;
    drop(erased.call_send_inline(1));
}
