// As twin_object_impl_assoc_type.rs, with `send = …` (the bridge is on the
// `Send` twin, so the local object type is free for a user impl).
#[hybrid_dispatch::dyn_twin(DynPlugin, send = SendDynPlugin)]
pub trait Plugin {
    type Item;
    fn get(&self) -> u8;
}

impl Plugin for dyn DynPlugin<Item = usize> {
    type Item = &'static u64;
    fn get(&self) -> u8 {
        0
    }
}

fn launder<T: ?Sized + Plugin>(x: <T as DynPlugin>::Item) -> <T as Plugin>::Item {
    x
}

fn main() {
    println!("{}", *launder::<dyn DynPlugin<Item = usize>>(0x10));
}
