//! One future size with everything its rows need, and the three bench
//! sizes.
//!
//! Our inline rows (`call_dyn`, `call_send`, `call_in`) use the default
//! capacity (`S15`, 120 bytes: a 128-byte handle), so MEDIUM and LARGE
//! spill: `call_dyn` and `call_send` allocate once per call, `call_in`
//! reuses the slot's heap buffer. Inline-only cannot spill, so `call_inline`
//! names a capacity that holds the future, and `StackFuture` gets the same
//! capacity, so that those two rows compare the two storages at equal
//! capacity: `S8` / 64 bytes for SMALL (`StackFuture<_, 64>`), `S64` / 512
//! bytes for MEDIUM and `[u64; 131]` / 1048 bytes for LARGE (no predefined
//! space holds LARGE).

use std::hint::black_box;
use std::marker::PhantomData;
use std::task::Context;

use hybrid_dispatch::capacity::{Capacity, S8, S64};
use hybrid_dispatch::future::InlineOnlyFuture;
use hybrid_dispatch::{
    DynService, FutureSlot, InlineFuture, InlineOnlyService, SendDynService, SendInlineFuture,
    Service, service_fn,
};
use stackfuture::StackFuture;
use tokio_util::sync::ReusableBoxFuture;

use super::peers::{
    AsyncTraitService, BoxFuture, BoxFutureService, Peer, ReusableBoxService, RpitService,
    SmallBoxFuture, SmallBoxService, StackFutureService,
};
use super::rows::{self, Row, RowVisitor, Strategy};
use super::shape::Shape;
use super::workload::{LARGE, MEDIUM, SMALL, noop_context, work};

/// One future size: `W` payload words, `CAP` the `StackFuture` capacity in
/// bytes, `Only` the inline-only capacity; `S` is `service_fn(work::<W>)`,
/// whose type is unnameable, hence the generic.
#[derive(Debug)]
struct Fixture<S, const W: usize, const CAP: usize, Only: Capacity> {
    name: &'static str,
    svc: S,
    peer: Peer<W>,
    _only: PhantomData<fn() -> Only>,
}

/// Builds the rows of `work::<W>` with a `StackFuture` capacity of `CAP`
/// bytes and an inline-only capacity `Only`. (Returns `impl Rows`, not the
/// fixture: an `impl Service` would hide that its futures are `Send`.)
pub(crate) fn fixture<const W: usize, const CAP: usize, Only: Capacity + 'static>(
    name: &'static str,
) -> impl Rows {
    Fixture::<_, W, CAP, Only> {
        name,
        svc: service_fn(work::<W>),
        peer: Peer::<W>,
        _only: PhantomData,
    }
}

/// The bench sizes: SMALL 40 B, MEDIUM 304 B, LARGE 1048 B futures.
pub(crate) fn bench_sizes() -> BenchSizes<impl Rows, impl Rows, impl Rows> {
    BenchSizes {
        small: fixture::<SMALL, 64, S8>("small"),
        medium: fixture::<MEDIUM, 512, S64>("medium"),
        large: fixture::<LARGE, { 8 * LARGE + 24 }, [u64; LARGE + 3]>("large"),
    }
}

/// The three bench sizes, handled together.
#[derive(Debug)]
pub(crate) struct BenchSizes<A, B, C> {
    small: A,
    medium: B,
    large: C,
}

impl<A: Rows, B: Rows, C: Rows> BenchSizes<A, B, C> {
    /// Every row of every size, smallest first.
    pub(crate) fn visit_all<'f, V: RowVisitor<'f>>(&'f self, visitor: &mut V) {
        self.small.visit_all(visitor);
        self.medium.visit_all(visitor);
        self.large.visit_all(visitor);
    }

    /// [`Rows::verify`] for each size.
    pub(crate) fn verify(&self) {
        self.small.verify();
        self.medium.verify();
        self.large.verify();
    }

    /// What the tables need of each size.
    pub(crate) fn infos(&self) -> Vec<SizeInfo> {
        vec![
            SizeInfo::of(&self.small),
            SizeInfo::of(&self.medium),
            SizeInfo::of(&self.large),
        ]
    }
}

/// What a table needs to know of one future size.
#[derive(Clone, Debug)]
pub(crate) struct SizeInfo {
    /// `small`, `medium`, `large`, `40B`, …
    pub(crate) name: &'static str,
    /// `size_of_val` of the future under test.
    pub(crate) future_size: usize,
    /// [`Rows::handle_size`] of each strategy, in [`Strategy::ALL`] order.
    pub(crate) handles: Vec<usize>,
}

impl SizeInfo {
    /// The sizes of `rows`.
    pub(crate) fn of(rows: &impl Rows) -> SizeInfo {
        SizeInfo {
            name: rows.size_name(),
            future_size: rows.future_size(),
            handles: Strategy::ALL.map(|s| rows.handle_size(s)).to_vec(),
        }
    }
}

/// What the drivers need of a fixture, whatever its size.
pub(crate) trait Rows {
    /// `small`, `medium`, `large` or `compare`'s `<bytes>B`.
    fn size_name(&self) -> &'static str;
    /// `size_of_val` of the future under test.
    fn future_size(&self) -> usize;
    /// Hands `row` to `visitor`; every `&dyn` goes through `black_box` on
    /// each call so that nothing devirtualizes.
    fn visit<'f, V: RowVisitor<'f>>(&'f self, row: Row, visitor: &mut V);
    /// Bytes the caller holds for one call of `strategy`: the future, the
    /// handle, or the reusable storage (`ReusableBoxFuture`, `FutureSlot`).
    fn handle_size(&self, strategy: Strategy) -> usize;
    /// Whether `call_dyn` stores this future inline.
    fn fits_default_inline(&self) -> bool;

    /// Every row, in table order.
    fn visit_all<'f, V: RowVisitor<'f>>(&'f self, visitor: &mut V) {
        for row in Row::all() {
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
                if row == Row::BASELINE {
                    self.0 = got;
                } else {
                    assert_eq!(got, self.0, "{size}/{}", row.name());
                }
            }
        }
        self.visit_all(&mut Verify(Vec::new()));
    }
}

impl<S, const W: usize, const CAP: usize, Only: Capacity> Rows for Fixture<S, W, CAP, Only>
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
        // The row function of `row.shape` in module `rows::$m`, called with
        // `$arg`s evaluated on every call (so `black_box` hides each `&dyn`
        // anew).
        macro_rules! shaped {
            ($m:ident $(::<$tf:tt>)?, |$cx:ident, $x:ident| $($arg:expr),*) => {
                match row.shape {
                    Shape::Pinned => v.visit(size, row, move |$cx: &mut Context<'_>, $x: u64| {
                        rows::$m::pinned $(::<$tf>)? ($cx, $($arg),*)
                    }),
                    Shape::Moved => v.visit(size, row, move |$cx: &mut Context<'_>, $x: u64| {
                        rows::$m::moved $(::<$tf>)? ($cx, $($arg),*)
                    }),
                    Shape::Awaited => v.visit(size, row, move |$cx: &mut Context<'_>, $x: u64| {
                        rows::$m::awaited $(::<$tf>)? ($cx, $($arg),*)
                    }),
                    Shape::AwaitedInPlace => v.visit(size, row, move |$cx: &mut Context<'_>, $x: u64| {
                        rows::$m::pin_awaited $(::<$tf>)? ($cx, $($arg),*)
                    }),
                }
            };
        }
        match row.strategy {
            Strategy::Direct => shaped!(direct::<W>, |cx, x| x),
            Strategy::StaticGat => {
                let svc = &self.svc;
                shaped!(static_gat, |cx, x| black_box(svc), x);
            }
            Strategy::Rpitit => shaped!(rpitit, |cx, x| black_box(peer), x),
            Strategy::AsyncTrait => {
                let svc: &dyn AsyncTraitService = peer;
                shaped!(async_trait, |cx, x| black_box(svc), x);
            }
            Strategy::BoxDynFuture => {
                let svc: &dyn BoxFutureService = peer;
                shaped!(box_dyn_future, |cx, x| black_box(svc), x);
            }
            Strategy::StackFuture => {
                let svc: &dyn StackFutureService<CAP> = peer;
                shaped!(stackfuture, |cx, x| black_box(svc), x);
            }
            Strategy::ReusableBox => {
                let svc: &dyn ReusableBoxService = peer;
                // Created with the future it will hold, as a task would on
                // its first call; `set` then reuses the allocation.
                let mut slot = ReusableBoxFuture::new(work::<W>(0));
                shaped!(reusable_box, |cx, x| black_box(svc), &mut slot, x);
            }
            Strategy::SmallBox => {
                let svc: &dyn SmallBoxService = peer;
                shaped!(smallbox, |cx, x| black_box(svc), x);
            }
            Strategy::CallDyn => {
                let svc: &dyn DynService<u64, u64> = &self.svc;
                shaped!(call_dyn, |cx, x| black_box(svc), x);
            }
            Strategy::CallSend => {
                let svc: &dyn SendDynService<u64, u64> = &self.svc;
                shaped!(call_send, |cx, x| black_box(svc), x);
            }
            Strategy::CallBoxed => {
                let svc: &dyn DynService<u64, u64> = &self.svc;
                shaped!(call_boxed, |cx, x| black_box(svc), x);
            }
            Strategy::CallInSlot => {
                let svc: &dyn DynService<u64, u64> = &self.svc;
                // One slot per loop, as a task keeps one in its state; boxed
                // because the closure outlives this frame (the slot never
                // moves either way).
                let mut slot = Box::pin(FutureSlot::new());
                shaped!(call_in_slot, |cx, x| black_box(svc), slot.as_mut(), x);
            }
            Strategy::CallInline => {
                let svc: &dyn InlineOnlyService<u64, u64, Only> = &self.svc;
                shaped!(call_inline, |cx, x| black_box(svc), x);
            }
        }
    }

    fn handle_size(&self, strategy: Strategy) -> usize {
        match strategy {
            Strategy::Direct => size_of_val(&work::<W>(0)),
            Strategy::StaticGat => size_of_val(&self.svc.call(0)),
            Strategy::Rpitit => size_of_val(&self.peer.call_rpit(0)),
            Strategy::AsyncTrait | Strategy::BoxDynFuture | Strategy::CallBoxed => {
                size_of::<BoxFuture<'static>>()
            }
            Strategy::StackFuture => size_of::<StackFuture<'static, u64, CAP>>(),
            Strategy::ReusableBox => size_of::<ReusableBoxFuture<'static, u64>>(),
            Strategy::SmallBox => size_of::<SmallBoxFuture<'static>>(),
            Strategy::CallDyn => size_of::<InlineFuture<'static, u64>>(),
            Strategy::CallSend => size_of::<SendInlineFuture<'static, u64>>(),
            Strategy::CallInSlot => size_of::<FutureSlot<'static, u64>>(),
            Strategy::CallInline => size_of::<InlineOnlyFuture<'static, u64, Only>>(),
        }
    }

    fn fits_default_inline(&self) -> bool {
        let svc: &dyn DynService<u64, u64> = &self.svc;
        !svc.call_dyn(0).is_heap()
    }
}
