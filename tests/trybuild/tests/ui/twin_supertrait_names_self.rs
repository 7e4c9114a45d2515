// apalis' `Storage: Backend<Request<Self::Job>>`: a supertrait whose
// arguments name `Self` makes the trait not dyn-compatible; the attribute
// says so once, on `Self`.
pub struct Request<T>(T);
pub trait Backend<Req> {}

#[hybrid_dispatch::dyn_twin(DynStorage)]
pub trait Storage: Backend<Request<Self::Job>> {
    type Job;
    async fn push(&mut self, job: Self::Job);
}

// A bare `Self` there too (a trait compared with its own implementors).
pub trait Peer<T: ?Sized> {}

#[hybrid_dispatch::dyn_twin(DynNode)]
pub trait Node: Peer<Self> {
    async fn ping(&self) -> u8;
}

fn main() {}
