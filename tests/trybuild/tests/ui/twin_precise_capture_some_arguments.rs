// A future that captures one argument's lifetime but not another's: the
// twin's future captures all of them or only the receiver's.
use core::future::Future;

#[hybrid_dispatch::dyn_twin(DynIndex)]
trait Index {
    fn lookup<'a, 'k>(&'a self, key: &'k str, hint: &str) -> impl Future<Output = u64> + use<'a, 'k, Self>;
}

// With `self: Box<Self>` the future has no receiver's borrow to live for:
// it captures every argument's lifetime, or the attribute says which is left out.
#[hybrid_dispatch::dyn_twin(DynSession)]
trait Session {
    fn close(self: Box<Self>, why: &str) -> impl Future<Output = u64> + use<Self>;
}

fn main() {}
