// `inline_only` has no stream storage: one error on the method.
use futures_core::Stream;

#[hybrid_dispatch::dyn_twin(DynLog, inline_only)]
pub trait Log {
    fn lines(&self) -> impl Stream<Item = u32> + '_;
}

fn main() {}
