// `impl Trait` inside a result (`Result<impl Stream, E>`, as a message
// broker's `subscribe` returns): each implementor's type, which no `dyn`
// method can name. One error, on the `impl`.
use futures_core::Stream;

#[hybrid_dispatch::dyn_twin(DynBroker, send = SendDynBroker)]
trait Broker {
    async fn subscribe(&self, topic: &str) -> Result<impl Stream<Item = Vec<u8>> + Send + 'static, String>;
    fn topics(&self) -> Option<impl Iterator<Item = String>>;
}

fn main() {}
