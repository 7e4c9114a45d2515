// A `Clone` supertrait makes the trait not dyn-compatible: no twin is
// possible, and the attribute says so (and what to use instead).
#[hybrid_dispatch::dyn_twin(DynShown, send = SendDynShown)]
pub trait Shown: Clone + Send + Sync {
    async fn show(&self) -> String;
}

fn main() {}
