// The attribute adds hidden methods to the trait (the hooks its counting
// wrapper overrides): a method of one of their names is refused, on the
// user's method, with what to do.
#[hybrid_dispatch::dyn_twin(DynProbe)]
trait Probe {
    fn __dyn_twin_ready(&self) -> bool;
    async fn ping(&self) -> u64;
}

fn main() {}
