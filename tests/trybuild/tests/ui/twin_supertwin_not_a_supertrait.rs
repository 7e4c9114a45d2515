use hybrid_dispatch::dyn_twin;

#[dyn_twin(DynNamed)]
trait Named {
    async fn name(&self) -> String;
}

// `supertwin` names a supertrait the trait does not have.
#[dyn_twin(DynGreeter, supertwin(Nmaed = DynNamed))]
trait Greeter: Named {
    async fn greet(&self) -> String;
}

fn main() {}
