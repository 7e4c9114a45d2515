//! Dispatch cost of one future, fourteen ways, at three sizes, in one
//! criterion run — and the rows every other comparison reuses.
//!
//! The future under test is [`work::<W>`](work): an `async fn` that keeps its
//! argument and a `[u64; W]` across one await of a future pending exactly
//! once, so it is `8 × W + 24` bytes. Three sizes: SMALL (`W = 2`, 40 B),
//! MEDIUM (`W = 35`, 304 B) and LARGE (`W = 128`, 1048 B). Every row builds
//! it, polls it to completion (pending, then ready) with a no-op waker and
//! drops it; only the way of reaching it differs:
//!
//! | row | what |
//! |---|---|
//! | `01_direct_async_fn` | the `async fn` called directly: the baseline |
//! | `02_static_gat` | `service_fn(work)` through `fn<S: Service<u64>>` |
//! | `03_rpitit` | a trait method `-> impl Future`, called generically |
//! | `04_async_trait` | an `#[async_trait]` trait through `&dyn` (one box per call) |
//! | `05_box_dyn_future` | a trait returning `Pin<Box<dyn Future + Send>>` through `&dyn` |
//! | `06_stackfuture` | a trait returning `stackfuture::StackFuture<CAP>` through `&dyn`, pinned in place |
//! | `07_reusable_box_future` | `tokio_util::sync::ReusableBoxFuture`, one per loop, `set` each call |
//! | `08_smallbox_s16` | naive `SmallBox<dyn Future, S16>` (128 B inline) through `&dyn`, pinned |
//! | `09_call_dyn_pinned` | ours, default: `DynService::call_dyn`, pinned where it returns |
//! | `10_call_dyn_moved` | the same handle moved once, by value, into a non-inlined poll function |
//! | `11_call_send_pinned` | ours, `SendDynService::call_send`, pinned |
//! | `12_call_boxed` | ours, boxed: `DynService::call_boxed` |
//! | `13_call_in_slot` | ours, reusable slot: `DynService::call_in`, one `FutureSlot` per loop |
//! | `14_call_inline` | ours, inline-only: `InlineOnlyService::call_inline` |
//!
//! Our inline rows (09–11, 13) use the default capacity (`S16`, 128 bytes),
//! so MEDIUM and LARGE spill: 09–11 allocate once per call, 13 reuses the
//! slot's heap buffer. Inline-only cannot spill, so row 14 names a capacity
//! that holds the future: `S16` for SMALL, `S64` (512 B) for MEDIUM and
//! `[u64; 131]` (1048 B) for LARGE — no predefined space holds LARGE.
//! `StackFuture`'s capacity is the same per size (128, 512, 1048 bytes).
//!
//! Row 10 exists because moving a handle after construction costs more than
//! the storage choice (see `DESIGN.md`): "moved once" is what happens when an
//! erased future is `.await`ed inside an `async fn` and lands in its
//! parent's state machine. Each driver loop builds one task `Context` and
//! passes it to every call, as an executor does; its no-op waker goes through
//! `black_box`, so waking is a real call in every row.
//!
//! `cargo bench --bench dispatch` prints the future and handle sizes, runs
//! criterion (groups `dispatch_small`, `dispatch_medium`, `dispatch_large`),
//! then a ratio table per size with criterion's median, the median of an
//! interleaved round-robin timer (robust to load drifting on this shared
//! machine) and the exact allocations and bytes per call (counting
//! `#[global_allocator]`, `tests/common/counting_alloc.rs`).
//! `benches/allocation_comparison.rs`, `benches/callgrind_dispatch.rs` and
//! `examples/compare.rs` include this file as a module for its rows.

use std::future::Future;
use std::hint::black_box;
use std::marker::PhantomData;
use std::path::PathBuf;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant, SystemTime};

use async_trait::async_trait;
use criterion::Criterion;
use hybrid_dispatch::space::{S16, S64};
use hybrid_dispatch::{
    DynService, FutureSlot, InlineFuture, InlineOnlyService, SendDynService, SendInlineFuture,
    Service, future::InlineOnlyFuture, service_fn,
};
use smallbox::SmallBox;
use stackfuture::StackFuture;
use tokio_util::sync::ReusableBoxFuture;

// The tests' support: `YieldOnce` and the counting allocator.
#[path = "../tests/common/mod.rs"]
mod common;

use common::{YieldOnce, counting_alloc};

#[global_allocator]
static GLOBAL: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc;

// ---------------------------------------------------------------------------
// The future under test.

/// The future under test: its argument and `[u64; W]` live across one
/// pending await, so it is `8 × W + 24` bytes. `black_box(&state)` makes the
/// whole array real (the optimizer may not drop stores to it) without a
/// loop reading it back.
pub(crate) async fn work<const W: usize>(x: u64) -> u64 {
    let state = [x.wrapping_mul(0x9E37_79B9_7F4A_7C15); W];
    YieldOnce::default().await;
    black_box(&state)[W - 1] ^ x
}

/// The task context every driver loop builds once, as an executor does per
/// task poll: a no-op waker, hidden from the optimizer so that waking is a
/// real call in every row (a real waker is never inlinable either).
pub(crate) fn noop_context() -> Context<'static> {
    Context::from_waker(black_box(Waker::noop()))
}

/// Polls a pinned future to completion: no runtime.
#[inline(always)]
fn run_pinned<F: Future + ?Sized>(mut fut: Pin<&mut F>, cx: &mut Context<'_>) -> F::Output {
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(cx) {
            return out;
        }
    }
}

/// Takes a future by value (one move) and polls it: the "moved once" shape.
#[inline(never)]
fn run_moved<F: Future>(fut: F, cx: &mut Context<'_>) -> F::Output {
    run_pinned(pin!(fut), cx)
}

// ---------------------------------------------------------------------------
// The peers: the same future behind other traits and storages.

/// The peers' service: `work::<W>` behind each peer trait.
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

/// What `tower::BoxService` and hand-rolled plugin traits do: box every
/// future.
pub(crate) trait BoxFutureService {
    /// Calls the service; the future is always boxed.
    fn call_box(&self, x: u64) -> Pin<Box<dyn Future<Output = u64> + Send + '_>>;
}

impl<const W: usize> BoxFutureService for Peer<W> {
    fn call_box(&self, x: u64) -> Pin<Box<dyn Future<Output = u64> + Send + '_>> {
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
type SmallBoxFuture<'a> = SmallBox<dyn Future<Output = u64> + 'a, smallbox::space::S16>;

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

// ---------------------------------------------------------------------------
// The rows. Each is its own non-inlined function, so that every row pays the
// same call overhead and callgrind can attribute a row's cost inclusively.

#[inline(never)]
fn direct<const W: usize>(cx: &mut Context<'_>, x: u64) -> u64 {
    run_pinned(pin!(work::<W>(x)), cx)
}

#[inline(never)]
fn static_gat<S: Service<u64, Response = u64>>(svc: &S, cx: &mut Context<'_>, x: u64) -> u64 {
    run_pinned(pin!(svc.call(x)), cx)
}

#[inline(never)]
fn rpitit<T: RpitService>(svc: &T, cx: &mut Context<'_>, x: u64) -> u64 {
    run_pinned(pin!(svc.call_rpit(x)), cx)
}

#[inline(never)]
fn async_trait_dyn(svc: &dyn AsyncTraitService, cx: &mut Context<'_>, x: u64) -> u64 {
    run_pinned(svc.call_at(x).as_mut(), cx)
}

#[inline(never)]
fn box_dyn_future(svc: &dyn BoxFutureService, cx: &mut Context<'_>, x: u64) -> u64 {
    run_pinned(svc.call_box(x).as_mut(), cx)
}

#[inline(never)]
fn stackfuture_dyn<const CAP: usize>(
    svc: &dyn StackFutureService<CAP>,
    cx: &mut Context<'_>,
    x: u64,
) -> u64 {
    run_pinned(pin!(svc.call_stack(x)), cx)
}

#[inline(never)]
fn reusable_box<'a>(
    svc: &'a dyn ReusableBoxService,
    slot: &mut ReusableBoxFuture<'a, u64>,
    cx: &mut Context<'_>,
    x: u64,
) -> u64 {
    svc.call_reusable(slot, x);
    loop {
        if let Poll::Ready(out) = slot.poll(cx) {
            return out;
        }
    }
}

#[inline(never)]
fn smallbox_dyn(svc: &dyn SmallBoxService, cx: &mut Context<'_>, x: u64) -> u64 {
    run_pinned(pin!(svc.call_smallbox(x)), cx)
}

#[inline(never)]
fn call_dyn_pinned(svc: &dyn DynService<u64, u64>, cx: &mut Context<'_>, x: u64) -> u64 {
    run_pinned(pin!(svc.call_dyn(x)), cx)
}

#[inline(never)]
fn call_dyn_moved(svc: &dyn DynService<u64, u64>, cx: &mut Context<'_>, x: u64) -> u64 {
    run_moved(svc.call_dyn(x), cx)
}

#[inline(never)]
fn call_send_pinned(svc: &dyn SendDynService<u64, u64>, cx: &mut Context<'_>, x: u64) -> u64 {
    run_pinned(pin!(svc.call_send(x)), cx)
}

#[inline(never)]
fn call_boxed(svc: &dyn DynService<u64, u64>, cx: &mut Context<'_>, x: u64) -> u64 {
    run_pinned(svc.call_boxed(x).as_mut(), cx)
}

#[inline(never)]
fn call_in_slot<'f>(
    svc: &'f dyn DynService<u64, u64>,
    slot: Pin<&mut FutureSlot<'f, u64>>,
    cx: &mut Context<'_>,
    x: u64,
) -> u64 {
    run_pinned(pin!(svc.call_in(slot, x)), cx)
}

#[inline(never)]
fn call_inline<Space: hybrid_dispatch::space::Capacity>(
    svc: &dyn InlineOnlyService<u64, u64, Space>,
    cx: &mut Context<'_>,
    x: u64,
) -> u64 {
    run_pinned(pin!(svc.call_inline(x)), cx)
}

/// One way of calling the future.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Row {
    Direct,
    StaticGat,
    Rpitit,
    AsyncTrait,
    BoxDynFuture,
    StackFuture,
    ReusableBox,
    SmallBox,
    CallDynPinned,
    CallDynMoved,
    CallSendPinned,
    CallBoxed,
    CallInSlot,
    CallInline,
}

impl Row {
    /// Every row, in table order.
    pub(crate) const ALL: [Row; 14] = [
        Row::Direct,
        Row::StaticGat,
        Row::Rpitit,
        Row::AsyncTrait,
        Row::BoxDynFuture,
        Row::StackFuture,
        Row::ReusableBox,
        Row::SmallBox,
        Row::CallDynPinned,
        Row::CallDynMoved,
        Row::CallSendPinned,
        Row::CallBoxed,
        Row::CallInSlot,
        Row::CallInline,
    ];

    /// The criterion benchmark id (and the `callgrind_dispatch` row name).
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Row::Direct => "01_direct_async_fn",
            Row::StaticGat => "02_static_gat",
            Row::Rpitit => "03_rpitit",
            Row::AsyncTrait => "04_async_trait",
            Row::BoxDynFuture => "05_box_dyn_future",
            Row::StackFuture => "06_stackfuture",
            Row::ReusableBox => "07_reusable_box_future",
            Row::SmallBox => "08_smallbox_s16",
            Row::CallDynPinned => "09_call_dyn_pinned",
            Row::CallDynMoved => "10_call_dyn_moved",
            Row::CallSendPinned => "11_call_send_pinned",
            Row::CallBoxed => "12_call_boxed",
            Row::CallInSlot => "13_call_in_slot",
            Row::CallInline => "14_call_inline",
        }
    }

    /// Whether the row goes through a `dyn` trait object (type erasure).
    #[allow(dead_code, reason = "used by examples/compare.rs")]
    pub(crate) const fn is_erased(self) -> bool {
        !matches!(self, Row::Direct | Row::StaticGat | Row::Rpitit)
    }

    /// Whether the row is one of this crate's strategies.
    #[allow(dead_code, reason = "used by examples/compare.rs")]
    pub(crate) const fn is_ours(self) -> bool {
        matches!(
            self,
            Row::CallDynPinned
                | Row::CallDynMoved
                | Row::CallSendPinned
                | Row::CallBoxed
                | Row::CallInSlot
                | Row::CallInline
        )
    }
}

/// Receives one row as a monomorphic closure, so that loops over it (criterion,
/// callgrind, allocation counting) contain no dispatch of their own.
pub(crate) trait RowVisitor<'f> {
    /// Called once per row with the size's name, the row and the function
    /// computing it (`FnMut`: rows 07 and 13 own their reusable storage).
    fn visit<F: FnMut(&mut Context<'_>, u64) -> u64 + 'f>(
        &mut self,
        size: &'static str,
        row: Row,
        call: F,
    );
}

/// One future size with everything its rows need.
///
/// `W` is the future's payload in words, `CAP` the `StackFuture` capacity in
/// bytes, `Only` the inline-only capacity; `S` is `service_fn(work::<W>)`,
/// whose type is unnameable, hence the generic.
pub(crate) struct Fixture<
    S,
    const W: usize,
    const CAP: usize,
    Only: hybrid_dispatch::space::Capacity,
> {
    name: &'static str,
    svc: S,
    peer: Peer<W>,
    _only: PhantomData<fn() -> Only>,
}

/// Builds the fixture of `work::<W>` with a `StackFuture` capacity of `CAP`
/// bytes and an inline-only capacity `Only`. (Returns `impl Rows`, not the
/// fixture: an `impl Service` would hide that its futures are `Send`.)
pub(crate) fn fixture<
    const W: usize,
    const CAP: usize,
    Only: hybrid_dispatch::space::Capacity + 'static,
>(
    name: &'static str,
) -> impl Rows {
    Fixture::<_, W, CAP, Only> {
        name,
        svc: service_fn(work::<W>),
        peer: Peer::<W>,
        _only: PhantomData,
    }
}

/// What the drivers need of a fixture, whatever its size.
#[allow(
    dead_code,
    reason = "some methods are used by examples/compare.rs only"
)]
pub(crate) trait Rows {
    /// `small`, `medium`, `large` or the example's `<bytes>B`.
    fn size_name(&self) -> &'static str;
    /// `size_of_val` of the future under test.
    fn future_size(&self) -> usize;
    /// Hands `row` to `visitor`; every `&dyn` goes through `black_box` on
    /// each call so that nothing devirtualizes.
    fn visit<'f, V: RowVisitor<'f>>(&'f self, row: Row, visitor: &mut V);
    /// Bytes the caller holds for one call of `row`: the future, the handle,
    /// or the reusable storage (rows 07, 13).
    fn handle_size(&self, row: Row) -> usize;
    /// Whether `call_dyn` stores this future inline.
    fn fits_default_inline(&self) -> bool;

    /// Every row, in table order.
    fn visit_all<'f, V: RowVisitor<'f>>(&'f self, visitor: &mut V) {
        for row in Row::ALL {
            self.visit(row, visitor);
        }
    }

    /// Asserts that every row computes what the direct call computes.
    fn verify(&self) {
        struct Verify(Vec<u64>);
        impl RowVisitor<'_> for Verify {
            fn visit<F: FnMut(&mut Context<'_>, u64) -> u64>(
                &mut self,
                size: &'static str,
                row: Row,
                mut call: F,
            ) {
                let mut cx = noop_context();
                let got: Vec<u64> = [0, 1, 42, u64::MAX]
                    .into_iter()
                    .map(|x| call(&mut cx, black_box(x)))
                    .collect();
                if row == Row::Direct {
                    self.0 = got;
                } else {
                    assert_eq!(got, self.0, "{size}/{}", row.name());
                }
            }
        }
        self.visit_all(&mut Verify(Vec::new()));
    }
}

impl<S, const W: usize, const CAP: usize, Only: hybrid_dispatch::space::Capacity> Rows
    for Fixture<S, W, CAP, Only>
where
    // `'static`: the higher-ranked `Send` bound of `SendDynService`'s blanket
    // impl ranges over every `'a`, so without it the coercion fails (E0310).
    S: Service<u64, Response = u64> + Send + Sync + 'static,
    for<'a> S::Future<'a>: Send,
{
    fn size_name(&self) -> &'static str {
        self.name
    }

    fn future_size(&self) -> usize {
        size_of_val(&work::<W>(0))
    }

    fn visit<'f, V: RowVisitor<'f>>(&'f self, row: Row, v: &mut V) {
        let size = self.name;
        let peer = &self.peer;
        match row {
            Row::Direct => v.visit(size, row, direct::<W>),
            Row::StaticGat => {
                let svc = &self.svc;
                v.visit(size, row, move |cx, x| static_gat(black_box(svc), cx, x));
            }
            Row::Rpitit => v.visit(size, row, move |cx, x| rpitit(black_box(peer), cx, x)),
            Row::AsyncTrait => {
                let svc: &dyn AsyncTraitService = peer;
                v.visit(size, row, move |cx, x| {
                    async_trait_dyn(black_box(svc), cx, x)
                });
            }
            Row::BoxDynFuture => {
                let svc: &dyn BoxFutureService = peer;
                v.visit(size, row, move |cx, x| {
                    box_dyn_future(black_box(svc), cx, x)
                });
            }
            Row::StackFuture => {
                let svc: &dyn StackFutureService<CAP> = peer;
                v.visit(size, row, move |cx, x| {
                    stackfuture_dyn(black_box(svc), cx, x)
                });
            }
            Row::ReusableBox => {
                let svc: &dyn ReusableBoxService = peer;
                // Created with the future it will hold, as a task would on
                // its first call; `set` then reuses the allocation.
                let mut slot = ReusableBoxFuture::new(work::<W>(0));
                v.visit(size, row, move |cx, x| {
                    reusable_box(black_box(svc), &mut slot, cx, x)
                });
            }
            Row::SmallBox => {
                let svc: &dyn SmallBoxService = peer;
                v.visit(size, row, move |cx, x| smallbox_dyn(black_box(svc), cx, x));
            }
            Row::CallDynPinned => {
                let svc: &dyn DynService<u64, u64> = &self.svc;
                v.visit(size, row, move |cx, x| {
                    call_dyn_pinned(black_box(svc), cx, x)
                });
            }
            Row::CallDynMoved => {
                let svc: &dyn DynService<u64, u64> = &self.svc;
                v.visit(size, row, move |cx, x| {
                    call_dyn_moved(black_box(svc), cx, x)
                });
            }
            Row::CallSendPinned => {
                let svc: &dyn SendDynService<u64, u64> = &self.svc;
                v.visit(size, row, move |cx, x| {
                    call_send_pinned(black_box(svc), cx, x)
                });
            }
            Row::CallBoxed => {
                let svc: &dyn DynService<u64, u64> = &self.svc;
                v.visit(size, row, move |cx, x| call_boxed(black_box(svc), cx, x));
            }
            Row::CallInSlot => {
                let svc: &dyn DynService<u64, u64> = &self.svc;
                // One slot per loop, as a task keeps one in its state; boxed
                // because the closure outlives this frame (the slot never
                // moves either way).
                let mut slot = Box::pin(FutureSlot::new());
                v.visit(size, row, move |cx, x| {
                    call_in_slot(black_box(svc), slot.as_mut(), cx, x)
                });
            }
            Row::CallInline => {
                let svc: &dyn InlineOnlyService<u64, u64, Only> = &self.svc;
                v.visit(size, row, move |cx, x| call_inline(black_box(svc), cx, x));
            }
        }
    }

    fn handle_size(&self, row: Row) -> usize {
        type BoxFut = Pin<Box<dyn Future<Output = u64>>>;
        match row {
            Row::Direct => size_of_val(&work::<W>(0)),
            Row::StaticGat => size_of_val(&self.svc.call(0)),
            Row::Rpitit => size_of_val(&self.peer.call_rpit(0)),
            Row::AsyncTrait | Row::BoxDynFuture | Row::CallBoxed => size_of::<BoxFut>(),
            Row::StackFuture => size_of::<StackFuture<'static, u64, CAP>>(),
            Row::ReusableBox => size_of::<ReusableBoxFuture<'static, u64>>(),
            Row::SmallBox => size_of::<SmallBoxFuture<'static>>(),
            Row::CallDynPinned | Row::CallDynMoved => size_of::<InlineFuture<'static, u64>>(),
            Row::CallSendPinned => size_of::<SendInlineFuture<'static, u64>>(),
            Row::CallInSlot => size_of::<FutureSlot<'static, u64>>(),
            Row::CallInline => size_of::<InlineOnlyFuture<'static, u64, Only>>(),
        }
    }

    fn fits_default_inline(&self) -> bool {
        let svc: &dyn DynService<u64, u64> = &self.svc;
        !svc.call_dyn(0).is_heap()
    }
}

/// The bench sizes: SMALL 40 B, MEDIUM 304 B, LARGE 1048 B futures.
pub(crate) fn bench_fixtures() -> (impl Rows, impl Rows, impl Rows) {
    (
        fixture::<2, 128, S16>("small"),
        fixture::<35, 512, S64>("medium"),
        fixture::<128, 1048, [u64; 131]>("large"),
    )
}

// ---------------------------------------------------------------------------
// Exact allocation counts, interleaved timing.

/// Calls per row for the allocation count.
pub(crate) const COUNTED_CALLS: u64 = 10_000;

/// Exact allocations and bytes per call of one row.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct AllocsPerCall {
    pub(crate) allocs: f64,
    pub(crate) bytes: f64,
}

/// Counts every visited row over [`COUNTED_CALLS`] calls, after one call
/// outside the count (so reusable storage has grown, as in a long loop).
#[derive(Default)]
pub(crate) struct CountAllocations(pub(crate) Vec<(&'static str, Row, AllocsPerCall)>);

impl RowVisitor<'_> for CountAllocations {
    fn visit<F: FnMut(&mut Context<'_>, u64) -> u64>(
        &mut self,
        size: &'static str,
        row: Row,
        mut call: F,
    ) {
        let mut cx = noop_context();
        black_box(call(&mut cx, black_box(0)));
        let ((), counted) = counting_alloc::count(|| {
            for x in 0..COUNTED_CALLS {
                black_box(call(&mut cx, black_box(x)));
            }
        });
        let calls = COUNTED_CALLS as f64;
        let per_call = AllocsPerCall {
            allocs: counted.allocs as f64 / calls,
            bytes: counted.bytes as f64 / calls,
        };
        self.0.push((size, row, per_call));
    }
}

/// Runs one row `iters` times (a monomorphic loop behind one indirect call).
pub(crate) type Batch<'f> = Box<dyn FnMut(u64) -> u64 + 'f>;

/// Collects every visited row as a [`Batch`].
#[derive(Default)]
pub(crate) struct CollectBatches<'f>(pub(crate) Vec<(&'static str, Row, Batch<'f>)>);

impl<'f> RowVisitor<'f> for CollectBatches<'f> {
    fn visit<F: FnMut(&mut Context<'_>, u64) -> u64 + 'f>(
        &mut self,
        size: &'static str,
        row: Row,
        mut call: F,
    ) {
        let batch = move |iters: u64| {
            let mut cx = noop_context();
            let mut acc = 0u64;
            for _ in 0..iters {
                acc = acc.wrapping_add(call(&mut cx, black_box(12_345)));
            }
            acc
        };
        self.0.push((size, row, Box::new(batch)));
    }
}

/// Robust to load that drifts during the run (this 2-core machine is
/// shared): every round times one batch of `batch` calls of each row in
/// turn, so all rows see the same load; a row's figure is the median over
/// `rounds` of its ns per call. Same order as `batches`.
pub(crate) fn interleaved_medians(
    batches: &mut [(&'static str, Row, Batch<'_>)],
    rounds: usize,
    batch: u64,
) -> Vec<f64> {
    for (_, _, run) in batches.iter_mut() {
        black_box(run(batch)); // warm up
    }
    let mut samples = vec![Vec::with_capacity(rounds); batches.len()];
    for _ in 0..rounds {
        for ((_, _, run), samples) in batches.iter_mut().zip(&mut samples) {
            let start = Instant::now();
            black_box(run(black_box(batch)));
            samples.push(start.elapsed().as_secs_f64() * 1e9 / batch as f64);
        }
    }
    samples
        .into_iter()
        .map(|mut s| {
            s.sort_by(f64::total_cmp);
            s[s.len() / 2]
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Criterion and the report.

/// Where criterion writes its results: the same rule as criterion 0.5
/// (`CRITERION_HOME`, else `CARGO_TARGET_DIR/criterion`), with the target
/// directory otherwise taken from this executable's path
/// (`<target>/<profile>/deps/<exe>`) instead of `cargo metadata`.
pub(crate) fn criterion_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return Some(home.into());
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return Some(PathBuf::from(target).join("criterion"));
    }
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.parent()?.parent()?.join("criterion"))
}

/// Criterion's median point estimate (ns per iteration) of `group/bench`,
/// if this run wrote it.
pub(crate) fn criterion_median(group: &str, bench: &str, since: SystemTime) -> Option<f64> {
    let path = criterion_dir()?
        .join(group)
        .join(bench)
        .join("new")
        .join("estimates.json");
    if std::fs::metadata(&path).ok()?.modified().ok()? < since {
        return None; // left over from an earlier run
    }
    let json = std::fs::read_to_string(path).ok()?;
    let median = &json[json.find("\"median\"")?..];
    let estimate = &median[median.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = estimate.find([',', '}'])?;
    estimate[..end].trim().parse().ok()
}

/// Whether cargo asked for measurements (`cargo bench` passes `--bench`;
/// `cargo test --benches` does not, and criterion then runs each row once).
pub(crate) fn measuring() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    has("--bench") && !has("--test") && !has("--list") && !has("--profile-time")
}

/// Criterion: one benchmark per row.
struct Bench<'c> {
    criterion: &'c mut Criterion,
}

impl RowVisitor<'_> for Bench<'_> {
    fn visit<F: FnMut(&mut Context<'_>, u64) -> u64>(
        &mut self,
        size: &'static str,
        row: Row,
        mut call: F,
    ) {
        let mut group = self.criterion.benchmark_group(format!("dispatch_{size}"));
        group.bench_function(row.name(), |b| {
            let mut cx = noop_context();
            b.iter(|| call(&mut cx, black_box(12_345)));
        });
        group.finish();
    }
}

/// Rounds of the interleaved timer, and calls per timed batch.
const ROUNDS: usize = 101;
const BATCH: u64 = 2_000;

/// Prints sizes, runs criterion, prints the ratio table per size.
#[allow(
    dead_code,
    reason = "the entry point of this bench, unused where it is included"
)]
pub(crate) fn main() {
    let start = SystemTime::now();
    let (small, medium, large) = bench_fixtures();
    small.verify();
    medium.verify();
    large.verify();
    println!(
        "future sizes (bytes): small {}, medium {}, large {}; handles: see the tables",
        small.future_size(),
        medium.future_size(),
        large.future_size()
    );

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(800))
        .sample_size(30)
        .configure_from_args();
    let mut bench = Bench {
        criterion: &mut criterion,
    };
    small.visit_all(&mut bench);
    medium.visit_all(&mut bench);
    large.visit_all(&mut bench);
    criterion.final_summary();
    if !measuring() {
        return;
    }

    let mut counts = CountAllocations::default();
    small.visit_all(&mut counts);
    medium.visit_all(&mut counts);
    large.visit_all(&mut counts);
    let mut batches = CollectBatches::default();
    small.visit_all(&mut batches);
    medium.visit_all(&mut batches);
    large.visit_all(&mut batches);
    let interleaved = interleaved_medians(&mut batches.0, ROUNDS, BATCH);

    println!(
        "\ntime per call and ratio to 01_direct_async_fn of the same size: criterion = median \
         point estimate of this run; interleaved = median of {ROUNDS} round-robin batches of \
         {BATCH} calls; allocations exact over {COUNTED_CALLS} calls; handle = bytes the caller \
         holds"
    );
    let fixtures = [
        (
            "small",
            small.future_size(),
            Row::ALL.map(|r| small.handle_size(r)),
        ),
        (
            "medium",
            medium.future_size(),
            Row::ALL.map(|r| medium.handle_size(r)),
        ),
        (
            "large",
            large.future_size(),
            Row::ALL.map(|r| large.handle_size(r)),
        ),
    ];
    for (size, future_size, handles) in fixtures {
        println!("\n{size}: future {future_size} bytes");
        println!(
            "{:<24} {:>10} {:>7} {:>12} {:>7} {:>12} {:>11} {:>7}",
            "row",
            "criterion",
            "ratio",
            "interleaved",
            "ratio",
            "allocs/call",
            "bytes/call",
            "handle"
        );
        let group = format!("dispatch_{size}");
        let base_c = criterion_median(&group, Row::Direct.name(), start);
        let at = |row: Row| {
            batches
                .0
                .iter()
                .position(|(s, r, _)| *s == size && *r == row)
                .map(|i| interleaved[i])
                .unwrap_or(f64::NAN)
        };
        let base_i = at(Row::Direct);
        for (row, handle) in Row::ALL.into_iter().zip(handles) {
            let (c, c_ratio) = match (criterion_median(&group, row.name(), start), base_c) {
                (Some(m), Some(b)) => (format!("{m:.2}"), format!("{:.2}x", m / b)),
                _ => ("-".into(), "-".into()),
            };
            let a = counts
                .0
                .iter()
                .find(|(s, r, _)| *s == size && *r == row)
                .map_or(AllocsPerCall::default(), |(_, _, a)| *a);
            println!(
                "{:<24} {c:>10} {c_ratio:>7} {:>12.2} {:>6.2}x {:>12.4} {:>11.1} {:>7}",
                row.name(),
                at(row),
                at(row) / base_i,
                a.allocs,
                a.bytes,
                handle
            );
        }
        println!(
            "  interleaved: async_trait / call_dyn_pinned {:.2}x; call_dyn_pinned / \
             reusable_box {:.2}x; call_dyn_pinned / async_trait {:.2}x; call_in_slot / \
             reusable_box {:.2}x",
            at(Row::AsyncTrait) / at(Row::CallDynPinned),
            at(Row::CallDynPinned) / at(Row::ReusableBox),
            at(Row::CallDynPinned) / at(Row::AsyncTrait),
            at(Row::CallInSlot) / at(Row::ReusableBox),
        );
    }
}
