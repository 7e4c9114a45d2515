// A user impl of the trait for a twin object type cannot give the object a
// second `Item` (rust-lang/rust#57893): the twin's blanket impl covers
// `Sized` implementors only, so `<dyn DynPlugin<Item = usize> + Send as
// DynPlugin>::Item` is the compiler's `usize`, never the user's `Item`, and
// the two cannot be equated. Before, this program compiled and segfaulted.
#[hybrid_dispatch::dyn_twin(DynPlugin)]
pub trait Plugin {
    type Item;
    fn get(&self) -> u8;
}

impl Plugin for dyn DynPlugin<Item = usize> + Send {
    type Item = &'static u64;
    fn get(&self) -> u8 {
        0
    }
}

fn launder<T: ?Sized + Plugin>(x: <T as DynPlugin>::Item) -> <T as Plugin>::Item {
    x
}

fn main() {
    println!("{}", *launder::<dyn DynPlugin<Item = usize> + Send>(0x10));
}
