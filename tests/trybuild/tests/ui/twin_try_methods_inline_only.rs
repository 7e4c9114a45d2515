// An inline-only twin never allocates: `try_methods` has nothing to add.
#[hybrid_dispatch::dyn_twin(DynTiny, inline_only, try_methods)]
trait Tiny {
    async fn get(&self) -> u8;
}

fn main() {}
