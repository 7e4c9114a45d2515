//! A registry's handle passed where `&dyn SendDynPlugin` is wanted: rustc
//! tries the unsizing before the deref. The twin's own message says what
//! to write (`&*handle`).
use hybrid_dispatch::{TwinRegistry, dyn_twin};

#[dyn_twin(DynPlugin, send = SendDynPlugin)]
pub trait Plugin: Send + Sync {
    async fn handle(&self, input: String) -> String;
}

struct Upper;
impl Plugin for Upper {
    async fn handle(&self, input: String) -> String {
        input.to_uppercase()
    }
}

fn takes(_: &dyn SendDynPlugin) {}

fn main() {
    let registry: TwinRegistry<dyn SendDynPlugin> = TwinRegistry::new();
    let handle = registry.register("upper", Upper).unwrap();
    takes(&handle);
}
