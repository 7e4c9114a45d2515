// Patterns in arguments: the twin forwards arguments by name.
#[hybrid_dispatch::dyn_twin(DynJob)]
trait Job {
    async fn run(&self, (a, b): (u64, u64)) -> u64 {
        a + b
    }
}

fn main() {}
