// `InlineFuture` boxes a future that does not fit and keeps the box pointer
// in its buffer: a capacity smaller than a pointer is refused. The message
// should say "at least `capacity::S1`".
use hybrid_dispatch::InlineFuture;

fn main() {
    let _fut = InlineFuture::<'_, [u8; 64], [u8; 4]>::new(core::future::ready([0; 64]));
}
