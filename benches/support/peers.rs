//! The peers: the same future, [`work::<W>`](super::workload::work), behind
//! the traits and storages people use instead of this crate.

use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;
use smallbox::SmallBox;
use stackfuture::StackFuture;
use tokio_util::sync::ReusableBoxFuture;

use super::workload::work;

/// The peers' service: `work::<W>` behind each peer trait.
#[derive(Debug)]
pub(crate) struct Peer<const W: usize>;

/// Return-position `impl Trait` in a trait: static dispatch only.
pub(crate) trait RpitService {
    /// Calls the service.
    fn call_rpit(&self, x: u64) -> impl Future<Output = u64>;
}

impl<const W: usize> RpitService for Peer<W> {
    fn call_rpit(&self, x: u64) -> impl Future<Output = u64> {
        work::<W>(x)
    }
}

/// The same service written with `async-trait` (default, `Send` futures).
#[async_trait]
pub(crate) trait AsyncTraitService {
    /// Calls the service; `async-trait` boxes the future.
    async fn call_at(&self, x: u64) -> u64;
}

#[async_trait]
impl<const W: usize> AsyncTraitService for Peer<W> {
    async fn call_at(&self, x: u64) -> u64 {
        work::<W>(x).await
    }
}

/// A boxed future, as `tower::BoxService` and hand-rolled plugin traits
/// return it.
pub(crate) type BoxFuture<'a> = Pin<Box<dyn Future<Output = u64> + Send + 'a>>;

/// What `tower::BoxService` and hand-rolled plugin traits do: box every
/// future.
pub(crate) trait BoxFutureService {
    /// Calls the service; the future is always boxed.
    fn call_box(&self, x: u64) -> BoxFuture<'_>;
}

impl<const W: usize> BoxFutureService for Peer<W> {
    fn call_box(&self, x: u64) -> BoxFuture<'_> {
        Box::pin(work::<W>(x))
    }
}

/// A trait returning a fixed-capacity `StackFuture`.
pub(crate) trait StackFutureService<const CAP: usize> {
    /// Calls the service; the future must fit `CAP` (checked at build time).
    fn call_stack(&self, x: u64) -> StackFuture<'_, u64, CAP>;
}

impl<const W: usize, const CAP: usize> StackFutureService<CAP> for Peer<W> {
    fn call_stack(&self, x: u64) -> StackFuture<'_, u64, CAP> {
        StackFuture::from(work::<W>(x))
    }
}

/// A trait writing its future into a caller-owned `ReusableBoxFuture`,
/// whose allocation `set` reuses when the layout is unchanged.
pub(crate) trait ReusableBoxService {
    /// Calls the service into `slot`.
    fn call_reusable<'a>(&'a self, slot: &mut ReusableBoxFuture<'a, u64>, x: u64);
}

impl<const W: usize> ReusableBoxService for Peer<W> {
    fn call_reusable<'a>(&'a self, slot: &mut ReusableBoxFuture<'a, u64>, x: u64) {
        slot.set(work::<W>(x));
    }
}

/// The naive small box: `SmallBox<dyn Future, S16>` (128 bytes inline,
/// boxed beyond), polled through its own `Future` impl.
pub(crate) type SmallBoxFuture<'a> = SmallBox<dyn Future<Output = u64> + 'a, smallbox::space::S16>;

/// A trait returning a naive `SmallBox`.
pub(crate) trait SmallBoxService {
    /// Calls the service.
    fn call_smallbox(&self, x: u64) -> SmallBoxFuture<'_>;
}

impl<const W: usize> SmallBoxService for Peer<W> {
    fn call_smallbox(&self, x: u64) -> SmallBoxFuture<'_> {
        smallbox::smallbox!(work::<W>(x))
    }
}
