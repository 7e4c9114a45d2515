//! Erased futures and where they live: the storage behind every `dyn` call.
//!
//! | file | storage | what users meet |
//! |---|---|---|
//! | `inline_box.rs` | [`InlineBox`]: inline first, heap fallback | [`InlineFuture`], [`SendInlineFuture`] (`call_dyn`) |
//! | `reusable_slot.rs` | [`ReusableSlot`]: caller-owned, reused, grows once | [`FutureSlot`], [`SendFutureSlot`], [`SlotFuture`] (`call_in`) |
//! | `inline_only_box.rs` | [`InlineOnlyBox`]: inline or a build error, no `alloc` | [`InlineOnlyFuture`], [`SendInlineOnlyFuture`] (`call_inline`) |
//! | `recycled.rs` | [`RecyclePool`]: buffers of one future layout, taken per call and given back on drop | [`RecycledFuture`], [`SendRecycledFuture`], [`InlineBox::new_recycled`] |
//! | `owning.rs` | `ByName`: an erased future with the owner of what it borrows stored inside its storage | what [`Registry::call`](crate::Registry::call) returns |
//! | `shard.rs` | which per-thread shard a thread uses, cache-line padding (no `unsafe`) | – |
//! | `alloc_error.rs` | [`AllocError`]: what the `try_` constructors return instead of aborting | – |
//! | `inline_stream.rs` | [`InlineStreamBox`]: the same storage with stream vtables (fused after `None`) | [`InlineStream`], [`SendInlineStream`] (`#[dyn_twin]` methods returning `impl Stream`) |
//! | `vtable.rs` | the buffer + vtable pair all three share, and the per-type vtables | – |
//! | `gat_stream.rs` | [`GatStream`](crate::stream::GatStream): an async iterator and its in-flight `next` future, typed | `Stream` over any [`AsyncIter`](crate::stream::AsyncIter) |
//! | `iter_box.rs` | [`IterBox`]: an erased async iterator and a [`ReusableSlot`] for its `next` futures | [`BoxAsyncIter`](crate::stream::BoxAsyncIter), [`SendBoxAsyncIter`](crate::stream::SendBoxAsyncIter) |
//! | `capacity.rs` | the [`Capacity`](crate::capacity::Capacity) promise and the capacities, re-exported by [`space`](crate::space) | – |
//! | `snapshot.rs` | `SnapshotCell`: a shared `Arc` read through hazard slots, no locked instruction per read | what the registries' name maps are loaded from |
//!
//! # Invariants
//!
//! This module is the crate's only `unsafe` code; the rest of the crate
//! denies it. Every `// SAFETY:` comment names the invariant it relies on:
//!
//! * **Vtable describes the storage.** A storage's vtable pointer was chosen,
//!   when the future was stored, for the future's type, for where it was put
//!   (in the buffer, behind a box pointer, nowhere for a zero-sized one) and
//!   for its state; only the stored future's own `poll` changes it, to the
//!   `Completed` or `Panicked` vtable of the same type and place. Upheld by
//!   the constructors (`vtable.rs`, `reusable_slot.rs`, `inline_stream.rs`,
//!   whose stream vtables start with the same header).
//! * **Pinned.** Every storage is `!Unpin` (asserted at compile time) and
//!   reaches its future mutably only through `Pin<&mut Self>` or in its own
//!   `Drop`, so once polled a future's bytes never move. Moving a handle
//!   *before* the first poll moves an unpolled future, which every future
//!   allows.
//! * **Raw access.** Buffers are reached only through raw pointers from
//!   `addr_of_mut!`, never through a fresh `&mut` to the buffer field: a
//!   pinned `async fn` future keeps references into itself, and a new unique
//!   borrow of its bytes would invalidate them (Miri found exactly that in a
//!   prototype). The storages' own `&mut Self` are sound because the types
//!   are `!Unpin`: today's rustc emits no `noalias` for `&mut T` with
//!   `T: !Unpin`, and Miri's Stacked and Tree Borrows do not treat it as a
//!   unique borrow. That is the rule this module relies on; RFC 3467's
//!   `UnsafePinned` is where the language is taking it, and these fields
//!   would become `UnsafePinned` then.
//! * **Padding-free buffer.** An inline buffer is moved (returned, stored,
//!   moved before its first poll) as a value of its capacity type, and a
//!   typed copy does not keep padding bytes. Every capacity implements
//!   [`Capacity`](crate::capacity::Capacity), the `unsafe` promise that it has
//!   no padding (`capacity.rs`), and every storage type requires it.
//! * **Dropped once.** The stored future is dropped exactly once, in place:
//!   by the handle's `Drop` (or, for a slot whose handle leaked, by the next
//!   `put` or the slot's `Drop`), whatever state it is in, including after a
//!   panic in its `poll` or when its destructor panics (heap blocks and
//!   slot buffers are freed then too).
//! * **In flight** (`gat_stream.rs`, `iter_box.rs`: stated on
//!   [`GatStream`](crate::stream::GatStream) and [`IterBox`]). A storage
//!   that owns both an async iterator and that iterator's in-flight `next`
//!   future, which borrows it mutably, holds a future exactly while its
//!   state says so; while it does, nothing else reaches the iterator, and
//!   the future is dropped before the iterator is and before another one
//!   is made.
//! * **Flavour.** A storage typed for `dyn Future<Output = T> (+ Send) + 'a`
//!   only ever holds an `F: Future<Output = T> (+ Send) + 'a`: the
//!   constructors are generic over exactly that, so the stored output type
//!   and auto traits are `D`'s. Likewise a storage typed for
//!   `dyn Stream<Item = T> (+ Send) + 'a` only holds an
//!   `S: Stream<Item = T> (+ Send) + 'a` (`inline_stream.rs`, whose vtables
//!   start with the same header, and whose `Completed` state means "returned
//!   `None`": polled again, it returns `None`).
//! * **Cell owns current**, **Protected snapshot**, **Erased retiree**,
//!   **Cell reclaim** (`snapshot.rs`, with the two Dekker pairs they rest
//!   on). A snapshot cell owns one count of its current `Arc`; a
//!   snapshot's value stays alive while a hazard slot holds its address or
//!   the snapshot owns a count; a retired value is dropped only once no
//!   slot holds it, and only inside a handle of its own cell (so it may
//!   borrow, and need not be `Send`).
//! * **Block layout**, **Pool outlives its blocks**, **Owned blocks**: the
//!   recycled buffers' own three, stated in `recycled.rs`.
//! * **Owner outlives the borrow** (`owning.rs`, `recycled.rs`). A future
//!   built by `call_owned` borrows from its owner's target (the value a
//!   `snapshot.rs` snapshot protects), which stays alive and in place while the owner
//!   lives, however the owner moves. The owner is stored in the future's
//!   own storage (beside the future inline or in a box, or in the handle
//!   beside the pointer to a recycled buffer) only once the future is
//!   built, and is dropped after the future and after that buffer is back
//!   in its pool (which the owner keeps alive too); until then the caller
//!   holds it, so a call that unwinds drops it last.

#[cfg(feature = "alloc")]
pub(crate) mod alloc_error;
pub(crate) mod capacity;
pub(crate) mod gat_stream;
#[cfg(feature = "alloc")]
pub(crate) mod inline_box;
pub(crate) mod inline_only_box;
#[cfg(feature = "alloc")]
pub(crate) mod inline_stream;
#[cfg(feature = "alloc")]
pub(crate) mod iter_box;
#[cfg(feature = "std")]
pub(crate) mod owning;
#[cfg(feature = "std")]
pub(crate) mod recycled;
#[cfg(feature = "alloc")]
pub(crate) mod reusable_slot;
#[cfg(feature = "std")]
pub(crate) mod shard;
#[cfg(feature = "std")]
pub(crate) mod snapshot;
mod vtable;

#[cfg(feature = "alloc")]
pub use alloc_error::{AllocError, OutOfMemory};
#[cfg(feature = "alloc")]
pub use inline_box::{InlineBox, InlineFuture, SendInlineFuture};
pub use inline_only_box::{InlineOnlyBox, InlineOnlyFuture, SendInlineOnlyFuture};
#[cfg(feature = "alloc")]
pub use inline_stream::{InlineStream, InlineStreamBox, SendInlineStream};
#[cfg(feature = "alloc")]
pub use iter_box::IterBox;
#[cfg(feature = "std")]
pub use recycled::{PoolStats, RecyclePool, RecycledFuture, SendRecycledFuture};
#[cfg(feature = "alloc")]
pub use reusable_slot::{FutureSlot, ReusableSlot, SendFutureSlot, SlotFuture};
