// `#[service]` needs the `nightly` feature; on stable it points to what works.
struct Echo;

#[hybrid_dispatch::service]
impl hybrid_dispatch::Service<u8> for Echo {
    async fn call(&self, x: u8) -> u8 {
        x
    }
}

fn main() {}
