// A generic associated type cannot be named by a `dyn` twin.
#[hybrid_dispatch::dyn_twin(DynJob)]
trait Job {
    type Item<'a>
    where
        Self: 'a;
    async fn run(&self) -> u64;
}

fn main() {}
