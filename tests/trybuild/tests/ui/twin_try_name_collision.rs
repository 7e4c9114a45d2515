// With `try_methods`, `load` would get a twin method `try_load_send` (the
// `Send` twin's call that returns an error instead of aborting when memory
// runs out), which the trait already has.
#[hybrid_dispatch::dyn_twin(DynStore, send = SendDynStore, try_methods)]
trait Store {
    async fn load(&self, key: u64) -> Vec<u8>;
    fn try_load_send(&self, key: u64) -> Option<Vec<u8>>;
}

fn main() {}
