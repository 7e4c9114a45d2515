//! Sets `cfg(hybrid_dispatch_loom)` for this crate alone: the switch
//! `src/future/snapshot.rs` reads.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(hybrid_dispatch_loom)");
    println!("cargo::rustc-cfg=hybrid_dispatch_loom");
}
