// `assert_fits_inline!` also fails for a future aligned more strictly than
// the capacity, even when it is small enough: the message must say
// "aligned", and point to over-aligned blocks, not to a larger capacity.
use core::future::Ready;

use hybrid_dispatch::{ServiceFn, assert_fits_inline, capacity::S16};

#[repr(align(64))]
struct Aligned(u8);

type Over = ServiceFn<fn(u64) -> Ready<Aligned>>; // 128 bytes, align 64

assert_fits_inline!(Over, u64, S16); // 128 bytes, align 8

fn main() {}
