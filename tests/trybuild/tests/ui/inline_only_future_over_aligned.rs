// `InlineOnlyFuture::new` with a future aligned more strictly than its
// capacity: a build error that should say alignment, not size.
use hybrid_dispatch::{future::InlineOnlyFuture, capacity::S64};

#[repr(align(64))]
struct Aligned(u8);

fn main() {
    let _fut = InlineOnlyFuture::<'_, u8, S64>::new(async {
        let held = Aligned(1);
        core::future::ready(()).await;
        held.0
    });
}
