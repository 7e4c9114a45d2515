//! [`Recycled`]: a shared `dyn` service whose large futures live in
//! recycled buffers, outside any registry.

use alloc::sync::Arc;
use core::fmt;

use crate::capacity::{Capacity, DefaultCapacity};
use crate::erase::dyn_service::SendDynService;
use crate::future::alloc_error::OutOfMemory;
use crate::future::inline_box::SendInlineFuture;
use crate::future::recycled::{PoolStats, RecyclePool};

/// A shared service behind `dyn` whose futures never allocate in a steady
/// stream of calls, whatever their size: an `Arc<dyn SendDynService>`
/// paired with a [`RecyclePool`] made for its exact future layout.
///
/// A call builds the future in place: inline in the returned
/// [`SendInlineFuture`] when it fits `Cap` (as
/// [`call_send`](SendDynService::call_send) does), otherwise in a buffer
/// taken from the pool and given back when the future is dropped
/// (completed, cancelled or panicked). The pool keeps at most
/// [`RecyclePool::default_max_idle`] idle buffers (or what
/// [`with_max_idle`](Self::with_max_idle) says); [`trim`](Self::trim) frees
/// them. Many tasks on many threads may call one `Recycled` at once
/// through `&self`.
///
/// With `Cap = S1` the returned handle is 16 bytes (a vtable and a
/// pointer), so `.await` moves 16 bytes rather than 128; `BENCHMARKS.md`
/// measures both.
///
/// # What allocates
///
/// [`new`](Self::new) (the pool's free lists), and a call that finds no
/// idle buffer (counted in [`stats`](Self::stats)`.misses`), or whose
/// future goes to a box because the pool keeps no buffers
/// ([`with_max_idle`](Self::with_max_idle)`(.., 0)`). Nothing else.
/// [`try_call`](Self::try_call) returns an error where such an allocation
/// fails; [`call`](Self::call) aborts the process, as `Box::new` does.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use hybrid_dispatch::{Recycled, SendDynService, service_fn};
///
/// #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// async fn main() {
///     // A 300-byte future: more than the default inline capacity.
///     let svc: Arc<dyn SendDynService<u64, u64>> = Arc::new(service_fn(|x: u64| async move {
///         let scratch = [x; 36];
///         tokio::task::yield_now().await;
///         scratch.iter().sum::<u64>()
///     }));
///     let recycled = Arc::new(Recycled::new(svc));
///     let tasks: Vec<_> = (0..4)
///         .map(|_| {
///             let recycled = Arc::clone(&recycled);
///             tokio::spawn(async move {
///                 let mut sum = 0;
///                 for i in 0..100 {
///                     sum += recycled.call(i).await;
///                 }
///                 sum
///             })
///         })
///         .collect();
///     for task in tasks {
///         assert_eq!(task.await.unwrap(), 36 * 4950);
///     }
///     // At most one buffer per task in flight: 400 calls, a handful of allocations.
///     assert!(recycled.stats().misses <= 4);
/// }
/// ```
pub struct Recycled<Req, Resp, Cap: Capacity = DefaultCapacity> {
    service: Arc<dyn SendDynService<Req, Resp, Cap>>,
    pool: RecyclePool,
}

impl<Req, Resp, Cap: Capacity> Recycled<Req, Resp, Cap> {
    /// Wraps `service` with a pool for its future layout, keeping at most
    /// [`RecyclePool::default_max_idle`] idle buffers.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use hybrid_dispatch::{Recycled, SendDynService, future::RecyclePool, service_fn};
    ///
    /// let svc: Arc<dyn SendDynService<u64, [u64; 32]>> =
    ///     Arc::new(service_fn(|x: u64| core::future::ready([x; 32])));
    /// let layout = svc.future_layout();
    /// let recycled = Recycled::new(svc);
    /// assert_eq!(recycled.stats().max_idle as usize, RecyclePool::default_max_idle(layout));
    /// assert!(recycled.call(1).is_recycled()); // over 256 bytes: more than the default 120
    /// ```
    #[must_use]
    pub fn new(service: Arc<dyn SendDynService<Req, Resp, Cap>>) -> Self {
        let max_idle = RecyclePool::default_max_idle(service.future_layout());
        Self::with_max_idle(service, max_idle)
    }

    /// Wraps `service` with a pool keeping at most `max_idle` idle
    /// buffers; `0` recycles nothing (large futures go to the heap, as with
    /// `call_send`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use hybrid_dispatch::{Recycled, SendDynService, service_fn};
    ///
    /// let svc: Arc<dyn SendDynService<u64, [u64; 32]>> =
    ///     Arc::new(service_fn(|x: u64| core::future::ready([x; 32])));
    /// let recycled = Recycled::with_max_idle(svc, 2);
    /// assert_eq!(recycled.stats().max_idle, 2);
    /// ```
    #[must_use]
    pub fn with_max_idle(
        service: Arc<dyn SendDynService<Req, Resp, Cap>>,
        max_idle: usize,
    ) -> Self {
        let pool = RecyclePool::new(service.future_layout(), max_idle);
        Recycled { service, pool }
    }

    /// Calls the service; see [`Recycled`] for where its future goes.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use hybrid_dispatch::{Recycled, SendDynService, service_fn};
    ///
    /// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
    /// #     let mut f = core::pin::pin!(f);
    /// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// let svc: Arc<dyn SendDynService<u64, [u64; 32]>> =
    ///     Arc::new(service_fn(|x: u64| core::future::ready([x; 32])));
    /// let recycled = Recycled::new(svc);
    /// let fut = recycled.call(3);
    /// assert!(fut.is_recycled());
    /// assert_eq!(block_on(fut)[31], 3);
    /// ```
    #[inline]
    pub fn call<'a>(&'a self, req: Req) -> SendInlineFuture<'a, Resp, Cap>
    where
        Req: 'a,
    {
        self.service.call_send_recycled(&self.pool, req)
    }

    /// [`call`](Self::call), but when the future needs memory (a miss,
    /// or a box) and the allocator has none, an error with the request
    /// given back instead of an abort. The memory is taken before the
    /// service is called, so a refused call called nothing. Once the pool
    /// has an idle buffer, a call allocates nothing and cannot be refused.
    ///
    /// # Errors
    ///
    /// [`OutOfMemory`] when the future needs memory and the allocator
    /// refuses it; the service was not called.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use hybrid_dispatch::{Recycled, SendDynService, future::OutOfMemory, service_fn};
    ///
    /// async fn sum(recycled: &Recycled<u64, [u64; 32]>, x: u64) -> Result<u64, OutOfMemory<u64>> {
    ///     Ok(recycled.try_call(x)?.await.iter().sum())
    /// }
    ///
    /// #[tokio::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let svc: Arc<dyn SendDynService<u64, [u64; 32]>> =
    ///         Arc::new(service_fn(|x: u64| core::future::ready([x; 32])));
    ///     let recycled = Recycled::new(svc);
    ///     assert_eq!(sum(&recycled, 2).await, Ok(64));
    ///     assert_eq!(recycled.stats().misses, 1);
    /// }
    /// ```
    #[inline]
    pub fn try_call<'a>(
        &'a self,
        req: Req,
    ) -> Result<SendInlineFuture<'a, Resp, Cap>, OutOfMemory<Req>>
    where
        Req: 'a,
    {
        self.service.try_call_send_recycled(&self.pool, req)
    }

    /// The wrapped service.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use hybrid_dispatch::{Recycled, SendDynService, service_fn};
    ///
    /// let svc: Arc<dyn SendDynService<u8, u8>> = Arc::new(service_fn(|x: u8| async move { x }));
    /// let recycled = Recycled::new(Arc::clone(&svc));
    /// assert!(Arc::ptr_eq(recycled.service(), &svc));
    /// ```
    #[must_use]
    pub fn service(&self) -> &Arc<dyn SendDynService<Req, Resp, Cap>> {
        &self.service
    }

    /// The pool's counters: misses, idle buffers and their bytes (see
    /// [`PoolStats`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use hybrid_dispatch::{Recycled, SendDynService, service_fn};
    ///
    /// let svc: Arc<dyn SendDynService<u64, [u64; 32]>> =
    ///     Arc::new(service_fn(|x: u64| core::future::ready([x; 32])));
    /// let recycled = Recycled::new(svc);
    /// for x in 0..10 {
    ///     drop(recycled.call(x)); // each call gives its buffer back when dropped
    /// }
    /// let stats = recycled.stats();
    /// assert_eq!((stats.misses, stats.idle), (1, 1)); // one allocation for ten calls
    /// assert_eq!(stats.idle_bytes, stats.buffer_bytes);
    /// ```
    #[must_use]
    pub fn stats(&self) -> PoolStats {
        self.pool.stats()
    }

    /// Frees the idle buffers; see [`RecyclePool::trim`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use hybrid_dispatch::{Recycled, SendDynService, service_fn};
    ///
    /// let svc: Arc<dyn SendDynService<u64, [u64; 32]>> =
    ///     Arc::new(service_fn(|x: u64| core::future::ready([x; 32])));
    /// let recycled = Recycled::new(svc);
    /// drop(recycled.call(1));
    /// assert_eq!(recycled.trim(), 1);
    /// ```
    pub fn trim(&self) -> usize {
        self.pool.trim()
    }
}

impl<Req, Resp, Cap: Capacity> fmt::Debug for Recycled<Req, Resp, Cap> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recycled")
            .field("service", &self.service.service_type_name())
            .field("pool", &self.pool)
            .finish()
    }
}
