#[dyn_twin(DynRead, send = SendDynRead)]
pub trait Read: ErrorType {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error>;
}
