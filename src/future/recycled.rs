//! [`RecyclePool`]: buffers of one future layout, taken by a call and given
//! back when its future is dropped, shared by concurrent `&self` calls from
//! many threads; and the constructors that build a future in one
//! ([`InlineBox::new_recycled`]).
//!
//! Part of the crate's one `unsafe` module (`future`); its invariants are
//! stated in `future/mod.rs`. The ones this file adds:
//!
//! * **Block layout.** Every buffer ("block") of a pool was allocated with
//!   the pool's `block` layout: a pool pointer at offset 0, then room for
//!   the pool's future layout at [`offset_for`] its size and alignment. A
//!   future `F` is only ever written to a block of a pool that
//!   [`accepts`](RecyclePool::accepts) it (size and alignment at most the
//!   pool's), so it fits at `future_offset::<F>()`, which is at most the
//!   pool's own offset. Upheld by `RecyclePool::new` and the constructors.
//! * **Pool outlives its blocks.** A block taken from a pool holds the
//!   pool's address at offset 0, written when it was taken, and the handle
//!   holding the block keeps the pool alive and in place for its whole
//!   life, in one of two ways (its place's [`Keep`]):
//!   - [`Borrowed`]: the handle borrows the pool (its type is bounded by
//!     the same `'a` as the pool borrow: `new_recycled` takes
//!     `&'a RecyclePool` and returns an `InlineBox<dyn … + 'a, _>`);
//!   - [`Shared`]: the pool is in an `Arc` and the address at offset 0
//!     came from `Arc::into_raw`, one strong count that the block's
//!     give-back releases (`new_recycled_arc`; the handle's type is then
//!     free of the pool's lifetime, `'static` if its future is).
//!
//!   So the future's drop can give the block back to a live pool that has
//!   not moved. A leaked handle leaks its block (and, [`Shared`], its
//!   count: the pool is never freed).
//! * **Owned blocks.** A block is owned by exactly one of: a pool's free
//!   list or a thread's cache (idle), or one handle (in use, holding one
//!   live future). Taking moves it out of a free list or cache, the
//!   future's drop moves it back (or frees it when they are full), and the
//!   pool frees the idle ones when it is dropped or trimmed.
//! * **Thread caches have one user.** The cache of shard `i` is read and
//!   written only by the thread whose [`own_shard`] is `i` (thread indices
//!   are never shared), or through `&mut RecyclePool` (in `Drop`). So its
//!   length and slots can be updated with plain atomic loads and stores,
//!   no read-modify-write.

#![allow(
    unsafe_code,
    reason = "part of the crate's one unsafe module: futures built in recycled buffers"
)]

use alloc::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::mem::{ManuallyDrop, align_of, size_of};
use core::pin::Pin;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicPtr, AtomicU64, AtomicUsize, Ordering::Relaxed};
use core::task::{Context, Poll};

use crossbeam_queue::ArrayQueue;

use super::alloc_error::AllocError;
use super::capacity::{Capacity, PointerRoom, S1};
use super::inline_box::{InlineBox, heap_in_place};
use super::shard::{CacheLine, SHARDS, own_shard, shard};
use super::vtable::{Indirect, OwnedStorage, OwnerRoom, Site, owner_in_buffer};
use crate::layout::{Erasure, FutureLayout, Placement, fits_inline};

/// Bounded, lock-free storage for the futures of one layout: a call takes
/// a buffer from the pool (or allocates one, a *miss*), builds its future in
/// it, and the buffer goes back to the pool when the future is dropped —
/// completed, cancelled or panicked. In a steady stream of calls, **no call
/// allocates**, whatever the future's size, and many threads can call at
/// once through `&self`.
///
/// A pool serves futures whose size and alignment are at most its
/// [`layout`](Self::layout)'s: made for one service's future layout, it
/// wastes no byte on it. It keeps at most [`max_idle`](Self::max_idle)
/// idle buffers: a buffer given back to a full pool is freed, so idle
/// memory is bounded by `max_idle × buffer_bytes`, and
/// [`trim`](Self::trim) frees them all. Calls in flight are not bounded:
/// each takes its own buffer.
///
/// # How it scales
///
/// Each of the first sixteen threads to use recycled storage keeps a few
/// idle buffers in a cache of its own (up to 4; plain loads and stores, no
/// atomic read-modify-write: a take and a give-back cost less than a
/// `malloc` and a `free`). Behind the caches, the idle buffers sit in up to
/// sixteen bounded lock-free queues (crossbeam's `ArrayQueue`), each on
/// cache lines of its own: a thread takes from and gives back to its own
/// queue, so calls on different cores touch different lines. Only when its
/// cache and queue are empty (or full) does a thread look at the other
/// queues, before allocating (or freeing).
///
/// # What allocates
///
/// * [`RecyclePool::new`]: the free lists, once.
/// * A call that finds no idle buffer (a miss): one buffer of
///   [`buffer_bytes`](Self::buffer_bytes). [`stats`](Self::stats) counts them.
/// * Nothing else. [`InlineBox::try_new_recycled`] reports a failed
///   allocation as an [`AllocError`] instead of aborting.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::future::RecyclePool;
/// use hybrid_dispatch::SendRecycledFuture;
/// use hybrid_dispatch::layout::FutureLayout;
///
/// async fn work(x: u64) -> u64 {
///     let scratch = [x; 64]; // a 512-byte future
///     tokio::task::yield_now().await;
///     scratch.iter().sum()
/// }
///
/// #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// async fn main() {
///     let pool = RecyclePool::new(FutureLayout::of_val(&work(0)), 8);
///     for i in 0..100 {
///         let fut = SendRecycledFuture::new_recycled(&pool, || work(i));
///         assert!(fut.is_recycled());
///         assert_eq!(fut.await, 64 * i);
///     }
///     assert_eq!(pool.stats().misses, 1); // one buffer for 100 calls
///     assert_eq!(pool.stats().idle, 1);
/// }
/// ```
pub struct RecyclePool {
    /// The largest future layout served.
    layout: FutureLayout,
    /// The layout of every block (**Block layout**).
    block: Layout,
    /// The idle blocks, one queue per shard; empty when the pool keeps
    /// none (then it accepts nothing: every call would be a miss).
    shards: Box<[CacheLine<Shard>]>,
    /// `shards.len() - 1`; the length is a power of two.
    mask: usize,
    /// One cache per thread that owns a shard (**Thread caches have one
    /// user**); each holds at most `hot` blocks.
    caches: Box<[CacheLine<Cache>]>,
    hot: usize,
    max_idle: usize,
}

/// How many idle blocks a thread's cache may hold, at most.
const HOT_MAX: usize = 4;

/// A thread's own idle blocks: `slots[..len]` (**Owned blocks**, **Thread
/// caches have one user**).
#[derive(Default)]
struct Cache {
    len: AtomicUsize,
    slots: [AtomicPtr<u8>; HOT_MAX],
}

/// One shard: a bounded queue of idle blocks (**Owned blocks**) and the
/// counters of the threads that use it.
struct Shard {
    free: ArrayQueue<Block>,
    misses: AtomicU64,
    freed: AtomicU64,
}

/// A block of the pool's `block` layout (**Block layout**), owned by
/// whoever holds this value (**Owned blocks**).
struct Block(NonNull<u8>);

// SAFETY: a `Block` is the only owner of its memory (**Owned blocks**),
// which holds no future while idle; ownership may move between threads.
unsafe impl Send for Block {}

/// A snapshot of a [`RecyclePool`]'s counters.
///
/// `misses` counts the buffers allocated because no idle one was found;
/// a call that found one (a hit) is not counted here, so that hits cost no
/// shared write: whoever counts calls (a [`Registry`](crate::Registry)
/// entry, [`Recycled`](crate::Recycled)) gets hits as calls minus
/// misses.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::future::{PoolStats, RecyclePool};
/// use hybrid_dispatch::layout::FutureLayout;
///
/// let pool = RecyclePool::new(FutureLayout::of::<[u64; 16]>(), 4);
/// let PoolStats { misses, freed, idle, idle_bytes, .. } = pool.stats();
/// assert_eq!((misses, freed, idle, idle_bytes), (0, 0, 0, 0));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PoolStats {
    /// Buffers allocated because no idle one was found.
    pub misses: u64,
    /// Buffers freed: given back to a full pool, or trimmed.
    pub freed: u64,
    /// Idle buffers held now.
    pub idle: u64,
    /// Bytes those idle buffers take: `idle × buffer_bytes`.
    pub idle_bytes: u64,
    /// The bound on `idle`.
    pub max_idle: u64,
    /// The size of one buffer: the future's layout plus a pointer to the
    /// pool, rounded to the future's alignment.
    pub buffer_bytes: u64,
}

/// From this size on, a future starts on a cache line of its own: its
/// first bytes do not share a line with the pool pointer, and wide stores
/// into it (an `async fn` filling a buffer) do not straddle lines. A 3 KiB
/// `async fn` 8 bytes past a line was clearly slower per awaited call than
/// one on a line of its own (`benches/recycled.rs`, one thread, the 3 KiB
/// row).
const LINE_ALIGNED_FROM: usize = 512;

/// A cache line, for [`LINE_ALIGNED_FROM`].
const LINE: usize = 64;

/// Where a future of `size` and `align` starts in a block: after the pool
/// pointer, at its alignment, or at a cache line for a large one
/// (**Block layout**). Monotonic in both, so a future no larger and no more
/// aligned than the pool's starts no later than the pool's own offset.
const fn offset_for(size: usize, align: usize) -> usize {
    let header = size_of::<*const RecyclePool>();
    let align = if size >= LINE_ALIGNED_FROM && align < LINE {
        LINE
    } else {
        align
    };
    header.div_ceil(align) * align
}

/// Where an `F` starts in a block.
const fn future_offset<F>() -> usize {
    offset_for(size_of::<F>(), align_of::<F>())
}

impl RecyclePool {
    /// A pool for futures of `layout` (or smaller and no more aligned),
    /// keeping at most `max_idle` idle buffers. Allocates the free lists
    /// (about 16 bytes per idle buffer it may keep); no buffer until the
    /// first call. `max_idle == 0` makes a pool that keeps nothing and so
    /// accepts nothing: futures go where they would without it.
    ///
    /// # Panics
    ///
    /// If a buffer of `layout` plus a pointer would exceed `isize::MAX`
    /// bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::future::RecyclePool;
    /// use hybrid_dispatch::layout::FutureLayout;
    ///
    /// let pool = RecyclePool::new(FutureLayout::of::<[u8; 1024]>(), 64);
    /// assert_eq!(pool.max_idle(), 64);
    /// assert_eq!(pool.buffer_bytes(), 64 + 1024); // a large future starts on a cache line
    /// ```
    #[must_use]
    pub fn new(layout: FutureLayout, max_idle: usize) -> Self {
        let header = offset_for(layout.size(), layout.align());
        // The block is aligned as its future's start must be.
        let align = layout
            .align()
            .max(align_of::<*const RecyclePool>())
            .max(if header >= LINE { LINE } else { 1 });
        let block = header
            .checked_add(layout.size())
            .and_then(|size| Layout::from_size_align(size, align).ok())
            .expect("a recycled buffer's size overflows isize::MAX");
        // Up to a quarter of the bound in the threads' caches, at most
        // `HOT_MAX` each; the rest in the queues: as many as there are
        // buffers to keep, up to `SHARDS`, a power of two.
        let hot = (max_idle / (4 * SHARDS)).min(HOT_MAX);
        let queued = max_idle - hot * SHARDS;
        let count = if max_idle == 0 {
            0
        } else {
            let fit = queued.clamp(1, SHARDS);
            1 << (usize::BITS - 1 - fit.leading_zeros())
        };
        let shards = (0..count)
            .map(|i| {
                // At least one each: `queued` is at least `count` unless the
                // pool keeps fewer buffers than shards (then `count` is 1).
                let share = (queued / count + usize::from(i < queued % count)).max(1);
                CacheLine(Shard {
                    free: ArrayQueue::new(share),
                    misses: AtomicU64::new(0),
                    freed: AtomicU64::new(0),
                })
            })
            .collect::<Vec<_>>()
            .into_boxed_slice();
        let caches = (0..if hot == 0 { 0 } else { SHARDS })
            .map(|_| CacheLine(Cache::default()))
            .collect::<Vec<_>>()
            .into_boxed_slice();
        RecyclePool {
            layout,
            block,
            mask: count.saturating_sub(1),
            shards,
            caches,
            hot,
            max_idle,
        }
    }

    /// The bound on idle buffers that [`Registry`](crate::Registry) and
    /// [`Recycled`](crate::Recycled) choose for futures of `layout`: about
    /// 128 KiB of idle buffers, at least 64 and at most 256 of them.
    /// Sixty-four keeps a buffer in each of sixteen threads' caches and
    /// covers a burst of 48 more concurrent calls without allocating; the
    /// byte budget keeps kilobyte futures from holding megabytes (a 64 KiB
    /// future may still keep 4 MiB idle: lower it with
    /// [`Registry::with_max_idle`](crate::Registry::with_max_idle) or
    /// [`trim`](Self::trim)).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::future::RecyclePool;
    /// use hybrid_dispatch::layout::FutureLayout;
    ///
    /// assert_eq!(RecyclePool::default_max_idle(FutureLayout::of::<[u8; 184]>()), 256);
    /// assert_eq!(RecyclePool::default_max_idle(FutureLayout::of::<[u8; 1024]>()), 127);
    /// assert_eq!(RecyclePool::default_max_idle(FutureLayout::of::<[u8; 65536]>()), 64);
    /// ```
    #[must_use]
    pub fn default_max_idle(layout: FutureLayout) -> usize {
        const IDLE_BYTES: usize = 128 * 1024;
        let buffer = layout.size().max(1) + size_of::<*const RecyclePool>();
        (IDLE_BYTES / buffer).clamp(64, 256)
    }

    /// The largest future layout this pool serves.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::future::RecyclePool;
    /// use hybrid_dispatch::layout::FutureLayout;
    ///
    /// let layout = FutureLayout::of::<[u64; 8]>();
    /// assert_eq!(RecyclePool::new(layout, 1).layout(), layout);
    /// ```
    #[must_use]
    pub fn layout(&self) -> FutureLayout {
        self.layout
    }

    /// The bound on idle buffers.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::future::RecyclePool;
    /// use hybrid_dispatch::layout::FutureLayout;
    ///
    /// let pool = RecyclePool::new(FutureLayout::of::<[u64; 64]>(), 3);
    /// assert_eq!(pool.max_idle(), 3);
    /// assert_eq!(pool.stats().max_idle, 3);
    /// ```
    #[must_use]
    pub fn max_idle(&self) -> usize {
        self.max_idle
    }

    /// The size of one buffer: the future's layout plus a pointer back to
    /// the pool, rounded to the future's alignment.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::future::RecyclePool;
    /// use hybrid_dispatch::layout::FutureLayout;
    ///
    /// let pool = RecyclePool::new(FutureLayout::of::<[u64; 8]>(), 3);
    /// // The pointer back to the pool, then the 64-byte future (64-bit targets).
    /// assert_eq!(pool.buffer_bytes(), 8 + 64);
    /// ```
    #[must_use]
    pub fn buffer_bytes(&self) -> usize {
        self.block.size()
    }

    /// The bytes of one buffer of a pool made for `layout`, without making
    /// the pool (for reports).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::future::RecyclePool;
    /// use hybrid_dispatch::layout::FutureLayout;
    ///
    /// let layout = FutureLayout::of::<[u8; 1024]>();
    /// assert_eq!(RecyclePool::buffer_bytes_for(layout), RecyclePool::new(layout, 1).buffer_bytes());
    /// ```
    #[must_use]
    pub const fn buffer_bytes_for(layout: FutureLayout) -> usize {
        offset_for(layout.size(), layout.align()) + layout.size()
    }

    /// Whether a future of type `F` goes into this pool's buffers: it is
    /// not zero-sized (those need no buffer), it is no larger and no more
    /// aligned than [`layout`](Self::layout), and the pool keeps buffers
    /// (`max_idle > 0`).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::future::RecyclePool;
    /// use hybrid_dispatch::layout::FutureLayout;
    ///
    /// let pool = RecyclePool::new(FutureLayout::of::<[u64; 8]>(), 1);
    /// assert!(pool.accepts::<[u64; 8]>() && pool.accepts::<[u8; 3]>());
    /// assert!(!pool.accepts::<[u64; 9]>() && !pool.accepts::<()>());
    /// ```
    #[inline]
    #[must_use]
    pub fn accepts<F>(&self) -> bool {
        size_of::<F>() != 0
            && size_of::<F>() <= self.layout.size()
            && align_of::<F>() <= self.layout.align()
            && !self.shards.is_empty()
    }

    /// A snapshot of the counters (see [`PoolStats`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::SendRecycledFuture;
    /// use hybrid_dispatch::future::RecyclePool;
    /// use hybrid_dispatch::layout::FutureLayout;
    ///
    /// let pool = RecyclePool::new(FutureLayout::of::<core::future::Ready<[u8; 512]>>(), 1);
    /// let first = SendRecycledFuture::new_recycled(&pool, || core::future::ready([0u8; 512]));
    /// let second = SendRecycledFuture::new_recycled(&pool, || core::future::ready([0u8; 512]));
    /// drop(first);
    /// drop(second); // the pool keeps one idle buffer: this one is freed
    /// let stats = pool.stats();
    /// assert_eq!((stats.misses, stats.idle, stats.freed), (2, 1, 1));
    /// assert_eq!(stats.idle_bytes, pool.buffer_bytes() as u64);
    /// ```
    #[must_use]
    pub fn stats(&self) -> PoolStats {
        let sum = |f: fn(&Shard) -> u64| self.shards.iter().map(|s| f(&s.0)).sum::<u64>();
        let cached: u64 = self
            .caches
            .iter()
            .map(|c| c.0.len.load(Relaxed) as u64)
            .sum();
        let idle = sum(|s| s.free.len() as u64) + cached;
        PoolStats {
            misses: sum(|s| s.misses.load(Relaxed)),
            freed: sum(|s| s.freed.load(Relaxed)),
            idle,
            idle_bytes: idle * self.block.size() as u64,
            max_idle: self.max_idle as u64,
            buffer_bytes: self.block.size() as u64,
        }
    }

    /// Frees every idle buffer it can reach and returns how many it freed:
    /// those in the shared queues and in the calling thread's cache. Other
    /// threads' caches (at most 4 buffers each, and only when `max_idle` is
    /// at least 64) are theirs alone; they are freed with the pool. Buffers
    /// in use are not affected; they come back (and are kept again) when
    /// their futures are dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::SendRecycledFuture;
    /// use hybrid_dispatch::future::RecyclePool;
    /// use hybrid_dispatch::layout::FutureLayout;
    ///
    /// let pool = RecyclePool::new(FutureLayout::of::<core::future::Ready<[u64; 8]>>(), 4);
    /// drop(SendRecycledFuture::new_recycled(&pool, || core::future::ready([0u64; 8])));
    /// assert_eq!(pool.stats().idle, 1);
    /// assert_eq!(pool.trim(), 1);
    /// assert_eq!(pool.stats().idle, 0);
    /// ```
    pub fn trim(&self) -> usize {
        let mut freed = 0;
        if let Some(cache) = self.own_cache() {
            while let Some(block) = cache.pop() {
                self.free_block(block);
                self.home().freed.fetch_add(1, Relaxed);
                freed += 1;
            }
        }
        for shard in &*self.shards {
            while let Some(block) = shard.0.free.pop() {
                self.free_block(block);
                shard.0.freed.fetch_add(1, Relaxed);
                freed += 1;
            }
        }
        freed
    }

    /// The calling thread's shard.
    #[inline]
    fn home(&self) -> &Shard {
        &self.shards[shard() & self.mask].0
    }

    /// An idle block, or a fresh one (a miss). `None` only if the
    /// allocation failed. Its offset 0 is the caller's to write
    /// (**Pool outlives its blocks**: what is written there depends on how
    /// the handle keeps the pool alive).
    ///
    /// The pool must accept something (`!shards.is_empty()`).
    ///
    /// Always inline, with the queues' path out of line: left to the
    /// compiler, the whole take stayed a call of its own, which saved and
    /// restored five registers on every recycled call (8 to 13
    /// instructions of each on every path and size but one, measured with
    /// callgrind: BENCHMARKS.md, "A recycled take inline").
    #[inline(always)]
    fn take(&self) -> Option<(Block, bool)> {
        let cache = self.own_cache();
        match cache.and_then(Cache::pop) {
            Some(block) => Some((block, false)),
            None => self.take_shared(),
        }
    }

    /// This thread's cache, if it owns one and the pool keeps caches.
    #[inline]
    fn own_cache(&self) -> Option<&Cache> {
        let index = own_shard()?;
        let cache = &self.caches.get(index)?.0;
        Some(cache)
    }

    /// A block from the queues, or a fresh one (`true`: a miss): when this
    /// thread's cache is empty, or the pool keeps no caches (see
    /// [`take`](Self::take)).
    #[inline(never)]
    fn take_shared(&self) -> Option<(Block, bool)> {
        let home = self.home();
        let (block, miss) = match home.free.pop() {
            Some(block) => (block, false),
            None => match self.steal() {
                Some(block) => (block, false),
                None => {
                    // SAFETY: `block` has a non-zero size (it holds a
                    // pointer).
                    let fresh = NonNull::new(unsafe { alloc(self.block) })?;
                    // Counted once allocated: a refused allocation (a
                    // `try_` call's error) made no buffer. Before the
                    // block is given back, so no reader sees more idle
                    // and freed buffers than misses.
                    home.misses.fetch_add(1, Relaxed);
                    (Block(fresh), true)
                }
            },
        };
        Some((block, miss))
    }

    /// An idle block from another thread's shard, when this thread's is
    /// empty: futures completed on another thread gave their blocks back
    /// there.
    #[cold]
    fn steal(&self) -> Option<Block> {
        self.shards.iter().find_map(|shard| shard.0.free.pop())
    }

    /// Keeps `block` for the next call, or frees it when every shard is
    /// full (**Owned blocks**).
    #[inline]
    fn give_back(&self, block: Block) {
        let block = match self.own_cache() {
            Some(cache) => match cache.push(block, self.hot) {
                Ok(()) => return,
                Err(block) => block,
            },
            None => block,
        };
        let home = self.home();
        if let Err(block) = home.free.push(block) {
            self.give_back_elsewhere(block, home);
        }
    }

    #[cold]
    fn give_back_elsewhere(&self, mut block: Block, home: &Shard) {
        for shard in &*self.shards {
            match shard.0.free.push(block) {
                Ok(()) => return,
                Err(again) => block = again,
            }
        }
        home.freed.fetch_add(1, Relaxed);
        self.free_block(block);
    }

    fn free_block(&self, block: Block) {
        // SAFETY: **Block layout**: allocated with `self.block`; idle, so
        // no future lives in it (**Owned blocks**).
        unsafe { dealloc(block.0.as_ptr(), self.block) };
    }
}

impl Drop for RecyclePool {
    fn drop(&mut self) {
        // Blocks in use cannot exist: each borrows the pool or holds a
        // strong count of its `Arc` (**Pool outlives its blocks**); leaked
        // ones are leaked.
        self.trim();
        let block_layout = self.block;
        for cache in &mut *self.caches {
            let cache = &mut cache.0;
            let len = *cache.len.get_mut();
            for slot in &mut cache.slots[..len] {
                // SAFETY: **Thread caches have one user**: with `&mut self`
                // no thread can use the cache; `slots[..len]` are idle
                // blocks of `block_layout` (**Owned blocks**, **Block
                // layout**).
                unsafe { dealloc(*slot.get_mut(), block_layout) };
            }
            *cache.len.get_mut() = 0;
        }
    }
}

impl Cache {
    /// The last block cached, if any.
    ///
    /// Only the cache's own thread calls it (**Thread caches have one
    /// user**): the plain load and store of `len` cannot race.
    #[inline]
    fn pop(&self) -> Option<Block> {
        let len = self.len.load(Relaxed);
        let top = len.checked_sub(1)?;
        let block = self.slots[top].load(Relaxed);
        self.len.store(top, Relaxed);
        // The slot held a block (`slots[..len]`), never null.
        NonNull::new(block).map(Block)
    }

    /// Caches `block` if fewer than `hot` are cached; else hands it back.
    /// Only the cache's own thread calls it, as for [`pop`](Self::pop).
    #[inline]
    fn push(&self, block: Block, hot: usize) -> Result<(), Block> {
        let len = self.len.load(Relaxed);
        if len >= hot {
            return Err(block);
        }
        self.slots[len].store(block.0.as_ptr(), Relaxed);
        self.len.store(len + 1, Relaxed);
        Ok(())
    }
}

impl fmt::Debug for RecyclePool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecyclePool")
            .field("layout", &self.layout)
            .field("shards", &self.shards.len())
            .field("stats", &self.stats())
            .finish()
    }
}

/// How the handle holding a block keeps the block's pool alive, and how
/// the block goes back (**Pool outlives its blocks**).
pub(super) trait Keep {
    /// Gives `block` back to the pool whose address is at its offset 0,
    /// then lets go of that pool.
    ///
    /// # Safety
    ///
    /// `block` was taken from that pool and its offset 0 written by a
    /// [`Lender`] whose `Keep` is `Self`; it holds no live future and the
    /// caller uses it never again (**Owned blocks**).
    unsafe fn give_back(block: NonNull<u8>);
}

/// The handle borrows the pool for its whole life; offset 0 holds
/// `ptr::from_ref(pool)`.
pub(super) struct Borrowed;

impl Keep for Borrowed {
    #[inline]
    unsafe fn give_back(block: NonNull<u8>) {
        // SAFETY: **Pool outlives its blocks** (`Borrowed`, the caller's
        // guarantee): offset 0 holds the address of the live pool the
        // block was taken from, which the handle still borrows.
        let pool = unsafe { &*block.cast::<*const RecyclePool>().read() };
        pool.give_back(Block(block));
    }
}

/// The pool is in an `Arc`; offset 0 holds a pointer from
/// `Arc::into_raw`: one strong count, owned by the block while it is in use
/// and released by its give-back. The handle borrows nothing.
pub(super) struct Shared;

impl Keep for Shared {
    #[inline]
    unsafe fn give_back(block: NonNull<u8>) {
        // SAFETY: **Pool outlives its blocks** (`Shared`, the caller's
        // guarantee): offset 0 holds a pointer from
        // `Arc::<RecyclePool>::into_raw` whose count this block owns; it is
        // taken back exactly once, here, as the block leaves use.
        let pool = unsafe { Arc::from_raw(block.cast::<*const RecyclePool>().read()) };
        pool.give_back(Block(block));
        // The last count frees the pool, and with it the block just given
        // back (idle now, so the pool's to free).
        drop(pool);
    }
}

/// Where a construction takes its block and what it writes at the block's
/// offset 0: the pool's address, borrowed ([`Borrowed`]), or a strong count
/// of the `Arc` it is in ([`Shared`]).
pub(super) trait Lender {
    type Keep: Keep;

    fn pool(&self) -> &RecyclePool;

    /// The address for offset 0 of a block just taken from
    /// [`pool`](Lender::pool). For [`Shared`], a strong count that the
    /// block owns from then on: called once per block, only once the block
    /// is taken.
    fn address(&self) -> *const RecyclePool;
}

impl Lender for &RecyclePool {
    type Keep = Borrowed;

    #[inline]
    fn pool(&self) -> &RecyclePool {
        self
    }

    #[inline]
    fn address(&self) -> *const RecyclePool {
        core::ptr::from_ref(*self)
    }
}

impl Lender for &Arc<RecyclePool> {
    type Keep = Shared;

    #[inline]
    fn pool(&self) -> &RecyclePool {
        self
    }

    #[inline]
    fn address(&self) -> *const RecyclePool {
        // A pointer with the whole allocation's provenance, which
        // `Arc::from_raw` needs (one derived from `&RecyclePool` covers the
        // pool only, not the counts before it).
        Arc::into_raw(Arc::clone(self))
    }
}

/// Gives a block back if a construction unwinds before its future is in
/// it (`make` panicked): the block goes back empty and, [`Shared`], the
/// count is released. Forgotten once the future is written.
struct Unfilled<K: Keep>(NonNull<u8>, PhantomData<K>);

impl<K: Keep> Drop for Unfilled<K> {
    fn drop(&mut self) {
        // SAFETY: the block was taken and its offset 0 written by a lender
        // of `K` (`build`); no future was written to it, and `build` drops
        // this guard only by unwinding, never uses the block after.
        unsafe { K::give_back(self.0) };
    }
}

/// The buffer of a [`Storage`](super::vtable::Storage) holds a pointer to a
/// block of a [`RecyclePool`]; the `F` is in that block at
/// [`future_offset`], and dropping it gives the block back as `K` says.
pub(super) struct Pooled<Cap, K>(PhantomData<(Cap, K)>);

impl<Cap: Capacity, K> Pooled<Cap, K> {
    /// The block the storage's buffer points to.
    ///
    /// # Safety
    ///
    /// `storage` is a `Storage<Cap>` holding a block pointer.
    #[inline]
    unsafe fn block(storage: *mut u8) -> *mut u8 {
        // SAFETY: the caller's guarantee; `Indirect` reads the pointer in
        // the buffer, whatever it points to.
        unsafe { Indirect::<Cap>::future::<u8>(storage) }
    }
}

impl<Cap: Capacity, K: Keep> Site for Pooled<Cap, K> {
    const PLACEMENT: Placement = Placement::Recycled;

    #[inline]
    unsafe fn future<F>(storage: *mut u8) -> *mut F {
        // SAFETY: the caller's guarantee: a block holding an `F` at its
        // offset (**Block layout**).
        unsafe { Self::block(storage).add(future_offset::<F>()).cast::<F>() }
    }

    unsafe fn drop<F>(storage: *mut u8) {
        /// Gives the block back even when `F`'s destructor panics.
        struct GiveBack<K: Keep>(NonNull<u8>, PhantomData<K>);
        impl<K: Keep> Drop for GiveBack<K> {
            fn drop(&mut self) {
                // SAFETY: the block came from a lender of `K` (the storage
                // was made by `build` with this place); its future was
                // just dropped and the storage uses it never again.
                unsafe { K::give_back(self.0) };
            }
        }
        // SAFETY: the caller's guarantee: the storage holds a block with a
        // live `F` that is used never again.
        let block = unsafe { Self::block(storage) };
        // SAFETY: blocks come from `alloc`, never null.
        let _give_back = GiveBack::<K>(unsafe { NonNull::new_unchecked(block) }, PhantomData);
        // SAFETY: as above; dropped where it lies, as `Pin` wants. The
        // block is given back after (**Owned blocks**: no future in it).
        unsafe { block.add(future_offset::<F>()).cast::<F>().drop_in_place() };
    }
}

/// [`Pooled`], with an owner `O` in the storage's buffer after the block
/// pointer ([`Storage::put_pointer_and_owner_at`](super::vtable::Storage::put_pointer_and_owner_at)),
/// which keeps alive the pool and what the future borrows. Dropping drops
/// the future, gives the block back, then drops the owner (**Owner
/// outlives the borrow**, **Pool outlives its blocks**). Made by
/// [`build_owned`].
pub(super) struct PooledOwned<Cap, O>(PhantomData<(Cap, O)>);

impl<Cap: Capacity, O> Site for PooledOwned<Cap, O> {
    const PLACEMENT: Placement = Placement::Recycled;

    #[inline]
    unsafe fn future<F>(storage: *mut u8) -> *mut F {
        // SAFETY: the caller's guarantee, as for `Pooled`.
        unsafe { Pooled::<Cap, Borrowed>::future::<F>(storage) }
    }

    unsafe fn drop<F>(storage: *mut u8) {
        // SAFETY: the caller's guarantee: the storage was made by
        // `build_owned` with this place (only where `OwnerRoom::FITS`), so
        // its buffer holds a live `O` after the block pointer
        // (`owner_in_buffer`); read out once, here, as the storage is
        // used never again. Declared first, so dropped last: after the
        // block is given back below, even if `F`'s destructor panics.
        let _owner = unsafe { owner_in_buffer::<Cap, O>(storage).read_unaligned() };
        // SAFETY: the caller's guarantee: `Pooled`'s drop, with the pool
        // borrowed (`Borrowed`) and kept alive by `_owner`.
        unsafe { Pooled::<Cap, Borrowed>::drop::<F>(storage) };
    }
}

/// Builds `make()`'s future in its final place, like [`build`], and stores
/// the owner `owner()` gives, which keeps alive what the future borrows and
/// `pool` itself, where it is dropped after both the future and the
/// future's block: beside the future inline ([`WithOwner`]) when both fit
/// `Cap`; in the handle's buffer after the pointer to a block of `pool`
/// ([`PooledOwned`]) when the pool accepts the future and the buffer has
/// room; else beside the future in a box. The owner is taken out of
/// `cell` (which must hold it) while `make` runs and stored once `make`
/// has returned: if `make` unwinds, it is put back, so it is still the
/// caller's, dropped after whatever the caller holds that borrows it.
///
/// The [`Erasure`] reports the future's own layout, without the owner.
#[inline]
pub(super) fn build_owned<F: Future, C: FnOnce() -> F, Cap: Capacity, O>(
    pool: &RecyclePool,
    make: C,
    cell: &mut Option<O>,
) -> (OwnedStorage<Cap>, Erasure) {
    let () = PointerRoom::<Cap>::CHECK;
    let layout = FutureLayout::of::<F>();
    let lent = Lent::take(cell);
    if fits_inline::<WithOwner<F, O>, Cap>() {
        let future = make();
        let storage = OwnedStorage::inline(WithOwner {
            future,
            owner: lent.keep(),
        });
        return (storage, Erasure::new(layout, Placement::Inline));
    }
    if OwnerRoom::<Cap, O>::FITS && pool.accepts::<F>() {
        let Ok((block, allocated)) = fill_block(&pool, make, false) else {
            unreachable!("an infallible fill aborts instead of failing")
        };
        // SAFETY: the block holds a live `F` (`fill_block`), owned from
        // here on by the fresh storage, whose `PooledOwned` place drops it,
        // gives the block back to `pool` (`Borrowed`, as `fill_block` wrote
        // it for `&RecyclePool`) and then drops the owner, for which the
        // buffer has room (checked above). **Pool outlives its blocks**:
        // the owner keeps `pool` alive (`build_owned`'s callers' promise)
        // until the block is back.
        let storage = unsafe {
            OwnedStorage::pointer_and_owner_at::<F, PooledOwned<Cap, O>, O>(block, lent.keep())
        };
        return (storage, Erasure::recycled(layout, allocated));
    }
    let Ok(storage) = heap_in_place::<_, _, Cap>(
        move || {
            let future = make();
            WithOwner {
                future,
                owner: lent.keep(),
            }
        },
        false,
    ) else {
        unreachable!("an infallible build aborts instead of failing")
    };
    (storage, Erasure::new(layout, Placement::Heap))
}

/// An owner taken out of its cell while [`build_owned`] builds the future
/// it keeps alive, put back if the building unwinds. Taken before `make`
/// runs, so that nothing that could unwind runs between the future's
/// writes and the owner's: the compiler then builds the future in its
/// final place (taking the owner after `make`, a check that could panic
/// in between made it build the future aside and copy it: 17
/// instructions of a call by name at 40 bytes, in callgrind).
struct Lent<'c, O> {
    cell: &'c mut Option<O>,
    owner: ManuallyDrop<O>,
}

impl<'c, O> Lent<'c, O> {
    /// Takes the owner out of `cell`.
    #[inline]
    fn take(cell: &'c mut Option<O>) -> Self {
        let owner = cell.take().expect("an owner's cell is lent once, full");
        Lent {
            cell,
            owner: ManuallyDrop::new(owner),
        }
    }

    /// The owner, kept: it is no longer put back.
    #[inline]
    fn keep(self) -> O {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this.owner` holds the owner (`take`), read out once
        // here; `this` is never dropped, so its `Drop` does not read it
        // again.
        unsafe { ManuallyDrop::take(&mut this.owner) }
    }
}

impl<O> Drop for Lent<'_, O> {
    /// Puts an owner not kept back in its cell (the building unwound).
    #[inline]
    fn drop(&mut self) {
        // SAFETY: `keep`, the one other place that reads the owner out,
        // forgets the `Lent`: a dropped one still holds it.
        *self.cell = Some(unsafe { ManuallyDrop::take(&mut self.owner) });
    }
}

/// Takes a block of `lender`'s pool (which accepts `F`), writes its offset
/// 0 as `lender` says and builds `make()`'s value (a future, or a stream:
/// `inline_stream.rs`) in it, in its final place. Returns the block, now
/// holding a live `F` that the caller must give to a storage whose place
/// drops it and gives the block back as `L::Keep` says (or leak), and the
/// bytes the take allocated (a miss). `Err(make)` only when `fallible` and
/// the take could not allocate.
#[inline]
pub(super) fn fill_block<F, C: FnOnce() -> F, L: Lender>(
    lender: &L,
    make: C,
    fallible: bool,
) -> Result<(*mut u8, usize), C> {
    let pool = lender.pool();
    debug_assert!(pool.accepts::<F>());
    let Some((block, miss)) = pool.take() else {
        if fallible {
            return Err(make);
        }
        handle_alloc_error(pool.block)
    };
    let block = block.0;
    // SAFETY: **Block layout**: every block has room for a pointer at
    // offset 0, aligned (the block is at least pointer-aligned); this
    // block is ours (**Owned blocks**). Rewritten on every take, so a
    // borrowed pool may move while it holds no block in use.
    unsafe { block.cast::<*const RecyclePool>().write(lender.address()) };
    let unfilled = Unfilled::<L::Keep>(block, PhantomData);
    let block = block.as_ptr();
    // SAFETY: **Block layout**: the pool accepts `F` (the caller checked),
    // so it fits at its offset in the block, which this call owns
    // (**Owned blocks**). Written where it will be polled.
    unsafe { block.add(future_offset::<F>()).cast::<F>().write(make()) };
    core::mem::forget(unfilled);
    let allocated = if miss { pool.block.size() } else { 0 };
    Ok((block, allocated))
}

/// A future and the owner of what it borrows, stored together; dropped in
/// field order, the future first (**Owner outlives the borrow**).
pub(crate) struct WithOwner<F, O> {
    future: F,
    #[expect(
        dead_code,
        reason = "held for what it keeps alive, dropped after `future`"
    )]
    owner: O,
}

impl<F: Future, O> Future for WithOwner<F, O> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: **Pinned**: `future` is pinned structurally: nothing moves
        // it out of a pinned `WithOwner` (no `Drop` impl, no method handing
        // out `&mut` to it); `owner` is never pinned.
        unsafe { self.map_unchecked_mut(|this| &mut this.future) }.poll(cx)
    }
}

/// What a recycled construction did: where the future went and what it
/// allocated, for [`Erasure`].
struct Built<Cap: Capacity> {
    storage: OwnedStorage<Cap>,
    erasure: Erasure,
}

/// Builds `make()`'s future inline when it fits `Cap`, in a block of
/// `lender`'s pool when the pool accepts it, in a box otherwise. The
/// future is written straight into its final place: `make` runs after the
/// place is chosen, so however this is inlined, the future is not built
/// elsewhere and copied.
///
/// `Err(make)` only when `fallible` and an allocation failed.
#[inline]
fn build<F: Future, C: FnOnce() -> F, Cap: Capacity, L: Lender>(
    lender: L,
    make: C,
    fallible: bool,
) -> Result<Built<Cap>, C> {
    let () = PointerRoom::<Cap>::CHECK;
    let layout = FutureLayout::of::<F>();
    if fits_inline::<F, Cap>() {
        return Ok(Built {
            storage: OwnedStorage::inline(make()),
            erasure: Erasure::new(layout, crate::layout::Placement::Inline),
        });
    }
    if lender.pool().accepts::<F>() {
        let (block, allocated) = fill_block(&lender, make, fallible)?;
        // SAFETY: the block holds a live `F` (`fill_block`), owned from
        // here on by the fresh storage, whose `Pooled` place drops it and
        // gives the block back as `L::Keep` says (**Pool outlives its
        // blocks**: a borrowed pool's callers tie the handle's lifetime to
        // the pool borrow; a shared one's count was just written at offset
        // 0). The `F` is pinned: the block does not move while it is in
        // use.
        let storage = unsafe { OwnedStorage::pointer_at::<F, Pooled<Cap, L::Keep>>(block) };
        return Ok(Built {
            storage,
            erasure: Erasure::recycled(layout, allocated),
        });
    }
    match heap_in_place(make, fallible) {
        Ok(storage) => Ok(Built {
            storage,
            erasure: Erasure::new(
                layout,
                crate::layout::Placement::of_handle(size_of::<F>() != 0),
            ),
        }),
        Err(make) => Err(make),
    }
}

/// A future in a handle of two words, a vtable pointer and a pointer to
/// a buffer recycled from a [`RecyclePool`]: what
/// [`InlineBox::new_recycled`] builds with `Cap = S1`. Moving it (an
/// `.await` does) copies 16 bytes, whatever the future's size.
///
/// Futures of at most 8 bytes stay in the handle; a future the pool does
/// not accept goes to a box of its own. `!Send`; [`SendRecycledFuture`] is
/// the `Send` one.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::RecycledFuture;
/// use hybrid_dispatch::future::RecyclePool;
/// use hybrid_dispatch::layout::FutureLayout;
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let local = std::rc::Rc::new([7u8; 300]);
/// let make = || { let local = local.clone(); async move { local.iter().map(|&b| u32::from(b)).sum::<u32>() } };
/// let pool = RecyclePool::new(FutureLayout::of_val(&make()), 2);
/// let fut = RecycledFuture::new_recycled(&pool, make);
/// assert_eq!(core::mem::size_of_val(&fut), 16);
/// assert_eq!(block_on(fut), 2100);
/// ```
pub type RecycledFuture<'a, T> = InlineBox<dyn Future<Output = T> + 'a, S1>;

/// The `Send` twin of [`RecycledFuture`].
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::SendRecycledFuture;
/// use hybrid_dispatch::future::RecyclePool;
/// use hybrid_dispatch::layout::FutureLayout;
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let pool = RecyclePool::new(FutureLayout::of::<core::future::Ready<[u8; 300]>>(), 2);
/// let fut = SendRecycledFuture::new_recycled(&pool, || core::future::ready([1u8; 300]));
/// assert_eq!(core::mem::size_of_val(&fut), 16);
/// // `Send`: another thread may finish it.
/// let out = std::thread::scope(|s| s.spawn(move || block_on(fut)).join().unwrap());
/// assert_eq!(out.len(), 300);
/// assert_eq!(pool.stats().idle, 1); // its buffer came back
/// ```
pub type SendRecycledFuture<'a, T> = InlineBox<dyn Future<Output = T> + Send + 'a, S1>;

/// Builds the recycled constructors for one `dyn Future` flavour.
macro_rules! constructors {
    ($($bounds:tt)*) => {
        impl<'a, T, Cap: Capacity> InlineBox<dyn Future<Output = T> $($bounds)* + 'a, Cap> {
            /// Builds `make()`'s future **in its final place**: inline when it
            /// fits `Cap`, in a buffer taken from `pool` when the pool
            /// [`accepts`](RecyclePool::accepts) it (given back when the future
            /// is dropped), in a box of its own otherwise. `make` runs once
            /// the place is chosen and its future is written there, so the
            /// future is never built elsewhere and copied, however the
            /// optimiser inlines this.
            ///
            /// Allocates only when the pool has no idle buffer (a miss) or
            /// does not accept the future; aborts if that allocation fails,
            /// as `Box::new` does ([`try_new_recycled`](Self::try_new_recycled)
            /// does not). The handle borrows `pool` for `'a`.
            ///
            /// # Examples
            ///
            /// ```
            /// use hybrid_dispatch::{SendInlineFuture, future::RecyclePool};
            /// use hybrid_dispatch::layout::FutureLayout;
            ///
            /// let pool = RecyclePool::new(FutureLayout::of::<core::future::Ready<[u8; 512]>>(), 4);
            /// let big = SendInlineFuture::<'_, [u8; 512]>::new_recycled(&pool, || core::future::ready([1; 512]));
            /// let small = SendInlineFuture::<'_, u8>::new_recycled(&pool, || core::future::ready(1));
            /// assert!(big.is_recycled() && !big.is_heap());
            /// assert!(!small.is_recycled()); // it fits inline
            /// ```
            #[inline]
            pub fn new_recycled<F, C>(pool: &'a RecyclePool, make: C) -> Self
            where
                F: Future<Output = T> $($bounds)* + 'a,
                C: FnOnce() -> F,
            {
                Self::recycled_erasure(pool, make).0
            }

            /// [`new_recycled`](Self::new_recycled), with the [`Erasure`] it made:
            /// where the future went and what this call allocated.
            #[inline]
            pub(crate) fn recycled_erasure<F, C>(pool: &'a RecyclePool, make: C) -> (Self, Erasure)
            where
                F: Future<Output = T> $($bounds)* + 'a,
                C: FnOnce() -> F,
            {
                let Ok(built) = build::<F, C, Cap, _>(pool, make, false) else {
                    unreachable!("an infallible build aborts instead of failing")
                };
                (InlineBox::from_storage(built.storage), built.erasure)
            }

            /// [`new_recycled`](Self::new_recycled), but a failed allocation
            /// is an [`AllocError`] instead of an abort. `make` is not called
            /// then.
            ///
            /// # Errors
            ///
            /// [`AllocError`] when the future needs memory (a miss, or a box)
            /// and the allocator has none.
            ///
            /// # Examples
            ///
            /// ```
            /// use hybrid_dispatch::{SendInlineFuture, future::RecyclePool};
            /// use hybrid_dispatch::layout::FutureLayout;
            ///
            /// let pool = RecyclePool::new(FutureLayout::of::<core::future::Ready<[u8; 512]>>(), 4);
            /// let fut = SendInlineFuture::<'_, [u8; 512]>::try_new_recycled(&pool, || core::future::ready([1; 512]));
            /// assert!(fut.unwrap().is_recycled());
            /// ```
            #[inline]
            pub fn try_new_recycled<F, C>(pool: &'a RecyclePool, make: C) -> Result<Self, AllocError>
            where
                F: Future<Output = T> $($bounds)* + 'a,
                C: FnOnce() -> F,
            {
                Self::try_recycled_erasure(pool, make)
                    .map(|(future, _)| future)
                    .map_err(|(_, error)| error)
            }

            /// [`try_new_recycled`](Self::try_new_recycled), with the
            /// [`Erasure`] it made, and `make` given back, not called, with
            /// the error: what a `try_` call returns its request from.
            #[inline]
            pub(crate) fn try_recycled_erasure<F, C>(
                pool: &'a RecyclePool,
                make: C,
            ) -> Result<(Self, Erasure), (C, AllocError)>
            where
                F: Future<Output = T> $($bounds)* + 'a,
                C: FnOnce() -> F,
            {
                match build::<F, C, Cap, _>(pool, make, true) {
                    Ok(built) => Ok((InlineBox::from_storage(built.storage), built.erasure)),
                    Err(make) => Err((make, AllocError::new(FutureLayout::of::<F>()))),
                }
            }

            /// [`new_recycled`](Self::new_recycled) from a pool in an `Arc`:
            /// a future placed in one of its buffers holds a count of the
            /// `Arc` until it is dropped, so the handle does not borrow the
            /// pool and lives as long as its future may (`'a` is the
            /// future's alone: `'static` for a future that borrows nothing,
            /// one a `tokio::spawn` takes). Taking and giving back a
            /// buffer cost one more atomic increment and decrement than
            /// [`new_recycled`](Self::new_recycled); inline and boxed
            /// futures take no count.
            ///
            /// # Examples
            ///
            /// ```
            /// use std::sync::Arc;
            /// use hybrid_dispatch::{SendInlineFuture, future::RecyclePool};
            /// use hybrid_dispatch::layout::FutureLayout;
            ///
            /// async fn work() -> usize {
            ///     let page = [1u8; 512]; // held across the await: a 512-byte future
            ///     tokio::task::yield_now().await;
            ///     page.len()
            /// }
            ///
            /// fn detached(pool: &Arc<RecyclePool>) -> SendInlineFuture<'static, usize> {
            ///     SendInlineFuture::new_recycled_arc(pool, work)
            /// }
            ///
            /// #[tokio::main(flavor = "current_thread")]
            /// async fn main() {
            ///     let pool = Arc::new(RecyclePool::new(FutureLayout::of_val(&work()), 4));
            ///     for _ in 0..10 {
            ///         let fut = detached(&pool);
            ///         assert!(fut.is_recycled());
            ///         assert_eq!(tokio::spawn(fut).await.unwrap(), 512);
            ///     }
            ///     assert_eq!(pool.stats().misses, 1); // one buffer for ten spawned calls
            ///     let fut = detached(&pool);
            ///     drop(pool); // the future keeps the pool alive
            ///     assert_eq!(fut.await, 512);
            /// }
            /// ```
            #[inline]
            pub fn new_recycled_arc<F, C>(pool: &Arc<RecyclePool>, make: C) -> Self
            where
                F: Future<Output = T> $($bounds)* + 'a,
                C: FnOnce() -> F,
            {
                Self::recycled_erasure_arc(pool, make).0
            }

            /// [`new_recycled_arc`](Self::new_recycled_arc), with the
            /// [`Erasure`] it made: where the future went and what this call
            /// allocated.
            #[inline]
            pub(crate) fn recycled_erasure_arc<F, C>(
                pool: &Arc<RecyclePool>,
                make: C,
            ) -> (Self, Erasure)
            where
                F: Future<Output = T> $($bounds)* + 'a,
                C: FnOnce() -> F,
            {
                let Ok(built) = build::<F, C, Cap, _>(pool, make, false) else {
                    unreachable!("an infallible build aborts instead of failing")
                };
                (InlineBox::from_storage(built.storage), built.erasure)
            }

            /// [`new_recycled_arc`](Self::new_recycled_arc), but a failed
            /// allocation is an [`AllocError`] instead of an abort. `make` is
            /// not called then.
            ///
            /// # Errors
            ///
            /// [`AllocError`] when the future needs memory (a miss, or a box)
            /// and the allocator has none.
            ///
            /// # Examples
            ///
            /// ```
            /// use std::sync::Arc;
            /// use hybrid_dispatch::{SendInlineFuture, future::RecyclePool};
            /// use hybrid_dispatch::layout::FutureLayout;
            ///
            /// let pool = Arc::new(RecyclePool::new(FutureLayout::of::<core::future::Ready<[u8; 512]>>(), 4));
            /// let fut: SendInlineFuture<'static, [u8; 512]> =
            ///     SendInlineFuture::try_new_recycled_arc(&pool, || core::future::ready([1; 512])).unwrap();
            /// assert!(fut.is_recycled());
            /// ```
            #[inline]
            pub fn try_new_recycled_arc<F, C>(pool: &Arc<RecyclePool>, make: C) -> Result<Self, AllocError>
            where
                F: Future<Output = T> $($bounds)* + 'a,
                C: FnOnce() -> F,
            {
                Self::try_recycled_erasure_arc(pool, make)
                    .map(|(future, _)| future)
                    .map_err(|(_, error)| error)
            }

            /// [`try_new_recycled_arc`](Self::try_new_recycled_arc), with
            /// the [`Erasure`] it made, and `make` given back, not called,
            /// with the error.
            #[inline]
            pub(crate) fn try_recycled_erasure_arc<F, C>(
                pool: &Arc<RecyclePool>,
                make: C,
            ) -> Result<(Self, Erasure), (C, AllocError)>
            where
                F: Future<Output = T> $($bounds)* + 'a,
                C: FnOnce() -> F,
            {
                match build::<F, C, Cap, _>(pool, make, true) {
                    Ok(built) => Ok((InlineBox::from_storage(built.storage), built.erasure)),
                    Err(make) => Err((make, AllocError::new(FutureLayout::of::<F>()))),
                }
            }
        }
    };
}

constructors!();
constructors!(+ Send);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests_support::YieldOnce;
    use alloc::string::String;
    use core::pin::{Pin, pin};
    use core::sync::atomic::AtomicUsize;
    use core::task::{Context, Poll, Waker};
    use std::panic::{AssertUnwindSafe, catch_unwind};

    type Send1<'a, T> = SendRecycledFuture<'a, T>;

    fn poll_once<F: Future + ?Sized>(f: Pin<&mut F>) -> Poll<F::Output> {
        f.poll(&mut Context::from_waker(Waker::noop()))
    }

    fn run<F: Future + ?Sized>(mut fut: Pin<&mut F>) -> F::Output {
        loop {
            if let Poll::Ready(v) = poll_once(fut.as_mut()) {
                break v;
            }
        }
    }

    /// Counts its drops; holds 256 bytes so it never fits inline.
    struct Tracked<'a> {
        drops: &'a AtomicUsize,
        payload: [u64; 32],
    }

    impl Drop for Tracked<'_> {
        fn drop(&mut self) {
            self.drops.fetch_add(1, Relaxed);
        }
    }

    async fn tracked_work(tracked: Tracked<'_>, panic: bool) -> u64 {
        YieldOnce::default().await;
        assert!(!panic, "boom");
        tracked.payload.iter().sum()
    }

    fn pool_for<F>(_: impl Fn() -> F, max_idle: usize) -> RecyclePool {
        RecyclePool::new(FutureLayout::of::<F>(), max_idle)
    }

    fn make(drops: &AtomicUsize, panic: bool) -> impl Future<Output = u64> + Send + '_ {
        tracked_work(
            Tracked {
                drops,
                payload: [1; 32],
            },
            panic,
        )
    }

    #[test]
    fn completed_cancelled_and_unpolled_futures_drop_once_and_give_back() {
        let drops = AtomicUsize::new(0);
        let pool = pool_for(|| make(&drops, false), 4);
        // Completed.
        let fut = Send1::new_recycled(&pool, || make(&drops, false));
        assert!(fut.is_recycled() && !fut.is_heap());
        assert_eq!(core::mem::size_of_val(&fut), 16);
        assert_eq!(run(pin!(fut)), 32);
        assert_eq!(drops.load(Relaxed), 1);
        // Cancelled after one poll.
        let mut fut = Box::pin(Send1::new_recycled(&pool, || make(&drops, false)));
        assert_eq!(poll_once(fut.as_mut()), Poll::Pending);
        drop(fut);
        assert_eq!(drops.load(Relaxed), 2);
        // Never polled.
        drop(Send1::new_recycled(&pool, || make(&drops, false)));
        assert_eq!(drops.load(Relaxed), 3);
        let stats = pool.stats();
        assert_eq!((stats.misses, stats.idle, stats.freed), (1, 1, 0));
        assert_eq!(stats.idle_bytes, pool.buffer_bytes() as u64);
    }

    #[test]
    fn a_panicking_poll_drops_once_and_gives_back() {
        let drops = AtomicUsize::new(0);
        let pool = pool_for(|| make(&drops, true), 4);
        let mut fut = Box::pin(Send1::new_recycled(&pool, || make(&drops, true)));
        assert_eq!(poll_once(fut.as_mut()), Poll::Pending);
        let panicked = catch_unwind(AssertUnwindSafe(|| poll_once(fut.as_mut())));
        assert!(panicked.is_err());
        assert!(fut.has_panicked());
        // The panic unwound through the `async fn`, which dropped its locals.
        assert_eq!(drops.load(Relaxed), 1);
        let again = catch_unwind(AssertUnwindSafe(|| poll_once(fut.as_mut())));
        assert!(again.is_err(), "polled after a panic: a clear panic");
        drop(fut);
        assert_eq!(drops.load(Relaxed), 1);
        assert_eq!(pool.stats().idle, 1);
    }

    /// A future whose destructor panics.
    struct Bomb([u64; 16]);

    impl Drop for Bomb {
        fn drop(&mut self) {
            panic!("destructor");
        }
    }

    impl Future for Bomb {
        type Output = u64;
        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u64> {
            Poll::Ready(self.0[0])
        }
    }

    #[test]
    fn a_panicking_destructor_still_gives_back() {
        let pool = RecyclePool::new(FutureLayout::of::<Bomb>(), 2);
        let fut = Send1::new_recycled(&pool, || Bomb([5; 16]));
        assert!(catch_unwind(AssertUnwindSafe(|| drop(fut))).is_err());
        assert_eq!(pool.stats().idle, 1);
    }

    #[test]
    fn polled_after_completion_panics() {
        let pool = RecyclePool::new(FutureLayout::of::<core::future::Ready<[u8; 64]>>(), 1);
        let mut fut = Box::pin(Send1::new_recycled(&pool, || {
            core::future::ready([1u8; 64])
        }));
        assert!(poll_once(fut.as_mut()).is_ready());
        assert!(fut.is_terminated());
        assert!(catch_unwind(AssertUnwindSafe(|| poll_once(fut.as_mut()))).is_err());
    }

    /// A future that keeps a reference into itself across awaits, polled
    /// in a recycled buffer, with `&self` reads of the handle between
    /// polls. Miri checks the aliasing.
    #[test]
    fn self_references_survive_polls() {
        async fn self_referential(rounds: u32) -> u32 {
            let mut state = [0u32; 40];
            let slot = &mut state[1];
            for i in 0..rounds {
                YieldOnce::default().await;
                *slot += i;
            }
            state.iter().sum()
        }
        let rounds = if cfg!(miri) { 3 } else { 50 };
        let pool = RecyclePool::new(FutureLayout::of_val(&self_referential(0)), 2);
        let mut fut = pin!(Send1::new_recycled(&pool, || self_referential(rounds)));
        assert_eq!(poll_once(fut.as_mut()), Poll::Pending);
        let _ = alloc::format!("{:?} {}", fut, fut.is_recycled());
        assert_eq!(run(fut), (0..rounds).sum::<u32>());
    }

    #[test]
    fn idle_buffers_are_bounded_and_trimmed() {
        let pool = RecyclePool::new(FutureLayout::of::<core::future::Ready<[u8; 100]>>(), 3);
        let futures: Vec<_> = (0..5)
            .map(|_| Send1::new_recycled(&pool, || core::future::ready([0u8; 100])))
            .collect();
        assert_eq!(pool.stats().misses, 5);
        drop(futures);
        let stats = pool.stats();
        assert_eq!((stats.idle, stats.freed), (3, 2));
        // Reused: no more misses.
        for _ in 0..3 {
            drop(Send1::new_recycled(&pool, || {
                core::future::ready([0u8; 100])
            }));
        }
        assert_eq!(pool.stats().misses, 5);
        assert_eq!(pool.trim(), 3);
        assert_eq!(pool.stats().idle, 0);
    }

    #[test]
    fn what_the_pool_does_not_accept_goes_elsewhere() {
        let pool = RecyclePool::new(FutureLayout::of::<[u64; 4]>(), 2);
        // Larger than the pool's layout: a box of its own.
        let big = Send1::new_recycled(&pool, || core::future::ready([0u64; 8]));
        assert!(big.is_heap() && !big.is_recycled());
        // Fits the handle: inline.
        let small = Send1::new_recycled(&pool, || core::future::ready(1u32));
        assert!(!small.is_heap() && !small.is_recycled());
        // Zero-sized: nowhere.
        let zst = Send1::new_recycled(&pool, || core::future::ready(()));
        assert!(!zst.is_heap() && !zst.is_recycled());
        // A pool that keeps nothing accepts nothing.
        let off = RecyclePool::new(FutureLayout::of::<[u64; 4]>(), 0);
        assert!(Send1::new_recycled(&off, || core::future::ready([0u64; 3])).is_heap());
        assert_eq!(pool.stats().misses, 0);
    }

    #[test]
    fn over_aligned_futures_are_aligned() {
        #[repr(align(64))]
        struct Wide([u8; 64]);
        let pool = RecyclePool::new(FutureLayout::of::<core::future::Ready<Wide>>(), 2);
        for _ in 0..3 {
            let fut = Send1::new_recycled(&pool, || core::future::ready(Wide([3; 64])));
            assert!(fut.is_recycled());
            let out = run(pin!(fut));
            assert_eq!(core::ptr::from_ref(&out).addr() % 64, 0);
            assert_eq!(out.0[63], 3);
        }
        // The pool pointer takes a whole 64-byte step before the future.
        assert_eq!(
            pool.buffer_bytes(),
            64 + size_of::<core::future::Ready<Wide>>()
        );
    }

    #[test]
    fn the_try_constructors_succeed_when_memory_is_there() {
        let pool = RecyclePool::new(FutureLayout::of::<core::future::Ready<[u8; 200]>>(), 2);
        let fut = Send1::try_new_recycled(&pool, || core::future::ready([2u8; 200])).unwrap();
        assert!(fut.is_recycled());
        assert_eq!(run(pin!(fut))[0], 2);
        let boxed = InlineBox::<dyn Future<Output = [u8; 200]> + Send, S1>::try_new_boxed(
            core::future::ready([4u8; 200]),
        )
        .unwrap();
        assert!(boxed.is_heap());
        assert_eq!(run(pin!(boxed))[199], 4);
        let text = String::from("not sent");
        let local = RecycledFuture::<'_, usize>::try_new_boxed(async move { text.len() }).unwrap();
        assert_eq!(run(pin!(local)), 8);
    }

    #[test]
    fn a_threads_cache_comes_first_and_is_trimmed() {
        let layout = FutureLayout::of::<core::future::Ready<[u8; 100]>>();
        let pool = RecyclePool::new(layout, 64); // one cached buffer per thread
        let futures: Vec<_> = (0..5)
            .map(|_| Send1::new_recycled(&pool, || core::future::ready([0u8; 100])))
            .collect();
        drop(futures);
        assert_eq!(pool.stats().idle, 5);
        for _ in 0..3 {
            drop(Send1::new_recycled(&pool, || {
                core::future::ready([0u8; 100])
            }));
        }
        assert_eq!(pool.stats().misses, 5);
        assert_eq!(pool.trim(), 5);
        assert_eq!(pool.stats().idle, 0);
        // A pool dropped with buffers in a thread's cache frees them.
        let pool = RecyclePool::new(layout, 256);
        drop(Send1::new_recycled(&pool, || {
            core::future::ready([0u8; 100])
        }));
        assert_eq!(pool.stats().idle, 1);
        drop(pool);
    }

    /// Many threads take and give back at once; every buffer comes back,
    /// the bound holds, nothing is dropped twice (Miri checks the races),
    /// with and without the threads' caches.
    #[test]
    fn concurrent_calls_from_threads() {
        concurrent_calls(4);
        concurrent_calls(64);
    }

    fn concurrent_calls(max_idle: usize) {
        // Under Miri, two threads racing for the pool (three made these two
        // tests a seventh of the library's Miri time).
        let threads = if cfg!(miri) { 2 } else { 8 };
        let rounds = if cfg!(miri) { 4 } else { 2_000 };
        let drops = AtomicUsize::new(0);
        let pool = pool_for(|| make(&drops, false), max_idle);
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    for _ in 0..rounds {
                        let a = Send1::new_recycled(&pool, || make(&drops, false));
                        let b = Send1::new_recycled(&pool, || make(&drops, false));
                        assert_eq!(run(pin!(a)) + run(pin!(b)), 64);
                    }
                });
            }
        });
        assert_eq!(drops.load(Relaxed), 2 * threads * rounds);
        let stats = pool.stats();
        assert!(stats.idle <= max_idle as u64);
        // Every buffer allocated is idle or was freed: none is lost.
        assert_eq!(stats.misses, stats.idle + stats.freed);
    }

    /// A pool in an `Arc`, as `new_recycled_arc` takes it.
    fn shared_pool_for<F>(make: impl Fn() -> F, max_idle: usize) -> Arc<RecyclePool> {
        Arc::new(pool_for(make, max_idle))
    }

    #[test]
    fn shared_completed_cancelled_and_unpolled_futures_drop_once_and_give_back() {
        let drops = AtomicUsize::new(0);
        let pool = shared_pool_for(|| make(&drops, false), 4);
        // Completed.
        let fut = Send1::new_recycled_arc(&pool, || make(&drops, false));
        assert!(fut.is_recycled() && !fut.is_heap());
        assert_eq!(core::mem::size_of_val(&fut), 16);
        assert_eq!(Arc::strong_count(&pool), 2, "the buffer holds a count");
        assert_eq!(run(pin!(fut)), 32);
        assert_eq!(drops.load(Relaxed), 1);
        // Released once the future is dropped (the pinned handle was, at
        // the end of `run`'s statement).
        assert_eq!(Arc::strong_count(&pool), 1);
        // Cancelled after one poll.
        let mut fut = Box::pin(Send1::new_recycled_arc(&pool, || make(&drops, false)));
        assert_eq!(poll_once(fut.as_mut()), Poll::Pending);
        drop(fut);
        assert_eq!(drops.load(Relaxed), 2);
        // Never polled.
        drop(Send1::new_recycled_arc(&pool, || make(&drops, false)));
        assert_eq!(drops.load(Relaxed), 3);
        assert_eq!(Arc::strong_count(&pool), 1);
        let stats = pool.stats();
        assert_eq!((stats.misses, stats.idle, stats.freed), (1, 1, 0));
        // Inline and boxed futures take no count.
        let small = Send1::new_recycled_arc(&pool, || core::future::ready(1u8));
        let big = Send1::new_recycled_arc(&pool, || core::future::ready([0u64; 512]));
        assert!(!small.is_recycled() && big.is_heap());
        assert_eq!(Arc::strong_count(&pool), 1);
    }

    /// The handle does not borrow the pool: dropped first, the pool lives
    /// on in its buffers' counts and is freed with the last of them (Miri
    /// checks the use after the `Arc` is gone and the final free).
    #[test]
    fn a_shared_pool_lives_as_long_as_its_futures() {
        let drops = AtomicUsize::new(0);
        let pool = shared_pool_for(|| make(&drops, false), 4);
        let first: Send1<'_, u64> = Send1::new_recycled_arc(&pool, || make(&drops, false));
        let mut second = Box::pin(Send1::new_recycled_arc(&pool, || make(&drops, false)));
        let weak = Arc::downgrade(&pool);
        drop(pool);
        assert_eq!(weak.strong_count(), 2);
        assert_eq!(poll_once(second.as_mut()), Poll::Pending);
        assert_eq!(run(pin!(first)), 32);
        assert_eq!(weak.upgrade().map(|p| p.stats().idle), Some(1));
        assert_eq!(run(second.as_mut()), 32);
        drop(second);
        assert_eq!(weak.strong_count(), 0, "the last buffer freed the pool");
        assert_eq!(drops.load(Relaxed), 2);
    }

    /// A `'static` handle, finished and dropped on another thread, which
    /// then drops the last count: the pool is freed there.
    #[test]
    fn a_shared_future_is_static_and_may_end_elsewhere() {
        async fn work(x: u64) -> u64 {
            let page = [x; 40];
            YieldOnce::default().await;
            page[0] + page[39]
        }
        let pool = Arc::new(RecyclePool::new(FutureLayout::of_val(&work(0)), 2));
        let fut: Send1<'static, u64> = Send1::new_recycled_arc(&pool, || work(3));
        let weak = Arc::downgrade(&pool);
        drop(pool);
        let out = std::thread::spawn(move || run(pin!(fut))).join().unwrap();
        assert_eq!(out, 6);
        assert_eq!(weak.strong_count(), 0);
    }

    #[test]
    fn a_shared_panicking_poll_drops_once_and_gives_back() {
        let drops = AtomicUsize::new(0);
        let pool = shared_pool_for(|| make(&drops, true), 4);
        let mut fut = Box::pin(Send1::new_recycled_arc(&pool, || make(&drops, true)));
        assert_eq!(poll_once(fut.as_mut()), Poll::Pending);
        let panicked = catch_unwind(AssertUnwindSafe(|| poll_once(fut.as_mut())));
        assert!(panicked.is_err());
        assert!(fut.has_panicked());
        assert_eq!(drops.load(Relaxed), 1);
        drop(fut);
        assert_eq!(drops.load(Relaxed), 1);
        assert_eq!(pool.stats().idle, 1);
        assert_eq!(Arc::strong_count(&pool), 1);
    }

    #[test]
    fn a_shared_panicking_destructor_still_gives_back() {
        let pool = Arc::new(RecyclePool::new(FutureLayout::of::<Bomb>(), 2));
        let fut = Send1::new_recycled_arc(&pool, || Bomb([5; 16]));
        assert!(catch_unwind(AssertUnwindSafe(|| drop(fut))).is_err());
        assert_eq!(pool.stats().idle, 1);
        assert_eq!(Arc::strong_count(&pool), 1);
    }

    /// `make` panics after the box for a future the pool cannot hold was
    /// allocated: the box is freed (Miri reports a leak otherwise), and the
    /// pool is untouched.
    #[test]
    fn a_panicking_make_frees_the_box() {
        type Page = core::future::Ready<[u64; 32]>;
        let small = RecyclePool::new(FutureLayout::of::<[u8; 8]>(), 2);
        let made = catch_unwind(AssertUnwindSafe(|| {
            drop(Send1::new_recycled(&small, || -> Page { panic!("make") }));
        }));
        assert!(made.is_err());
        let made = catch_unwind(AssertUnwindSafe(|| {
            drop(Send1::try_new_recycled(&small, || -> Page {
                panic!("make")
            }));
        }));
        assert!(made.is_err());
        assert_eq!(small.stats().misses, 0);
    }

    /// `make` panics after the buffer was taken: the buffer goes back empty
    /// (and its count is released), for both kinds of pool.
    #[test]
    fn a_panicking_make_gives_the_buffer_back() {
        type Page = core::future::Ready<[u64; 32]>;
        let pool = RecyclePool::new(FutureLayout::of::<Page>(), 2);
        let made = catch_unwind(AssertUnwindSafe(|| {
            drop(Send1::new_recycled(&pool, || -> Page { panic!("make") }));
        }));
        assert!(made.is_err());
        assert_eq!((pool.stats().misses, pool.stats().idle), (1, 1));
        let shared = Arc::new(pool);
        let made = catch_unwind(AssertUnwindSafe(|| {
            drop(Send1::new_recycled_arc(&shared, || -> Page {
                panic!("make")
            }));
        }));
        assert!(made.is_err());
        assert_eq!((shared.stats().misses, shared.stats().idle), (1, 1));
        assert_eq!(Arc::strong_count(&shared), 1);
        // And the buffer serves the next call.
        let fut = Send1::new_recycled_arc(&shared, || core::future::ready([7u64; 32]));
        assert_eq!(run(pin!(fut))[31], 7);
        assert_eq!(shared.stats().misses, 1);
    }

    #[test]
    fn shared_idle_buffers_are_bounded_and_trimmed() {
        let pool = Arc::new(RecyclePool::new(
            FutureLayout::of::<core::future::Ready<[u8; 100]>>(),
            3,
        ));
        let futures: Vec<_> = (0..5)
            .map(|_| Send1::new_recycled_arc(&pool, || core::future::ready([0u8; 100])))
            .collect();
        assert_eq!(Arc::strong_count(&pool), 6);
        drop(futures);
        let stats = pool.stats();
        assert_eq!((stats.misses, stats.idle, stats.freed), (5, 3, 2));
        assert_eq!(pool.trim(), 3);
        assert_eq!(pool.stats().idle, 0);
        assert_eq!(Arc::strong_count(&pool), 1);
    }

    #[test]
    fn the_shared_try_constructor_succeeds_when_memory_is_there() {
        let pool = Arc::new(RecyclePool::new(
            FutureLayout::of::<core::future::Ready<[u8; 200]>>(),
            2,
        ));
        let fut: RecycledFuture<'static, [u8; 200]> =
            RecycledFuture::try_new_recycled_arc(&pool, || core::future::ready([2u8; 200]))
                .unwrap();
        assert!(fut.is_recycled());
        assert_eq!(run(pin!(fut))[0], 2);
        assert_eq!(pool.stats().idle, 1);
    }

    /// Many threads take and give back at once through a shared pool, each
    /// holding its own `Arc` and dropping it while its last futures are
    /// still running, so that the last count may go with any thread's
    /// give-back. Miri checks the races and the final free.
    #[test]
    fn shared_concurrent_calls_from_threads() {
        shared_concurrent_calls(4);
        shared_concurrent_calls(64);
    }

    fn shared_concurrent_calls(max_idle: usize) {
        // Under Miri, two threads racing for the pool (three made these two
        // tests a seventh of the library's Miri time).
        let threads = if cfg!(miri) { 2 } else { 8 };
        let rounds = if cfg!(miri) { 4 } else { 2_000 };
        static DROPS: AtomicUsize = AtomicUsize::new(0);
        let before = DROPS.load(Relaxed);
        let pool = shared_pool_for(|| make(&DROPS, false), max_idle);
        let weak = Arc::downgrade(&pool);
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let pool = Arc::clone(&pool);
                std::thread::spawn(move || {
                    for _ in 0..rounds {
                        let a = Send1::new_recycled_arc(&pool, || make(&DROPS, false));
                        let b = Send1::new_recycled_arc(&pool, || make(&DROPS, false));
                        assert_eq!(run(pin!(a)) + run(pin!(b)), 64);
                    }
                    let last = Send1::new_recycled_arc(&pool, || make(&DROPS, false));
                    drop(pool);
                    run(pin!(last))
                })
            })
            .collect();
        let stats = pool.stats();
        assert!(stats.idle <= max_idle as u64);
        drop(pool);
        for worker in workers {
            assert_eq!(worker.join().unwrap(), 32);
        }
        assert_eq!(weak.strong_count(), 0, "the pool was freed");
        // Only this test uses `DROPS`, one call at a time.
        assert_eq!(DROPS.load(Relaxed) - before, (2 * rounds + 1) * threads);
    }

    #[test]
    fn debug_names_the_place() {
        let pool = RecyclePool::new(FutureLayout::of::<core::future::Ready<[u8; 200]>>(), 2);
        let fut = Send1::new_recycled(&pool, || core::future::ready([0u8; 200]));
        let text = alloc::format!("{fut:?} {pool:?}");
        assert!(text.contains("location: \"recycled\""), "{text}");
    }
}
