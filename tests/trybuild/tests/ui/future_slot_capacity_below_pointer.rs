// A `FutureSlot` keeps a pointer to its heap buffer in its inline buffer: a
// capacity smaller than a pointer is refused, even for a future that fits.
// The message should give the smallest capacity that works.
use core::pin::pin;

use hybrid_dispatch::FutureSlot;

fn main() {
    let mut slot = pin!(FutureSlot::<'_, u8, [u8; 4]>::new());
    drop(slot.as_mut().put(core::future::ready(1u8)));
}
