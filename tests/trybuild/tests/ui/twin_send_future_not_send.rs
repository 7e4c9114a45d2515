// In `send` mode the trait's futures are `Send`: an implementor holding an
// `Rc` across an `.await` is an error naming the await point.
use std::rc::Rc;

#[hybrid_dispatch::dyn_twin(DynJob, send = SendDynJob)]
trait Job {
    async fn run(&self) -> u64;
}

struct Local;

impl Job for Local {
    async fn run(&self) -> u64 {
        let shared = Rc::new(1);
        std::future::ready(()).await;
        *shared
    }
}

fn main() {}
