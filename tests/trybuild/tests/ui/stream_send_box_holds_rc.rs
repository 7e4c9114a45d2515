// A `next` future that holds an `Rc` across an await is not `Send`, so the
// iterator cannot go into the `Send` erasure; the local one takes it.
use std::rc::Rc;

use hybrid_dispatch::stream::{SendBoxAsyncIter, unfold};

fn main() {
    let iter = unfold(0u64, |n| async move {
        let shared = Rc::new(n);
        core::future::ready(()).await;
        Some((*shared, n + 1))
    });
    let _erased: SendBoxAsyncIter<'static, u64> = SendBoxAsyncIter::new(iter);
}
