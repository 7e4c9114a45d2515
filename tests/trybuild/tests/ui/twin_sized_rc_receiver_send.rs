// A `where Self: Sized` async method on `self: Rc<Self>` in a `send` trait:
// `send` makes every `async fn`'s future `Send`, and one holding an `Rc` never
// is. One error on the receiver's type, saying what to take instead (it was
// the compiler's "future cannot be sent between threads safely" at the
// attribute).
use std::rc::Rc;

#[hybrid_dispatch::dyn_twin(DynJob, send = SendDynJob)]
pub trait Job: Send + Sync {
    async fn run(&self) -> u32;
    async fn later(self: Rc<Self>) -> u32
    where
        Self: Sized,
    {
        self.run().await
    }
}

fn main() {}
