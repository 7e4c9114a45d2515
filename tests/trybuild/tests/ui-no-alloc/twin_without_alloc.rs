// Without `alloc`, a twin that may put a future on the heap cannot be
// generated: one error, on the twin's name, saying what to do.
#![no_std]

#[hybrid_dispatch::dyn_twin(DynPing, send = SendDynPing)]
pub trait Ping {
    async fn ping(&self, x: u8) -> u8;
    fn name(&self) -> &str;
}

pub struct One;

impl Ping for One {
    async fn ping(&self, x: u8) -> u8 {
        x + 1
    }
    fn name(&self) -> &str {
        "one"
    }
}

fn main() {}
