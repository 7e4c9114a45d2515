// quinn's `AsyncUdpSocket`: sync methods taking `self: Arc<Self>` and
// `self: Pin<&mut Self>`. Plain `dyn` calls them, but the twin cannot pass
// them on (the registries' counting wrapper holds the implementor by
// value): one error each, naming the receiver and what to do.
use std::pin::Pin;
use std::sync::Arc;

#[hybrid_dispatch::dyn_twin(DynSocket, send = SendDynSocket)]
pub trait AsyncUdpSocket: Send + Sync {
    fn create_io_poller(self: Arc<Self>) -> u8;
    fn poll_writable(self: Pin<&mut Self>) -> bool;
    async fn send(&self, buf: &[u8]) -> usize;
}

fn main() {}
