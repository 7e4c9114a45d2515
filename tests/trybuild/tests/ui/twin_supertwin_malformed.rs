use hybrid_dispatch::dyn_twin;

#[dyn_twin(DynNamed)]
trait Named {
    async fn name(&self) -> String;
}

// The twin's name is missing.
#[dyn_twin(DynGreeter, supertwin(Named))]
trait Greeter: Named {
    async fn greet(&self) -> String;
}

fn main() {}
