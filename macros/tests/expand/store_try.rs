#[dyn_twin(DynStore, send = SendDynStore, try_methods)]
pub trait Store {
    /// Reads a key into a page.
    async fn load(&self, key: &str, page: Page) -> usize;
    /// Writes through `&mut self`.
    async fn flush(&mut self) -> u64;
    /// A detached future.
    fn stat(&self, id: u64) -> impl Future<Output = u64> + Send + 'static;
    /// Owns its receiver: no `try_` method (a refused box would be lost).
    async fn close(self: Box<Self>) -> u64;
}
