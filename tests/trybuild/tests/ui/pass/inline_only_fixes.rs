// What the inline-only messages advise, compiled and run: a capacity large
// enough, over-aligned blocks for an over-aligned future, and
// `assert_fits_inline!` holding.
use core::future::Ready;

use hybrid_dispatch::capacity::{Align64, S16};
use hybrid_dispatch::{InlineOnlyService, ServiceFn, assert_fits_inline, service_fn};

#[repr(align(64))]
struct Aligned(u8);

type Small = ServiceFn<fn(u64) -> Ready<[u64; 8]>>;
assert_fits_inline!(Small, u64, S16);
assert_fits_inline!(ServiceFn<fn(u64) -> Ready<Aligned>>, u64, [Align64; 2]);

fn main() {
    let large = service_fn(|x: u64| core::future::ready([x; 8])); // 72 bytes
    let erased: &dyn InlineOnlyService<u64, [u64; 8], S16> = &large; // 128 bytes
    println!("{}", erased.call_inline(1).layout());

    let aligned = service_fn(|x: u8| async move {
        let held = Aligned(x);
        core::future::ready(()).await;
        held.0
    });
    let erased: &dyn InlineOnlyService<u8, u8, [Align64; 2]> = &aligned;
    println!("{}", erased.call_inline(1).layout());
}
