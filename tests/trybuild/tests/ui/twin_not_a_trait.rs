// The attribute goes on a trait.
#[hybrid_dispatch::dyn_twin(DynJob)]
struct Job;

fn main() {}
