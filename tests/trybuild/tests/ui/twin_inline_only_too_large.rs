// `inline_only`: a future too large for the twin's capacity fails the build.
use hybrid_dispatch::capacity::S2;

#[hybrid_dispatch::dyn_twin(DynJob, inline_only)]
trait Job {
    async fn run(&self) -> u64;
}

struct Large;

impl Job for Large {
    async fn run(&self) -> u64 {
        let page = [1u64; 32];
        std::future::ready(()).await;
        page.iter().sum()
    }
}

fn main() {
    let job: &dyn DynJob<S2> = &Large;
    drop(job.run_dyn());
}
