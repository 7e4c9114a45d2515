//! A `TwinRegistry` of a user's `#[dyn_twin]` trait: typed errors that leave
//! it unchanged, handles, removal, names, per-method statistics, tracked
//! calls (in flight, completed, cancelled, panicked) and the per-method
//! sizing report; and the service `Registry` still works beside it (the two
//! share one core).
#![cfg(all(feature = "std", feature = "macros"))]

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use common::counting_alloc::{Allocs, CountingAlloc, count};
use common::{YieldOnce, block_on, poll_once};
use hybrid_dispatch::capacity::S15;
use hybrid_dispatch::registry::CallStats;
use hybrid_dispatch::twin::{Tracked, TwinHandle, TwinRef, TwinRegistry, TwinRegistryStats};
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

/// Holds a page across an await: spills from `S15`.
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

type Plugins = TwinRegistry<dyn SendDynPlugin<S15>>;

assert_impl_all!(Plugins: Send, Sync, Clone, Default, std::fmt::Debug);
assert_impl_all!(TwinHandle<dyn SendDynPlugin<S15>>: Send, Sync, Clone, std::fmt::Debug);
assert_impl_all!(TwinRef<dyn SendDynPlugin<S15>>: Send, Sync, std::fmt::Debug);
assert_impl_all!(TwinRegistryStats: Send, Sync, Clone, Eq, std::fmt::Debug);
// A tracked future is `Send` (and `Sync`) when the implementor's is, so a
// `Send` twin's erased future stays `Send`.
assert_impl_all!(Tracked<'static, std::future::Ready<String>>: Send, Sync, Unpin, std::fmt::Debug);

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
    assert!(TwinHandle::same_entry(
        &upper,
        &plugins.handle("upper").unwrap()
    ));
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
    let shared: Arc<dyn SendDynPlugin<S15>> = TwinHandle::shared(&removed);
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
    // Too large for `S15`: recycled from the entry's pool for `handle`, whose
    // one buffer (a miss) served all three calls.
    assert_eq!(
        (
            render_handle.calls,
            render_handle.heap,
            render_handle.recycled
        ),
        (3, 0, 3)
    );
    let pool = TwinHandle::pool_stats(&render, "handle").unwrap();
    assert_eq!((pool.misses, pool.idle), (1, 1));
    assert!(pool.buffer_bytes >= render_size);
    // What the three calls allocated: that one buffer.
    assert_eq!(
        (render_handle.allocations, render_handle.allocated_bytes),
        (1, pool.buffer_bytes)
    );
    assert_eq!(TwinHandle::stats(&render), *stats.get("render").unwrap());
    let text = stats.to_string();
    assert!(text.contains("render.handle: 3 calls"), "{text}");
}

#[test]
fn sizing_says_which_method_spills_and_what_would_stop_it() {
    let plugins = registry();
    let sizing = plugins.sizing();
    assert_eq!(sizing.capacity(), 120);
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
    let methods: Vec<&str> = TwinHandle::sizing(&render)
        .iter()
        .map(|(m, _)| *m)
        .collect();
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

// ---------------------------------------------------------------------------
// Tracked calls: every call to a registered implementor is counted until its
// future ends, however it was made.

/// Panics inside its futures.
struct Faulty;

impl Plugin for Faulty {
    fn name(&self) -> &str {
        "faulty"
    }
    async fn handle(&self, doc: String) -> String {
        YieldOnce::default().await;
        panic!("faulty plugin: {doc}");
    }
    async fn health(&self) -> bool {
        false
    }
}

/// Where a tracked method's futures go.
#[derive(Clone, Copy)]
enum Went {
    Inline,
    Recycled,
}

/// A tracked method's counts of calls, placements and outcomes (what
/// [`tracked`] gives), without what its pool allocated and holds.
fn calls_and_ends(stats: CallStats) -> CallStats {
    CallStats {
        allocations: 0,
        allocated_bytes: 0,
        recycle_misses: 0,
        idle_buffers: 0,
        idle_bytes: 0,
        ..stats
    }
}

/// The counters a tracked method should show.
fn tracked(calls: u64, went: Went, ended: [u64; 3], in_flight: u64) -> CallStats {
    let [completed, cancelled, panicked] = ended;
    let (inline, recycled) = match went {
        Went::Inline => (calls, 0),
        Went::Recycled => (0, calls),
    };
    CallStats {
        calls,
        inline,
        recycled,
        completed,
        cancelled,
        panicked,
        in_flight,
        ..CallStats::default()
    }
}

#[test]
fn every_path_to_an_entry_is_tracked() {
    let plugins = registry();
    let upper = plugins.handle("upper").unwrap();
    let render = plugins.handle("render").unwrap();
    let render_size = render.handle_layout().size() as u64;

    // Completed: the `Send` and the local erasure, the bridge (the trait's
    // own method on the twin object), and the object `shared()` hands out.
    assert_eq!(block_on(upper.handle_send("a".into())).0, "A");
    assert_eq!(block_on(upper.handle_dyn("b".into())).0, "B");
    assert_eq!(block_on(upper.handle("c".into())).0, "C");
    let shared = TwinHandle::shared(&upper);
    assert_eq!(block_on(shared.handle("d".into())).0, "D");
    // In flight while its future lives; cancelled when dropped pending.
    let mut pending = Box::pin(render.handle_send("e".into()));
    assert!(pending.is_recycled());
    assert_eq!(pending.layout().size() as u64, render_size);
    assert!(poll_once(pending.as_mut()).is_pending());
    assert_eq!(
        calls_and_ends(TwinHandle::tracked(&render, "handle").unwrap()),
        tracked(1, Went::Recycled, [0, 0, 0], 1)
    );
    drop(pending);
    drop(upper.health_send()); // never polled
    assert!(block_on(upper.health_dyn()).0);

    assert_eq!(
        calls_and_ends(TwinHandle::tracked(&upper, "handle").unwrap()),
        tracked(4, Went::Inline, [4, 0, 0], 0)
    );
    assert_eq!(
        calls_and_ends(TwinHandle::tracked(&upper, "health").unwrap()),
        tracked(2, Went::Inline, [1, 1, 0], 0)
    );
    assert_eq!(
        calls_and_ends(TwinHandle::tracked(&render, "handle").unwrap()),
        tracked(1, Went::Recycled, [0, 1, 0], 0)
    );
    assert_eq!(
        TwinHandle::tracked(&render, "health").unwrap(),
        CallStats::default()
    );
    // A sync or unknown method has no tracked calls.
    assert_eq!(TwinHandle::tracked(&upper, "name"), None);
    assert_eq!(TwinHandle::tracked(&upper, "nope"), None);

    // The registry's snapshot has the same, beside the `CountedTwin`
    // counters, which saw the same calls.
    let stats = plugins.stats();
    assert_eq!(
        stats.tracked("upper", "handle"),
        TwinHandle::tracked(&upper, "handle").as_ref()
    );
    assert_eq!(stats.tracked("render", "handle").unwrap().recycled, 1);
    assert_eq!(stats.tracked("upper", "name"), None);
    assert_eq!(stats.tracked("ghost", "handle"), None);
    let counted = stats.get("upper").unwrap();
    assert_eq!(counted.get("handle").unwrap().inline, 4);
    assert_eq!(counted.get("health").unwrap().calls, 2);
    let text = stats.to_string();
    assert!(
        text.contains("; tracked: 1 completed, 1 cancelled, 0 panicked, 0 in flight"),
        "{text}"
    );
}

#[test]
fn calls_by_name_are_tracked_and_the_future_holds_one_pointer_more() {
    let plugins = registry();
    assert_eq!(
        block_on(plugins.handle("upper").unwrap().handle_send("x".into())).0,
        "X"
    );
    let upper = plugins.handle("upper").unwrap();
    assert_eq!(
        calls_and_ends(TwinHandle::tracked(&upper, "handle").unwrap()),
        tracked(1, Went::Inline, [1, 0, 0], 0)
    );
    // The registered object's future is the implementor's, tracked: one
    // pointer (the counters) more than the bare implementor's twin reports.
    let bare: Box<dyn DynPlugin<S15>> = Box::new(Upper);
    assert_eq!(
        upper.handle_layout().size(),
        bare.handle_layout().size() + core::mem::size_of::<usize>()
    );
}

#[test]
fn tracked_calls_that_panic_are_counted_and_the_next_call_is_fine() {
    let plugins = registry();
    let faulty = plugins.register("faulty", Faulty).unwrap();
    let mut call = Box::pin(faulty.handle_send("boom".into()));
    assert!(poll_once(call.as_mut()).is_pending());
    let panicked = catch_unwind(AssertUnwindSafe(|| poll_once(call.as_mut())));
    assert!(panicked.is_err());
    assert!(call.has_panicked());
    // Counted as it unwound, not when dropped.
    assert_eq!(
        calls_and_ends(TwinHandle::tracked(&faulty, "handle").unwrap()),
        tracked(1, Went::Inline, [0, 0, 1], 0)
    );
    drop(call);
    assert!(!block_on(faulty.health_send()).0);
    assert_eq!(
        calls_and_ends(TwinHandle::tracked(&faulty, "handle").unwrap()),
        tracked(1, Went::Inline, [0, 0, 1], 0)
    );
    assert_eq!(
        calls_and_ends(TwinHandle::tracked(&faulty, "health").unwrap()),
        tracked(1, Went::Inline, [1, 0, 0], 0)
    );
}

/// A method written `-> impl Future` runs its body when called, before its
/// future exists, and that body can panic.
#[dyn_twin(DynStarter, send = SendDynStarter)]
trait Starter {
    fn start(&self, x: u32) -> impl core::future::Future<Output = u32> + Send;
}

struct Checked;

impl Starter for Checked {
    fn start(&self, x: u32) -> impl core::future::Future<Output = u32> + Send {
        assert!(x != 0, "refused before the future exists");
        async move { x + 1 }
    }
}

/// A call that panics before it has a future is counted as a call that
/// started and panicked, with the placement its future would have had
/// (inline), as a registry entry counts a service's `call`; nothing stays
/// in flight, and the next call is counted after it.
#[test]
fn a_call_that_panics_before_its_future_exists_is_counted_as_panicked() {
    let starters: TwinRegistry<dyn SendDynStarter> = TwinRegistry::new();
    let checked = starters.register("checked", Checked).unwrap();
    let refused = catch_unwind(AssertUnwindSafe(|| drop(checked.start_send(0))));
    assert!(refused.is_err());
    assert_eq!(
        calls_and_ends(TwinHandle::tracked(&checked, "start").unwrap()),
        tracked(1, Went::Inline, [0, 0, 1], 0)
    );
    assert_eq!(block_on(checked.start_send(1)).0, 2);
    assert_eq!(
        calls_and_ends(TwinHandle::tracked(&checked, "start").unwrap()),
        tracked(2, Went::Inline, [1, 0, 1], 0)
    );
}

#[test]
fn tracked_calls_that_fit_allocate_nothing() {
    let plugins = registry();
    let upper = plugins.handle("upper").unwrap();
    let (out, allocs) = count(|| block_on(upper.health_send()).0);
    assert_eq!((out, allocs), (true, Allocs::NONE));
}

#[test]
fn tracked_calls_from_many_tasks_add_up() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let plugins = registry();
    const TASKS: u64 = 4;
    const CALLS: u64 = if cfg!(miri) { 5 } else { 200 };
    runtime.block_on(async {
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let render = plugins.handle("render").unwrap();
                tokio::spawn(async move {
                    for i in 0..CALLS {
                        assert!(!render.handle(i.to_string()).await.is_empty());
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    let render = plugins.handle("render").unwrap();

    assert_eq!(
        calls_and_ends(TwinHandle::tracked(&render, "handle").unwrap()),
        tracked(TASKS * CALLS, Went::Recycled, [TASKS * CALLS, 0, 0], 0)
    );
    // What the calls allocated: the pool's misses, a buffer each, and
    // nothing per call.
    let stats = TwinHandle::tracked(&render, "handle").unwrap();
    let pool = TwinHandle::pool_stats(&render, "handle").unwrap();
    assert_eq!(stats.recycle_misses, pool.misses);
    assert!((1..=2 * TASKS).contains(&stats.allocations), "{stats}");
    assert_eq!(stats.allocations, pool.misses);
    assert_eq!(stats.allocated_bytes, pool.misses * pool.buffer_bytes);
    assert_eq!(stats.idle_buffers, pool.idle);
}

/// The handle's own functions are associated functions: a plugin trait with
/// `name()` (or `stats()`) is reached through the handle as on the object.
#[test]
fn a_plugins_name_method_is_not_shadowed_by_the_handle() {
    let plugins: TwinRegistry<dyn SendDynPlugin> = TwinRegistry::new();
    let handle = plugins.register("entry-name", Upper).unwrap();
    assert_eq!(handle.name(), "upper", "the plugin's own `name`");
    assert_eq!(TwinHandle::name(&handle), "entry-name", "the entry's name");
}

// ---------------------------------------------------------------------------
// Calls by name through `get`: a `TwinRef` holds the registry's snapshot for
// the call, with no lock and no `Arc` cloned.

#[test]
fn get_finds_by_name_and_unknown_names_are_not_found() {
    let plugins = registry();
    assert_eq!(
        plugins.get("nope").unwrap_err(),
        Error::NotFound("nope".into())
    );
    let upper = plugins.get("upper").unwrap();
    assert_eq!(upper.name(), "upper", "the plugin's own `name`");
    assert_eq!(TwinRef::name(&upper), "upper", "the entry's name");
    assert_eq!(TwinRef::name(&plugins.get("render").unwrap()), "render");
    assert!(TwinHandle::same_entry(
        &TwinRef::to_handle(&upper),
        &plugins.handle("upper").unwrap()
    ));
    let debug = format!("{upper:?}");
    assert!(
        debug.starts_with("TwinRef { name: \"upper\", type: ") && debug.contains("Upper"),
        "{debug}"
    );
}

#[test]
fn a_twin_ref_held_across_remove_calls_the_plugin_it_found() {
    let plugins = registry();
    let found = plugins.get("upper").unwrap();
    let kept = TwinRef::to_handle(&found);
    drop(plugins.remove("upper").unwrap());
    // Another plugin under the same name: the held `TwinRef` still calls
    // the one it found (`Render` would append the page's length).
    plugins.register("upper", Render).unwrap();
    assert_eq!(block_on(found.handle_send("a".into())).0, "A");
    assert_eq!(block_on(found.handle("b".into())).0, "B");
    assert_eq!(TwinRef::name(&found), "upper");
    assert_eq!(
        block_on(plugins.get("upper").unwrap().handle("c".into())).0,
        "c256"
    );
    // Its calls were counted by the removed entry.
    assert_eq!(
        calls_and_ends(TwinHandle::tracked(&kept, "handle").unwrap()),
        tracked(2, Went::Inline, [2, 0, 0], 0)
    );
    drop(found);
    assert_eq!(block_on(kept.handle("d".into())).0, "D");
}

/// More `TwinRef`s held at once on one thread than a node of its hazard
/// slots has (16): the loads beyond them take slots of a chained node, and
/// every one calls its own plugin, across changes of the registry.
#[test]
fn many_twin_refs_held_at_once_stay_correct() {
    let plugins = registry();
    // Past a node's 16 slots; fewer under Miri (within one node), where
    // every change of the registry copies the map slowly
    // (`future::snapshot`'s own tests chain nodes, and take counts past a
    // whole chain, under Miri).
    let (count, removed) = if cfg!(miri) { (11, 5) } else { (40, 20) };
    let names: Vec<String> = (0..count).map(|i| format!("p{i:02}")).collect();
    for name in &names {
        plugins.register(name, Upper).unwrap();
    }
    let held: Vec<TwinRef<_>> = names.iter().map(|n| plugins.get(n).unwrap()).collect();
    for name in &names[..removed] {
        drop(plugins.remove(name).unwrap());
    }
    for (found, name) in held.iter().zip(&names) {
        assert_eq!(TwinRef::name(found), name);
        assert_eq!(
            block_on(found.handle_send(name.clone())).0,
            name.to_uppercase()
        );
    }
    drop(held);
    assert_eq!(plugins.len(), 2 + count - removed);
    let stats = plugins.stats();
    for name in &names[removed..] {
        assert_eq!(
            stats.tracked(name, "handle").unwrap().completed,
            1,
            "{name}"
        );
    }
}

#[test]
fn calls_through_get_are_counted_and_tracked() {
    let plugins = registry();
    assert_eq!(
        block_on(plugins.get("upper").unwrap().handle_send("a".into())).0,
        "A"
    );
    assert_eq!(
        block_on(plugins.get("upper").unwrap().handle_dyn("b".into())).0,
        "B"
    );
    assert_eq!(
        block_on(plugins.get("upper").unwrap().handle("c".into())).0,
        "C"
    );
    assert_eq!(plugins.get("upper").unwrap().name_dyn(), "upper");
    // In flight while its future lives (the `TwinRef` with it); cancelled
    // when dropped pending.
    let render = plugins.get("render").unwrap();
    let mut pending = Box::pin(render.handle_send("e".into()));
    assert!(pending.is_recycled());
    assert!(poll_once(pending.as_mut()).is_pending());
    assert_eq!(
        plugins
            .stats()
            .tracked("render", "handle")
            .unwrap()
            .in_flight,
        1
    );
    drop(pending);
    drop(render);

    let stats = plugins.stats();
    assert_eq!(
        calls_and_ends(*stats.tracked("upper", "handle").unwrap()),
        tracked(3, Went::Inline, [3, 0, 0], 0)
    );
    assert_eq!(
        calls_and_ends(*stats.tracked("render", "handle").unwrap()),
        tracked(1, Went::Recycled, [0, 1, 0], 0)
    );
    let upper = stats.get("upper").unwrap();
    assert_eq!(upper.get("handle").unwrap().inline, 3);
    assert_eq!(upper.get("name").unwrap().calls, 1);
}

/// A call by name through `get` whose future fits inline allocates
/// nothing once the thread has loaded a snapshot before (the first load on
/// a thread allocates the thread's node of hazard slots, once).
#[test]
fn calls_by_name_through_get_that_fit_allocate_nothing() {
    let plugins = registry();
    assert!(block_on(plugins.get("upper").unwrap().health_send()).0);
    let calls = if cfg!(miri) { 3 } else { 200 };
    for _ in 0..calls {
        let (out, allocs) = count(|| {
            let erased = block_on(plugins.get("upper").unwrap().health_send()).0;
            let bridge = block_on(plugins.get("render").unwrap().health()).0;
            erased && bridge
        });
        assert_eq!((out, allocs), (true, Allocs::NONE));
    }
    let stats = plugins.stats();
    assert_eq!(
        stats.tracked("upper", "health").unwrap().completed,
        calls + 1
    );
    assert_eq!(stats.tracked("render", "health").unwrap().inline, calls);
}

/// A `TwinRef` held across an await in a spawned task (it is `Send`): the
/// task may resume on the other worker, and the call still ends once.
#[test]
fn calls_by_name_from_many_tasks() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let plugins = registry();
    const TASKS: u64 = 4;
    let calls: u64 = if cfg!(miri) { 3 } else { 100 };
    let total: usize = runtime.block_on(async {
        let tasks: Vec<_> = (0..TASKS)
            .map(|i| {
                let plugins = plugins.clone();
                tokio::spawn(async move {
                    let name = if i % 2 == 0 { "upper" } else { "render" };
                    let mut total = 0;
                    for _ in 0..calls {
                        total += plugins.get(name).unwrap().handle("doc".into()).await.len();
                    }
                    total
                })
            })
            .collect();
        let mut total = 0;
        for task in tasks {
            total += task.await.unwrap();
        }
        total
    });
    assert_eq!(total as u64, calls * (3 + 6 + 3 + 6));
    let stats = plugins.stats();
    for name in ["upper", "render"] {
        let handle = stats.tracked(name, "handle").unwrap();
        assert_eq!(
            (handle.calls, handle.completed),
            (2 * calls, 2 * calls),
            "{name}"
        );
    }
}
