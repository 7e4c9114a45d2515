//! The erasure layer as a user sees it: borrowed requests, the `Send`
//! erasure on a multi-threaded runtime, forwarding impls, layouts, counters.
#![cfg(feature = "std")]

mod common;

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::sync::Arc;

use common::{YieldOnce, block_on};
use hybrid_dispatch::capacity::{S1, S2, S8};
use hybrid_dispatch::{
    Counted, DynService, SendDynService, Service, assert_fits_inline, layout::FutureLayout,
    service_fn,
};

/// The classic `process(&'a self, input: &'a str)`: the future borrows both.
#[derive(Debug)]
struct Prefixer {
    prefix: String,
}

struct Prefixed<'a, 'r> {
    svc: &'a Prefixer,
    input: &'r str,
    yielded: YieldOnce,
}

impl Future for Prefixed<'_, '_> {
    type Output = String;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<String> {
        if Pin::new(&mut self.yielded).poll(cx).is_pending() {
            return Poll::Pending;
        }
        Poll::Ready(format!("{}{}", self.svc.prefix, self.input))
    }
}

impl<'r> Service<&'r str> for Prefixer {
    type Response = String;
    type Future<'a> = Prefixed<'a, 'r>;
    fn call<'a>(&'a self, input: &'r str) -> Prefixed<'a, 'r> {
        Prefixed {
            svc: self,
            input,
            yielded: YieldOnce::default(),
        }
    }
}

assert_fits_inline!(Prefixer, &'static str);
assert_fits_inline!(Prefixer, &'static str, S8);

#[test]
fn borrowed_input_static_and_dyn() {
    let svc = Prefixer {
        prefix: "> ".into(),
    };
    let input = String::from("static");
    assert_eq!(block_on(svc.call(&input)).0, "> static");

    let erased: &dyn for<'r> DynService<&'r str, String> = &svc;
    // Inputs of different lifetimes through the same `dyn` type.
    let short_lived = String::from("short");
    let out = block_on(erased.call_dyn(&short_lived)).0;
    drop(short_lived);
    assert_eq!(out, "> short");
    assert_eq!(block_on(erased.call_dyn("literal")).0, "> literal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn borrowed_input_through_the_send_erasure_across_tasks() {
    let svc: Arc<dyn for<'r> SendDynService<&'r str, String>> = Arc::new(Prefixer {
        prefix: "task ".into(),
    });
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let svc = Arc::clone(&svc);
            tokio::spawn(async move {
                let input = format!("{i}");
                svc.call_send(&input).await
            })
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        assert_eq!(task.await.unwrap(), format!("task {i}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arc_dyn_send_service_moves_into_spawn() {
    let counted = Arc::new(Counted::new(service_fn(|x: u64| async move {
        tokio::task::yield_now().await;
        x * 2
    })));
    let svc: Arc<dyn SendDynService<u64, u64>> = counted.clone();
    let calls = if cfg!(miri) { 4 } else { 200 };
    let tasks: Vec<_> = (0..calls)
        .map(|i| {
            let svc = Arc::clone(&svc);
            tokio::spawn(async move { svc.call_send(i).await })
        })
        .collect();
    let mut sum = 0;
    for task in tasks {
        sum += task.await.unwrap();
    }
    assert_eq!(sum, (0..calls).map(|i| i * 2).sum::<u64>());
    let stats = counted.stats();
    assert_eq!((stats.calls, stats.inline, stats.heap), (calls, calls, 0));
}

#[test]
fn send_erasure_upcasts_to_the_local_one() {
    let svc = service_fn(|x: u8| core::future::ready(x + 1));
    let send: &dyn SendDynService<u8, u8> = &svc;
    let local: &dyn DynService<u8, u8> = send;
    assert_eq!(block_on(local.call_dyn(1)).0, 2);
}

#[test]
fn forwarding_impls_keep_the_erasure_hook() {
    let counted = Arc::new(Counted::new(service_fn(|x: u8| core::future::ready(x))));
    let by_ref: &dyn DynService<u8, u8> = &&*counted;
    let by_box: Box<dyn DynService<u8, u8>> = Box::new(Box::new(Arc::clone(&counted)));
    let by_arc: &dyn DynService<u8, u8> = &counted;
    for erased in [by_ref, &*by_box, by_arc] {
        assert_eq!(block_on(erased.call_dyn(7)).0, 7);
    }
    assert_eq!(block_on(counted.call(9)).0, 9);
    let stats = counted.stats();
    assert_eq!((stats.calls, stats.inline, stats.heap), (4, 3, 0));
}

#[test]
fn layouts_agree_before_and_after_the_call() {
    let svc = service_fn(|x: u64| core::future::ready([x; 4]));
    let erased: &dyn DynService<u64, [u64; 4], S2> = &svc;
    let before = erased.future_layout();
    let fut = erased.call_dyn(1);
    assert_eq!(fut.layout(), before);
    assert_eq!(before, FutureLayout::of_service_val(&svc, &0));
    assert_eq!((before.size(), before.align()), (40, 8));
    assert!(!before.fits::<S2>() && fut.is_heap());
    assert!(erased.service_type_name().contains("ServiceFn"));
}

#[test]
fn counted_distinguishes_static_inline_and_heap() {
    let svc = Counted::new(service_fn(|n: usize| {
        let payload = [n as u8; 24];
        async move { payload.len() }
    }));
    let tight: &dyn DynService<usize, usize, S1> = &svc;
    let roomy: &dyn DynService<usize, usize> = &svc;
    for n in 0..3 {
        block_on(svc.call(n));
        block_on(tight.call_dyn(n));
        block_on(roomy.call_dyn(n));
    }
    let size = roomy.future_layout().size() as u64;
    let stats = svc.reset();
    assert_eq!((stats.calls, stats.inline, stats.heap), (9, 3, 3));
    assert_eq!((stats.allocations, stats.allocated_bytes), (3, 3 * size));
    assert_eq!(svc.stats(), Default::default());
}

#[test]
fn debug_shows_type_size_and_location() {
    let svc = service_fn(|x: u64| core::future::ready([x; 4]));
    let tight: &dyn DynService<u64, [u64; 4], S1> = &svc;
    let roomy: &dyn DynService<u64, [u64; 4]> = &svc;
    let heap = format!("{:?}", tight.call_dyn(1));
    let inline = format!("{:?}", roomy.call_dyn(1));
    assert!(
        heap.contains("Ready<[u64; 4]>") && heap.contains("\"heap\""),
        "{heap}"
    );
    assert!(
        inline.contains("size: 40") && inline.contains("\"inline\""),
        "{inline}"
    );
    assert!(format!("{svc:?}").contains("ServiceFn"));
    assert!(format!("{:?}", Counted::new(1u8)).contains("calls: 0"));
}

/// Issue 8: a function returning an opaque service could not be erased as
/// `Send` or registered (`for<'a> <impl Service>::Future<'a>: Send` was not
/// provable). `impl SendService` carries the bound.
#[test]
fn regression_issue_8_opaque_send_service_is_erasable_and_registrable() {
    use hybrid_dispatch::{Registry, SendService};

    fn doubler() -> impl SendService<u64, Response = u64> {
        service_fn(|x: u64| async move {
            YieldOnce::default().await;
            x * 2
        })
    }
    fn share<S: SendService<u64, Response = u64>>(svc: S) -> Arc<dyn SendDynService<u64, u64>> {
        Arc::new(svc)
    }

    let shared = share(doubler());
    assert_eq!(block_on(shared.call_send(4)).0, 8);
    let registry: Registry<u64, u64> = Registry::new();
    let handle = registry.register("double", doubler()).unwrap();
    assert_eq!(block_on(handle.call(5)).0, 10);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let spawned =
        rt.block_on(async move { tokio::spawn(async move { shared.call_send(6).await }).await });
    assert_eq!(spawned.unwrap(), 12);
}
