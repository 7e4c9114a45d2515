// A generic method cannot be called through `dyn`.
#[hybrid_dispatch::dyn_twin(DynStore)]
trait Store {
    async fn put<V: Into<u64>>(&self, value: V) -> u64;
}

fn main() {}
