// The fixes the stream errors point to: the local erasure for a `!Send`
// iterator, and a pinned `GatStream`.
use core::pin::pin;
use std::rc::Rc;

use futures_util::StreamExt;
use hybrid_dispatch::stream::{BoxAsyncIter, GatStream, unfold};

async fn first() -> Option<u64> {
    let stream = GatStream::new(unfold(0u64, |n| async move { Some((n, n + 1)) }));
    let mut stream = pin!(stream);
    StreamExt::next(&mut stream).await
}

fn main() {
    let iter = unfold(0u64, |n| async move {
        let shared = Rc::new(n);
        core::future::ready(()).await;
        Some((*shared, n + 1))
    });
    let _erased: BoxAsyncIter<'static, u64> = BoxAsyncIter::new(iter);
    drop(first());
}
