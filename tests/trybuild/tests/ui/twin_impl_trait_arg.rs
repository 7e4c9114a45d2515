// `impl Trait` in an argument is a generic method in disguise.
#[hybrid_dispatch::dyn_twin(DynStore)]
trait Store {
    async fn put(&self, value: impl Into<u64>) -> u64;
}

fn main() {}
