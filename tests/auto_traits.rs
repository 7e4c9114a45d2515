//! Auto traits and dyn-compatibility of every public type, asserted at
//! compile time (futures-rs `tests/auto_traits.rs` style).
#![cfg(all(feature = "std", feature = "macros"))]

use core::fmt::Debug;
use core::future::Ready;

use hybrid_dispatch::capacity::{DefaultCapacity, S1};
use hybrid_dispatch::{
    Counted, DynService, FutureSlot, InlineFuture, InlineOnlyService, SendDynService,
    SendFutureSlot, SendInlineFuture, Service, ServiceFn,
    future::{InlineOnlyFuture, SendInlineOnlyFuture, SlotFuture},
    layer::PlacementStats,
    layout::{Erasure, FutureLayout, Placement},
};
use static_assertions::{assert_impl_all, assert_not_impl_any, assert_obj_safe};

// Used only inside assertions, which rustc 1.86 (the MSRV) does not count
// as uses.
#[allow(dead_code, reason = "used by static assertions")]
type Fn_ = ServiceFn<fn(u8) -> Ready<u8>>;

assert_obj_safe!(DynService<u8, u8>);
assert_obj_safe!(SendDynService<u8, u8>);
assert_obj_safe!(DynService<&'static str, String, S1>);
assert_obj_safe!(InlineOnlyService<u8, u8>);
assert_obj_safe!(hybrid_dispatch::SendInlineOnlyService<u8, u8>);
assert_impl_all!(dyn hybrid_dispatch::SendInlineOnlyService<u8, u8>: Send, Sync);

// Inline-only futures: like InlineFuture.
assert_impl_all!(InlineOnlyFuture<'static, u8>: Debug, core::future::Future);
assert_not_impl_any!(InlineOnlyFuture<'static, u8>: Send, Sync, Unpin);
assert_impl_all!(SendInlineOnlyFuture<'static, u8>: Debug, Send);
assert_not_impl_any!(SendInlineOnlyFuture<'static, u8>: Sync, Unpin);

// Slots are pinned storage (!Unpin); the Send one may cross threads. The
// handle into a slot is a plain `&mut`, so it is `Unpin` and cheap to move.
assert_impl_all!(FutureSlot<'static, u8>: Debug, Default);
assert_not_impl_any!(FutureSlot<'static, u8>: Send, Sync, Unpin);
assert_impl_all!(SendFutureSlot<'static, u8>: Debug, Send);
assert_not_impl_any!(SendFutureSlot<'static, u8>: Sync, Unpin);
assert_impl_all!(SlotFuture<'static, dyn core::future::Future<Output = u8> + Send, S1>: Debug, Send, Unpin);
assert_not_impl_any!(SlotFuture<'static, dyn core::future::Future<Output = u8>, S1>: Send, Sync);
assert_impl_all!(Placement: Debug, Copy, Eq, Send, Sync, Unpin);

// The local erased future: neither Send nor Sync nor Unpin.
assert_impl_all!(InlineFuture<'static, u8>: Debug, core::future::Future);
assert_not_impl_any!(InlineFuture<'static, u8>: Send, Sync, Unpin);
// The Send twin: Send, never Unpin; not Sync (the future inside need not be).
assert_impl_all!(SendInlineFuture<'static, u8>: Debug, Send, core::future::Future);
assert_not_impl_any!(SendInlineFuture<'static, u8>: Sync, Unpin);

// Erased streams: as the erased futures, and fused (`FusedStream`).
assert_impl_all!(hybrid_dispatch::InlineStream<'static, u8>: Debug, futures_core::Stream, futures_core::stream::FusedStream);
assert_not_impl_any!(hybrid_dispatch::InlineStream<'static, u8>: Send, Sync, Unpin);
assert_impl_all!(hybrid_dispatch::SendInlineStream<'static, u8, S1>: Debug, Send, futures_core::Stream, futures_core::stream::FusedStream);
assert_not_impl_any!(hybrid_dispatch::SendInlineStream<'static, u8>: Sync, Unpin);

// Erased services: the Send variant is shareable, the local one is not.
assert_impl_all!(dyn SendDynService<u8, u8>: Send, Sync);
assert_not_impl_any!(dyn DynService<u8, u8>: Send, Sync);

assert_impl_all!(Fn_: Service<u8>, Debug, Clone, Copy, Send, Sync, Unpin);
assert_impl_all!(Counted<Fn_>: Service<u8>, Debug, Send, Sync, Unpin);
assert_impl_all!(Counted<u8>: Default);
assert_impl_all!(FutureLayout: Debug, Copy, Eq, Send, Sync, Unpin);
assert_impl_all!(Erasure: Debug, Copy, Eq, Send, Sync, Unpin);
assert_impl_all!(PlacementStats: Debug, Copy, Eq, Default, Send, Sync, Unpin, core::ops::Add<Output = PlacementStats>);
assert_impl_all!(DefaultCapacity: Send, Sync, Unpin);

// Every Service is both erasures (when 'static, Send + Sync, Send futures).
assert_impl_all!(Fn_: DynService<u8, u8>, SendDynService<u8, u8>, DynService<u8, u8, S1>, InlineOnlyService<u8, u8>);
assert_impl_all!(Counted<Fn_>: SendDynService<u8, u8>);

#[test]
fn assertions_compile() {}

// Capacities are never values, but they are public types: Debug, and the
// Capacity promise.
assert_impl_all!(hybrid_dispatch::capacity::S15: Debug, hybrid_dispatch::capacity::Capacity, Send, Sync, Unpin);
assert_impl_all!(hybrid_dispatch::capacity::Align64: Debug, hybrid_dispatch::capacity::Capacity, Send, Sync);
assert_impl_all!([hybrid_dispatch::capacity::Align16; 3]: hybrid_dispatch::capacity::Capacity);
assert_not_impl_any!((u64, u8): hybrid_dispatch::capacity::Capacity);

// The registries and what they hand out.
assert_impl_all!(hybrid_dispatch::Registry<u8, u8>: Debug, Clone, Default, Send, Sync);
assert_impl_all!(hybrid_dispatch::Handle<u8, u8>: Debug, Clone, Send, Sync);
assert_impl_all!(hybrid_dispatch::registry::RegistryFuture<'static, u8>: Debug, Send);
assert_not_impl_any!(hybrid_dispatch::registry::RegistryFuture<'static, u8>: Sync, Unpin);
// The one tracked-call type: a twin's tracked future is `Send` and `Sync`
// when the implementor's is, and `Unpin` too.
assert_impl_all!(hybrid_dispatch::twin::Tracked<'static, core::future::Ready<u8>>: Debug, Send, Sync, Unpin);
assert_impl_all!(hybrid_dispatch::layout::Outcome: Debug, Clone, Copy, Eq, core::hash::Hash, Send, Sync);
assert_impl_all!(hybrid_dispatch::Error: Debug, Clone, Eq, Send, Sync, std::error::Error);
assert_impl_all!(hybrid_dispatch::registry::CallStats: Debug, Copy, Eq, Default, Send, Sync);

// A twin registry's entries, kept (`TwinHandle`) or found for a call
// (`TwinRef`, which holds a hazard-slot snapshot of the map: `Send` and
// `Sync` when the entries are): shareable exactly when the twin object is.
mod twins {
    use core::fmt::Debug;

    use hybrid_dispatch::dyn_twin;
    use hybrid_dispatch::twin::{TwinHandle, TwinRef};
    use static_assertions::{assert_impl_all, assert_not_impl_any};

    #[dyn_twin(DynPing, send = SendDynPing)]
    trait Ping {
        async fn ping(&self) -> u8;
    }

    assert_impl_all!(TwinHandle<dyn SendDynPing>: Debug, Clone, Send, Sync, Unpin);
    assert_not_impl_any!(TwinHandle<dyn DynPing>: Send, Sync);
    assert_impl_all!(TwinRef<dyn SendDynPing>: Debug, Send, Sync, Unpin);
    assert_not_impl_any!(TwinRef<dyn DynPing>: Send, Sync);
    // Found for a call, not kept: `TwinRef::to_handle` makes a keepable copy.
    assert_not_impl_any!(TwinRef<dyn SendDynPing>: Clone);
}

// Recycled storage: the pool is shared by many threads; the 16-byte handle
// is `Send` exactly when its future is; the wrapper is shareable.
assert_impl_all!(hybrid_dispatch::future::RecyclePool: Debug, Send, Sync);
assert_impl_all!(hybrid_dispatch::future::PoolStats: Debug, Copy, Eq, Default, Send, Sync);
assert_impl_all!(hybrid_dispatch::future::AllocError: Debug, Copy, Eq, Send, Sync, std::error::Error);
// A refused call's error holds its request: `Send`/`Sync`/`Clone` as the
// request is; `Debug` and an error whatever the request (it is not shown).
assert_impl_all!(hybrid_dispatch::future::OutOfMemory<String>: Debug, Clone, Eq, Send, Sync, std::error::Error);
assert_impl_all!(hybrid_dispatch::future::OutOfMemory<std::rc::Rc<u8>>: Debug, std::error::Error);
assert_not_impl_any!(hybrid_dispatch::future::OutOfMemory<std::rc::Rc<u8>>: Send, Sync);
assert_not_impl_any!(hybrid_dispatch::future::OutOfMemory<String>: Copy);
assert_impl_all!(hybrid_dispatch::SendRecycledFuture<'static, u8>: Debug, Send, core::future::Future);
assert_not_impl_any!(hybrid_dispatch::SendRecycledFuture<'static, u8>: Sync, Unpin);
assert_impl_all!(hybrid_dispatch::RecycledFuture<'static, u8>: Debug, core::future::Future);
assert_not_impl_any!(hybrid_dispatch::RecycledFuture<'static, u8>: Send, Sync, Unpin);
assert_impl_all!(hybrid_dispatch::Recycled<u8, u8>: Debug, Send, Sync);
static_assertions::assert_eq_size!(hybrid_dispatch::SendRecycledFuture<'static, u8>, [usize; 2]);

// Async iterators. `GatStream` and the erased iterators hold a future that
// points into themselves: never `Unpin`, never `Sync`; `Send` exactly when
// the iterator and its `next` future are. The `next` futures of the
// adapters follow their parts.
mod streams {
    use core::fmt::Debug;
    use core::future::{Future, Ready};

    use futures_core::Stream;
    use hybrid_dispatch::capacity::S1;
    use hybrid_dispatch::stream::{
        AsyncIter, BoxAsyncIter, DynAsyncIter, GatStream, NextItem, SendAsyncIter,
        SendBoxAsyncIter, SendDynAsyncIter, Unfold, UnfoldNext,
    };
    use static_assertions::{assert_impl_all, assert_not_impl_any, assert_obj_safe};

    #[allow(dead_code, reason = "used by static assertions")]
    type ReadyStep = Ready<Option<(u8, u8)>>;
    #[allow(dead_code, reason = "used by static assertions")]
    type Counter = Unfold<u8, fn(u8) -> ReadyStep, ReadyStep>;
    #[allow(dead_code, reason = "used by static assertions")]
    type LocalStep = Ready<Option<(u8, std::rc::Rc<u8>)>>;
    #[allow(dead_code, reason = "used by static assertions")]
    type Local = Unfold<std::rc::Rc<u8>, fn(std::rc::Rc<u8>) -> LocalStep, LocalStep>;

    assert_obj_safe!(DynAsyncIter<u8>);
    assert_obj_safe!(SendDynAsyncIter<u8, S1>);
    assert_impl_all!(dyn SendDynAsyncIter<u8>: Send);
    assert_not_impl_any!(dyn SendDynAsyncIter<u8>: Sync);
    assert_not_impl_any!(dyn DynAsyncIter<u8>: Send, Sync);

    assert_impl_all!(Counter: AsyncIter, SendAsyncIter, DynAsyncIter<u8>, SendDynAsyncIter<u8>, Debug, Send, Sync, Unpin);
    assert_impl_all!(Local: AsyncIter, DynAsyncIter<u8>, Debug);
    assert_not_impl_any!(Local: SendAsyncIter, Send, Sync);
    assert_impl_all!(UnfoldNext<'static, u8, ReadyStep>: Future, Debug, Send, Sync, Unpin);
    assert_impl_all!(&'static mut Counter: AsyncIter);
    assert_impl_all!(Box<Counter>: AsyncIter);

    assert_impl_all!(GatStream<'static, Counter>: Stream, Debug, Send);
    assert_not_impl_any!(GatStream<'static, Counter>: Sync, Unpin);
    assert_impl_all!(GatStream<'static, Local>: Stream, Debug);
    assert_not_impl_any!(GatStream<'static, Local>: Send, Sync, Unpin);

    assert_impl_all!(BoxAsyncIter<'static, u8>: Stream, Debug);
    assert_not_impl_any!(BoxAsyncIter<'static, u8>: Send, Sync, Unpin);
    assert_impl_all!(SendBoxAsyncIter<'static, u8, S1>: Stream, Debug, Send);
    assert_not_impl_any!(SendBoxAsyncIter<'static, u8, S1>: Sync, Unpin);

    // The future of `next()` on a pinned stream is a `Pin<&mut S>`: `Unpin`,
    // and `Send` when the stream is.
    assert_impl_all!(NextItem<'static, SendBoxAsyncIter<'static, u8>>: Future, Debug, Send, Unpin);
    assert_not_impl_any!(NextItem<'static, BoxAsyncIter<'static, u8>>: Send);
}
