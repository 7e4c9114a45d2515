// An associated type whose bound names `Self` (sqlx's `Connection`:
// `type Database: Database<Connection = Self>`): the `dyn` twin's objects
// would have to be their own database's connection. One error, on `Self`.
pub trait Database {
    type Connection;
}

#[hybrid_dispatch::dyn_twin(DynConnection)]
pub trait Connection {
    type Database: Database<Connection = Self>;
    async fn ping(&mut self) -> usize;
}

fn main() {}
