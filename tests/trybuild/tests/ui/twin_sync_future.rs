// A future declared `Sync` cannot be erased into the twin's storage.
#[hybrid_dispatch::dyn_twin(DynJob)]
pub trait Job {
    fn run(&self) -> impl core::future::Future<Output = u8> + Send + Sync;
}

fn main() {}
