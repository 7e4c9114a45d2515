// `Self::Stream` comes from a supertrait, and two could declare it: the
// attribute asks which, since the twin objects must name it.
trait Backend {
    type Stream;
}
trait Labelled {
    fn label(&self) -> &str;
}

#[hybrid_dispatch::dyn_twin(DynStorage)]
trait Storage: Backend + Labelled {
    async fn scan(&self, from: u32) -> Self::Stream;
}

fn main() {}
