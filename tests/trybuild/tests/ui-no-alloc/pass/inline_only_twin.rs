// What the error advises: `inline_only` needs neither `alloc` nor `std`.
// The library is built without `alloc` here; this binary polls with a
// no-op waker.
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

#[hybrid_dispatch::dyn_twin(DynPing, send = SendDynPing, inline_only)]
pub trait Ping {
    async fn ping(&self, x: u8) -> u8;
    fn name(&self) -> &str;
}

pub struct One;

impl Ping for One {
    async fn ping(&self, x: u8) -> u8 {
        x + 1
    }
    fn name(&self) -> &str {
        "one"
    }
}

fn poll_once<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("ready at once"),
    }
}

fn main() {
    let twin: &dyn DynPing = &One;
    assert_eq!(twin.name_dyn(), "one");
    assert_eq!(poll_once(twin.ping_dyn(41)), 42);
    let twin: &dyn SendDynPing = &One;
    assert_eq!(poll_once(twin.ping_send(1)), 2);
    // Through the bridge: the twin is itself a `Ping`.
    assert_eq!(poll_once(Ping::ping(twin, 2)), 3);
}
