//! Middleware as a user stacks it: behaviour, exact allocation counts on the
//! static and erased paths, erasure-hook forwarding, `Timed` counts.
#![cfg(feature = "std")]

mod common;

use std::cell::RefCell;
use std::fmt::Debug;
use std::sync::Arc;

use common::counting_alloc::{Allocs, CountingAlloc, count};
use common::{YieldOnce, block_on, poll_once};
use hybrid_dispatch::ServiceExt;
use hybrid_dispatch::layer::{
    Inspected, LatencyHistogram, Layer, MapResponseLayer, ServiceBuilder,
};
use hybrid_dispatch::{
    Counted, DynService, SendDynService, Service, layout::FutureLayout, service_fn,
};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const NONE: Allocs = Allocs::NONE;

/// Loops shrink under Miri, which is ~1000× slower.
const CALLS: u64 = if cfg!(miri) { 3 } else { 100 };

/// A realistic small future: state held across one pending poll.
async fn add_three(x: u64) -> u64 {
    let state = [x, 1, 2];
    YieldOnce::default().await;
    state.iter().sum()
}

/// A hook that does not allocate, for any request and response type.
fn no_op_hook<Req, Resp>(_: Inspected<'_, Req, Resp>) {}

#[test]
fn stacked_static_call_allocates_nothing() {
    let svc = service_fn(add_three)
        .counted()
        .map_request(|x: u32| u64::from(x))
        .inspect(no_op_hook)
        .map_response(|x| x * 10)
        .timed();
    for i in 0..CALLS as u32 {
        let ((out, polls), allocs) = count(|| block_on(svc.call(i)));
        assert_eq!((out, polls), ((u64::from(i) + 3) * 10, 2));
        assert_eq!(allocs, NONE);
    }
    assert_eq!(svc.stats().count, CALLS);
}

#[test]
fn stacked_service_erases_inline_without_allocating() {
    let svc = service_fn(add_three)
        .counted()
        .map_request(|x: u32| u64::from(x))
        .inspect(no_op_hook)
        .map_response(|x| x * 10)
        .timed();
    let layout = FutureLayout::of_service_val(&svc, &0u32);
    assert!(layout.size() <= 128, "{layout}");

    let local: &dyn DynService<u32, u64> = &svc;
    let ((out, heap), allocs) = count(|| {
        let fut = local.call_dyn(1);
        let heap = fut.is_heap();
        (block_on(fut).0, heap)
    });
    assert_eq!((out, heap), (40, false));
    assert_eq!(allocs, NONE);

    let shared: &dyn SendDynService<u32, u64> = &svc;
    let ((out, heap), allocs) = count(|| {
        let fut = shared.call_send(2);
        let heap = fut.is_heap();
        (block_on(fut).0, heap)
    });
    assert_eq!((out, heap), (50, false));
    assert_eq!(allocs, NONE);

    // The `Counted` at the bottom heard both erasures through every layer.
    let counted = svc.get_ref().get_ref().get_ref().get_ref();
    let stats = counted.stats();
    assert_eq!((stats.calls, stats.inline, stats.heap), (2, 2, 0));
}

#[test]
fn every_wrapper_forwards_the_erasure_hook() {
    fn inline_erasures<S: DynService<u64, R>, R>(svc: &S, counted: &Counted<impl Sized>) -> u64 {
        let before = counted.stats().inline;
        drop(svc.call_dyn(1));
        counted.stats().inline - before
    }
    let base = || service_fn(add_three).counted();

    let svc = base().map_request(|x: u64| x);
    assert_eq!(inline_erasures(&svc, svc.get_ref()), 1);
    let svc = base().map_response(|x| x);
    assert_eq!(inline_erasures(&svc, svc.get_ref()), 1);
    let svc = base().inspect(no_op_hook);
    assert_eq!(inline_erasures(&svc, svc.get_ref()), 1);
    let svc = base().timed();
    assert_eq!(inline_erasures(&svc, svc.get_ref()), 1);
}

#[test]
fn erased_stack_crosses_threads() {
    let latency = Arc::new(LatencyHistogram::new());
    let svc: Arc<dyn SendDynService<u32, String>> = Arc::new(
        ServiceBuilder::new()
            .timed(Arc::clone(&latency))
            .map_response(|x: u64| format!("<{x}>"))
            .map_request(|x: u32| u64::from(x))
            .service(service_fn(add_three)),
    );
    let handle = std::thread::spawn({
        let svc = Arc::clone(&svc);
        move || block_on(svc.call_send(4)).0
    });
    assert_eq!(handle.join().unwrap(), "<7>");
    assert_eq!(latency.snapshot().count, 1);
}

#[test]
fn builder_applies_layers_outermost_first() {
    // Requests go down the list, responses come back up it.
    let svc = ServiceBuilder::new()
        .map_response(|x: u64| x + 1) // outermost: last to see the response
        .map_response(|x: u64| x * 10)
        .map_request(|x: u64| x * 2) // first to see the request
        .map_request(|x: u64| x + 5)
        .service(service_fn(|x: u64| core::future::ready(x)));
    // ((3 * 2) + 5) * 10 + 1
    assert_eq!(block_on(svc.call(3)).0, 111);

    // `ServiceExt` reads the other way: each call wraps what is already there.
    let svc = service_fn(|x: u64| core::future::ready(x))
        .map_request(|x: u64| x + 5)
        .map_request(|x: u64| x * 2)
        .map_response(|x| x * 10)
        .map_response(|x| x + 1);
    assert_eq!(block_on(svc.call(3)).0, 111);
}

#[test]
fn a_builder_is_a_layer_for_many_services() {
    let stack = ServiceBuilder::new().layer(MapResponseLayer::new(|x: u64| x * 2));
    let a = Layer::layer(&stack, service_fn(|x: u64| core::future::ready(x)));
    let b = stack.service(service_fn(|x: u64| core::future::ready(x + 1)));
    assert_eq!((block_on(a.call(1)).0, block_on(b.call(1)).0), (2, 4));
}

#[test]
fn map_request_adapts_borrowed_requests() {
    // A future that borrows nothing, behind a request that is borrowed.
    let svc = service_fn(|n: usize| core::future::ready(n * 2)).map_request(|s: &str| s.len());
    let erased: &dyn for<'r> DynService<&'r str, usize> = &svc;
    let owned = String::from("four");
    let fut = erased.call_dyn(&owned);
    assert!(!fut.is_heap());
    assert_eq!(block_on(fut).0, 8);
    let shared: &dyn for<'r> SendDynService<&'r str, usize> = &svc;
    assert_eq!(block_on(shared.call_send(&owned)).0, 8);
}

#[test]
fn inspect_sees_request_at_call_and_response_at_completion() {
    let log = RefCell::new(Vec::new());
    let svc = service_fn(add_three).inspect(|event| {
        log.borrow_mut().push(match event {
            Inspected::Request(req) => format!("req {req}"),
            Inspected::Response(resp) => format!("resp {resp}"),
        });
    });

    let mut fut = Box::pin(svc.call(1));
    assert_eq!(*log.borrow(), ["req 1"]);
    assert!(poll_once(fut.as_mut()).is_pending());
    assert_eq!(log.borrow().len(), 1);
    assert_eq!(poll_once(fut.as_mut()), core::task::Poll::Ready(4));
    assert_eq!(*log.borrow(), ["req 1", "resp 4"]);

    // Cancelled: the request is seen, no response is.
    drop(svc.call(2));
    assert_eq!(*log.borrow(), ["req 1", "resp 4", "req 2"]);

    // Through `dyn`, the same events.
    let erased: &dyn DynService<u64, u64> = &svc;
    assert_eq!(block_on(erased.call_dyn(3)).0, 6);
    assert_eq!(log.borrow()[3..], ["req 3", "resp 6"]);
}

#[test]
fn timed_counts_completed_and_cancelled_calls() {
    let svc = service_fn(add_three).timed();
    for i in 0..CALLS {
        assert_eq!(block_on(svc.call(i)).0, i + 3);
    }
    // Started, then dropped while pending: cancelled.
    let mut fut = Box::pin(svc.call(0));
    assert!(poll_once(fut.as_mut()).is_pending());
    drop(fut);
    // Never polled: not seen at all.
    drop(svc.call(0));
    // Erased calls are timed too.
    let erased: &dyn DynService<u64, u64> = &svc;
    block_on(erased.call_dyn(0));

    let stats = svc.stats();
    assert_eq!(stats.count, CALLS + 1);
    assert_eq!(stats.cancelled, 1);
    assert_eq!(stats.buckets.iter().sum::<u64>(), stats.count);
    assert!(stats.total >= stats.max);
    assert!(stats.quantile(0.5).unwrap() <= stats.max);

    let before = svc.histogram().reset();
    assert_eq!(before, stats);
    assert_eq!(svc.stats().count, 0);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "busy-waits on the clock; Miri's clock advances per instruction"
)]
fn timed_records_real_latency() {
    use std::time::Duration;
    // Pending on the first poll, ready once 2 ms have passed.
    let svc = service_fn(|()| {
        let deadline = std::time::Instant::now() + Duration::from_millis(2);
        core::future::poll_fn(move |cx| {
            if std::time::Instant::now() >= deadline {
                core::task::Poll::Ready(())
            } else {
                cx.waker().wake_by_ref();
                core::task::Poll::Pending
            }
        })
    })
    .timed();
    block_on(svc.call(()));
    let stats = svc.stats();
    assert_eq!(stats.count, 1);
    // The clock starts at the first poll, which is after the deadline was
    // set, so the measured time is at most the wait, and close to it.
    assert!(stats.max <= Duration::from_millis(2) + Duration::from_secs(5));
    assert!(stats.max > Duration::from_millis(1), "{:?}", stats.max);
}

#[test]
fn shared_histogram_collects_from_several_services() {
    static LATENCY: LatencyHistogram = LatencyHistogram::new();
    let a = service_fn(add_three).timed_with(&LATENCY);
    let b = service_fn(|x: u64| core::future::ready(x)).timed_with(&LATENCY);
    block_on(a.call(1));
    block_on(b.call(1));
    block_on(b.call(2));
    assert_eq!(LATENCY.snapshot().count, 3);
}

#[test]
fn every_public_type_is_debug() {
    fn debug(value: &impl Debug) -> String {
        format!("{value:?}")
    }
    let svc = ServiceBuilder::new()
        .timed(Arc::new(LatencyHistogram::new()))
        .inspect(no_op_hook::<u64, u64>)
        .map_response(|x: u64| x)
        .map_request(|x: u64| x)
        .service(service_fn(add_three));
    let text = debug(&svc);
    for name in ["Timed", "Inspect", "MapResponse", "MapRequest", "ServiceFn"] {
        assert!(text.contains(name), "{text}");
    }
    assert!(debug(&svc.call(1)).contains("TimedFuture"));
    let builder = ServiceBuilder::new().map_request(|x: u64| x);
    assert!(debug(&builder).contains("MapRequestLayer"));
}

mod auto_traits {
    use core::future::Ready;

    use hybrid_dispatch::layer::{
        Identity, Inspect, InspectFuture, InspectLayer, Inspected, LatencyHistogram,
        LatencySnapshot, MapRequest, MapRequestLayer, MapResponse, MapResponseFuture,
        MapResponseLayer, ServiceBuilder, Stack, Timed, TimedFuture, TimedLayer,
    };
    use static_assertions::assert_impl_all;

    // Used only inside the assertions below, which rustc 1.86 (the MSRV)
    // does not count as uses.
    #[allow(dead_code, reason = "used by static assertions")]
    type Fut = Ready<u8>;
    #[allow(dead_code, reason = "used by static assertions")]
    type Map = fn(u8) -> u8;
    #[allow(dead_code, reason = "used by static assertions")]
    type Hook = fn(Inspected<'_, u8, u8>);

    assert_impl_all!(MapRequest<(), Map>: Send, Sync, Clone, Copy, core::fmt::Debug);
    assert_impl_all!(MapResponse<(), Map>: Send, Sync, Clone, Copy, core::fmt::Debug);
    assert_impl_all!(Inspect<(), Hook>: Send, Sync, Clone, Copy, core::fmt::Debug);
    assert_impl_all!(Timed<()>: Send, Sync, core::fmt::Debug);
    // Named futures are `Send` and `Unpin` exactly when the inner future is.
    assert_impl_all!(MapResponseFuture<'static, Fut, Map>: Send, Unpin, core::fmt::Debug);
    assert_impl_all!(InspectFuture<'static, Fut, Hook, u8>: Send, Unpin, core::fmt::Debug);
    assert_impl_all!(TimedFuture<'static, Fut>: Send, Unpin, core::fmt::Debug);
    assert_impl_all!(LatencyHistogram: Send, Sync, Default, core::fmt::Debug);
    assert_impl_all!(LatencySnapshot: Send, Sync, Copy, core::fmt::Debug);
    assert_impl_all!(Identity: Send, Sync, Copy, core::fmt::Debug);
    assert_impl_all!(Stack<Identity, Identity>: Send, Sync, Copy, core::fmt::Debug);
    assert_impl_all!(ServiceBuilder<Identity>: Send, Sync, Copy, core::fmt::Debug);
    assert_impl_all!(MapRequestLayer<Map>: Send, Sync, Copy, core::fmt::Debug);
    assert_impl_all!(MapResponseLayer<Map>: Send, Sync, Copy, core::fmt::Debug);
    assert_impl_all!(InspectLayer<Hook>: Send, Sync, Copy, core::fmt::Debug);
    assert_impl_all!(TimedLayer<&'static LatencyHistogram>: Send, Sync, Copy, core::fmt::Debug);
    assert_impl_all!(Inspected<'static, u8, u8>: Send, Sync, Copy, core::fmt::Debug);
}
