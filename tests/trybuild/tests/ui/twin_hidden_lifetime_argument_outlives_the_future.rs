// An argument whose type hides a lifetime (`w: Window` for `Window<'a>`) is
// taken by the twin as `Held<'fut, Window>`: the erased future may hold it,
// so the caller must keep what it borrows alive as long as the future.
// This pins that rustc holds the caller to it: a future claimed `'static`
// from a short borrow is refused.
#![allow(elided_lifetimes_in_paths)]
use hybrid_dispatch::{InlineFuture, dyn_twin};

struct Window<'a> {
    bytes: &'a [u8],
}

#[dyn_twin(DynSink)]
trait Sink {
    async fn write(&self, w: Window) -> usize;
}

fn leak<'a>(sink: &'static dyn DynSink, w: Window<'a>) -> InlineFuture<'static, usize> {
    sink.write_dyn(w)
}

struct Count;

impl Sink for Count {
    async fn write(&self, w: Window<'_>) -> usize {
        w.bytes.len()
    }
}

fn main() {
    static COUNT: Count = Count;
    let bytes = vec![1u8, 2, 3];
    drop(leak(&COUNT, Window { bytes: &bytes }));
}
