// A `SendFutureSlot` holds only `Send` futures; `FutureSlot` is the local
// twin.
use core::pin::pin;
use std::rc::Rc;

use hybrid_dispatch::SendFutureSlot;

fn main() {
    let mut slot = pin!(SendFutureSlot::<'_, u64>::new());
    drop(slot.as_mut().put(async {
        let local = Rc::new(1u64);
        core::future::ready(()).await;
        *local
    }));
}
