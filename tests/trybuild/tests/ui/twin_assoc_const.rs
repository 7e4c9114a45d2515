// Associated consts make a trait not dyn-compatible.
#[hybrid_dispatch::dyn_twin(DynJob)]
trait Job {
    const LIMIT: usize;
    async fn run(&self) -> u64;
}

fn main() {}
