// A future that captures no lifetime of the call (`use<Self>`): the twin's
// future borrows `self`, so the attribute asks for `'_` (or `+ 'static`).
use core::future::Future;

#[hybrid_dispatch::dyn_twin(DynCache)]
trait Cache {
    fn warm(&self) -> impl Future<Output = u64> + use<Self>;
}

fn main() {}
