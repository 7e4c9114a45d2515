// `assert_fits_inline!` turns "this service would spill to the heap" into a
// build error; the message should name the service and the capacity, and
// say how to find the future's size.
use core::future::Ready;

use hybrid_dispatch::{ServiceFn, assert_fits_inline, capacity::S2};

type Large = ServiceFn<fn(u64) -> Ready<[u64; 32]>>; // 264 bytes

assert_fits_inline!(Large, u64, S2); // 16 bytes

fn main() {}
