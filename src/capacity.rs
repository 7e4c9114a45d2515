//! Inline capacities: how many bytes an erased future may take before it
//! spills to the heap.
//!
//! A capacity is a type whose size and alignment are the buffer's
//! (`S4` = 4 machine words, 32 bytes on 64-bit targets, aligned to a word).
//! It must implement [`Capacity`], the promise that it has no padding bytes
//! (a move of the buffer would not keep them): the ones here do, and so do
//! integer arrays like `[u64; 24]` (192 bytes) and arrays of the
//! over-aligned blocks, like `[Align64; 2]` (128 bytes, 64-aligned).
//! `InlineFuture` needs room for at least one pointer, its heap fallback.
//!
//! # Examples
//!
//! ```
//! use hybrid_dispatch::{DynService, service_fn, capacity::{S32, S4}};
//!
//! let svc = service_fn(|x: u64| core::future::ready([x; 8])); // a 72-byte future
//! let small: &dyn DynService<u64, [u64; 8], S4> = &svc;
//! let large: &dyn DynService<u64, [u64; 8], S32> = &svc;
//! assert!(small.call_dyn(1).is_heap());
//! assert!(!large.call_dyn(1).is_heap());
//! ```

/// The default capacity's old name.
#[deprecated(since = "0.1.0", note = "renamed `DefaultCapacity`")]
pub type DefaultSpace = DefaultCapacity;

pub use crate::future::capacity::{
    Align16, Align32, Align64, Capacity, DefaultCapacity, S1, S2, S4, S8, S15, S16, S32, S64,
};
