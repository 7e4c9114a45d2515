#[dyn_twin(DynJob, send = SendDynJob)]
pub trait Job {
    async fn run(&mut self, n: u64) -> u64;
    async fn retries(&self) -> u32 {
        3
    }
}
