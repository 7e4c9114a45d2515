//! The rows: thirteen ways of reaching the future under test, each measured
//! in three [shapes](Shape).
//!
//! | strategy | what |
//! |---|---|
//! | `01_direct_async_fn` | the `async fn` called directly: the baseline |
//! | `02_static_gat` | `service_fn(work)` through `fn<S: Service<u64>>` |
//! | `03_rpitit` | a trait method `-> impl Future`, called generically |
//! | `04_async_trait` | an `#[async_trait]` trait through `&dyn` (one box per call) |
//! | `05_box_dyn_future` | a trait returning `Pin<Box<dyn Future + Send>>` through `&dyn` |
//! | `06_stackfuture` | a trait returning `stackfuture::StackFuture<CAP>` through `&dyn` |
//! | `07_reusable_box_future` | `tokio_util::sync::ReusableBoxFuture`, one per loop, `set` each call |
//! | `08_smallbox_s16` | naive `SmallBox<dyn Future, S16>` (128 B inline) through `&dyn` |
//! | `09_call_dyn` | ours, default: `DynService::call_dyn` |
//! | `10_call_send` | ours, `Send` erasure: `SendDynService::call_send` |
//! | `11_call_boxed` | ours, boxed: `DynService::call_boxed` |
//! | `12_call_in_slot` | ours, reusable slot: `DynService::call_in`, one `FutureSlot` per loop |
//! | `13_call_inline` | ours, inline-only: `InlineOnlyService::call_inline` |
//!
//! Each strategy's three row functions come from one macro, so that every
//! row has the same shape around its call: a non-inlined function taking the
//! task context, the service (and slot) and the argument.

use std::pin::{Pin, pin};
use std::task::Context;

use hybrid_dispatch::capacity::Capacity;
use hybrid_dispatch::{DynService, FutureSlot, InlineOnlyService, SendDynService, Service};
use tokio_util::sync::ReusableBoxFuture;

use super::peers::{
    AsyncTraitService, BoxFutureService, ReusableBoxService, RpitService, SmallBoxService,
    StackFutureService,
};
use super::shape::{Shape, run_moved, run_pinned, run_task};
use super::workload::work;

/// One way of reaching the future: a peer or one of this crate's strategies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Strategy {
    Direct,
    StaticGat,
    Rpitit,
    AsyncTrait,
    BoxDynFuture,
    StackFuture,
    ReusableBox,
    SmallBox,
    CallDyn,
    CallSend,
    CallBoxed,
    CallInSlot,
    CallInline,
}

impl Strategy {
    /// Every strategy, in table order.
    pub(crate) const ALL: [Strategy; 13] = [
        Strategy::Direct,
        Strategy::StaticGat,
        Strategy::Rpitit,
        Strategy::AsyncTrait,
        Strategy::BoxDynFuture,
        Strategy::StackFuture,
        Strategy::ReusableBox,
        Strategy::SmallBox,
        Strategy::CallDyn,
        Strategy::CallSend,
        Strategy::CallBoxed,
        Strategy::CallInSlot,
        Strategy::CallInline,
    ];

    /// The criterion function id and `callgrind_dispatch` selector.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Strategy::Direct => "01_direct_async_fn",
            Strategy::StaticGat => "02_static_gat",
            Strategy::Rpitit => "03_rpitit",
            Strategy::AsyncTrait => "04_async_trait",
            Strategy::BoxDynFuture => "05_box_dyn_future",
            Strategy::StackFuture => "06_stackfuture",
            Strategy::ReusableBox => "07_reusable_box_future",
            Strategy::SmallBox => "08_smallbox_s16",
            Strategy::CallDyn => "09_call_dyn",
            Strategy::CallSend => "10_call_send",
            Strategy::CallBoxed => "11_call_boxed",
            Strategy::CallInSlot => "12_call_in_slot",
            Strategy::CallInline => "13_call_inline",
        }
    }

    /// How the markdown tables name it.
    pub(crate) const fn label(self) -> &'static str {
        match self {
            Strategy::Direct => "direct `async fn`",
            Strategy::StaticGat => "static `S: Service` (GAT)",
            Strategy::Rpitit => "RPITIT, static",
            Strategy::AsyncTrait => "`#[async_trait]`, `dyn`",
            Strategy::BoxDynFuture => "`Pin<Box<dyn Future>>`, `dyn`",
            Strategy::StackFuture => "`stackfuture::StackFuture`, `dyn`",
            Strategy::ReusableBox => "tokio-util `ReusableBoxFuture` (reused)",
            Strategy::SmallBox => "`SmallBox<dyn Future, S16>`, `dyn`",
            Strategy::CallDyn => "**`call_dyn`** (default space)",
            Strategy::CallSend => "`call_send` (default space)",
            Strategy::CallBoxed => "`call_boxed`",
            Strategy::CallInSlot => "**`call_in`** (one `FutureSlot` reused)",
            Strategy::CallInline => "**`call_inline`** (space sized to fit)",
        }
    }

    /// Whether it goes through a `dyn` trait object (type erasure).
    pub(crate) const fn is_erased(self) -> bool {
        !matches!(
            self,
            Strategy::Direct | Strategy::StaticGat | Strategy::Rpitit
        )
    }

    /// Whether it is one of this crate's strategies.
    pub(crate) const fn is_ours(self) -> bool {
        matches!(
            self,
            Strategy::CallDyn
                | Strategy::CallSend
                | Strategy::CallBoxed
                | Strategy::CallInSlot
                | Strategy::CallInline
        )
    }
}

/// One measured cell: a strategy in a shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Row {
    /// How the future is reached.
    pub(crate) strategy: Strategy,
    /// How the caller holds it.
    pub(crate) shape: Shape,
}

impl Row {
    /// The baseline of every ratio: the direct call, pinned.
    pub(crate) const BASELINE: Row = Row {
        strategy: Strategy::Direct,
        shape: Shape::Pinned,
    };

    /// Every row, strategy-major, in table order.
    pub(crate) fn all() -> impl Iterator<Item = Row> {
        Strategy::ALL.into_iter().flat_map(|strategy| {
            Shape::ALL
                .into_iter()
                .map(move |shape| Row { strategy, shape })
        })
    }

    /// `09_call_dyn/awaited`.
    pub(crate) fn name(self) -> String {
        format!("{}/{}", self.strategy.name(), self.shape.name())
    }
}

/// Receives one row as a monomorphic closure, so that loops over it
/// (criterion, callgrind, allocation counting) contain no dispatch of their
/// own.
pub(crate) trait RowVisitor<'f> {
    /// Called once per row with the size's name, the row and the function
    /// computing it (`FnMut`: rows 07 and 12 own their reusable storage).
    fn visit<F: FnMut(&mut Context<'_>, u64) -> u64 + 'f>(
        &mut self,
        size: &'static str,
        row: Row,
        call: F,
    );
}

/// Defines, for one strategy, a module with its three row functions — each
/// `#[inline(never)]`, so that every row pays the same call around the code
/// it measures and callgrind can attribute a row's cost inclusively — and
/// the outer `async fn` of the awaited shape:
///
/// - `pinned(cx, args…)`: `pin!(CALL)` polled in place;
/// - `moved(cx, args…)`: `CALL` moved into [`run_moved`];
/// - `outer(args…)`: `async fn` whose body is `CALL.await`;
/// - `awaited(cx, args…)`: `outer(args…)` pinned and polled through
///   [`run_task`];
/// - `outer_in_place` / `pin_awaited`: the same with `pin!(CALL).await`.
///
/// `[generics]` are the functions' generic parameters; an optional second
/// `[…]` is the turbofish for `outer` when a parameter cannot be inferred.
macro_rules! shapes {
    ($(#[doc = $doc:literal])* $name:ident [$($gen:tt)*] $([$($tf:tt)*])?
        ($($arg:ident: $ty:ty),* $(,)?) => $call:expr) => {
        $(#[doc = $doc])*
        pub(crate) mod $name {
            use super::*;

            /// Pinned where the call returned it.
            #[inline(never)]
            pub(crate) fn pinned<$($gen)*>(cx: &mut Context<'_>, $($arg: $ty),*) -> u64 {
                run_pinned(pin!($call), cx)
            }

            /// Moved once, by value, before it is polled.
            #[inline(never)]
            pub(crate) fn moved<$($gen)*>(cx: &mut Context<'_>, $($arg: $ty),*) -> u64 {
                run_moved($call, cx)
            }

            /// The caller's `async fn`: awaits the call.
            pub(crate) async fn outer<$($gen)*>($($arg: $ty),*) -> u64 {
                $call.await
            }

            /// Awaited inside [`outer`], polled as a task.
            #[inline(never)]
            pub(crate) fn awaited<$($gen)*>(cx: &mut Context<'_>, $($arg: $ty),*) -> u64 {
                run_task(pin!(outer $(::<$($tf)*>)? ($($arg),*)), cx)
            }

            /// The caller's `async fn`, pinning the call's future in place
            /// before awaiting it.
            pub(crate) async fn outer_in_place<$($gen)*>($($arg: $ty),*) -> u64 {
                pin!($call).await
            }

            /// Awaited in place inside [`outer_in_place`], polled as a task.
            #[inline(never)]
            pub(crate) fn pin_awaited<$($gen)*>(cx: &mut Context<'_>, $($arg: $ty),*) -> u64 {
                run_task(pin!(outer_in_place $(::<$($tf)*>)? ($($arg),*)), cx)
            }
        }
    };
}

shapes! {
    /// `work::<W>(x)`.
    direct [const W: usize] [W] (x: u64) => work::<W>(x)
}
shapes! {
    /// `svc.call(x)` on a generic `S: Service`.
    static_gat [S: Service<u64, Response = u64>] (svc: &S, x: u64) => svc.call(x)
}
shapes! {
    /// `svc.call_rpit(x)` on a generic `T: RpitService`.
    rpitit [T: RpitService] (svc: &T, x: u64) => svc.call_rpit(x)
}
shapes! {
    /// `svc.call_at(x)` through `&dyn`: a box per call.
    async_trait [] (svc: &dyn AsyncTraitService, x: u64) => svc.call_at(x)
}
shapes! {
    /// `svc.call_box(x)` through `&dyn`: a box per call.
    box_dyn_future [] (svc: &dyn BoxFutureService, x: u64) => svc.call_box(x)
}
shapes! {
    /// `svc.call_stack(x)` through `&dyn`.
    stackfuture [const CAP: usize] (svc: &dyn StackFutureService<CAP>, x: u64) => svc.call_stack(x)
}
shapes! {
    /// `svc.call_reusable(slot, x)` through `&dyn`, then the slot's pinned
    /// future (a reference: moving it moves 16 bytes).
    reusable_box ['a] (
        svc: &'a dyn ReusableBoxService,
        slot: &mut ReusableBoxFuture<'a, u64>,
        x: u64,
    ) => {
        svc.call_reusable(slot, x);
        slot.get_pin()
    }
}
shapes! {
    /// `svc.call_smallbox(x)` through `&dyn`.
    smallbox [] (svc: &dyn SmallBoxService, x: u64) => svc.call_smallbox(x)
}
shapes! {
    /// `svc.call_dyn(x)`.
    call_dyn [] (svc: &dyn DynService<u64, u64>, x: u64) => svc.call_dyn(x)
}
shapes! {
    /// `svc.call_send(x)`.
    call_send [] (svc: &dyn SendDynService<u64, u64>, x: u64) => svc.call_send(x)
}
shapes! {
    /// `svc.call_boxed(x)`.
    call_boxed [] (svc: &dyn DynService<u64, u64>, x: u64) => svc.call_boxed(x)
}
shapes! {
    /// `svc.call_in(slot, x)`: the handle borrows the slot (8 bytes).
    call_in_slot ['f] (
        svc: &'f dyn DynService<u64, u64>,
        slot: Pin<&mut FutureSlot<'f, u64>>,
        x: u64,
    ) => svc.call_in(slot, x)
}
shapes! {
    /// `svc.call_inline(x)` with a named capacity.
    call_inline [Cap: Capacity] (svc: &dyn InlineOnlyService<u64, u64, Cap>, x: u64)
        => svc.call_inline(x)
}
