#[dyn_twin(DynLog, send = SendDynLog)]
pub trait Log {
    fn lines(&self, from: u32) -> impl Stream<Item = u32> + Send + '_;
}
