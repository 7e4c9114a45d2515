#[dyn_twin(DynGreeter, send = SendDynGreeter, supertwin(Named = DynNamed, send = SendDynNamed))]
pub trait Greeter: Named + Send {
    async fn greet(&self, who: &str) -> String;
}
