// `SendInlineFuture` holds only `Send` futures; one holding an `Rc` across
// an `.await` is refused. `InlineFuture` is the local twin.
use std::rc::Rc;

use hybrid_dispatch::SendInlineFuture;

fn main() {
    let _fut = SendInlineFuture::<'_, u64>::new(async {
        let local = Rc::new(1u64);
        core::future::ready(()).await;
        *local
    });
}
