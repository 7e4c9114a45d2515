// `self: &Arc<Self>` cannot be erased: a `&dyn` caller has no `Arc`.
use std::sync::Arc;

#[hybrid_dispatch::dyn_twin(DynApp, send = SendDynApp)]
pub trait App {
    async fn process(self: &Arc<Self>, session: u8) -> u8;
}

fn main() {}
