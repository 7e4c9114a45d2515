// `supertrait_types(..)` takes `Supertrait::Type`: the bare type name does
// not say which supertrait declares it.
trait ErrorType {
    type Error;
}

#[hybrid_dispatch::dyn_twin(DynRead, supertrait_types(Error))]
trait Read: ErrorType {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error>;
}

fn main() {}
