// `InlineOnlyFuture::new` with a future larger than its capacity: a build
// error that should name the capacity and the ways out.
use hybrid_dispatch::{future::InlineOnlyFuture, capacity::S1};

fn main() {
    // A 16-byte future into an 8-byte buffer.
    let _fut = InlineOnlyFuture::<'_, u64, S1>::new(core::future::ready(1u64));
}
