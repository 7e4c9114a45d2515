// A twin keeps the box of a future that does not fit in its buffer, so a
// capacity smaller than a pointer is refused. The check is a constant that
// depends on the capacity the user picks: it fails when the code is built
// (`cargo build`, `cargo test`), not under `cargo check`.
#[hybrid_dispatch::dyn_twin(DynPlugin)]
pub trait Plugin {
    async fn handle(&self, x: u8) -> u8;
}

struct Echo;

impl Plugin for Echo {
    async fn handle(&self, x: u8) -> u8 {
        x
    }
}

fn main() {
    let plugin: &dyn DynPlugin<u32> = &Echo;
    drop(plugin.handle_dyn(1));
}
