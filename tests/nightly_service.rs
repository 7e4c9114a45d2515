//! `#[service]`: `async fn call` in a `Service` impl, with the `nightly`
//! feature on a nightly compiler (`cargo +nightly test --features nightly
//! --test nightly_service`). Without the feature this file is empty; the
//! stable error is pinned by `tests/trybuild/tests/ui/twin_service_attr_on_stable.rs`.

#![cfg(feature = "nightly")]
#![feature(impl_trait_in_assoc_type)]

mod common;

use common::counting_alloc::{Allocs, CountingAlloc, count};
use common::{YieldOnce, block_on};
use hybrid_dispatch::{DynService, Registry, SendDynService, Service, service};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

struct Greeter {
    greeting: String,
}

#[service]
impl Service<String> for Greeter {
    async fn call(&self, name: String) -> String {
        YieldOnce::default().await;
        format!("{}, {name}!", self.greeting)
    }
}

/// A future that borrows its request.
struct Length;

#[service]
impl<'r> Service<&'r str> for Length {
    async fn call(&self, input: &'r str) -> usize {
        YieldOnce::default().await;
        input.len()
    }
}

#[test]
fn async_fn_call_is_a_service_static_and_dyn() {
    let greeter = Greeter {
        greeting: "Hello".into(),
    };
    let name = String::from("Ada");
    // Static: the same allocations as the `format!` alone.
    let ((out, _), allocs) = count(|| block_on(greeter.call(name)));
    let (_, format_alone) = count(|| format!("{}, {}!", greeter.greeting, "Ada"));
    assert_eq!(out, "Hello, Ada!");
    assert_eq!(allocs.allocs, format_alone.allocs);
    let erased: &dyn DynService<String, String> = &greeter;
    let fut = erased.call_dyn("Bob".into());
    assert!(!fut.is_heap());
    assert_eq!(block_on(fut).0, "Hello, Bob!");
}

#[test]
fn borrowed_requests_and_the_send_erasure() {
    let input = String::from("four");
    let ((out, _), allocs) = count(|| block_on(Length.call(&input)));
    assert_eq!((out, allocs), (4, Allocs::NONE));
    let erased: &dyn for<'r> SendDynService<&'r str, usize> = &Length;
    assert_eq!(block_on(erased.call_send(&input)).0, 4);
    let registry: Registry<String, String> = Registry::new();
    registry
        .register(
            "greet",
            Greeter {
                greeting: "Hi".into(),
            },
        )
        .unwrap();
    assert_eq!(
        block_on(registry.call("greet", "Cy".into()).unwrap()).0,
        "Hi, Cy!"
    );
}
