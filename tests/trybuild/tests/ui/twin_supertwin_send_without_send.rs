use hybrid_dispatch::dyn_twin;

#[dyn_twin(DynNamed, send = SendDynNamed)]
trait Named {
    async fn name(&self) -> String;
}

// The supertrait's `Send` twin is named, but this trait has none.
#[dyn_twin(DynGreeter, supertwin(Named = DynNamed, send = SendDynNamed))]
trait Greeter: Named {
    async fn greet(&self) -> String;
}

fn main() {}
