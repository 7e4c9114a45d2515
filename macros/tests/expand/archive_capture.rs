#[dyn_twin(DynArchive, send = SendDynArchive)]
pub trait Archive {
    fn len_of(&self, key: &str) -> impl Future<Output = usize> + Send + use<'_, Self>;
    fn both<'a, 'b>(&'a self, key: &'b str) -> impl Future<Output = usize> + Send + use<'a, 'b, Self>;
}
