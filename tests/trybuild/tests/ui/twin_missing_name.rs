// The twin needs a name.
#[hybrid_dispatch::dyn_twin]
trait Job {
    async fn run(&self) -> u64;
}

fn main() {}
