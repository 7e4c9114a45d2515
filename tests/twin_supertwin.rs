//! An async supertrait that has twins of its own (`trait Greeter: Named`,
//! both `#[dyn_twin]`): with `supertwin(Named = DynNamed, send =
//! SendDynNamed)` the subtrait's twins carry the supertrait's twins, so a
//! `dyn SendDynGreeter` calls `Named`'s methods and upcasts to a
//! `dyn SendDynNamed`; a registry of it lists, counts, tracks and sizes
//! both traits' methods, each under its own name.
#![cfg(all(feature = "std", feature = "macros"))]

mod common;

use std::sync::Arc;

use common::counting_alloc::{CountingAlloc, count};
use hybrid_dispatch::capacity::S15;
use hybrid_dispatch::dyn_twin;
use hybrid_dispatch::twin::{CountedTwin, Twin, TwinHandle, TwinRegistry};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

fn run<F: std::future::Future>(future: F) -> F::Output {
    common::block_on(future).0
}

#[dyn_twin(DynNamed, send = SendDynNamed)]
trait Named {
    fn id(&self) -> u32;
    async fn name(&self) -> String;
}

#[dyn_twin(DynGreeter, send = SendDynGreeter, supertwin(Named = DynNamed, send = SendDynNamed))]
trait Greeter: Named {
    async fn greet(&self, who: &str) -> String;
    /// A default body awaiting the supertrait's method.
    async fn introduce(&self) -> String {
        format!("I am {}", self.name().await)
    }
}

struct Host {
    id: u32,
}

impl Named for Host {
    fn id(&self) -> u32 {
        self.id
    }
    async fn name(&self) -> String {
        format!("host-{}", self.id)
    }
}

impl Greeter for Host {
    async fn greet(&self, who: &str) -> String {
        format!("{} greets {who}", self.name().await)
    }
}

/// A future too large for `S15`, to show the supertrait's method recycles
/// in the subtrait's registry entry.
struct Big;

impl Named for Big {
    fn id(&self) -> u32 {
        0
    }
    async fn name(&self) -> String {
        let buffer = [7u8; 512];
        common::YieldOnce::default().await;
        format!("big-{}", buffer[0] + buffer[511])
    }
}

impl Greeter for Big {
    async fn greet(&self, who: &str) -> String {
        format!("big greets {who}")
    }
}

#[test]
fn a_subtrait_twin_calls_its_supertrait_and_upcasts_to_its_twin() {
    let greeter: Arc<dyn SendDynGreeter> = Arc::new(Host { id: 7 });
    assert_eq!(run(greeter.greet_send("ann")), "host-7 greets ann");
    assert_eq!(run(greeter.introduce_send()), "I am host-7");
    // The supertrait's twin methods, on the subtrait's object.
    assert_eq!(greeter.id_dyn(), 7);
    assert_eq!(run(greeter.name_send()), "host-7");
    // Upcast: code written for the supertrait's twin takes it, and the
    // supertrait's bridge works there.
    let named: Arc<dyn SendDynNamed> = greeter.clone();
    assert_eq!(run(named.name()), "host-7");
    let local: &dyn DynGreeter = &Host { id: 1 };
    assert_eq!(run(local.name_dyn()), "host-1");
    let local_named: &dyn DynNamed = local;
    assert_eq!(local_named.id_dyn(), 1);
    // Statically, nothing changed: the trait is the user's.
    assert_eq!(run(Host { id: 2 }.introduce()), "I am host-2");
}

#[test]
fn the_subtrait_twin_lists_its_methods_then_the_supertraits() {
    let names: Vec<&str> = <dyn SendDynGreeter as Twin>::METHODS
        .iter()
        .map(|m| m.name())
        .collect();
    assert_eq!(names, ["greet", "introduce", "id", "name"]);
    let owners: Vec<&str> = <dyn DynGreeter as Twin>::METHODS
        .iter()
        .map(|m| m.owner().rsplit("::").next().unwrap())
        .collect();
    assert_eq!(owners, ["Greeter", "Greeter", "Named", "Named"]);
    let host: &dyn SendDynGreeter = &Host { id: 3 };
    // Each index reaches its method's layout, the supertrait's through an
    // upcast; the sync `id` has none.
    assert_eq!(host.method_layout(0), Some(host.greet_layout()));
    assert_eq!(host.method_layout(2), None);
    assert_eq!(host.method_layout(3), Some(host.name_layout()));
    assert_eq!(host.method_layout(4), None);
}

#[test]
fn a_registry_counts_each_traits_methods_under_their_own_names() {
    let plugins: TwinRegistry<dyn SendDynGreeter<S15>> = TwinRegistry::new();
    let host = plugins.register("host", Host { id: 9 }).unwrap();
    let big = plugins.register("big", Big).unwrap();
    run(host.greet_send("a"));
    for _ in 0..3 {
        run(host.name_send());
    }
    let _ = host.id_dyn();
    let _ = host.id_dyn();
    for _ in 0..2 {
        assert_eq!(run(big.name_send()), "big-14");
    }

    let stats = plugins.stats();
    let host_stats = stats.get("host").unwrap();
    // Were the supertrait's indexes taken as the subtrait's, `name` (index
    // 1 of `Named`) would count as `introduce`, and `id` as `greet`.
    assert_eq!(host_stats.get("greet").unwrap().calls, 1);
    assert_eq!(host_stats.get("introduce").unwrap().calls, 0);
    assert_eq!(host_stats.get("name").unwrap().calls, 3);
    assert_eq!(host_stats.get("id").unwrap().calls, 2);
    assert_eq!(TwinHandle::tracked(&host, "name").unwrap().completed, 3);
    assert_eq!(TwinHandle::tracked(&host, "greet").unwrap().completed, 1);
    // The supertrait's large future recycles in the entry's pool for it.
    let big_name = *stats.get("big").unwrap().get("name").unwrap();
    assert_eq!(
        (big_name.calls, big_name.recycled, big_name.heap),
        (2, 2, 0)
    );
    assert_eq!(TwinHandle::pool_stats(&big, "name").unwrap().misses, 1);
    let (out, allocs) = count(|| run(big.name_send()));
    assert_eq!(out, "big-14");
    assert_eq!(allocs.allocs, 1, "only the output `String`: {allocs:?}");
    assert_eq!(TwinHandle::pool_stats(&big, "name").unwrap().misses, 1);

    let sizing = plugins.sizing();
    assert!(sizing.get("big.name").unwrap().is_recycled(), "{sizing}");
    assert!(sizing.get("host.greet").unwrap().is_inline(), "{sizing}");
}

#[test]
fn a_counted_twin_counts_the_supertraits_methods_statically_too() {
    let counted = CountedTwin::new::<dyn DynGreeter>(Host { id: 4 });
    assert_eq!(counted.id(), 4);
    assert_eq!(run(counted.name()), "host-4");
    assert_eq!(run(counted.greet("bo")), "host-4 greets bo");
    let stats = counted.stats();
    assert_eq!(stats.get("id").unwrap().calls, 1);
    assert_eq!(stats.get("name").unwrap().calls, 1);
    assert_eq!(stats.get("greet").unwrap().calls, 1);
    // Made for the supertrait's twin, it counts only that trait's methods
    // (there are no others to count).
    let named = CountedTwin::new::<dyn DynNamed>(Host { id: 5 });
    run(named.greet("cy"));
    assert_eq!(named.stats().get("name").unwrap().calls, 0);
    assert_eq!(named.stats().get("greet"), None);
}

/// A supertrait under `#[dyn_twin]` that is dyn-compatible itself (no async
/// method) needs no `supertwin`; its methods were counted at the
/// subtrait's indexes before, and are now left out of its counters.
#[dyn_twin(DynBase)]
trait Base {
    fn tag(&self) -> u8;
}

#[dyn_twin(DynWorker)]
trait Worker: Base {
    async fn work(&self) -> u8;
}

impl Base for Host {
    fn tag(&self) -> u8 {
        1
    }
}

impl Worker for Host {
    async fn work(&self) -> u8 {
        self.tag() + 1
    }
}

#[test]
fn a_sync_supertraits_calls_are_not_counted_as_the_subtraits() {
    let counted = CountedTwin::new::<dyn DynWorker>(Host { id: 0 });
    assert_eq!(counted.tag(), 1);
    assert_eq!(counted.tag(), 1);
    assert_eq!(run(counted.work()), 2);
    assert_eq!(counted.stats().get("work").unwrap().calls, 1);
}

/// A generic supertrait with an associated type, bound in the header.
#[dyn_twin(DynSource)]
trait Source<T> {
    type Meta;
    fn meta(&self) -> Self::Meta;
    async fn next(&self) -> T;
}

#[dyn_twin(DynFeed, supertwin(Source = DynSource))]
trait Feed: Source<u32, Meta = &'static str> {
    async fn title(&self) -> String;
}

impl Source<u32> for Host {
    type Meta = &'static str;
    fn meta(&self) -> &'static str {
        "numbers"
    }
    async fn next(&self) -> u32 {
        self.id + 1
    }
}

impl Feed for Host {
    async fn title(&self) -> String {
        format!("{} from {}", self.meta(), self.id)
    }
}

#[test]
fn a_generic_supertrait_with_an_associated_type() {
    let feed: &dyn DynFeed = &Host { id: 41 };
    assert_eq!(run(feed.title_dyn()), "numbers from 41");
    assert_eq!(run(feed.next_dyn()), 42);
    let source: &dyn DynSource<u32, Meta = &'static str> = feed;
    assert_eq!(source.meta(), "numbers");
    assert_eq!(run(source.next()), 42);
    let names: Vec<&str> = <dyn DynFeed as Twin>::METHODS
        .iter()
        .map(|m| m.name())
        .collect();
    assert_eq!(names, ["title", "meta", "next"]);
}

/// `inline_only` on both: no counting wrapper, the methods still listed.
#[dyn_twin(DynTick, inline_only)]
trait Tick {
    async fn tick(&self) -> u8;
}

#[dyn_twin(DynClock, inline_only, supertwin(Tick = DynTick))]
trait Clock: Tick {
    async fn now(&self) -> u64;
}

impl Tick for Host {
    async fn tick(&self) -> u8 {
        1
    }
}

impl Clock for Host {
    async fn now(&self) -> u64 {
        u64::from(self.tick().await) + 10
    }
}

#[test]
fn inline_only_twins_carry_supertwins_too() {
    let clock: &dyn DynClock = &Host { id: 0 };
    assert_eq!(run(clock.now_dyn()), 11);
    assert_eq!(run(clock.tick_dyn()), 1);
    assert_eq!(<dyn DynClock as Twin>::METHODS.len(), 2);
}

/// Hygiene of what `supertwin(..)` adds to the expansion (the supertrait
/// twins in the twins' bounds, the joined method list and the
/// `method_layout` fallback that walks it): a user type named like the
/// capacity parameter passed to the supertrait, and arguments named like
/// the generated locals.
#[allow(non_camel_case_types, dead_code, unreachable_pub)]
mod supertwin_hygiene {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct Cap(pub u8);
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct Own(pub u8);

    #[dyn_twin(DynSrc, send = SendDynSrc)]
    pub trait Src<T: Send + Sync + 'static> {
        async fn get(&self, method: u8, layout: u8) -> T;
    }

    #[dyn_twin(DynSink, send = SendDynSink, supertwin(Src = DynSrc, send = SendDynSrc))]
    pub trait Sink: Src<Cap> {
        async fn put(&self, method: Cap, index: Own, this: u8, erasure: u8) -> u8;
    }

    pub struct Impl;

    impl Src<Cap> for Impl {
        async fn get(&self, method: u8, layout: u8) -> Cap {
            let held = [method; 200]; // too large for the default capacity
            common::YieldOnce::default().await;
            Cap(held[199] + layout)
        }
    }

    impl Sink for Impl {
        async fn put(&self, method: Cap, index: Own, this: u8, erasure: u8) -> u8 {
            method.0 + index.0 + this + erasure
        }
    }
}

#[test]
fn supertwin_expansion_names_neither_capture_nor_are_captured_by_the_users() {
    use supertwin_hygiene::*;
    let shared: Arc<dyn SendDynSink> = Arc::new(Impl);
    assert_eq!(run(shared.put_send(Cap(1), Own(2), 3, 4)), 10);
    assert_eq!(run(shared.get_send(5, 1)), Cap(6));
    // Registered: `method_layout` walks past the trait's own method into
    // the supertwin's, whose 200-byte future recycles.
    let registry = TwinRegistry::<dyn SendDynSink>::new();
    let sink = registry.register("sink", Impl).unwrap();
    assert_eq!(run(sink.get_send(7, 0)), Cap(7));
    let sizing = TwinHandle::sizing(&sink);
    let names: Vec<&str> = sizing.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, ["put", "get"]);
    assert!(sizing[1].1.is_recycled(), "{:?}", sizing[1].1);
}
