#[dyn_twin(DynTiny, inline_only)]
pub trait Tiny {
    async fn add(&self, x: u64) -> u64;
}
