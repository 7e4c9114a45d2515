// A capacity with padding bytes would lose the future's bytes on a move
// (issue 12): refused, with what to use instead.
use hybrid_dispatch::InlineFuture;

fn main() {
    let _fut = InlineFuture::<'_, [u8; 16], (u64, u8)>::new(core::future::ready([1; 16]));
}
