// A future holding a 64-aligned value across an `.await` is 64-aligned; a
// word-aligned capacity cannot hold it inline, however large. The message
// should say alignment, and point to `[capacity::Align64; N]`.
use hybrid_dispatch::{InlineOnlyService, service_fn, capacity::S64};

#[repr(align(64))]
struct Aligned(u8);

fn main() {
    let svc = service_fn(|x: u8| async move {
        let held = Aligned(x);
        core::future::ready(()).await;
        held.0
    });
    let erased: &dyn InlineOnlyService<u8, u8, S64> = &svc; // 512 bytes, align 8
    drop(erased.call_inline(1));
}
