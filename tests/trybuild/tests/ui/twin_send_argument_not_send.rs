// In `send` mode every future of the trait is `Send`, and the `Send` twin's
// future holds the method's arguments: an argument that is not `Send` is one
// error on its type, saying what to do (not an error about an `async` block
// the user never wrote).
use std::rc::Rc;

#[hybrid_dispatch::dyn_twin(DynCache, send = SendDynCache)]
pub trait Cache {
    async fn get(&self, key: u64) -> Option<u64>;
    async fn put(&self, key: u64, value: Rc<String>);
}

fn main() {}
