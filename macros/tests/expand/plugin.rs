#[dyn_twin(DynPlugin)]
pub trait Plugin {
    /// The plugin's name.
    fn name(&self) -> &str;
    /// Handles one request.
    async fn handle(&self, req: Request) -> u64;
    /// Borrows its key.
    async fn lookup(&self, key: &str) -> usize;
}
