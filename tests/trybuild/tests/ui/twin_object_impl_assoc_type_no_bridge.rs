// As twin_object_impl_assoc_type.rs, with `bridge = false` (the object type
// itself is free for a user impl).
#[hybrid_dispatch::dyn_twin(DynPlugin, bridge = false)]
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
