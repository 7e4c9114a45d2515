//! [`SnapshotCell`]: a shared `Arc<T>` that many threads read and few
//! replace, whose reads do no locked instruction (no `lock`-prefixed
//! read-modify-write, no `xchg`, no `mfence` where the kernel helps): what a
//! call by name holds while its future lives.
//!
//! `arc_swap::ArcSwap` pays two locked instructions per load and drop (the
//! `xchg` that records a "debt" in the thread's slot, the `cmpxchg` that
//! pays it back). Each drains the store buffer, which a call has just
//! filled with its future's bytes. This cell uses hazard pointers with
//! *asymmetric fences* instead (the design of Folly's `hazptr`): a reader
//! publishes the address it is about to use in a slot of its own thread
//! with a plain store and orders it with a light barrier; the rare writer
//! (a swap, and the reclaim that follows it) pays the heavy barrier.
//!
//! # Barriers
//!
//! * **Asymmetric** (Linux, when `membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED)`
//!   succeeds, once, when the first cell is made): the light barrier is a
//!   compiler fence, free at run time; the heavy one is
//!   `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`, which makes every
//!   running thread of the process execute a full memory barrier before it
//!   returns (an interrupt to each CPU running one: from a few hundred
//!   nanoseconds to microseconds per swap).
//! * **Fences** (other systems, kernels or sandboxes without that command,
//!   and Miri, which has no syscalls): both are `fence(SeqCst)` (on x86-64
//!   a locked `or` to the stack: one locked instruction per load and one
//!   per drop, as many as arc-swap's, with fewer instructions around them).
//!
//! [`barriers`] says which one this process uses.
//!
//! # Algorithm
//!
//! * Every thread that loads owns a [`Node`] of [`SLOTS`] slots (process-wide,
//!   never freed; a node whose thread exited is given to the next new
//!   thread), and chains more nodes after it when it holds more snapshots
//!   at once, up to [`NODES`]; a chain goes with its first node. Only the
//!   owner writes an address into a null slot; whoever drops the
//!   [`Snapshot`] (any thread) writes null back.
//! * **load**: read `current`, store it in a free slot of this thread's
//!   nodes, light barrier, read `current` again; equal: the value is
//!   protected. Otherwise retry with the new one. With no free slot (more
//!   than `SLOTS * NODES` snapshots held by one thread) or no node (the
//!   thread is exiting), the snapshot takes a strong count of the `Arc`
//!   instead, under the retire lock.
//! * **swap**: exchange `current`; the old value comes back as a
//!   [`Retired`], whose drop pushes it on the process-wide retire list and
//!   reclaims.
//! * **reclaim** (for one cell): under the retire lock, heavy barrier,
//!   read every slot, take out that cell's retired values no slot holds,
//!   unlock, drop them. A reclaim drops only values of the cell it was run
//!   for, from a handle of that cell (**Cell reclaim**).
//! * **Snapshot drop**: null the slot, light barrier, read whether its
//!   value is one of the retired values waiting (a count, zero on the fast
//!   path, then a table of their addresses); if so, reclaim for its cell
//!   (which the slot records beside the address).
//!
//! # Checked
//!
//! Both Dekker pairs below, the holder counts, the values past the watched
//! ones, a node reused after its thread exits, the chained nodes and the
//! counted loads are model-checked with loom (`loom_tests` at the end of
//! this file: every interleaving of a few threads within three
//! preemptions, under the C++ memory model, with the fallback's barriers);
//! the other tests run the real barriers, under Miri too, with hooks that
//! put a swap between any two steps of a load.
//!
//! Part of the crate's one `unsafe` module (`future`); its invariants are
//! stated in `future/mod.rs`. The ones this file adds:
//!
//! * **Cell owns current.** A cell's `current` always holds a pointer from
//!   `Arc::into_raw` that owns one strong count of its `Arc`; `swap` moves
//!   that count into the [`Retired`] it returns, `Drop` into one it drops.
//! * **Protected snapshot.** A [`Snapshot`]'s value stays alive until the
//!   snapshot is dropped, in one of two ways: its slot holds the value's
//!   address (a *hazard*), or (`slot` is `None`) the snapshot owns one
//!   strong count of the value's `Arc`. A retired value is dropped only by
//!   a reclaim that, after the heavy barrier, found no slot holding its
//!   address. This is sound by the first of two Dekker pairs:
//!
//!   | reader (`load`) | writer (`swap`, then reclaim) |
//!   |---|---|
//!   | store `p` in its slot | swap `current` away from `p` |
//!   | light barrier | heavy barrier |
//!   | read `current` again: `p`? | read every slot |
//!
//!   The barriers order each side's store before its read, so at least one
//!   side sees the other's store: if the reader's second read still sees
//!   `p`, the writer's scan sees the hazard and keeps `p`; if the scan
//!   misses the hazard, the reader sees the new value and retries without
//!   using `p`. (If `p`'s address was freed and reused by a newer value that
//!   is current again, the reader protects that newer value, which is
//!   exactly what it read.) A counted snapshot reads `current` and takes
//!   its count while holding the retire lock, which every reclaim holds
//!   while it takes values out: a value swapped out before that read is
//!   not read; one swapped out after it is pushed (with its own count)
//!   only after the lock is released.
//! * **Leaked nodes.** Every [`Node`] but the static [`GONE`] comes from
//!   `Box::leak` and is never freed, so a `&'static Slot` stays valid in a
//!   snapshot that outlives its thread; a non-null pointer in a node's
//!   `next` or `hint` is to such a node (only [`grow`] and the search past a
//!   chain's head store them, and only nodes of a chain, never `GONE`).
//! * **Chained nodes.** A node chained after a thread's first one is
//!   pushed on the list reclaims scan, under the retire lock, before its
//!   owner stores an address in it. A reclaim holds that lock while it
//!   scans, so it either sees the node, or ran wholly before the push:
//!   then the swap it reclaims for happened before its unlock, which
//!   happens before the push's lock, so the owner's second read of
//!   `current` in `load` sees the new value and the owner retries (the
//!   first Dekker pair's other outcome). The same holds for a thread's
//!   first node, pushed by [`assign`].
//! * **Erased retiree.** A [`Retiree`]'s pointer came from `Arc::into_raw`
//!   of an `Arc<T>`, owns that strong count, and its `drop` function is
//!   `drop_erased::<T>`; it is dropped exactly once, by its own `Drop`.
//! * **Cell reclaim.** Every cell has an id no other cell ever has; its
//!   retired values and the slots its snapshots use carry it. A retired
//!   value is dropped only by a reclaim for its own cell, and only inside
//!   the drop (or `load`) of a handle of that cell: a [`Retired`] token (or
//!   the cell's drop, which makes one), a [`Snapshot`] of one of its
//!   values, or `load` on the cell. Each of those is borrowed from or typed
//!   with the cell's `T`, so whatever `T` borrows is still alive when a
//!   value is dropped (no `T: 'static` needed), and each reaches another
//!   thread only when `T: Send + Sync`, so a `T` that is not is dropped on
//!   the one thread that has the cell (the global list only moves it).
//!   (Reclaiming by address alone would not do: a slot may hold the
//!   address of a value already freed, which a value of another cell then
//!   reuses; a reclaim by that address could drop the other cell's value
//!   after its last handle returned.) A value of one cell kept waiting by
//!   such a stale address in a slot another cell's `load` then clears is
//!   dropped by the next reclaim for its own cell (its next swap, or its
//!   cell's drop), not earlier; if that cell and its handles are all gone
//!   by then, it is never dropped. That takes an allocator reusing a freed
//!   value's address for another cell's value, which is then retired and
//!   released, all within one `load`'s two reads of `current`: a leak in
//!   a rare race, never a value dropped out of its cell's reach.
//!
//! A retired value is dropped as soon as the last snapshot that protects
//! it is, by the second Dekker pair (a liveness property: no `unsafe`
//! relies on it, the tests check it):
//!
//! | releaser (`Snapshot` drop) | retirer (`Retired` drop) |
//! |---|---|
//! | store null in its slot | push, record it in `Waiting` |
//! | light barrier | heavy barrier |
//! | read `Waiting`: its value waits → reclaim | read every slot |
//!
//! Either the retirer's scan sees the null, or the releaser sees its value
//! waiting and reclaims for its cell, after its own null. The last reclaim (in lock
//! order) among these therefore sees every protecting slot null, and drops
//! the value: by the time the drop of its last handle returns, the value
//! is dropped (by that drop, or by the drop of another of its handles that
//! ran at the same time and is still running). Values are never dropped
//! under the lock, because a destructor runs user code, which may load,
//! swap or drop cells (even this one).
//!
//! **Holder counts.** A releaser that sees its value waiting reclaims only
//! if it may have been the last holder, so that the many calls in flight
//! when a value is retired do not each make the heavy barrier and scan
//! every slot as they end (quadratic: 6.7 ms for 1000 of them on one
//! thread, measured). A watched value's count (`Waiting::holders`) is set
//! by each reclaim for its cell, under the lock: zeroed before the heavy
//! barrier, and the number of slots its scan found holding the value added
//! after. Each releaser counts it down once, after its own null, and
//! reclaims when it was at one or below. A slot found holding the value
//! was nulled after the scan read it, so its release counts down after the
//! zeroing (the heavy barrier orders the zeroing before every release that
//! follows a read the scan makes): the last such release counts to zero
//! and reclaims, and that reclaim sees every null before it. A release
//! that the scan did not count (its null came first) only brings the zero
//! earlier: one more reclaim, which counts again. A load that lets go of a
//! waiting value it read (`load_again`) reclaims whatever the count, which
//! counts again too. A value without an entry (more than `WATCHED` wait)
//! has no count: each of its releases reclaims, as before. Safety does not
//! rest on the counts: a reclaim drops only what its own scan found in no
//! slot.

#![allow(
    unsafe_code,
    reason = "part of the crate's one unsafe module: hazard-pointer snapshots of an Arc"
)]
// Test code is under `all(test, feature = "std")`, not `test` alone:
// `feature = "std"` always holds where the library compiles this module,
// while `benches/snapshot.rs` compiles this file by path, with `cfg(test)`
// (cargo sets it for bench targets) but without the library's features, and
// must measure `load` without the test hooks.

use core::cell::Cell;
use core::fmt;
use core::marker::PhantomData;
use core::ops::Deref;
use core::ptr::{self, NonNull};
use core::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release, SeqCst};
use core::sync::atomic::{AtomicU8, compiler_fence};
use std::boxed::Box;
use std::sync::{Arc, Once, PoisonError};
use std::vec::Vec;

// What the algorithm's threads share: the slots, the chains, the waiting
// table, the retire lock and each thread's node. The model-checking build
// (`tests/loom`, a crate that compiles this file by path and sets
// `cfg(hybrid_dispatch_loom)`: see `loom_tests` below) takes loom's, which
// explore every interleaving of them, and the fallback's barriers
// (`fence(SeqCst)`, which loom models). The barriers' mode and the cells'
// ids stay `core`'s: set once, or unique.
#[cfg(not(hybrid_dispatch_loom))]
use core::sync::atomic::{AtomicBool, AtomicIsize, AtomicPtr, AtomicU64, AtomicUsize, fence};
#[cfg(hybrid_dispatch_loom)]
use loom::sync::atomic::{AtomicBool, AtomicIsize, AtomicPtr, AtomicU64, AtomicUsize, fence};
#[cfg(hybrid_dispatch_loom)]
use loom::sync::{Mutex, MutexGuard};
#[cfg(not(hybrid_dispatch_loom))]
use std::sync::{Mutex, MutexGuard};

/// Slots per [`Node`]. Sixteen slots of an address and a cell id fill 256
/// bytes, four cache lines that only a node's owner (and whoever drops its
/// snapshots) writes. A thread starts with one node and chains more as it
/// holds more snapshots at once, up to [`NODES`].
pub(crate) const SLOTS: usize = 16;

/// Nodes per thread, at most: a thread can hold `SLOTS * NODES` (1024)
/// snapshots at once without taking a count. A call by name holds one for
/// as long as its future lives, so this is how many calls by name one
/// thread can have in flight without a lock (arc-swap has 8 slots, then a
/// lock). With one node of 16, two threads each holding 16 to 1000 calls
/// in flight took 320–426 ns a call by name instead of 34–39 (a count
/// under the one retire lock, and the `Arc`'s count written from both
/// cores; `cargo bench -p benches --bench registry -- --in-flight`, which
/// also times the calls in flight ending after a registration: see
/// **Holder counts** in the module docs). A thread's chain stays when it
/// exits, for the next thread; at most 24 KiB a thread.
///
/// Four under Miri: the same code with a shorter chain. Nodes are never
/// freed and every reclaim scans them all, so the test that fills a whole
/// chain made every later reclaim of the suite scan 64 nodes, and doubled
/// the CI's Miri step.
///
/// Two in the model-checking build: its test of a full chain loads into
/// every slot of it, each load a step loom replays in every interleaving.
pub(crate) const NODES: usize = if cfg!(miri) {
    4
} else if cfg!(hybrid_dispatch_loom) {
    2
} else {
    64
};

// ---------------------------------------------------------------- barriers

/// Which barriers this process uses (see the module docs); for the tests
/// and `benches/snapshot.rs`, which compiles this file with `cfg(test)`.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Barriers {
    /// Readers: a compiler fence. Writers: `membarrier`.
    Asymmetric,
    /// Both: `fence(SeqCst)`.
    Fences,
}

/// `MODE` before the first cell is made.
const UNSET: u8 = 0;
const ASYMMETRIC: u8 = 1;
const FENCES: u8 = 2;

/// The barriers in use: set once, before the first cell exists (every
/// thread that reaches a cell, a snapshot or a retired value got it
/// through something that happened after, so it reads the final value).
static MODE: AtomicU8 = AtomicU8::new(UNSET);
static REGISTER: Once = Once::new();

/// The barriers this process uses, deciding them if no cell was made yet.
#[cfg(test)]
pub(crate) fn barriers() -> Barriers {
    init_barriers();
    if MODE.load(Relaxed) == ASYMMETRIC {
        Barriers::Asymmetric
    } else {
        Barriers::Fences
    }
}

/// Decides on [`Barriers::Fences`] even where `membarrier` is offered, if
/// no cell was made yet (then `true`): how the tests and benches run the
/// fallback on a kernel that has the command.
#[cfg(test)]
pub(crate) fn use_fences() -> bool {
    let mut decided = false;
    REGISTER.call_once(|| {
        MODE.store(FENCES, Relaxed);
        decided = true;
    });
    decided
}

fn init_barriers() {
    // `HYBRID_DISPATCH_TEST_FENCES=1 cargo test --lib snapshot` runs these
    // tests with the fallback's barriers.
    #[cfg(all(test, feature = "std"))]
    if std::env::var_os("HYBRID_DISPATCH_TEST_FENCES").is_some() {
        use_fences();
    }
    REGISTER.call_once(|| {
        let mode = if membarrier::register() {
            ASYMMETRIC
        } else {
            FENCES
        };
        MODE.store(mode, Relaxed);
    });
}

/// The reader's side of both Dekker pairs: orders a slot store before the
/// load that follows.
#[inline(always)]
fn light_barrier() {
    if MODE.load(Relaxed) == ASYMMETRIC {
        // The heavy barrier puts a full barrier into this thread's
        // instruction stream; only the compiler must keep the order.
        compiler_fence(SeqCst);
    } else {
        fence(SeqCst);
    }
}

/// The writer's side of both Dekker pairs. `false`: the barrier could not
/// be made (a `membarrier` that failed after registering, which Linux does
/// not do), so the caller must free nothing.
fn heavy_barrier() -> bool {
    fence(SeqCst);
    MODE.load(Relaxed) != ASYMMETRIC || membarrier::private_expedited()
}

#[cfg(all(target_os = "linux", not(miri), not(hybrid_dispatch_loom)))]
mod membarrier {
    //! The two `membarrier(2)` commands used (values from the kernel's
    //! `linux/membarrier.h`, fixed by its ABI; older `libc` releases do not
    //! name them).

    const PRIVATE_EXPEDITED: libc::c_int = 1 << 3;
    const REGISTER_PRIVATE_EXPEDITED: libc::c_int = 1 << 4;

    fn membarrier(command: libc::c_int) -> bool {
        // SAFETY: no invariant of ours: `membarrier` takes two integers and
        // a flags word and touches no memory of this process.
        unsafe { libc::syscall(libc::SYS_membarrier, command, 0, 0) == 0 }
    }

    /// Registers the process for [`private_expedited`]; `false` if this
    /// kernel (older than 4.14) or a seccomp filter refuses.
    pub(super) fn register() -> bool {
        membarrier(REGISTER_PRIVATE_EXPEDITED)
    }

    /// A full memory barrier on every running thread of this process.
    pub(super) fn private_expedited() -> bool {
        membarrier(PRIVATE_EXPEDITED)
    }

    /// Whether this kernel offers [`private_expedited`]
    /// (`MEMBARRIER_CMD_QUERY`), asked afresh.
    #[cfg(all(test, feature = "std"))]
    pub(super) fn offered() -> bool {
        // SAFETY: as in `membarrier`.
        let commands = unsafe { libc::syscall(libc::SYS_membarrier, 0, 0, 0) };
        commands > 0 && commands & libc::c_long::from(PRIVATE_EXPEDITED) != 0
    }
}

#[cfg(not(all(target_os = "linux", not(miri), not(hybrid_dispatch_loom))))]
mod membarrier {
    pub(super) fn register() -> bool {
        false
    }

    pub(super) fn private_expedited() -> bool {
        false
    }

    #[cfg(all(test, feature = "std"))]
    pub(super) fn offered() -> bool {
        false
    }
}

// ---------------------------------------------------------------- nodes

/// A thread's hazard slots. Leaked on creation (`&'static`), so a slot's
/// reference stays valid in a snapshot that outlives its thread; given to
/// a new thread when its owner exits. Aligned to 128 bytes so that no two
/// threads' slots share a line pair: written by the owner (and by whoever
/// drops a snapshot it protects), read only by reclaims.
#[repr(align(128))]
struct Node {
    slots: [Slot; SLOTS],
    /// The next node of its thread's chain, or null: written once, by the
    /// owner, when it grows the chain ([`grow`]). Only the owner reads it.
    next: AtomicPtr<Node>,
    /// A chain's head only: the node where its owner last found a free
    /// slot past the head, where the next search past the head starts.
    /// Only the owner reads and writes it.
    hint: AtomicPtr<Node>,
    /// A live thread owns this node. Always set on a node past a chain's
    /// head: it goes with its chain, never to a thread of its own.
    owned: AtomicBool,
}

/// One hazard: an address, and the cell whose value it is.
struct Slot {
    /// Null, or the address of a value a snapshot protects. Only the
    /// node's owner stores an address, and only into a null slot; the
    /// snapshot's drop stores null back.
    value: AtomicPtr<()>,
    /// The [`SnapshotCell::id`] of the cell that value was loaded from:
    /// written by the owner while `value` is null, before it stores the
    /// address; read by the snapshot's drop before it stores null, to
    /// reclaim that cell's values (**Cell reclaim**).
    cell: AtomicU64,
}

impl Node {
    /// A node for a new thread, or for a chain: every slot free.
    fn new() -> Self {
        Self {
            slots: core::array::from_fn(|_| Slot {
                value: AtomicPtr::new(ptr::null_mut()),
                cell: AtomicU64::new(0),
            }),
            next: AtomicPtr::new(ptr::null_mut()),
            hint: AtomicPtr::new(ptr::null_mut()),
            owned: AtomicBool::new(true),
        }
    }

    /// A free slot of this node's own, if it has one.
    #[inline]
    fn free_slot(&'static self) -> Option<&'static Slot> {
        // Acquire: a snapshot dropped on another thread nulled this slot
        // with a release store; what it read of its value happens before
        // our next address in the slot, and so before any reclaim that
        // reads that.
        self.slots
            .iter()
            .find(|slot| slot.value.load(Acquire).is_null())
    }

    /// The next node of its chain, if any (the owner's read).
    fn next(&self) -> Option<&'static Node> {
        leaked(self.next.load(Relaxed))
    }
}

/// The node `node` points to, if any: a pointer from a node's `next` or
/// `hint`.
fn leaked(node: *mut Node) -> Option<&'static Node> {
    // SAFETY: **Leaked nodes**: a non-null pointer in a node's `next` or
    // `hint` came from `Box::leak` and is never freed; nothing takes
    // `&mut` to a node.
    unsafe { node.as_ref() }
}

/// The node of threads whose locals are being destroyed: every slot looks
/// taken, so they take counts. Not in [`State::nodes`]: never scanned.
#[cfg(not(hybrid_dispatch_loom))]
static GONE: Node = Node {
    // An address no value has (it is never compared: `GONE` is not scanned).
    slots: [const {
        Slot {
            value: AtomicPtr::new(NonNull::<()>::dangling().as_ptr()),
            cell: AtomicU64::new(0),
        }
    }; SLOTS],
    next: AtomicPtr::new(ptr::null_mut()),
    hint: AtomicPtr::new(ptr::null_mut()),
    owned: AtomicBool::new(true),
};

#[cfg(hybrid_dispatch_loom)]
loom::lazy_static! {
    static ref GONE: Node = {
        let gone = Node::new();
        for slot in &gone.slots {
            slot.value.store(NonNull::<()>::dangling().as_ptr(), Relaxed);
        }
        gone
    };
}

/// [`GONE`], as a node (loom's is a `lazy_static`).
#[inline(always)]
fn gone() -> &'static Node {
    &GONE
}

#[cfg(not(hybrid_dispatch_loom))]
std::thread_local! {
    /// This thread's node. `const`-initialised and without a destructor,
    /// so reading it is a plain thread-local load (see `shard.rs`), and it
    /// can be read while other locals are destroyed.
    static NODE: Cell<Option<&'static Node>> = const { Cell::new(None) };
    /// Gives the node back when the thread exits; set once, when the
    /// thread takes its node.
    static GIVE_BACK: GiveBack = const { GiveBack(Cell::new(None)) };
}

// loom's macro takes no `const` initialiser.
#[cfg(hybrid_dispatch_loom)]
loom::thread_local! {
    static NODE: Cell<Option<&'static Node>> = Cell::new(None);
    static GIVE_BACK: GiveBack = GiveBack(Cell::new(None));
}

/// Gives this thread's node (the one it holds, once the thread took one)
/// back when the thread exits. Slots still holding snapshots sent to other
/// threads stay as they are: the next owner only uses null ones.
struct GiveBack(Cell<Option<&'static Node>>);

impl Drop for GiveBack {
    fn drop(&mut self) {
        // Whatever runs later on this thread (other locals' destructors)
        // takes counts. `NODE` has no destructor, so it is always there;
        // loom's locals all have one, and are all gone by now: the node is
        // this local's own copy, so that it goes back there too.
        let _ = NODE.try_with(|node| node.set(Some(gone())));
        if let Some(node) = self.0.get() {
            node.owned.store(false, Release);
        }
    }
}

/// A free slot of this thread's nodes, if it has one or may chain a node
/// with one: the head's first, else past it ([`free_slot_past_head`]).
#[inline]
fn free_slot() -> Option<&'static Slot> {
    let head = match NODE.with(Cell::get) {
        Some(node) => node,
        None => assign(),
    };
    match head.free_slot() {
        Some(slot) => Some(slot),
        None => free_slot_past_head(head),
    }
}

/// A free slot in the nodes chained after `head` (this thread's, all
/// full): searched from the node where the last one was found to the
/// chain's end, then from the head's next to there; else in a node
/// chained now, if the chain has fewer than [`NODES`]. `None` for the
/// exiting threads' [`GONE`], which takes no node.
#[cold]
#[inline(never)]
fn free_slot_past_head(head: &'static Node) -> Option<&'static Slot> {
    if ptr::eq(head, gone()) {
        return None;
    }
    let Some(first) = head.next() else {
        return Some(grow(head, head));
    };
    // Once round the chain past the head, from `start`: to its end, then
    // from `first` back to `start`. `nodes` counts the head and every node
    // visited, so the whole chain once round; `last` is its end.
    let start = leaked(head.hint.load(Relaxed)).unwrap_or(first);
    let (mut at, mut last, mut nodes) = (start, head, 1);
    loop {
        if let Some(slot) = at.free_slot() {
            head.hint.store(ptr::from_ref(at).cast_mut(), Relaxed);
            return Some(slot);
        }
        nodes += 1;
        at = match at.next() {
            Some(next) => next,
            None => {
                last = at;
                first
            }
        };
        if ptr::eq(at, start) {
            break;
        }
    }
    (nodes < NODES).then(|| grow(head, last))
}

/// Chains a fresh node after `last`, the end of `head`'s chain, and
/// returns its first slot. The node is registered for reclaims to scan
/// before any slot of it holds an address (**Chained nodes**); it stays in
/// the chain for good (`owned` stays set: it is never a thread's head).
#[cold]
fn grow(head: &'static Node, last: &'static Node) -> &'static Slot {
    let node: &'static Node = Box::leak(Box::new(Node::new()));
    lock().nodes.push(node);
    // INVARIANT: **Leaked nodes**: from `Box::leak`, never freed.
    let address = ptr::from_ref(node).cast_mut();
    last.next.store(address, Relaxed);
    head.hint.store(address, Relaxed);
    &node.slots[0]
}

#[cold]
#[inline(never)]
fn assign() -> &'static Node {
    // Through the destructor's local, which registers it: if that is no
    // longer possible (the thread is exiting), the thread takes no node.
    let node = GIVE_BACK
        .try_with(|give_back| {
            let mut state = lock();
            let reused = state.nodes.iter().copied().find(|node| {
                node.owned
                    .compare_exchange(false, true, Acquire, Relaxed)
                    .is_ok()
            });
            let node = reused.unwrap_or_else(|| {
                let node: &'static Node = Box::leak(Box::new(Node::new()));
                state.nodes.push(node);
                node
            });
            give_back.0.set(Some(node));
            node
        })
        .unwrap_or_else(|_| gone());
    NODE.with(|slot| slot.set(Some(node)));
    node
}

// ---------------------------------------------------------------- retire list

/// A retired value, its type erased (the list is shared by every cell).
struct Retiree {
    value: NonNull<()>,
    drop: unsafe fn(NonNull<()>),
    /// The [`SnapshotCell::id`] of the cell it was swapped out of.
    cell: u64,
    /// Its entry in [`Waiting::at`] while it waits, if it got one.
    entry: Option<usize>,
}

// SAFETY: **Erased retiree**, **Cell reclaim**: the global list moves a
// retiree between threads but never drops it; it is dropped inside the
// drop (or `load`) of a handle of its own cell, which is on another thread
// than the cell's first only if `T: Send + Sync`.
unsafe impl Send for Retiree {}

/// # Safety
///
/// `value` came from `Arc::<T>::into_raw` and owns one strong count, given
/// up here.
unsafe fn drop_erased<T>(value: NonNull<()>) {
    // SAFETY: per this function's contract.
    drop(unsafe { Arc::from_raw(value.cast::<T>().as_ptr()) });
}

impl Retiree {
    fn new<T>(value: Arc<T>, cell: u64) -> Self {
        // INVARIANT: **Erased retiree**: from `into_raw`, dropped by `drop_erased::<T>`.
        let value =
            NonNull::new(Arc::into_raw(value).cast_mut()).expect("Arc::into_raw is not null");
        let value = value.cast::<()>();
        Self {
            value,
            drop: drop_erased::<T>,
            cell,
            entry: None,
        }
    }
}

impl Drop for Retiree {
    fn drop(&mut self) {
        // SAFETY: **Erased retiree**: `drop` is `drop_erased::<T>` for the
        // `T` whose `Arc::into_raw` gave `value`; this drop runs once.
        unsafe { (self.drop)(self.value) }
    }
}

/// Retired values and the nodes to scan: one lock for both, held by every
/// reclaim and by counted loads.
struct State {
    retired: Vec<Retiree>,
    nodes: Vec<&'static Node>,
}

#[cfg(not(hybrid_dispatch_loom))]
static STATE: Mutex<State> = Mutex::new(State {
    retired: Vec::new(),
    nodes: Vec::new(),
});

#[cfg(hybrid_dispatch_loom)]
loom::lazy_static! {
    static ref STATE: Mutex<State> = Mutex::new(State {
        retired: Vec::new(),
        nodes: Vec::new(),
    });
}

/// How many waiting values have an entry in [`Waiting::at`].
const WATCHED: usize = 14;

/// Which retired values wait for their snapshots, as snapshots' drops read
/// it without the lock (written only under it): whether *their* value
/// waits, so that while one old value is held for long (a long call by
/// name after a registration), the drops of every other snapshot do not
/// each take the lock and make the heavy barrier.
#[repr(align(128))]
struct Waiting {
    /// How many retired values wait: zero on the fast path.
    count: AtomicUsize,
    /// How many wait without an entry in `at` (more than [`WATCHED`] at
    /// once): while any does, every snapshot's drop reclaims.
    overflow: AtomicUsize,
    /// The address of a waiting value, or 0 (no value is at 0). A value
    /// keeps its entry for its whole wait, so a drop that reads the entry
    /// at any time after the value was retired sees it until it is freed.
    at: [AtomicUsize; WATCHED],
    /// For each entry of `at`: how many slots held its value at the last
    /// reclaim's scan, less the releases since (**Holder counts**). A
    /// snapshot's drop reclaims only when it takes this to zero or below,
    /// so that the calls in flight when a value is retired do not each
    /// scan every slot as they end.
    holders: [AtomicIsize; WATCHED],
}

#[cfg(not(hybrid_dispatch_loom))]
static WAITING: Waiting = Waiting {
    count: AtomicUsize::new(0),
    overflow: AtomicUsize::new(0),
    at: [const { AtomicUsize::new(0) }; WATCHED],
    holders: [const { AtomicIsize::new(0) }; WATCHED],
};

#[cfg(hybrid_dispatch_loom)]
loom::lazy_static! {
    static ref WAITING: Waiting = Waiting {
        count: AtomicUsize::new(0),
        overflow: AtomicUsize::new(0),
        at: core::array::from_fn(|_| AtomicUsize::new(0)),
        holders: core::array::from_fn(|_| AtomicIsize::new(0)),
    };
}

impl Waiting {
    /// Whether the value at `address` may wait to be dropped: the
    /// releaser's read in the second Dekker pair (after its null and a
    /// light barrier).
    #[inline]
    fn includes(&self, address: usize) -> bool {
        self.count.load(Relaxed) != 0 && self.includes_slow(address)
    }

    #[cold]
    #[inline(never)]
    fn includes_slow(&self, address: usize) -> bool {
        self.overflow.load(Relaxed) != 0 || self.at.iter().any(|at| at.load(Relaxed) == address)
    }

    /// Whether a snapshot's drop, which has just nulled its slot holding
    /// `address`, must reclaim: its value waits, and this may have been
    /// its last holder (the count of a watched value reaches zero; a value
    /// without an entry always). Read as [`includes`](Self::includes) is.
    #[inline]
    fn released(&self, address: usize) -> bool {
        self.count.load(Relaxed) != 0 && self.released_slow(address)
    }

    #[cold]
    #[inline(never)]
    fn released_slow(&self, address: usize) -> bool {
        match self.at.iter().position(|at| at.load(Relaxed) == address) {
            // AcqRel: the releases form one order, and the one that counts
            // down to zero reclaims after every other holder's null.
            Some(entry) => self.holders[entry].fetch_sub(1, AcqRel) <= 1,
            None => self.overflow.load(Relaxed) != 0,
        }
    }
}

/// No user code runs under the lock, so a poisoned one (a failed
/// allocation) is still consistent.
fn lock() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

impl State {
    /// Adds `value` to the waiting ones, in [`WAITING`] too.
    fn push(&mut self, mut value: Retiree) {
        let address = value.value.as_ptr().addr();
        value.entry = WAITING.at.iter().position(|at| at.load(Relaxed) == 0);
        match value.entry {
            Some(entry) => {
                // Counted by the `collect` that follows (**Holder counts**).
                WAITING.holders[entry].store(0, Relaxed);
                WAITING.at[entry].store(address, Relaxed);
            }
            None => drop(WAITING.overflow.fetch_add(1, Relaxed)),
        }
        self.retired.push(value);
        WAITING.count.store(self.retired.len(), Relaxed);
    }

    /// Takes out the retired values of the cell `cell` that no slot holds,
    /// and only that cell's (**Cell reclaim**). Call with the lock held,
    /// after [`push`](Self::push)ing any value to retire (the heavy barrier
    /// here orders that before the scan: the second Dekker pair); drop what
    /// it returns after unlocking.
    fn collect(&mut self, cell: u64) -> Vec<Retiree> {
        if !self.retired.iter().any(|retiree| retiree.cell == cell) {
            return Vec::new();
        }
        // **Holder counts**: zero before the scan, the holders it finds
        // added after; a release in between counts down from zero and
        // reclaims (again, after this one).
        for entry in self.watched(cell) {
            // A swap, not a store: on x86-64 the same `xchg` a `SeqCst`
            // store is; and loom 0.7 lets a plain store fall between the
            // read and the write of another thread's `fetch_sub`
            // (tokio-rs/loom#254), which made its model lose a release.
            WAITING.holders[entry].swap(0, SeqCst);
        }
        if !heavy_barrier() {
            return Vec::new();
        }
        // Acquire: a null stored by a snapshot's drop is a release store;
        // what it read of its value happens before the value is dropped.
        let mut held: Vec<usize> = self
            .nodes
            .iter()
            .flat_map(|node| &node.slots)
            .map(|slot| slot.value.load(Acquire))
            .filter(|value| !value.is_null())
            .map(|value| value.addr())
            .collect();
        held.sort_unstable();
        let (free, keep): (Vec<_>, Vec<_>) = core::mem::take(&mut self.retired)
            .into_iter()
            .partition(|retiree| {
                retiree.cell == cell && held.binary_search(&retiree.value.as_ptr().addr()).is_err()
            });
        self.retired = keep;
        for value in &free {
            match value.entry {
                Some(entry) => WAITING.at[entry].store(0, Relaxed),
                None => drop(WAITING.overflow.fetch_sub(1, Relaxed)),
            }
        }
        for kept in self.retired.iter().filter(|retiree| retiree.cell == cell) {
            if let Some(entry) = kept.entry {
                let address = kept.value.as_ptr().addr();
                let from = held.partition_point(|&at| at < address);
                let holders = held[from..].partition_point(|&at| at == address);
                WAITING.holders[entry]
                    .fetch_add(isize::try_from(holders).unwrap_or(isize::MAX), SeqCst);
            }
        }
        WAITING.count.store(self.retired.len(), Relaxed);
        free
    }

    /// The [`Waiting`] entries of the cell `cell`'s retired values.
    fn watched(&self, cell: u64) -> impl Iterator<Item = usize> + '_ {
        self.retired
            .iter()
            .filter(move |retiree| retiree.cell == cell)
            .filter_map(|retiree| retiree.entry)
    }
}

/// Retires `value`: drops it now if no slot holds it, else leaves it to
/// the reclaim of the last snapshot that does.
fn retire(value: Retiree) {
    let cell = value.cell;
    let free = {
        let mut state = lock();
        state.push(value);
        state.collect(cell)
    };
    drop(free);
}

/// Drops the retired values of the cell `cell` that no slot holds any
/// more: what the drop of a snapshot whose value waits (or a load that let
/// go of one) runs.
#[cold]
#[inline(never)]
fn reclaim(cell: u64) {
    #[cfg(all(test, feature = "std"))]
    tests::RECLAIMS.fetch_add(1, Relaxed);
    let free = lock().collect(cell);
    drop(free);
}

// ---------------------------------------------------------------- the cell

/// A shared `Arc<T>`: loaded often, from many threads, without a locked
/// instruction; replaced rarely.
///
/// Any `T`: a retired value is dropped inside the drop (or `load`) of a
/// handle of its own cell (**Cell reclaim**), so it may borrow, and it
/// stays on the thread of a cell that is not `Sync`.
pub(crate) struct SnapshotCell<T> {
    /// **Cell owns current.**
    current: AtomicPtr<T>,
    /// This cell among all cells ever made (never 0, never reused): what
    /// its retired values and its snapshots' slots are marked with.
    id: u64,
    _owns: PhantomData<Arc<T>>,
}

/// The next [`SnapshotCell::id`]. A `u64` does not wrap: a cell a
/// nanosecond would take centuries.
static NEXT_CELL: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(1);

impl<T> SnapshotCell<T> {
    /// A cell holding `value`. The first cell decides the barriers.
    pub(crate) fn new(value: Arc<T>) -> Self {
        init_barriers();
        Self {
            // INVARIANT: **Cell owns current**.
            current: AtomicPtr::new(Arc::into_raw(value).cast_mut()),
            id: NEXT_CELL.fetch_add(1, Relaxed),
            _owns: PhantomData,
        }
    }

    /// The current value, protected until the [`Snapshot`] is dropped (on
    /// any thread), however the cell changes meanwhile.
    #[inline]
    pub(crate) fn load(&self) -> Snapshot<T> {
        match free_slot() {
            Some(slot) => {
                // Acquire: the value's contents, written before it was
                // stored or swapped in.
                let value = self.current.load(Acquire);
                #[cfg(all(test, feature = "std"))]
                tests::hook(tests::Point::Read);
                // The slot is null, so no snapshot reads its cell.
                slot.cell.store(self.id, Relaxed);
                slot.value.store(value.cast(), Release);
                #[cfg(all(test, feature = "std"))]
                tests::hook(tests::Point::Published);
                light_barrier();
                let now = self.current.load(Acquire);
                if now == value {
                    // INVARIANT: **Protected snapshot**, first Dekker pair:
                    // the hazard was ordered before this second read.
                    Snapshot::protected(now, slot)
                } else {
                    self.load_again(slot, value, now)
                }
            }
            None => self.load_counted(),
        }
    }

    /// [`load`](Self::load) when `current` changed between its two reads:
    /// the slot holds `stale`, and `value` is newer.
    #[cold]
    #[inline(never)]
    fn load_again(&self, slot: &'static Slot, mut stale: *mut T, mut value: *mut T) -> Snapshot<T> {
        loop {
            slot.value.store(value.cast(), Release);
            light_barrier();
            // The slot no longer holds `stale`, which a retirer may have
            // seen there and kept: the releaser's side of the second
            // Dekker pair, as in `Snapshot::drop`. This thread may drop
            // this cell's values (**Cell reclaim**): it holds `self`.
            if WAITING.includes(stale.addr()) {
                reclaim(self.id);
            }
            let now = self.current.load(Acquire);
            if now == value {
                // INVARIANT: **Protected snapshot**, as in `load`.
                return Snapshot::protected(now, slot);
            }
            stale = value;
            value = now;
        }
    }

    /// [`load`](Self::load) without a slot: a strong count.
    #[cold]
    #[inline(never)]
    fn load_counted(&self) -> Snapshot<T> {
        let _state = lock();
        let value = self.current.load(Acquire);
        // SAFETY: **Cell owns current** and **Protected snapshot**: `value`
        // is the `Arc` the cell owns a count of, or one swapped out since,
        // whose count its `Retired` holds until a reclaim, which cannot run
        // before this lock is released.
        unsafe { Arc::increment_strong_count(value) };
        Snapshot {
            // `Arc::into_raw` never returns null.
            value: NonNull::new(value).expect("a cell holds an Arc"),
            slot: None,
            _owns: PhantomData,
        }
    }

    /// Stores `new`; the old value comes back as a [`Retired`], whose drop
    /// drops it as soon as no [`Snapshot`] protects it. Drop the token
    /// after releasing your own locks: dropping `T` runs user code.
    pub(crate) fn swap(&self, new: Arc<T>) -> Retired<T> {
        let old = self.current.swap(Arc::into_raw(new).cast_mut(), AcqRel);
        // SAFETY: **Cell owns current**: `old` came from `Arc::into_raw`
        // and its count passes from the cell to the token.
        Retired::new(unsafe { Arc::from_raw(old) }, self.id)
    }
}

impl<T> Drop for SnapshotCell<T> {
    fn drop(&mut self) {
        // `&mut self`: no other access (loom's atomics have no `get_mut`).
        let current = self.current.load(Relaxed);
        // SAFETY: **Cell owns current**: the cell's count, given up with
        // the cell; snapshots hold their own protection.
        drop(Retired::new(unsafe { Arc::from_raw(current) }, self.id));
    }
}

impl<T: fmt::Debug> fmt::Debug for SnapshotCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SnapshotCell").field(&*self.load()).finish()
    }
}

// ---------------------------------------------------------------- snapshot

/// A value loaded from a [`SnapshotCell`], alive until this is dropped. It
/// may be sent to and dropped on another thread, and outlive the cell and
/// the thread that loaded it.
pub(crate) struct Snapshot<T> {
    value: NonNull<T>,
    /// **Protected snapshot**: the slot holding `value`'s address, or
    /// `None`: this owns a strong count of it.
    slot: Option<&'static Slot>,
    _owns: PhantomData<Arc<T>>,
}

// SAFETY: **Protected snapshot**: a snapshot shares `T` (needs `Sync`) and
// may drop it on the thread it is dropped on (needs `Send`), like an
// `Arc<T>`; its slot is an atomic any thread may write null to.
unsafe impl<T: Send + Sync> Send for Snapshot<T> {}
// SAFETY: as for `Send`: `&Snapshot` only gives `&T`.
unsafe impl<T: Send + Sync> Sync for Snapshot<T> {}

impl<T> Snapshot<T> {
    #[inline]
    fn protected(value: *mut T, slot: &'static Slot) -> Self {
        Self {
            // The cell's pointers came from `Arc::into_raw`, never null.
            value: NonNull::new(value).expect("a cell holds an Arc"),
            slot: Some(slot),
            _owns: PhantomData,
        }
    }

    /// Whether this snapshot holds a strong count rather than a slot (for
    /// the tests).
    #[cfg(all(test, any(feature = "std", hybrid_dispatch_loom)))]
    fn is_counted(&self) -> bool {
        self.slot.is_none()
    }
}

impl<T> Deref for Snapshot<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: **Protected snapshot**: the value is alive while `self` is.
        unsafe { self.value.as_ref() }
    }
}

impl<T> Drop for Snapshot<T> {
    #[inline]
    fn drop(&mut self) {
        match self.slot {
            Some(slot) => {
                // Read while the slot still holds our address: its owner
                // writes it again only once the slot is null.
                let cell = slot.cell.load(Relaxed);
                // Release: our reads of the value happen before a reclaim
                // that reads this null drops it.
                slot.value.store(ptr::null_mut(), Release);
                light_barrier();
                #[cfg(all(test, feature = "std"))]
                tests::hook(tests::Point::Released);
                // The releaser's side of the second Dekker pair; the
                // reclaim drops this cell's values only (**Cell reclaim**),
                // and runs when this may have been the last holder
                // (**Holder counts**).
                if WAITING.released(self.value.as_ptr().addr()) {
                    reclaim(cell);
                }
            }
            // SAFETY: **Protected snapshot**: `slot` is `None`, so this owns
            // a strong count of the `Arc` `value` came from.
            None => drop(unsafe { Arc::from_raw(self.value.as_ptr()) }),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Snapshot<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Snapshot").field(&**self).finish()
    }
}

// ---------------------------------------------------------------- retired

/// A value swapped out of a [`SnapshotCell`]. Dropping it retires the
/// value: it is dropped at once if no [`Snapshot`] protects it, else by
/// the drop of the last one that does. Drop it after releasing your own
/// locks: dropping `T` runs user code.
#[must_use = "dropping the token retires the value: drop it where no lock of yours is held"]
pub(crate) struct Retired<T> {
    /// `Some` until dropped.
    value: Option<Arc<T>>,
    /// The [`SnapshotCell::id`] of the cell it came from.
    cell: u64,
}

impl<T> Retired<T> {
    fn new(value: Arc<T>, cell: u64) -> Self {
        Self {
            value: Some(value),
            cell,
        }
    }
}

impl<T> Drop for Retired<T> {
    fn drop(&mut self) {
        if let Some(value) = self.value.take() {
            retire(Retiree::new(value, self.cell));
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Retired<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Retired").field(&self.value).finish()
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
    use std::format;
    use std::sync::Weak;
    use std::thread;

    static_assertions::assert_impl_all!(SnapshotCell<u32>: Send, Sync);
    static_assertions::assert_impl_all!(Snapshot<u32>: Send, Sync, fmt::Debug);
    static_assertions::assert_impl_all!(Retired<u32>: Send, Sync, fmt::Debug);

    /// The tests here run one at a time, so that no other test's reclaim
    /// takes out (and drops, a moment later) a value whose drop a test
    /// expects at once.
    static SERIAL: Mutex<()> = Mutex::new(());

    /// How many times a snapshot's drop (or a retried load) reclaimed.
    pub(super) static RECLAIMS: AtomicUsize = AtomicUsize::new(0);

    /// Where in [`SnapshotCell::load`] a test runs code of its own, as if
    /// another thread ran it there.
    #[derive(Clone, Copy, PartialEq, Eq)]
    pub(super) enum Point {
        /// After the first read of `current`, before the slot store.
        Read,
        /// After the slot store, before the second read.
        Published,
        /// In a snapshot's drop: after its slot is nulled, before it reads
        /// whether its value waits.
        Released,
    }

    type Hook = (Point, std::boxed::Box<dyn FnOnce()>);

    std::thread_local! {
        static HOOK: Cell<Option<Hook>> = const { Cell::new(None) };
    }

    /// Runs, once, the code the current test set for `point`.
    pub(super) fn hook(point: Point) {
        if let Some((at, run)) = HOOK.with(Cell::take) {
            if at == point {
                run();
            } else {
                HOOK.with(|hook| hook.set(Some((at, run))));
            }
        }
    }

    /// The next load on this thread has `cell` swapped to a new value
    /// (and the old one retired) at `point`.
    fn swap_during_load(cell: &Arc<SnapshotCell<Probe>>, point: Point, drops: &Arc<AtomicUsize>) {
        let (cell, drops) = (Arc::clone(cell), Arc::clone(drops));
        let run = move || drop(cell.swap(Probe::new(1, &drops)));
        HOOK.with(|hook| hook.set(Some((point, std::boxed::Box::new(run)))));
    }

    #[test]
    fn a_load_raced_before_its_slot_store_retries_with_the_new_value() {
        let _serial = serial();
        let drops = Arc::new(AtomicUsize::new(0));
        let cell = Arc::new(SnapshotCell::new(Probe::new(0, &drops)));
        swap_during_load(&cell, Point::Read, &drops);
        // No slot held value 0 when it was retired: it is dropped at once,
        // and the load must not return it.
        let snapshot = cell.load();
        assert_eq!(drops.load(SeqCst), 1);
        assert_eq!(snapshot.read(), 1);
        drop(snapshot);
        drop(Arc::into_inner(cell).unwrap());
        assert_drops(&drops, 2);
    }

    #[test]
    fn a_load_raced_after_its_slot_store_releases_the_old_value() {
        let _serial = serial();
        let drops = Arc::new(AtomicUsize::new(0));
        let cell = Arc::new(SnapshotCell::new(Probe::new(0, &drops)));
        swap_during_load(&cell, Point::Published, &drops);
        // The retirer saw value 0 in the slot and kept it; the load moved
        // on to value 1, and must drop value 0 itself.
        let snapshot = cell.load();
        assert_eq!(snapshot.read(), 1);
        assert_drops(&drops, 1);
        drop(snapshot);
        drop(Arc::into_inner(cell).unwrap());
        assert_drops(&drops, 2);
    }

    fn serial() -> MutexGuard<'static, ()> {
        SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A value that counts its drops and checks it is alive when read.
    struct Probe {
        id: usize,
        alive: AtomicBool,
        drops: Arc<AtomicUsize>,
    }

    impl Probe {
        fn new(id: usize, drops: &Arc<AtomicUsize>) -> Arc<Self> {
            Arc::new(Self {
                id,
                alive: AtomicBool::new(true),
                drops: Arc::clone(drops),
            })
        }

        fn read(&self) -> usize {
            assert!(
                self.alive.load(SeqCst),
                "value {} read after its drop",
                self.id
            );
            self.id
        }
    }

    impl Drop for Probe {
        fn drop(&mut self) {
            assert!(
                self.alive.swap(false, SeqCst),
                "value {} dropped twice",
                self.id
            );
            self.drops.fetch_add(1, SeqCst);
        }
    }

    impl fmt::Debug for Probe {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "Probe({})", self.id)
        }
    }

    /// `drops` is `n`: at once, or after the few yields that another
    /// handle's drop running at the same time (one whose reclaim took the
    /// value out just before ours ran) needs to drop it. A value left until
    /// some later reclaim fails this: nothing else reclaims meanwhile.
    #[track_caller]
    fn assert_drops(drops: &AtomicUsize, n: usize) {
        for _ in 0..if cfg!(miri) { 10 } else { 1000 } {
            if drops.load(SeqCst) == n {
                break;
            }
            thread::yield_now();
        }
        assert_eq!(drops.load(SeqCst), n);
    }

    #[test]
    fn another_threads_reclaim_leaves_a_value_to_its_own_handles() {
        let _serial = serial();
        let drops = Arc::new(AtomicUsize::new(0));
        let cell = SnapshotCell::new(Probe::new(0, &drops));
        let snapshot = cell.load();
        drop(cell.swap(Probe::new(1, &drops)));
        assert_eq!(drops.load(SeqCst), 0, "value 0 waits for the snapshot");
        let other = Arc::new(SnapshotCell::new(Probe::new(10, &drops)));
        // Right after the snapshot's slot is nulled, another thread retires
        // a value of another cell: its reclaim sees value 0 unprotected too,
        // and must leave it to this drop (not drop it there, after this
        // snapshot, which may be all that keeps what it borrows alive, or
        // on a thread it was never sent to).
        let seen = Arc::new(AtomicUsize::new(usize::MAX));
        let (seen_there, drops_there) = (Arc::clone(&seen), Arc::clone(&drops));
        let (other_cell, other_drops) = (Arc::clone(&other), Arc::clone(&drops));
        let run = move || {
            thread::spawn(move || drop(other_cell.swap(Probe::new(11, &other_drops))))
                .join()
                .unwrap();
            seen_there.store(drops_there.load(SeqCst), SeqCst);
        };
        HOOK.with(|hook| hook.set(Some((Point::Released, std::boxed::Box::new(run)))));
        drop(snapshot);
        assert_eq!(
            seen.load(SeqCst),
            1,
            "the other thread dropped value 10 only"
        );
        assert_eq!(drops.load(SeqCst), 2, "and this drop dropped value 0");
        drop(cell);
        drop(Arc::into_inner(other).unwrap());
        assert_drops(&drops, 4);
    }

    #[test]
    fn a_value_may_borrow_and_is_dropped_before_its_last_handle_returns() {
        /// Sets its flag when dropped; borrows it, so `T` is not `'static`.
        struct Borrows<'a>(&'a AtomicBool);
        impl Drop for Borrows<'_> {
            fn drop(&mut self) {
                assert!(!self.0.swap(true, SeqCst), "dropped twice");
            }
        }
        let _serial = serial();
        let (first, second) = (AtomicBool::new(false), AtomicBool::new(false));
        let cell = SnapshotCell::new(Arc::new(Borrows(&first)));
        let snapshot = cell.load();
        let moved = thread::scope(|s| s.spawn(move || snapshot).join().unwrap());
        drop(cell.swap(Arc::new(Borrows(&second))));
        assert!(!first.load(SeqCst), "the snapshot keeps it");
        drop(moved);
        assert!(first.load(SeqCst), "dropped inside the last handle's drop");
        drop(cell);
        assert!(second.load(SeqCst));
    }

    #[test]
    #[expect(
        clippy::arc_with_non_send_sync,
        reason = "what a registry of twins that are not `Send` stores"
    )]
    fn a_value_that_is_not_send_stays_with_its_thread() {
        use core::cell::Cell as Local;
        static_assertions::assert_not_impl_any!(SnapshotCell<Local<u32>>: Send, Sync);
        static_assertions::assert_not_impl_any!(Snapshot<Local<u32>>: Send, Sync);
        static_assertions::assert_not_impl_any!(Retired<Local<u32>>: Send, Sync);
        let _serial = serial();
        let cell = SnapshotCell::new(Arc::new(Local::new(1)));
        let snapshot = cell.load();
        snapshot.set(2);
        drop(cell.swap(Arc::new(Local::new(3))));
        assert_eq!((snapshot.get(), cell.load().get()), (2, 3));
    }

    #[test]
    fn a_swapped_out_value_is_dropped_once_with_its_token() {
        let _serial = serial();
        let drops = Arc::new(AtomicUsize::new(0));
        let cell = SnapshotCell::new(Probe::new(0, &drops));
        assert_eq!(cell.load().read(), 0);
        let retired = cell.swap(Probe::new(1, &drops));
        assert_eq!(cell.load().read(), 1);
        assert_eq!(drops.load(SeqCst), 0, "the token keeps the old value");
        assert_eq!(format!("{retired:?}"), "Retired(Some(Probe(0)))");
        drop(retired);
        assert_drops(&drops, 1);
        assert_eq!(format!("{cell:?}"), "SnapshotCell(Probe(1))");
        drop(cell);
        assert_drops(&drops, 2);
    }

    #[test]
    fn a_snapshot_keeps_its_value_until_the_last_one_is_dropped() {
        let _serial = serial();
        let drops = Arc::new(AtomicUsize::new(0));
        let cell = SnapshotCell::new(Probe::new(0, &drops));
        let first = cell.load();
        let second = cell.load();
        assert!(!first.is_counted() && !second.is_counted());
        drop(cell.swap(Probe::new(1, &drops)));
        assert_eq!(drops.load(SeqCst), 0, "two snapshots protect it");
        assert_eq!(first.read(), 0);
        drop(first);
        assert_eq!(drops.load(SeqCst), 0, "one snapshot protects it");
        assert_eq!(format!("{second:?}"), "Snapshot(Probe(0))");
        drop(second);
        assert_drops(&drops, 1);
        drop(cell);
        assert_drops(&drops, 2);
    }

    #[test]
    fn a_snapshot_outlives_the_cell_and_the_thread_that_loaded_it() {
        let _serial = serial();
        let drops = Arc::new(AtomicUsize::new(0));
        let cell = Arc::new(SnapshotCell::new(Probe::new(0, &drops)));
        let loader = Arc::clone(&cell);
        let loaded = thread::spawn(move || loader.load()).join().unwrap();
        assert!(
            !loaded.is_counted(),
            "taken through the exited thread's slot"
        );
        // A new thread gets the exited one's node (or another): it fills
        // every free slot of it and leaves the one `loaded` holds alone.
        let filler = Arc::clone(&cell);
        thread::spawn(move || {
            let held: Vec<_> = (0..SLOTS).map(|_| filler.load()).collect();
            assert!(held.iter().all(|snapshot| snapshot.read() == 0));
        })
        .join()
        .unwrap();
        let cell = Arc::into_inner(cell).unwrap();
        drop(cell.swap(Probe::new(1, &drops)));
        drop(cell);
        assert_drops(&drops, 1);
        assert_eq!(loaded.read(), 0, "the cell and its thread are gone");
        drop(loaded);
        assert_drops(&drops, 2);
    }

    #[test]
    fn an_exited_threads_node_is_reused() {
        let _serial = serial();
        let drops = Arc::new(AtomicUsize::new(0));
        let cell = Arc::new(SnapshotCell::new(Probe::new(0, &drops)));
        let before = lock().nodes.len();
        for _ in 0..4 {
            let cell = Arc::clone(&cell);
            thread::spawn(move || assert_eq!(cell.load().read(), 0))
                .join()
                .unwrap();
        }
        assert!(lock().nodes.len() <= before + 1);
        drop(cell);
        assert_drops(&drops, 1);
    }

    /// How many nodes this thread's chain has, its first included.
    fn chain_len() -> usize {
        let mut node = NODE.with(Cell::get);
        let mut len = 0;
        while let Some(at) = node {
            len += 1;
            node = at.next();
        }
        len
    }

    #[test]
    fn a_thread_holding_more_snapshots_than_a_node_chains_nodes_and_reuses_them() {
        let _serial = serial();
        let drops = Arc::new(AtomicUsize::new(0));
        let cell = SnapshotCell::new(Probe::new(0, &drops));
        let mut held: Vec<_> = (0..3 * SLOTS + 1).map(|_| cell.load()).collect();
        assert!(!held.iter().any(Snapshot::is_counted));
        // (A thread may have been given an exited thread's longer chain.)
        let chained = chain_len();
        assert!(
            chained >= 4,
            "{chained} nodes hold {} snapshots",
            3 * SLOTS + 1
        );
        // The old value is kept while a snapshot in the last node chained
        // holds it, and dropped once that one goes.
        drop(cell.swap(Probe::new(1, &drops)));
        let last = held.pop().unwrap();
        drop(held);
        assert_eq!(
            drops.load(SeqCst),
            0,
            "a slot of a chained node protects it"
        );
        assert_eq!(last.read(), 0);
        drop(last);
        assert_drops(&drops, 1);
        // Freed slots anywhere in the chain are found again: no new node.
        let held: Vec<_> = (0..3 * SLOTS + 1).map(|_| cell.load()).collect();
        assert!(
            held.iter()
                .all(|snapshot| !snapshot.is_counted() && snapshot.read() == 1)
        );
        assert_eq!(chain_len(), chained);
        drop(held);
        drop(cell);
        assert_drops(&drops, 2);
    }

    #[test]
    fn more_snapshots_than_a_full_chain_on_one_thread_take_counts() {
        let _serial = serial();
        let drops = Arc::new(AtomicUsize::new(0));
        let cell = SnapshotCell::new(Probe::new(0, &drops));
        let mut held: Vec<_> = (0..SLOTS * NODES + SLOTS).map(|_| cell.load()).collect();
        assert!(!held[0].is_counted());
        assert!(!held[SLOTS * NODES - 1].is_counted());
        assert!(held[SLOTS * NODES..].iter().all(Snapshot::is_counted));
        let counted = held.pop().unwrap();
        let slotted = held.remove(0);
        // Before the swap: the drop of a snapshot whose value waits
        // reclaims (a scan of every slot), a thousand times here.
        drop(held);
        drop(cell.swap(Probe::new(1, &drops)));
        assert_eq!(drops.load(SeqCst), 0);
        assert_eq!((counted.read(), slotted.read()), (0, 0));
        drop(slotted);
        assert_eq!(drops.load(SeqCst), 0, "a counted snapshot protects it");
        drop(counted);
        assert_drops(&drops, 1);
        assert!(!cell.load().is_counted(), "the slots are free again");
        drop(cell);
        assert_drops(&drops, 2);
    }

    #[test]
    fn a_waiting_value_makes_only_its_own_snapshots_reclaim() {
        let _serial = serial();
        let drops = Arc::new(AtomicUsize::new(0));
        let old = SnapshotCell::new(Probe::new(0, &drops));
        let other = SnapshotCell::new(Probe::new(1, &drops));
        let held = old.load();
        drop(old.swap(Probe::new(2, &drops)));
        let before = RECLAIMS.load(SeqCst);
        for _ in 0..10 {
            assert_eq!(other.load().read(), 1);
            assert_eq!(old.load().read(), 2);
        }
        assert_eq!(
            RECLAIMS.load(SeqCst),
            before,
            "value 0 waits, but not for these"
        );
        assert_eq!(drops.load(SeqCst), 0);
        drop(held);
        assert_eq!(RECLAIMS.load(SeqCst), before + 1);
        assert_drops(&drops, 1);
        drop((old, other));
        assert_drops(&drops, 3);
    }

    #[test]
    fn the_snapshots_held_when_a_value_is_retired_reclaim_once_the_last_goes() {
        let _serial = serial();
        let drops = Arc::new(AtomicUsize::new(0));
        let cell = Arc::new(SnapshotCell::new(Probe::new(0, &drops)));
        // Three nodes' worth on this thread, and a node's worth loaded on
        // another (its own node) and sent here.
        let mut held: Vec<_> = (0..3 * SLOTS).map(|_| cell.load()).collect();
        let loader = Arc::clone(&cell);
        let theirs: Vec<_> = thread::spawn(move || (0..SLOTS).map(|_| loader.load()).collect())
            .join()
            .unwrap();
        assert!(!held.iter().chain(&theirs).any(Snapshot::is_counted));
        drop(cell.swap(Probe::new(1, &drops)));
        let before = RECLAIMS.load(SeqCst);
        let last = held.remove(SLOTS + 1); // in a chained node
        drop(held);
        drop(theirs);
        assert_eq!(
            RECLAIMS.load(SeqCst),
            before,
            "none of these was the value's last holder"
        );
        assert_eq!(drops.load(SeqCst), 0);
        drop(last);
        assert_eq!(RECLAIMS.load(SeqCst), before + 1, "the last one reclaims");
        assert_drops(&drops, 1);
        drop(cell);
        assert_drops(&drops, 2);
    }

    /// Swaps a new value into its own cell when dropped, if asked to.
    struct Reentrant {
        cell: Weak<SnapshotCell<Reentrant>>,
        swap_on_drop: bool,
        drops: Arc<AtomicUsize>,
    }

    impl Reentrant {
        fn new(cell: &Weak<SnapshotCell<Self>>, swap: bool, drops: &Arc<AtomicUsize>) -> Arc<Self> {
            Arc::new(Self {
                cell: Weak::clone(cell),
                swap_on_drop: swap,
                drops: Arc::clone(drops),
            })
        }
    }

    impl Drop for Reentrant {
        fn drop(&mut self) {
            self.drops.fetch_add(1, SeqCst);
            let Some(cell) = self.cell.upgrade().filter(|_| self.swap_on_drop) else {
                return;
            };
            let now = cell.load();
            let retired = cell.swap(Self::new(&self.cell, false, &self.drops));
            drop(now);
            drop(retired);
        }
    }

    #[test]
    fn a_destructor_may_load_and_swap_its_own_cell() {
        let _serial = serial();
        let drops = Arc::new(AtomicUsize::new(0));
        let cell = Arc::new_cyclic(|weak| SnapshotCell::new(Reentrant::new(weak, true, &drops)));
        let weak = Arc::downgrade(&cell);
        // Dropped by the reclaim of the snapshot that protected it.
        let snapshot = cell.load();
        drop(cell.swap(Reentrant::new(&weak, false, &drops)));
        assert_eq!(drops.load(SeqCst), 0);
        drop(snapshot);
        assert_drops(&drops, 2); // it, and the value it swapped out
        // Dropped by its own token, at once.
        drop(cell.swap(Reentrant::new(&weak, true, &drops)));
        assert_drops(&drops, 3);
        drop(cell.swap(Reentrant::new(&weak, false, &drops)));
        assert_drops(&drops, 5);
        drop(cell);
        assert_drops(&drops, 6);
    }

    #[test]
    fn readers_racing_a_writer_see_live_values_and_each_is_dropped_once() {
        let _serial = serial();
        // Under Miri, two swaps and four loads (reader 3 still loads past a
        // node, so it chains): each swap's reclaims scan every node of the
        // process, and the readers load until the last one; at four and ten
        // this one test was an eighth of the library's Miri time. The
        // interleavings themselves are model-checked by loom (`loom_tests`).
        let (swaps, loads) = if cfg!(miri) { (2, 4) } else { (300, 10_000) };
        let drops = Arc::new(AtomicUsize::new(0));
        let cell = Arc::new(SnapshotCell::new(Probe::new(0, &drops)));
        let start = Arc::new(std::sync::Barrier::new(5));
        let done = Arc::new(AtomicBool::new(false));
        let readers: Vec<_> = (0..4)
            .map(|reader| {
                let cell = Arc::clone(&cell);
                let start = Arc::clone(&start);
                let done = Arc::clone(&done);
                thread::spawn(move || {
                    start.wait();
                    // Reader 3 holds more snapshots than a node has slots: it
                    // chains a node, and loads into it while the writer swaps
                    // (it loads at least once past `keep`, so it chains under
                    // Miri too, where `loads` is fewer than a node's slots).
                    let keep = if reader == 3 { SLOTS + 2 } else { reader + 1 };
                    let loads = if reader == 3 {
                        loads.max(keep + 1)
                    } else {
                        loads
                    };
                    let mut held = std::collections::VecDeque::new();
                    let mut last = 0;
                    let mut count = 0;
                    // Until the writer is done, and at least `loads` times.
                    while count < loads || !done.load(Relaxed) {
                        count += 1;
                        let snapshot = cell.load();
                        let id = snapshot.read();
                        assert!(id >= last, "a later load saw an older value");
                        last = id;
                        held.push_back(snapshot);
                        if held.len() > keep {
                            drop(held.pop_front());
                        }
                        assert!(held.iter().all(|held| held.read() <= last));
                    }
                    last
                })
            })
            .collect();
        start.wait();
        for id in 1..=swaps {
            drop(cell.swap(Probe::new(id, &drops)));
            thread::yield_now();
        }
        done.store(true, Relaxed);
        let seen: Vec<usize> = readers.into_iter().map(|r| r.join().unwrap()).collect();
        std::eprintln!("last values seen by the readers: {seen:?} of {swaps}");
        assert_drops(&drops, swaps);
        drop(Arc::into_inner(cell).unwrap());
        assert_drops(&drops, swaps + 1);
    }

    #[test]
    fn the_barriers_are_the_ones_this_system_offers() {
        let mode = barriers();
        std::eprintln!("snapshot barriers: {mode:?}");
        // Registering can only fail where the command is offered if a
        // seccomp filter refuses it; none does in our test environments.
        let offered = !cfg!(miri) && membarrier::offered();
        let forced = std::env::var_os("HYBRID_DISPATCH_TEST_FENCES").is_some();
        assert_eq!(mode == Barriers::Asymmetric, offered && !forced);
    }
}

/// Model checking with loom: every interleaving of the threads of each
/// test (within a bound on preemptions, 3 unless `LOOM_MAX_PREEMPTIONS`
/// says otherwise), and every value each atomic load may read under the
/// C++ memory model, of the atomics, the lock and the thread-locals above,
/// with the fallback's barriers: `fence(SeqCst)` on both sides. (The
/// asymmetric barriers, a compiler fence against `membarrier`, are not in
/// that model: the heavy one makes every running thread execute a full
/// barrier, which is at least the reader's `fence(SeqCst)` here.)
///
/// A [`Value`]'s read and its drop are accesses of one loom cell, so a
/// read that the drop is not ordered after fails the model (loom's
/// causality check): the first Dekker pair, **Protected snapshot**. The
/// drop counts assert the second pair: a retired value is dropped by the
/// time the last handle that protects it is.
///
/// ```text
/// cargo test --release -p hybrid-dispatch-loom
/// ```
#[cfg(all(test, hybrid_dispatch_loom))]
mod loom_tests {
    use super::*;
    use loom::cell::UnsafeCell;
    use loom::thread;

    /// A cell's value: its reads and its drop are loom accesses.
    struct Value {
        id: usize,
        data: UnsafeCell<()>,
        drops: Arc<AtomicUsize>,
    }

    impl Value {
        fn new(id: usize, drops: &Arc<AtomicUsize>) -> Arc<Self> {
            Arc::new(Self {
                id,
                data: UnsafeCell::new(()),
                drops: Arc::clone(drops),
            })
        }

        /// Reads the value: loom fails the model if its drop may run at
        /// the same time (not ordered after this).
        fn read(&self) -> usize {
            self.data.with(|_| ());
            self.id
        }
    }

    // SAFETY: `data` holds nothing and is only touched through loom's
    // access checks: shared reads from `&self`, the one write from `drop`
    // (`&mut self`). A `Value` is shared between threads as a cell's value
    // is in the library (`Snapshot: Send` needs `T: Send + Sync`).
    unsafe impl Sync for Value {}

    impl Drop for Value {
        fn drop(&mut self) {
            self.data.with_mut(|_| ());
            self.drops.fetch_add(1, Relaxed);
        }
    }

    fn model(test: impl Fn() + Sync + Send + 'static) {
        let mut builder = loom::model::Builder::new();
        if builder.preemption_bound.is_none() {
            builder.preemption_bound = Some(3);
        }
        // Each atomic access is a branch: the tests that fill a node or a
        // chain first make thousands.
        builder.max_branches = 100_000;
        builder.check(test);
    }

    /// A cell holding value 0, and the count of its values' drops.
    fn cell() -> (Arc<SnapshotCell<Value>>, Arc<AtomicUsize>) {
        let drops = Arc::new(AtomicUsize::new(0));
        let cell = Arc::new(SnapshotCell::new(Value::new(0, &drops)));
        (cell, drops)
    }

    /// Drops the cell (its last handle) and checks that every value was
    /// dropped, once: `swapped` values before, and the current one with it.
    fn drop_cell(cell: Arc<SnapshotCell<Value>>, drops: &AtomicUsize, swapped: usize) {
        assert_eq!(drops.load(Relaxed), swapped, "a swapped-out value is left");
        drop(Arc::into_inner(cell).expect("the last handle"));
        assert_eq!(drops.load(Relaxed), swapped + 1);
    }

    /// Records which of the values 0 and 1 a reader saw, in a static
    /// (`SEEN`, one bit each) that outlives the model's executions.
    fn saw(seen: &core::sync::atomic::AtomicUsize, value: usize) {
        assert!(value <= 1, "a value that was never stored: {value}");
        seen.fetch_or(1 << value, Relaxed);
    }

    /// After a model: both orders of the race were explored (some
    /// execution's load saw the old value and some the new one), so the
    /// read checked against the retire was reached both ways.
    fn saw_both(seen: &core::sync::atomic::AtomicUsize) {
        assert_eq!(
            seen.load(Relaxed),
            0b11,
            "some order of the load and the swap was never explored"
        );
    }

    #[test]
    fn a_load_racing_a_swap_reads_a_live_value_and_lets_go_of_it() {
        static SEEN: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);
        model(|| {
            let (cell, drops) = cell();
            let reader = {
                let cell = Arc::clone(&cell);
                thread::spawn(move || {
                    let snapshot = cell.load();
                    snapshot.read()
                })
            };
            drop(cell.swap(Value::new(1, &drops)));
            saw(&SEEN, reader.join().unwrap());
            drop_cell(cell, &drops, 1);
        });
        saw_both(&SEEN);
    }

    #[test]
    fn a_snapshot_sent_to_another_thread_keeps_its_value_through_a_swap() {
        model(|| {
            let (cell, drops) = cell();
            let snapshot = cell.load();
            let holder = thread::spawn(move || {
                assert_eq!(snapshot.read(), 0);
            });
            drop(cell.swap(Value::new(1, &drops)));
            holder.join().unwrap();
            drop_cell(cell, &drops, 1);
        });
    }

    #[test]
    fn two_readers_holding_two_snapshots_each_against_two_swaps() {
        model(|| {
            let (cell, drops) = cell();
            let readers: Vec<_> = (0..2)
                .map(|_| {
                    let cell = Arc::clone(&cell);
                    thread::spawn(move || {
                        let first = cell.load();
                        let second = cell.load();
                        let (a, b) = (first.read(), second.read());
                        assert!(a <= b, "a later load saw an older value");
                        drop(first);
                        assert_eq!(second.read(), b);
                    })
                })
                .collect();
            drop(cell.swap(Value::new(1, &drops)));
            drop(cell.swap(Value::new(2, &drops)));
            for reader in readers {
                reader.join().unwrap();
            }
            drop_cell(cell, &drops, 2);
        });
    }

    /// The second Dekker pair and **Holder counts**: two snapshots of the
    /// value being retired, dropped on two threads while it is; whichever
    /// goes last (or the retire) drops it, with no later reclaim to help.
    #[test]
    fn the_last_of_the_snapshots_held_at_a_retire_drops_the_value() {
        model(|| {
            let (cell, drops) = cell();
            let holders: Vec<_> = [cell.load(), cell.load()]
                .into_iter()
                .map(|snapshot| {
                    thread::spawn(move || {
                        assert_eq!(snapshot.read(), 0);
                    })
                })
                .collect();
            drop(cell.swap(Value::new(1, &drops)));
            for holder in holders {
                holder.join().unwrap();
            }
            drop_cell(cell, &drops, 1);
        });
    }

    /// A value retired while [`WATCHED`] others wait has no entry in the
    /// waiting table (`overflow`): the drop of its last snapshot, on
    /// another thread while it is retired, still drops it.
    #[test]
    fn a_value_retired_past_the_watched_ones_is_dropped_by_its_last_snapshot() {
        model(|| {
            let (cell, drops) = cell();
            let held: Vec<_> = (1..=WATCHED)
                .map(|id| {
                    let snapshot = cell.load();
                    drop(cell.swap(Value::new(id, &drops)));
                    snapshot
                })
                .collect();
            let last = cell.load();
            let holder = thread::spawn(move || {
                assert_eq!(last.read(), WATCHED);
            });
            drop(cell.swap(Value::new(WATCHED + 1, &drops)));
            holder.join().unwrap();
            assert_eq!(drops.load(Relaxed), 1, "the unwatched value is left");
            drop(held);
            drop_cell(cell, &drops, WATCHED + 1);
        });
    }

    /// A thread's node goes back when it exits, and the next new thread
    /// takes it, with a snapshot the first one sent away still in one of
    /// its slots: the new owner loads into the null ones while a writer
    /// retires the sent snapshot's value.
    ///
    /// loom does not order what a thread-local's destructor stores before
    /// the thread's `join` (std does: the destructors run before the
    /// thread ends), so it also runs executions where the second thread
    /// finds the node still owned and takes a new one; the test checks
    /// that some executions reuse it.
    #[test]
    fn an_exited_threads_node_is_reused_around_a_snapshot_it_sent_away() {
        static REUSED: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);
        static SEEN: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);
        model(|| {
            let (cell, drops) = cell();
            let first = {
                let cell = Arc::clone(&cell);
                thread::spawn(move || cell.load())
            };
            let sent = first.join().unwrap();
            let second = {
                let cell = Arc::clone(&cell);
                thread::spawn(move || cell.load().read())
            };
            drop(cell.swap(Value::new(1, &drops)));
            assert_eq!(sent.read(), 0);
            saw(&SEEN, second.join().unwrap());
            if lock().nodes.len() == 1 {
                REUSED.store(true, Relaxed);
            }
            assert_eq!(drops.load(Relaxed), 0, "the sent snapshot holds value 0");
            drop(sent);
            drop_cell(cell, &drops, 1);
        });
        assert!(
            REUSED.load(Relaxed),
            "no execution reused the exited thread's node"
        );
        saw_both(&SEEN);
    }

    /// **Chained nodes**: a thread whose node is full (of snapshots of an
    /// older value) chains one, under the retire lock, and loads into it
    /// while a writer swaps and scans.
    #[test]
    fn a_load_into_a_node_chained_while_a_writer_reclaims() {
        model(|| {
            let (cell, drops) = cell();
            let held: Vec<_> = (0..SLOTS).map(|_| cell.load()).collect();
            drop(cell.swap(Value::new(1, &drops)));
            let writer = {
                let (cell, drops) = (Arc::clone(&cell), Arc::clone(&drops));
                thread::spawn(move || drop(cell.swap(Value::new(2, &drops))))
            };
            let chained = cell.load();
            assert!(!chained.is_counted());
            let seen = chained.read();
            writer.join().unwrap();
            assert_eq!(chained.read(), seen);
            drop(chained);
            drop(held);
            drop_cell(cell, &drops, 2);
        });
    }

    /// A load with every slot of a full chain taken (by snapshots of an
    /// older value) takes a count, under the lock every reclaim holds,
    /// while a writer swaps.
    #[test]
    fn a_counted_load_while_a_writer_reclaims() {
        model(|| {
            let (cell, drops) = cell();
            let held: Vec<_> = (0..SLOTS * NODES).map(|_| cell.load()).collect();
            drop(cell.swap(Value::new(1, &drops)));
            let writer = {
                let (cell, drops) = (Arc::clone(&cell), Arc::clone(&drops));
                thread::spawn(move || drop(cell.swap(Value::new(2, &drops))))
            };
            let counted = cell.load();
            assert!(counted.is_counted());
            let seen = counted.read();
            writer.join().unwrap();
            assert_eq!(counted.read(), seen);
            drop(held);
            drop(counted);
            drop_cell(cell, &drops, 2);
        });
    }

    /// **Cell reclaim**: the cell's drop retires its value while a
    /// snapshot on another thread still reads it; the snapshot's drop
    /// drops it.
    #[test]
    fn a_snapshot_outlives_its_cell_on_another_thread() {
        model(|| {
            let drops = Arc::new(AtomicUsize::new(0));
            let cell = SnapshotCell::new(Value::new(0, &drops));
            let snapshot = cell.load();
            let holder = thread::spawn(move || {
                assert_eq!(snapshot.read(), 0);
            });
            drop(cell);
            holder.join().unwrap();
            assert_eq!(drops.load(Relaxed), 1);
        });
    }
}
