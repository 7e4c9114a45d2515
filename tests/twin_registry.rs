//! A `TwinRegistry` of a user's `#[dyn_twin]` trait: typed errors that leave
//! it unchanged, handles, removal, names, per-method statistics and the
//! per-method sizing report; and the service `Registry` still works beside it
//! (the two share one core).

mod common;

use std::sync::Arc;

use common::counting_alloc::{Allocs, CountingAlloc, count};
use common::{YieldOnce, block_on};
use hybrid_dispatch::registry::{TwinHandle, TwinRegistry, TwinRegistryStats};
use hybrid_dispatch::space::S8;
use hybrid_dispatch::{Error, Registry, dyn_twin, service_fn};
use static_assertions::assert_impl_all;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

#[dyn_twin(DynPlugin, send = SendDynPlugin)]
trait Plugin {
    fn name(&self) -> &str;
    async fn handle(&self, doc: String) -> String;
    async fn health(&self) -> bool;
}

struct Upper;

impl Plugin for Upper {
    fn name(&self) -> &str {
        "upper"
    }
    async fn handle(&self, doc: String) -> String {
        YieldOnce::default().await;
        doc.to_uppercase()
    }
    async fn health(&self) -> bool {
        true
    }
}

/// Holds a page across an await: spills from `S8`.
struct Render;

impl Plugin for Render {
    fn name(&self) -> &str {
        "render"
    }
    async fn handle(&self, doc: String) -> String {
        let page = [b'.'; 256];
        YieldOnce::default().await;
        format!("{doc}{}", page.len())
    }
    async fn health(&self) -> bool {
        true
    }
}

type Plugins = TwinRegistry<dyn SendDynPlugin<S8>>;

assert_impl_all!(Plugins: Send, Sync, Clone, Default, std::fmt::Debug);
assert_impl_all!(TwinHandle<dyn SendDynPlugin<S8>>: Send, Sync, Clone, std::fmt::Debug);
assert_impl_all!(TwinRegistryStats: Send, Sync, Clone, Eq, std::fmt::Debug);

fn registry() -> Plugins {
    let plugins = Plugins::new();
    plugins.register("upper", Upper).unwrap();
    plugins.register("render", Render).unwrap();
    plugins
}

#[test]
fn errors_are_typed_and_leave_the_registry_unchanged() {
    let plugins = registry();
    let upper = plugins.handle("upper").unwrap();
    assert_eq!(
        plugins.register("upper", Render).unwrap_err(),
        Error::Duplicate("upper".into())
    );
    assert!(upper.same_entry(&plugins.handle("upper").unwrap()));
    assert_eq!(
        plugins.handle("nope").unwrap_err(),
        Error::NotFound("nope".into())
    );
    assert_eq!(
        plugins.remove("nope").unwrap_err(),
        Error::NotFound("nope".into())
    );
    assert_eq!(plugins.names(), ["render", "upper"]);
    assert_eq!(plugins.len(), 2);
}

#[test]
fn handles_call_every_method_and_outlive_removal() {
    let plugins = registry();
    let upper = plugins.handle("upper").unwrap();
    assert_eq!(upper.name(), "upper");
    assert_eq!(upper.name_dyn(), "upper");
    assert_eq!(block_on(upper.handle("a".into())).0, "A");
    assert!(block_on(upper.health_send()).0);
    let removed = plugins.remove("upper").unwrap();
    assert!(!plugins.contains("upper"));
    assert_eq!(block_on(removed.handle_send("b".into())).0, "B");
    // The handle shares the twin object.
    let shared: Arc<dyn SendDynPlugin<S8>> = removed.shared();
    assert_eq!(block_on(shared.handle("c".into())).0, "C");
}

#[test]
fn handle_calls_that_fit_allocate_only_their_output() {
    let plugins = registry();
    let upper = plugins.handle("upper").unwrap();
    let (out, allocs) = count(|| block_on(upper.health_send()).0);
    assert_eq!((out, allocs), (true, Allocs::NONE));
}

#[test]
fn stats_are_per_method() {
    let plugins = registry();
    let upper = plugins.handle("upper").unwrap();
    let render = plugins.handle("render").unwrap();
    for _ in 0..3 {
        block_on(upper.handle_send("x".into()));
        block_on(render.handle_send("x".into()));
    }
    block_on(upper.health_send());
    let _ = upper.name_dyn();
    let render_size = render.handle_layout().size() as u64;

    let stats = plugins.stats();
    let upper_stats = stats.get("upper").unwrap();
    assert_eq!(upper_stats.get("handle").unwrap().inline, 3);
    assert_eq!(upper_stats.get("health").unwrap().calls, 1);
    assert_eq!(upper_stats.get("name").unwrap().calls, 1);
    let render_handle = *stats.get("render").unwrap().get("handle").unwrap();
    assert_eq!((render_handle.calls, render_handle.heap), (3, 3));
    assert_eq!(render_handle.allocated_bytes, 3 * render_size);
    assert_eq!(render.stats(), *stats.get("render").unwrap());
    let text = stats.to_string();
    assert!(text.contains("render.handle: 3 calls"), "{text}");
}

#[test]
fn sizing_says_which_method_spills_and_what_would_stop_it() {
    let plugins = registry();
    let sizing = plugins.sizing();
    assert_eq!(sizing.capacity(), 64);
    assert_eq!(sizing.spilled().collect::<Vec<_>>(), ["render.handle"]);
    let row = sizing.get("render.handle").unwrap();
    assert!(!row.is_inline());
    assert!(
        row.service_type_name().ends_with("Render"),
        "{}",
        row.service_type_name()
    );
    assert!(sizing.required_capacity() > 256);
    assert_eq!(sizing.smallest_space(), Some("S64"));
    let render = plugins.handle("render").unwrap();
    let methods: Vec<&str> = render.sizing().iter().map(|(m, _)| *m).collect();
    assert_eq!(methods, ["handle", "health"]);
    print!("{sizing}");
}

#[test]
fn service_registry_and_twin_registry_side_by_side() {
    let services: Registry<u64, u64> = Registry::new();
    services
        .register("double", service_fn(|x: u64| async move { x * 2 }))
        .unwrap();
    let plugins = registry();
    assert_eq!(block_on(services.call("double", 4).unwrap()).0, 8);
    assert_eq!(
        block_on(plugins.handle("upper").unwrap().handle("q".into())).0,
        "Q"
    );
}

#[test]
fn twins_are_called_from_many_tasks() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let plugins = registry();
    let total: usize = runtime.block_on(async {
        let tasks: Vec<_> = (0..4)
            .map(|i| {
                let plugins = plugins.clone();
                tokio::spawn(async move {
                    let name = if i % 2 == 0 { "upper" } else { "render" };
                    let plugin = plugins.handle(name).unwrap();
                    plugin.handle(format!("doc{i}")).await.len()
                })
            })
            .collect();
        let mut total = 0;
        for task in tasks {
            total += task.await.unwrap();
        }
        total
    });
    assert_eq!(total, 4 + 7 + 4 + 7);
    let stats = plugins.stats();
    let calls = |name| stats.get(name).unwrap().get("handle").unwrap().calls;
    assert_eq!(calls("upper") + calls("render"), 4);
}
