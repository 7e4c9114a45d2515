// `self` by value cannot be called on a trait object.
#[hybrid_dispatch::dyn_twin(DynJob)]
trait Job {
    async fn run(self) -> u64;
}

fn main() {}
