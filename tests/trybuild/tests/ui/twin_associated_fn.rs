// An associated function has no `self` to dispatch on.
#[hybrid_dispatch::dyn_twin(DynJob)]
trait Job {
    fn create() -> u64;
    async fn run(&self) -> u64;
}

fn main() {}
