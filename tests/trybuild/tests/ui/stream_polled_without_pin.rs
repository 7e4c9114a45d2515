// `GatStream` keeps its in-flight `next` future inside itself, so it is
// `!Unpin`: polling it through `&mut` (as `StreamExt::next` does) needs it
// pinned first (`pin!(stream)`, `Box::pin(stream)`).
use futures_util::StreamExt;
use hybrid_dispatch::stream::{GatStream, unfold};

async fn first() -> Option<u64> {
    let mut stream = GatStream::new(unfold(0u64, |n| core::future::ready(Some((n, n + 1)))));
    stream.next().await
}

fn main() {
    drop(first());
}
