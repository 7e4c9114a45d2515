// A call by name may borrow its request (`Registry<&str, _>`), so its
// future cannot outlive that borrow: it is not `'static` then. To spawn
// the call, make the request owned (`Registry<String, _>`).
use core::future::Future;

use hybrid_dispatch::Registry;

fn spawnable<'r>(
    registry: &Registry<&'r str, usize>,
    request: &'r str,
) -> impl Future<Output = usize> + 'static {
    registry.call("len", request).unwrap()
}

fn main() {
    let _ = spawnable;
}
