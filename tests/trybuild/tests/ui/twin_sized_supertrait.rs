// A `Sized` supertrait: the trait can never be a trait object. One error,
// on `Sized`, however many methods the trait has.
#[hybrid_dispatch::dyn_twin(DynManage, send = SendDynManage)]
pub trait Manage: Sized + Send + Sync + 'static {
    async fn connect(&self) -> u8;
    fn create() -> Self;
}

fn main() {}
