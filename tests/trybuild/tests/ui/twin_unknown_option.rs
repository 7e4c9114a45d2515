// A misspelt option is an error listing the options.
#[hybrid_dispatch::dyn_twin(DynJob, sned = SendDynJob)]
trait Job {
    async fn run(&self) -> u64;
}

fn main() {}
