// A `where Self: Sized` method on `self: &Arc<Self>` without a body
// (nativelink's `RunningActionsManager` after the `Sized` supertrait goes):
// the registries' counting wrapper has no way to call the implementor's.
// One error on the receiver's type: give the method a body, or take
// another receiver.
use std::sync::Arc;

#[hybrid_dispatch::dyn_twin(DynManager)]
pub trait Manager {
    fn spawn_upload(self: &Arc<Self>) -> u8
    where
        Self: Sized;
    async fn kill_all(&self);
}

fn main() {}
