// `run` would get a twin method `run_dyn`, which the trait already has.
#[hybrid_dispatch::dyn_twin(DynJob)]
trait Job {
    async fn run(&self) -> u64;
    fn run_dyn(&self) -> u64;
}

fn main() {}
