// An over-aligned capacity made with `repr(align)` around a smaller field
// has tail padding: refused. (`[capacity::Align16; N]` is the way.)
use hybrid_dispatch::future::InlineOnlyFuture;

#[repr(align(16))]
struct Pad16(u8);

fn main() {
    let _fut = InlineOnlyFuture::<'_, u8, Pad16>::new(async { 1 });
}
