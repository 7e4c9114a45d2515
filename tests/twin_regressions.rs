//! `#[dyn_twin]` on the shapes real traits have, each a regression test for
//! a defect that made a valid trait fail, gave a wrong result or let a
//! generated name capture a user's: arguments that must live as long as the
//! future under `send`, overrides of `where Self: Sized` methods through
//! `CountedTwin`, hygiene of every generated name, `'static` supertraits,
//! `'_` nested in borrowed arguments, supertraits the counting wrapper
//! implements or cannot, `#[cfg]` on methods and arguments, a `macro_rules!`
//! caller, generic parameters captured by `Send` futures, a `Send`-only
//! implementor of a trait whose async methods take `&mut self`, and
//! lifetimes hidden in argument types.
#![cfg(all(feature = "std", feature = "macros"))]

mod common;

use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use common::{DropCounter, DropToken, YieldOnce, block_on, poll_once};
use hybrid_dispatch::layout::FutureLayout;
use hybrid_dispatch::twin::CountedTwin;
use hybrid_dispatch::twin::Twin;
use hybrid_dispatch::twin::{TwinHandle, TwinRegistry};
use hybrid_dispatch::{FutureSlot, dyn_twin};

// ---------------------------------------------------------------------------
// `send = …`: every argument lives as long as the future, as in `async fn`.

#[dyn_twin(DynGuarded, send = SendDynGuarded)]
trait Guarded {
    /// The default body never names `_token`, `guard` or `_`: they must be
    /// dropped when the future ends, not when the method returns.
    async fn hold(&self, _token: DropToken, _guard: DropToken, _: DropToken) -> u8 {
        YieldOnce::default().await;
        7
    }
    async fn hold_mut(&mut self, mut count: u32, _token: DropToken) -> u32 {
        count += 1;
        YieldOnce::default().await;
        count
    }
}

struct Keeps;
impl Guarded for Keeps {}

#[test]
fn send_default_bodies_keep_every_argument_until_the_future_ends() {
    let drops = DropCounter::default();
    let mut future = pin!(Keeps.hold(drops.token(), drops.token(), drops.token()));
    assert_eq!(
        drops.drops(),
        0,
        "arguments dropped when the method returned"
    );
    assert!(poll_once(future.as_mut()).is_pending());
    assert_eq!(
        drops.drops(),
        0,
        "arguments dropped before the future ended"
    );
    assert_eq!(block_on(future).0, 7);
    assert_eq!(drops.drops(), 3);

    let mut keeps = Keeps;
    let future = keeps.hold_mut(1, drops.token());
    assert_eq!(drops.drops(), 3);
    assert_eq!(block_on(future).0, 2);
    assert_eq!(drops.drops(), 4);

    // Through the `Send` twin and its bridge, too.
    let shared: Arc<dyn SendDynGuarded> = Arc::new(Keeps);
    let mut future = pin!(shared.hold(drops.token(), drops.token(), drops.token()));
    assert!(poll_once(future.as_mut()).is_pending());
    assert_eq!(drops.drops(), 4);
    assert_eq!(block_on(future).0, 7);
    assert_eq!(drops.drops(), 7);
}

// ---------------------------------------------------------------------------
// `CountedTwin<P>` forwards `where Self: Sized` methods, defaults included.

#[dyn_twin(DynIdentified)]
trait Identified {
    fn id(&self) -> u32
    where
        Self: Sized,
    {
        0
    }
    async fn async_id(&self) -> u32
    where
        Self: core::marker::Sized,
    {
        0
    }
    fn into_id(self: Box<Self>) -> u32
    where
        Self: Sized,
    {
        0
    }
    fn make() -> Self
    where
        Self: Sized;
    async fn ping(&self) -> u8;
}

struct FortyTwo;
impl Identified for FortyTwo {
    fn id(&self) -> u32 {
        42
    }
    async fn async_id(&self) -> u32 {
        42
    }
    fn into_id(self: Box<Self>) -> u32 {
        42
    }
    fn make() -> Self {
        FortyTwo
    }
    async fn ping(&self) -> u8 {
        1
    }
}

#[test]
fn counted_twin_runs_the_implementors_overrides_of_sized_methods() {
    let counted = CountedTwin::new::<dyn DynIdentified>(FortyTwo);
    assert_eq!(counted.id(), 42);
    assert_eq!(block_on(counted.async_id()).0, 42);
    assert_eq!(
        Box::new(CountedTwin::new::<dyn DynIdentified>(FortyTwo)).into_id(),
        42
    );
    let made = <CountedTwin<FortyTwo> as Identified>::make();
    assert_eq!(made.id(), 42);
    // A trait with a `self: Box<Self>` sized method still registers.
    let registry = TwinRegistry::<dyn DynIdentified>::new();
    let handle = registry.register("id", FortyTwo).unwrap();
    assert_eq!(block_on(handle.ping()).0, 1);
}

// ---------------------------------------------------------------------------
// Hygiene: every name the expansion generates, used by the user.

#[allow(non_camel_case_types, dead_code, unreachable_pub)]
mod hygiene {
    use super::*;

    /// Types named like the generated parameters.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct Cap(pub u8);
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct Implementor(pub u8);
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct P(pub u8);

    /// A type named like the error the `try_` methods return.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct AllocError(pub u8);

    #[dyn_twin(DynNames, send = SendDynNames, try_methods)]
    pub trait Names<'fut, Implementor_: Copy + Send + Sync + 'static> {
        type Item_;
        async fn record(&mut self, layout: FutureLayout, slot: u8, this: u8) -> (usize, u8, u8);
        async fn types(
            &self,
            space: Cap,
            implementor: Implementor,
            p: P,
            future: u8,
            method: u8,
            erasure: u8,
        ) -> u32;
        async fn lifetimes<'slot, 'life0, 'dyn_twin>(
            &'slot self,
            a: &'life0 str,
            b: &'dyn_twin str,
            c: &'fut str,
        ) -> usize;
        async fn generic(&self, x: Implementor_) -> Implementor_;
        /// Arguments named like the `try_` methods' `Option` of arguments
        /// and the function that takes them out of it.
        async fn tried(&self, args: u8, lent: u8, error: AllocError) -> u8;
        /// A default body, which `send` mode rewrites around a binding of
        /// its own (the never-taken `return` of the declared type).
        async fn defaults(&self, __dyn_twin_ret: u8) -> u8 {
            __dyn_twin_ret + 1
        }
        /// A constructor the counting wrapper wraps, in a closure of its
        /// own, with an argument named like that closure's parameter.
        fn make(this: u8) -> Option<Self>
        where
            Self: Sized;
        /// A stream, whose erasure (recycled in a registry) names a hook
        /// closure's parameter and the future's local too.
        fn stream(
            &self,
            erasure: u8,
            future: u8,
            method: u8,
        ) -> impl futures_core::Stream<Item = u8> + Send + '_;
    }

    pub struct Impl;

    impl<'fut> Names<'fut, u16> for Impl {
        type Item_ = ();
        async fn record(&mut self, layout: FutureLayout, slot: u8, this: u8) -> (usize, u8, u8) {
            (layout.size(), slot, this)
        }
        async fn types(
            &self,
            space: Cap,
            implementor: Implementor,
            p: P,
            future: u8,
            method: u8,
            erasure: u8,
        ) -> u32 {
            u32::from(space.0 + implementor.0 + p.0 + future + method + erasure)
        }
        async fn lifetimes<'slot, 'life0, 'dyn_twin>(
            &'slot self,
            a: &'life0 str,
            b: &'dyn_twin str,
            c: &'fut str,
        ) -> usize {
            a.len() + b.len() + c.len()
        }
        async fn generic(&self, x: u16) -> u16 {
            x + 1
        }
        async fn tried(&self, args: u8, lent: u8, error: AllocError) -> u8 {
            args + lent + error.0
        }
        fn make(this: u8) -> Option<Self> {
            (this > 0).then_some(Impl)
        }
        fn stream(
            &self,
            erasure: u8,
            future: u8,
            method: u8,
        ) -> impl futures_core::Stream<Item = u8> + Send + '_ {
            futures_util::stream::iter([erasure, future, method])
        }
    }

    /// A supertrait's type, named by a method: the object names it with a
    /// parameter of its own, which a user's generic `Error_` (the name it
    /// would take) and a trait lifetime `'dyn_twin` do not capture.
    pub trait Fallible {
        type Error;
    }

    #[dyn_twin(DynChecked, send = SendDynChecked, try_methods)]
    pub trait Checked<'dyn_twin, Error_: Send + Sync + 'static>: Fallible + Send + Sync {
        async fn check(&self, x: Error_, label: &'dyn_twin str) -> Result<usize, Self::Error>;
    }

    impl Fallible for Impl {
        type Error = u8;
    }

    impl<'dyn_twin> Checked<'dyn_twin, u16> for Impl {
        async fn check(&self, x: u16, label: &'dyn_twin str) -> Result<usize, u8> {
            Ok(usize::from(x) + label.len())
        }
    }
}

#[test]
fn generated_names_neither_capture_nor_are_captured_by_the_users() {
    use hygiene::*;
    let arg = FutureLayout::of::<[u64; 3]>();
    let mut twin = Impl;
    {
        let mut slot = pin!(FutureSlot::<(usize, u8, u8)>::new());
        // `record_in` forwards the caller's `layout`, not the future's own.
        let out = block_on(twin.record_in(slot.as_mut(), arg, 5, 6)).0;
        assert_eq!(out, (24, 5, 6));
    }
    let erased: &mut dyn DynNames<'_, u16, Item_ = ()> = &mut twin;
    assert_eq!(block_on(erased.record_dyn(arg, 1, 2)).0, (24, 1, 2));
    let erased: &dyn DynNames<'_, u16, Item_ = ()> = &Impl;
    let out = block_on(erased.types_dyn(Cap(1), Implementor(2), P(3), 4, 5, 6)).0;
    assert_eq!(out, 21);
    let c = String::from("ccc");
    assert_eq!(block_on(erased.lifetimes_dyn("a", "bb", &c)).0, 6);
    assert_eq!(block_on(erased.generic_dyn(9)).0, 10);
    assert!(CountedTwin::<Impl>::make(1).is_some());
    assert!(CountedTwin::<Impl>::make(0).is_none());
    let items = futures_util::StreamExt::collect::<Vec<_>>(erased.stream_dyn(7, 8, 9));
    assert_eq!(block_on(items).0, [7, 8, 9]);
    // Through a counting wrapper too, whose erasure lends its pool.
    let counted = CountedTwin::new::<dyn DynNames<'static, u16, Item_ = ()>>(Impl);
    let counted: &dyn DynNames<'_, u16, Item_ = ()> = &counted;
    let out = block_on(counted.types_dyn(Cap(1), Implementor(2), P(3), 4, 5, 6)).0;
    assert_eq!(out, 21);
    let items = futures_util::StreamExt::collect::<Vec<_>>(counted.stream_dyn(1, 2, 3));
    assert_eq!(block_on(items).0, [1, 2, 3]);
    // The `try_` methods (`try_methods`): their `Option` of arguments is
    // named apart from `args` and `lent`, and a user's `AllocError` is not
    // the error they return.
    let mut args = Some((1, 2, AllocError(3)));
    assert_eq!(block_on(erased.try_tried_dyn(&mut args).unwrap()).0, 6);
    assert!(args.is_none());
    let mut args = Some((Cap(1), Implementor(2), P(3), 4, 5, 6));
    assert_eq!(block_on(counted.try_types_dyn(&mut args).unwrap()).0, 21);
    let mut args = Some(("a", "bb", c.as_str()));
    assert_eq!(block_on(erased.try_lifetimes_dyn(&mut args).unwrap()).0, 6);
    let erased: &mut dyn DynNames<'_, u16, Item_ = ()> = &mut twin;
    let mut args = Some((arg, 1, 2));
    assert_eq!(
        block_on(erased.try_record_dyn(&mut args).unwrap()).0,
        (24, 1, 2)
    );
    let shared: Arc<dyn SendDynNames<'static, u16, Item_ = ()>> = Arc::new(Impl);
    assert_eq!(block_on(shared.defaults_send(4)).0, 5);
    let out: Result<_, hybrid_dispatch::future::AllocError> = shared.try_generic_send(&mut Some(8));
    assert_eq!(block_on(out.unwrap()).0, 9);
    assert_eq!(
        block_on(shared.types(Cap(1), Implementor(1), P(1), 1, 1, 1)).0,
        6
    );
    let checked: Box<dyn SendDynChecked<'_, u16, Error = u8>> = Box::new(Impl);
    assert_eq!(block_on(checked.check(2, "abc")).0, Ok(5));
    assert_eq!(
        block_on(checked.try_check_send(&mut Some((1, "x"))).unwrap()).0,
        Ok(2)
    );
}

// ---------------------------------------------------------------------------
// `'static` in the header, `'_` nested in borrowed arguments, `&'static
// self`, `+ 'static` futures, a default body using `self` under `send`
// without a `Sync` supertrait, and generic parameters captured by `Send`
// futures (the shapes of object stores, proxies and loaders).

struct Ctx<'a> {
    path: &'a str,
}

#[dyn_twin(DynStore, send = SendDynStore)]
trait Store: Send + Sync + 'static {
    async fn get(&self, ctx: &Ctx<'_>, info: Option<&Ctx<'_>>) -> usize;
    fn detached(&self) -> impl Future<Output = u8> + 'static;
    async fn forever(&'static self) -> u8;
}

#[dyn_twin(DynAny, send = SendDynAny)]
trait AnyPlugin: std::any::Any {
    async fn name(&self) -> String;
    /// A default body that uses `self`: under `send` it needs `Self: Sync`,
    /// which the attribute adds (the trait has no `Sync` supertrait).
    async fn greeting(&self) -> String {
        format!("hello {}", self.name().await)
    }
}

#[dyn_twin(DynLoader, send = SendDynLoader)]
trait Loader<K: Clone + 'static> {
    type Value;
    async fn load(&self, keys: &[K]) -> Vec<Self::Value>;
    async fn one(&self, key: K) -> Option<Self::Value>;
}

struct Files;
impl Store for Files {
    async fn get(&self, ctx: &Ctx<'_>, info: Option<&Ctx<'_>>) -> usize {
        ctx.path.len() + info.map_or(0, |i| i.path.len())
    }
    #[allow(
        clippy::manual_async_fn,
        reason = "the future is 'static: an async fn's would borrow self"
    )]
    fn detached(&self) -> impl Future<Output = u8> + 'static {
        async { 3 }
    }
    async fn forever(&'static self) -> u8 {
        4
    }
}

struct Named;
impl AnyPlugin for Named {
    async fn name(&self) -> String {
        "named".into()
    }
}

struct Lengths;
impl<K: Clone + ToString + Send + Sync + 'static> Loader<K> for Lengths {
    type Value = usize;
    async fn load(&self, keys: &[K]) -> Vec<usize> {
        keys.iter().map(|k| k.to_string().len()).collect()
    }
    async fn one(&self, key: K) -> Option<usize> {
        Some(key.to_string().len())
    }
}

#[tokio::test]
async fn real_header_and_argument_shapes_migrate() {
    let store: Arc<dyn SendDynStore> = Arc::new(Files);
    let (a, b) = (Ctx { path: "abc" }, Ctx { path: "de" });
    assert_eq!(store.get(&a, Some(&b)).await, 5);
    let detached = store.detached();
    drop(store);
    assert_eq!(detached.await, 3);
    let leaked: &'static dyn SendDynStore = Box::leak(Box::new(Files));
    assert_eq!(leaked.forever().await, 4);

    let any: Box<dyn SendDynAny> = Box::new(Named);
    assert_eq!(any.greeting().await, "hello named");
    let task = tokio::spawn(async move { any.greeting_send().await });
    assert_eq!(task.await.unwrap(), "hello named");

    let loader: Arc<dyn SendDynLoader<String, Value = usize>> = Arc::new(Lengths);
    assert_eq!(loader.load(&["a".into(), "bcd".into()]).await, [1, 3]);
    assert_eq!(loader.one("xy".into()).await, Some(2));
    let local: &dyn DynLoader<u8, Value = usize> = &Lengths;
    assert_eq!(local.load_dyn(&[10, 200]).await, [2, 3]);
}

// ---------------------------------------------------------------------------
// A trait lifetime with a `'static` supertrait (chat-bot command handlers:
// `trait CommandExecuteFn<'a>: Send + Sync + 'static`, called with a
// context borrowed for one message). The implementors are `'static`, the
// lifetime is the message's: the twin object is for any lifetime, the
// bridge and the registries for `'static`.

struct Message<'a> {
    author: &'a str,
}

#[dyn_twin(DynCommand, send = SendDynCommand)]
trait Command<'a>: Send + Sync + 'static {
    async fn run(&self, msg: Message<'a>, args: &'a str) -> usize;
}

struct Echo;
impl<'a> Command<'a> for Echo {
    async fn run(&self, msg: Message<'a>, args: &'a str) -> usize {
        msg.author.len() + args.len()
    }
}

/// A message's handler, with the message borrowed for this call only.
async fn on_message<'m>(cmd: &dyn SendDynCommand<'m>, author: &'m str, text: &'m str) -> usize {
    cmd.run_send(Message { author }, text).await
}

#[tokio::test]
async fn a_trait_lifetime_with_a_static_supertrait() {
    let (author, text) = (String::from("bob"), String::from("hi!"));
    let boxed: Box<dyn SendDynCommand<'_>> = Box::new(Echo);
    assert_eq!(on_message(&*boxed, &author, &text).await, 6);
    let local: &dyn DynCommand<'_> = &Echo;
    assert_eq!(local.run_dyn(Message { author: &author }, &text).await, 6);

    let handler: Arc<dyn SendDynCommand<'static>> = Arc::new(Echo);
    assert_eq!(handler.run(Message { author: "a" }, "bc").await, 3);
    let commands = TwinRegistry::<dyn SendDynCommand<'static>>::new();
    commands.register("echo", Echo).unwrap();
    let echo = commands.get("echo").unwrap();
    assert_eq!(echo.run(Message { author: "ab" }, "c").await, 3);
    assert_eq!(echo.run_send(Message { author: "x" }, "").await, 1);
}

// ---------------------------------------------------------------------------
// A supertrait's associated types. embedded-io-async's `Read: ErrorType`
// names `Self::Error`, which `ErrorType` (another crate's) declares: the
// twin object names it, `dyn SendDynRead<Error = E>`, taken from the one
// supertrait that can declare it. With two candidates the option says which
// (`supertrait_types(Backend::Stream)`); a supertrait of the user's own
// can be implemented for the counting wrapper, and registries work.

mod embedded_io {
    /// Stands for `embedded_io::ErrorType`, a trait of another crate.
    pub(crate) trait ErrorType {
        type Error: core::fmt::Debug;
    }
}

#[dyn_twin(DynRead, send = SendDynRead, try_methods)]
trait Read: embedded_io::ErrorType {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error>;
    async fn read_exact(&mut self, mut buf: &mut [u8]) -> Result<(), Self::Error> {
        while !buf.is_empty() {
            let n = self.read(buf).await?;
            buf = &mut buf[n..];
        }
        Ok(())
    }
}

/// Gives out at most two bytes a read, then `"eof"`.
struct Uart(Vec<u8>);

impl embedded_io::ErrorType for Uart {
    type Error = &'static str;
}

impl Read for Uart {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, &'static str> {
        if self.0.is_empty() {
            return Err("eof");
        }
        let n = buf.len().min(self.0.len()).min(2);
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0.drain(..n);
        Ok(n)
    }
}

/// `Self::Error` fixed by the supertrait's binding: the object names none.
#[dyn_twin(DynFixedRead, try_methods)]
trait FixedRead: embedded_io::ErrorType<Error = &'static str> {
    async fn read_byte(&mut self) -> Result<u8, Self::Error>;
}

impl FixedRead for Uart {
    async fn read_byte(&mut self) -> Result<u8, &'static str> {
        let mut one = [0];
        self.read(&mut one).await?;
        Ok(one[0])
    }
}

trait Backend {
    type Stream: Send;
}

trait Labelled {
    fn label(&self) -> &str;
}

#[dyn_twin(
    DynStorage,
    send = SendDynStorage,
    supertrait_types(Backend::Stream),
    try_methods
)]
trait Storage: Backend + Labelled + Send + Sync {
    async fn scan(&self, from: u32) -> Self::Stream;
}

struct Numbers;
impl Backend for Numbers {
    type Stream = Vec<u32>;
}
impl Labelled for Numbers {
    fn label(&self) -> &str {
        "numbers"
    }
}
impl Storage for Numbers {
    async fn scan(&self, from: u32) -> Vec<u32> {
        (from..from + 3).collect()
    }
}

// The registries count through the wrapper, which implements the
// supertraits it can: here they are the user's.
impl<P: Backend> Backend for CountedTwin<P> {
    type Stream = P::Stream;
}
impl<P: Labelled> Labelled for CountedTwin<P> {
    fn label(&self) -> &str {
        self.get_ref().label()
    }
}

#[tokio::test]
async fn a_supertraits_associated_types() {
    let mut uart: Box<dyn SendDynRead<Error = &'static str>> = Box::new(Uart(vec![1, 2, 3, 4, 5]));
    let mut buf = [0; 3];
    assert_eq!(uart.read_send(&mut buf).await, Ok(2));
    uart.read_exact(&mut buf).await.unwrap();
    assert_eq!(buf, [3, 4, 5]);
    assert_eq!(uart.read(&mut buf).await, Err("eof"));
    let mut local: Box<dyn DynRead<Error = &'static str>> = Box::new(Uart(vec![9]));
    assert_eq!(local.read_dyn(&mut buf).await, Ok(1));
    let mut fixed: Box<dyn DynFixedRead> = Box::new(Uart(vec![7]));
    assert_eq!(fixed.read_byte_dyn().await, Ok(7));
    assert_eq!(fixed.read_byte().await, Err("eof"));
    assert_eq!(buf[0], 9);

    let storage: Arc<dyn SendDynStorage<Stream = Vec<u32>>> = Arc::new(Numbers);
    assert_eq!(storage.scan(4).await, [4, 5, 6]);
    assert_eq!(storage.label(), "numbers");
    let stores = TwinRegistry::<dyn SendDynStorage<Stream = Vec<u32>>>::new();
    let numbers = stores.register("numbers", Numbers).unwrap();
    assert_eq!(stores.get("numbers").unwrap().scan_send(1).await, [1, 2, 3]);
    assert_eq!(TwinHandle::tracked(&numbers, "scan").unwrap().completed, 1);

    // The `try_` calls (`try_methods`) name the supertraits' types as the
    // others do: inferred, fixed by a binding, and listed.
    let mut uart: Box<dyn SendDynRead<Error = &'static str>> = Box::new(Uart(vec![1, 2, 3]));
    let mut two = [0; 2];
    let read = uart.try_read_send(&mut Some(&mut two[..])).unwrap();
    assert_eq!(read.await, Ok(2));
    let mut rest = Some(&mut buf[..]);
    assert_eq!(
        uart.try_read_exact_send(&mut rest).unwrap().await,
        Err("eof")
    );
    assert!(rest.is_none(), "the call took its argument");
    assert_eq!(two, [1, 2]);
    assert_eq!(fixed.try_read_byte_dyn().unwrap().await, Err("eof"));
    assert_eq!(
        storage.try_scan_send(&mut Some(7)).unwrap().await,
        [7, 8, 9]
    );
    let by_name = stores.get("numbers").unwrap();
    assert_eq!(
        by_name.try_scan_send(&mut Some(2)).unwrap().await,
        [2, 3, 4]
    );
    assert_eq!(TwinHandle::tracked(&numbers, "scan").unwrap().completed, 2);
}

// ---------------------------------------------------------------------------
// `where Self: Sized` methods as openraft's `RaftNetworkV2` writes them
// after the twin's refusal of its generic method: declared without a body,
// `-> impl Future` (the bridge's stand-in panicked with `!`, no future) or
// `async fn` (under `send`, left un-`Send`, so generic code could not spawn
// it); and a future declared `+ MaybeSend`-style (rmcp), beside which the
// `send` rewrite's `Send` is one clippy calls implied (CI's clippy over
// this file would fail on it).

/// rmcp's `MaybeSendFuture`: `Send` under another name.
trait MaybeSendFuture: Send {}
impl<T: Send + ?Sized> MaybeSendFuture for T {}

#[dyn_twin(DynNet, send = SendDynNet)]
trait Net: Send + Sync + 'static {
    async fn vote(&self, term: u64) -> u64;
    fn snapshot(&self, at: u64) -> impl Future<Output = u64> + Send
    where
        Self: Sized;
    async fn transfer(&self, to: u64) -> u64
    where
        Self: Sized;
    async fn heartbeat(&self) -> u64
    where
        Self: Sized,
    {
        self.vote(0).await + 1
    }
    fn peers(&self) -> impl Future<Output = usize> + MaybeSendFuture + '_;
}

#[dyn_twin(DynLocalNet)]
trait LocalNet {
    async fn vote(&self, term: u64) -> u64;
    fn snapshot(&self) -> impl Future<Output = u64>
    where
        Self: Sized;
}

struct Node;
impl Net for Node {
    async fn vote(&self, term: u64) -> u64 {
        term + 1
    }
    async fn snapshot(&self, at: u64) -> u64 {
        at * 10
    }
    async fn transfer(&self, to: u64) -> u64 {
        to + 100
    }
    async fn peers(&self) -> usize {
        3
    }
}
impl LocalNet for Node {
    async fn vote(&self, term: u64) -> u64 {
        term
    }
    async fn snapshot(&self) -> u64 {
        7
    }
}

/// Generic static code that spawns the `Sized` methods' futures.
async fn spawn_sized<N: Net>(node: Arc<N>) -> u64 {
    let task = tokio::spawn(async move {
        node.snapshot(2).await + node.transfer(3).await + node.heartbeat().await
    });
    task.await.unwrap()
}

#[tokio::test]
async fn sized_methods_without_a_body_and_send_aliases() {
    assert_eq!(spawn_sized(Arc::new(Node)).await, 20 + 103 + 2);
    let net: Arc<dyn SendDynNet> = Arc::new(Node);
    assert_eq!(net.vote(4).await, 5);
    assert_eq!(net.peers().await, 3);
    assert_eq!(net.peers_send().await, 3);
    let local: &dyn DynLocalNet = &Node;
    assert_eq!(local.vote(1).await, 1);
    assert_eq!(Net::snapshot(&Node, 1).await, 10);
    assert_eq!(LocalNet::snapshot(&Node).await, 7);
}

// ---------------------------------------------------------------------------
// Supertraits the counting wrapper implements (`Display`, a user's
// trait it is given) or cannot (a foreign one): the trait is valid either
// way; registries need the wrapper to implement them.

trait Base {
    fn base(&self) -> u8;
}

impl<I: Base> Base for CountedTwin<I> {
    fn base(&self) -> u8 {
        self.get_ref().base()
    }
}

#[dyn_twin(DynShown, send = SendDynShown)]
trait Shown: fmt::Display + Base + Send + Sync {
    async fn show(&self) -> String;
}

/// `std::io::Write` stands for a foreign trait: `CountedTwin` cannot
/// implement it, so there is no counting impl, and the trait still works.
#[dyn_twin(DynSink, send = SendDynSink)]
trait Sink: std::io::Write + Send + Sync {
    async fn flush_all(&mut self) -> usize;
}

struct Label(&'static str);
impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
impl Base for Label {
    fn base(&self) -> u8 {
        9
    }
}
impl Shown for Label {
    async fn show(&self) -> String {
        format!("<{self}>")
    }
}

struct Buffer(Vec<u8>);
impl std::io::Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
impl Sink for Buffer {
    async fn flush_all(&mut self) -> usize {
        self.0.len()
    }
}

#[tokio::test]
async fn supertraits_the_wrapper_implements_or_cannot() {
    let registry = TwinRegistry::<dyn SendDynShown>::new();
    let handle = registry.register("label", Label("x")).unwrap();
    assert_eq!(handle.show().await, "<x>");
    assert_eq!(handle.to_string(), "x");
    assert_eq!(handle.base(), 9);
    assert_eq!(
        registry
            .stats()
            .get("label")
            .unwrap()
            .get("show")
            .unwrap()
            .calls,
        1
    );

    let mut sink: Box<dyn SendDynSink> = Box::new(Buffer(Vec::new()));
    std::io::Write::write_all(&mut sink, b"abc").unwrap();
    assert_eq!(sink.flush_all().await, 3);
}

// ---------------------------------------------------------------------------
// `#[cfg]` on methods (absent from `METHODS`' report and statistics) and on
// arguments (kept wherever the argument is passed).

#[dyn_twin(DynConfigured)]
trait Configured {
    async fn always(&self, #[cfg(any())] never: u8, x: u8) -> u8;
    #[cfg(any())]
    async fn compact(&self) -> u8;
}

struct Conf;
impl Configured for Conf {
    async fn always(&self, #[cfg(any())] never: u8, x: u8) -> u8 {
        x
    }
}

#[test]
fn cfg_on_methods_and_arguments_is_carried() {
    let erased: &dyn DynConfigured = &Conf;
    assert_eq!(block_on(erased.always_dyn(4)).0, 4);
    assert_eq!(block_on(erased.always(5)).0, 5);
    let present: Vec<&str> = <dyn DynConfigured>::METHODS
        .iter()
        .filter(|m| m.is_present())
        .map(|m| m.name())
        .collect();
    assert_eq!(present, ["always"]);
    let counted = CountedTwin::new::<dyn DynConfigured>(Conf);
    let stats: Vec<&str> = counted.stats().iter().map(|(name, _)| name).collect();
    assert_eq!(stats, ["always"]);
}

// ---------------------------------------------------------------------------
// The attribute applied by a `macro_rules!` macro to a trait its caller
// passes in (`self` tokens from two hygiene contexts).

macro_rules! declare_plugin {
    ($(#[$attr:meta])* $vis:vis trait $name:ident { $($body:tt)* }) => {
        #[dyn_twin(DynFromMacro, send = SendDynFromMacro)]
        $(#[$attr])*
        $vis trait $name { $($body)* }
    };
}

declare_plugin! {
    trait FromMacro {
        async fn double(&self, x: u32) -> u32;
        async fn triple(&self, x: u32) -> u32 { self.double(x).await + x }
    }
}

struct Doubler;
impl FromMacro for Doubler {
    async fn double(&self, x: u32) -> u32 {
        x * 2
    }
}

#[test]
fn the_attribute_works_from_a_macro_rules_caller() {
    let erased: Arc<dyn SendDynFromMacro> = Arc::new(Doubler);
    assert_eq!(block_on(erased.triple(3)).0, 9);
    assert_eq!(block_on(erased.double_send(4)).0, 8);
}

// ---------------------------------------------------------------------------
// A hand-written `Twin` whose `method_layout` registers into the registry
// that asks it: reports call twins outside the registry's lock.

struct Hand;

/// A hand-written twin object: its layouts register a plugin.
struct HandTwin {
    registry: TwinRegistry<HandTwin>,
    _inner: Arc<CountedTwin<Hand>>,
}

static REENTERED: AtomicUsize = AtomicUsize::new(0);
static REGISTRY: std::sync::OnceLock<TwinRegistry<HandTwin>> = std::sync::OnceLock::new();

impl Twin for HandTwin {
    type Cap = hybrid_dispatch::capacity::DefaultCapacity;
    const METHODS: &'static [hybrid_dispatch::twin::TwinMethod] =
        &[hybrid_dispatch::twin::TwinMethod::new("work", true)];
    fn method_layout(&self, index: usize) -> Option<FutureLayout> {
        let n = REENTERED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        // User code that takes the registry's lock (write, then read).
        let _ = self.registry.register(&format!("late{n}"), Hand);
        let _ = self.registry.names();
        (index == 0).then(FutureLayout::of::<u64>)
    }
    fn type_name(&self) -> &'static str {
        "Hand"
    }
}

impl hybrid_dispatch::twin::TwinOf<CountedTwin<Hand>> for HandTwin {
    fn share(plugin: Arc<CountedTwin<Hand>>) -> Arc<Self> {
        Arc::new(HandTwin {
            registry: REGISTRY.get().expect("set").clone(),
            _inner: plugin,
        })
    }
}

#[test]
fn registry_reports_call_user_code_outside_the_lock() {
    let registry = REGISTRY.get_or_init(TwinRegistry::new);
    registry.register("first", Hand).unwrap();
    // Both reports ask every entry for its layouts; a twin that registers
    // from there would deadlock if they held the map's lock.
    let sizing = registry.sizing();
    assert!(sizing.iter().count() >= 1);
    let stats = registry.stats();
    assert!(stats.iter().count() >= 1);
    assert!(REENTERED.load(std::sync::atomic::Ordering::SeqCst) >= 2);
    assert!(registry.len() >= 3);
}

// ---------------------------------------------------------------------------
// A `Send`-only implementor (a `Cell` inside, like an acceptor or a
// connection) has a `Send` twin when no async method takes `&self`: its
// futures borrow `self` mutably or own it, so `Send` suffices. A trait with
// an async `&self` method keeps the `Sync` twin, which `Arc` sharing needs.

#[dyn_twin(DynAcceptor, send = SendDynAcceptor)]
trait Acceptor: Send {
    fn local_addr(&self) -> String;
    async fn accept(&mut self) -> u32;
    async fn close(self: Box<Self>) -> u32;
}

struct Listener {
    next: u32,
    /// Not `Sync`.
    seen: std::cell::Cell<u32>,
}

impl Acceptor for Listener {
    fn local_addr(&self) -> String {
        format!("127.0.0.1:{}", self.seen.get())
    }
    async fn accept(&mut self) -> u32 {
        YieldOnce::default().await;
        self.next += 1;
        self.seen.set(self.next);
        self.next
    }
    async fn close(self: Box<Self>) -> u32 {
        YieldOnce::default().await;
        self.seen.get() * 10
    }
}

static_assertions::assert_impl_all!(dyn SendDynAcceptor: Send);
static_assertions::assert_not_impl_any!(dyn SendDynAcceptor: Sync);
static_assertions::assert_impl_all!(dyn SendDynGuarded: Send, Sync);

// `tokio::spawn` asks `Send` of the task on any runtime; one thread keeps
// the test cheap under Miri.
#[tokio::test]
async fn a_send_only_implementor_has_a_send_twin_without_shared_async_methods() {
    let mut acceptor: Box<dyn SendDynAcceptor> = Box::new(Listener {
        next: 0,
        seen: Default::default(),
    });
    let task = tokio::spawn(async move {
        let first = acceptor.accept().await;
        let second = acceptor.accept_send().await;
        assert_eq!(acceptor.local_addr(), "127.0.0.1:2");
        (first, second, acceptor.close().await)
    });
    assert_eq!(task.await.unwrap(), (1, 2, 20));
}

// ---------------------------------------------------------------------------
// A lifetime hidden in an argument's path type (`w: Window` for
// `Window<'a>`), by value, in an `Option`, a `Box` or a tuple: the twins'
// signatures cannot name it, and take such arguments as `Held<'fut, _>`,
// which bounds it by the future's lifetime all the same.

struct Window<'a> {
    bytes: &'a [u8],
}

#[dyn_twin(DynWriter, send = SendDynWriter)]
trait Writer {
    async fn write(&self, w: Window) -> usize;
    async fn write_all(&mut self, first: Option<Window>, rest: (Box<Window>, u8)) -> usize;
    fn peek(&self, w: Window) -> u8;
    /// Taken as `Held<'fut, Box<dyn Debug + Send>>`: a caller's
    /// `Box::new(3)` still coerces.
    async fn describe(&self, value: Box<dyn fmt::Debug + Send>) -> String;
}

struct Counter(usize);

impl Writer for Counter {
    async fn write(&self, w: Window<'_>) -> usize {
        YieldOnce::default().await;
        self.0 + w.bytes.len()
    }
    async fn write_all(&mut self, first: Option<Window<'_>>, rest: (Box<Window<'_>>, u8)) -> usize {
        YieldOnce::default().await;
        self.0 += first.map_or(0, |w| w.bytes.len()) + rest.0.bytes.len() + usize::from(rest.1);
        self.0
    }
    fn peek(&self, w: Window<'_>) -> u8 {
        w.bytes[0]
    }
    async fn describe(&self, value: Box<dyn fmt::Debug + Send>) -> String {
        format!("{value:?}")
    }
}

#[test]
fn hidden_lifetimes_in_arguments_are_bounded_by_the_future() {
    let bytes = vec![7u8, 8, 9];
    let window = || Window { bytes: &bytes };
    let local: &dyn DynWriter = &Counter(1);
    assert_eq!(block_on(local.write_dyn(window())).0, 4);
    assert_eq!(local.peek_dyn(window()), 7);
    assert_eq!(block_on(local.describe_dyn(Box::new(3))).0, "3");
    let mut slot = pin!(FutureSlot::new());
    assert_eq!(block_on(local.write_in(slot.as_mut(), window())).0, 4);

    let mut shared: Box<dyn SendDynWriter> = Box::new(Counter(0));
    assert_eq!(block_on(shared.write_send(window())).0, 3);
    assert_eq!(block_on(shared.write(window())).0, 3);
    assert_eq!(shared.peek(window()), 7);
    let rest = (Box::new(window()), 1);
    assert_eq!(block_on(shared.write_all(Some(window()), rest)).0, 7);
    let rest = (Box::new(window()), 0);
    assert_eq!(block_on(shared.write_all_send(None, rest)).0, 10);
}

// ---------------------------------------------------------------------------
// Shapes a new user's trial found failing (7 December 2026), each from a
// real trait.

/// sqlx's `Migrate` (`sqlx-core/src/migrate/migrate.rs`): lifetime bounds
/// declared inline in the method's generics, `<'e: 'm, 'm>`, and a future
/// bounded by the shorter one. The twin's methods lost the bound (four
/// errors: "lifetime may not live long enough").
#[dyn_twin(DynMigrate, send = SendDynMigrate)]
trait Migrate {
    fn apply<'e: 'm, 'm>(
        &'e mut self,
        migration: &'m str,
    ) -> impl Future<Output = Result<usize, String>> + Send + 'm;
    fn revert<'e: 'm, 'm>(
        &'e mut self,
        migration: &'m str,
    ) -> impl Future<Output = Result<usize, String>> + Send + 'm;
}

/// sqlx's `Connection::connect`: a required constructor returning
/// `Result<Self, E>`, async and not. The counting wrapper forwarded `P`'s
/// and returned a `Result<P, E>` where a `Result<CountedTwin<P>, E>` is
/// due (E0271); it now wraps what `P`'s made.
#[dyn_twin(DynConnection, send = SendDynConnection)]
trait Connection: Send + Sync {
    async fn connect(url: &str) -> Result<Self, String>
    where
        Self: Sized;
    fn open(url: &str) -> Option<Self>
    where
        Self: Sized;
    fn fresh() -> Self
    where
        Self: Sized;
    fn ping(&self, migrations: &mut dyn SendDynMigrate) -> impl Future<Output = usize> + Send;
}

/// async-graphql's `Loader::load`, declared twice under exclusive
/// `#[cfg]`s: alternatives, not two methods. The attribute refused it
/// ("would generate two twin methods named `load_dyn`: rename `load`").
#[dyn_twin(DynGraphqlLoader, send = SendDynGraphqlLoader)]
trait GraphqlLoader: Send + Sync + 'static {
    #[cfg(any())]
    async fn load(&self, keys: &[u32]) -> Vec<u64>;
    #[cfg(not(any()))]
    fn load(&self, keys: &[u32]) -> impl Future<Output = Vec<u64>> + Send;
}

/// A `send`-mode default body whose early `return` relies on the declared
/// result to coerce (`Box<String>` to `Box<dyn Display + Send>`), as a
/// configuration trait's fallback does. The rewritten body's `async` block
/// took its output from that first `return` (E0308, E0271).
#[dyn_twin(DynSettings, send = SendDynSettings)]
trait Settings: Send + Sync {
    fn raw(&self, key: &str) -> Option<String>;
    async fn label(&self) -> Box<dyn fmt::Display + Send> {
        if let Some(label) = self.raw("label") {
            return Box::new(label);
        }
        let Some(port) = self.raw("port") else {
            return Box::new("unnamed");
        };
        Box::new(port.parse::<u16>().unwrap_or(0))
    }
    async fn port(&self) -> Result<u16, String> {
        // `?` and a `return` in a closure keep their own types.
        let parse = |raw: String| -> Result<u16, String> {
            if raw.is_empty() {
                return Err("empty".into());
            }
            raw.parse().map_err(|e| format!("{e}"))
        };
        let port = parse(self.raw("port").ok_or("no port")?)?;
        YieldOnce::default().await;
        Ok(port)
    }
}

struct Env(&'static [(&'static str, &'static str)]);

impl Settings for Env {
    fn raw(&self, key: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| (*v).to_owned())
    }
}

/// opendal's `Access: Send + Sync + Debug + Unpin + 'static` with `type
/// Reader: oio::Read`: a `'static` supertrait and an associated type not
/// declared `'static`. The impls on the `'static` twin objects named the
/// type's parameter without the bound the object needs (E0310, nine).
#[dyn_twin(DynAccess, send = SendDynAccess)]
trait Access: Send + Sync + 'static {
    type Reader: Send;
    async fn read(&self, path: &str) -> Self::Reader;
    fn name(&self) -> &str;
}

/// A provided `fn boxed(self) -> Box<dyn SendDynX> where Self: Sized +
/// Send + Sync + 'static` (as tower's `ServiceExt::boxed`) on a trait
/// without those supertraits: the counting wrapper forwarded it to `P`'s,
/// which needs `P: Send + Sync`, which nothing said (two E0277). The
/// default now runs on the wrapper.
#[dyn_twin(DynUpper, send = SendDynUpper)]
trait Upper {
    async fn handle(&self, request: String) -> String;
    fn boxed(self) -> Box<dyn SendDynUpper>
    where
        Self: Sized + Send + Sync + 'static,
    {
        Box::new(self)
    }
}

struct Shout;

/// The same helper on a trait whose supertraits say `Send + Sync`: there
/// `P: Trait` implies what the method asks, so the wrapper still forwards
/// to the implementor's override.
#[dyn_twin(DynLower, send = SendDynLower)]
trait Lower: Send + Sync {
    async fn handle(&self, request: String) -> String;
    fn label(self) -> String
    where
        Self: Sized + Send + Sync,
    {
        "default".into()
    }
}

struct Quiet;

impl Lower for Quiet {
    async fn handle(&self, request: String) -> String {
        request.to_lowercase()
    }
    fn label(self) -> String {
        "quiet".into()
    }
}

impl Upper for Shout {
    async fn handle(&self, request: String) -> String {
        request.to_uppercase()
    }
}

/// A method named with a raw identifier, `r#match` (a router's): its
/// statistics were kept under `"r#match"`, so `tracked("match")` found
/// nothing.
#[dyn_twin(DynRouter, send = SendDynRouter)]
trait Router {
    async fn r#match(&self, path: &str) -> bool;
}

struct Prefix(&'static str);

impl Router for Prefix {
    async fn r#match(&self, path: &str) -> bool {
        path.starts_with(self.0)
    }
}

#[derive(Default)]
struct Migrations(Vec<String>);

impl Migrate for Migrations {
    async fn apply<'e: 'm, 'm>(&'e mut self, migration: &'m str) -> Result<usize, String> {
        YieldOnce::default().await;
        self.0.push(migration.to_owned());
        Ok(self.0.len())
    }
    async fn revert<'e: 'm, 'm>(&'e mut self, migration: &'m str) -> Result<usize, String> {
        match self.0.iter().rposition(|m| m == migration) {
            Some(at) => {
                self.0.remove(at);
                Ok(self.0.len())
            }
            None => Err(format!("{migration} was never applied")),
        }
    }
}

struct Pg(String);

impl Connection for Pg {
    async fn connect(url: &str) -> Result<Self, String> {
        YieldOnce::default().await;
        match url.strip_prefix("pg://") {
            Some(rest) => Ok(Pg(rest.to_owned())),
            None => Err(format!("not a postgres url: {url}")),
        }
    }
    fn open(url: &str) -> Option<Self> {
        url.strip_prefix("pg://").map(|rest| Pg(rest.to_owned()))
    }
    fn fresh() -> Self {
        Pg("fresh".into())
    }
    async fn ping(&self, migrations: &mut dyn SendDynMigrate) -> usize {
        migrations.apply(&self.0).await.unwrap()
    }
}

struct Squares;

struct MemoryAccess;

impl Access for MemoryAccess {
    type Reader = Vec<u8>;
    async fn read(&self, path: &str) -> Vec<u8> {
        YieldOnce::default().await;
        path.as_bytes().to_vec()
    }
    fn name(&self) -> &str {
        "memory"
    }
}

impl GraphqlLoader for Squares {
    async fn load(&self, keys: &[u32]) -> Vec<u64> {
        keys.iter().map(|k| u64::from(*k).pow(2)).collect()
    }
}

#[test]
fn lifetime_bounds_constructors_cfg_alternatives_and_coerced_returns_of_real_traits() {
    let mut migrations: Box<dyn SendDynMigrate> = Box::new(Migrations::default());
    assert_eq!(block_on(migrations.apply("create users")).0, Ok(1));
    assert_eq!(block_on(migrations.apply_send("add index")).0, Ok(2));
    assert_eq!(block_on(migrations.revert("create users")).0, Ok(1));
    assert_eq!(
        block_on(migrations.revert("drop all")).0,
        Err("drop all was never applied".into())
    );

    // The wrapper's constructors are `P`'s, wrapped: `Ok`, `Err`, `Some`,
    // `None` and a bare `Self` each come back as `P` made them.
    let counted = block_on(CountedTwin::<Pg>::connect("pg://db")).0.unwrap();
    assert_eq!(counted.get_ref().0, "db");
    assert_eq!(
        block_on(CountedTwin::<Pg>::connect("mysql://db")).0.err(),
        Some("not a postgres url: mysql://db".to_owned())
    );
    assert_eq!(CountedTwin::<Pg>::open("pg://x").unwrap().get_ref().0, "x");
    assert!(CountedTwin::<Pg>::open("x").is_none());
    assert_eq!(CountedTwin::<Pg>::fresh().get_ref().0, "fresh");

    // And the registry counts the connection's calls.
    let registry: TwinRegistry<dyn SendDynConnection> = TwinRegistry::new();
    let pg = registry
        .register("pg", block_on(Pg::connect("pg://main")).0.unwrap())
        .unwrap();
    let mut local = Migrations::default();
    assert_eq!(block_on(pg.ping(&mut local)).0, 1);
    assert_eq!(local.0, ["main"]);
    assert_eq!(TwinHandle::tracked(&pg, "ping").unwrap().completed, 1);

    let labelled: Arc<dyn SendDynSettings> = Arc::new(Env(&[("label", "edge")]));
    let ported: Arc<dyn SendDynSettings> = Arc::new(Env(&[("port", "8080")]));
    let bare: Arc<dyn SendDynSettings> = Arc::new(Env(&[]));
    assert_eq!(block_on(labelled.label()).0.to_string(), "edge");
    assert_eq!(block_on(ported.label()).0.to_string(), "8080");
    assert_eq!(block_on(bare.label()).0.to_string(), "unnamed");
    assert_eq!(block_on(ported.port()).0, Ok(8080));
    assert_eq!(block_on(bare.port()).0, Err("no port".into()));
    assert_eq!(block_on(Env(&[("port", "")]).port()).0, Err("empty".into()));

    let access: Box<dyn SendDynAccess<Reader = Vec<u8>>> = Box::new(MemoryAccess);
    assert_eq!(block_on(access.read("a/b")).0, b"a/b");
    let stores: TwinRegistry<dyn SendDynAccess<Reader = Vec<u8>>> = TwinRegistry::new();
    let memory = stores.register("memory", MemoryAccess).unwrap();
    assert_eq!(block_on(memory.read_send("c")).0, b"c");
    assert_eq!(memory.name(), "memory");

    assert_eq!(block_on(Shout.boxed().handle("a".into())).0, "A");
    let counted = CountedTwin::new::<dyn SendDynUpper>(Shout).boxed();
    assert_eq!(block_on(counted.handle("b".into())).0, "B");
    let quiet = CountedTwin::new::<dyn SendDynLower>(Quiet);
    assert_eq!(block_on(quiet.handle("C".into())).0, "c");
    assert_eq!(quiet.label(), "quiet");

    let routers: TwinRegistry<dyn SendDynRouter> = TwinRegistry::new();
    let api = routers.register("api", Prefix("/api")).unwrap();
    assert!(block_on(api.r#match("/api/users")).0);
    assert!(!block_on(api.match_send("/home")).0);
    assert_eq!(TwinHandle::tracked(&api, "match").unwrap().completed, 2);
    assert!(TwinHandle::tracked(&api, "r#match").is_none());

    let loader: Arc<dyn SendDynGraphqlLoader> = Arc::new(Squares);
    assert_eq!(block_on(loader.load(&[3, 4])).0, [9, 16]);
    assert_eq!(block_on(loader.load_send(&[5])).0, [25]);
}

// ---------------------------------------------------------------------------
// A trait parameter captured by the bridge's `Send` future, asked only what
// the capture needs. A tower-style `Handler<Req>` called with a request that
// is `Send` and not `Sync` (axum's `Body` is one: a boxed body stream), by
// value and through `&mut`; a parameter behind `&` that is `Sync` and not
// `Send` (a lock's guard). The bridge asked `Req: Send + Sync` of every
// parameter an argument named, so neither object had its trait's methods
// (E0599, "`Req: Sync` was not satisfied").

/// `Send`, not `Sync`: a request whose body is read once.
struct Request(std::cell::Cell<u32>);

#[dyn_twin(DynHandler, send = SendDynHandler)]
trait Handler<Req>: Send + Sync {
    async fn handle(&self, req: Req) -> u32;
    async fn rewrite(&self, req: &mut Req, by: u32);
    /// Inside the standard containers, whose `Send` is their elements'.
    async fn first(&self, reqs: Vec<Req>, or: Option<Req>) -> Option<u32>;
    async fn pinned(&self, req: std::pin::Pin<Box<Req>>) -> u32;
}

struct Adder;
impl Handler<Request> for Adder {
    async fn handle(&self, req: Request) -> u32 {
        tokio::task::yield_now().await;
        req.0.get() + 1
    }
    async fn rewrite(&self, req: &mut Request, by: u32) {
        req.0.set(req.0.get() * by);
    }
    async fn first(&self, reqs: Vec<Request>, or: Option<Request>) -> Option<u32> {
        tokio::task::yield_now().await;
        reqs.into_iter().chain(or).map(|req| req.0.get()).next()
    }
    async fn pinned(&self, req: std::pin::Pin<Box<Request>>) -> u32 {
        req.0.get()
    }
}

#[dyn_twin(DynInspect, send = SendDynInspect)]
trait Inspect<K>: Send + Sync {
    async fn count(&self, keys: &[K]) -> usize;
    async fn present(
        &self,
        key: &Option<K>,
        more: &std::collections::BTreeMap<u8, Vec<K>>,
    ) -> usize;
}

struct KeyCount;
impl<K: Sync> Inspect<K> for KeyCount {
    async fn count(&self, keys: &[K]) -> usize {
        keys.len()
    }
    async fn present(
        &self,
        key: &Option<K>,
        more: &std::collections::BTreeMap<u8, Vec<K>>,
    ) -> usize {
        usize::from(key.is_some()) + more.values().map(Vec::len).sum::<usize>()
    }
}

/// The request as an associated type.
#[dyn_twin(DynEndpoint, send = SendDynEndpoint)]
trait Endpoint: Send + Sync {
    type Request: Send;
    async fn call(&self, req: Self::Request) -> u32;
}

impl Endpoint for Adder {
    type Request = Request;
    async fn call(&self, req: Request) -> u32 {
        self.handle(req).await
    }
}

/// Generic code over the trait, handed the object.
async fn handle_twice<H: Handler<Request> + ?Sized>(handler: &H, start: u32) -> u32 {
    let mut req = Request(std::cell::Cell::new(start));
    handler.rewrite(&mut req, 3).await;
    handler.handle(req).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_request_that_is_not_sync_through_the_bridge() {
    let handler: Arc<dyn SendDynHandler<Request>> = Arc::new(Adder);
    let task = tokio::spawn({
        let handler = Arc::clone(&handler);
        async move { handler.handle(Request(std::cell::Cell::new(4))).await }
    });
    assert_eq!(task.await.unwrap(), 5);
    let task = tokio::spawn(async move { handle_twice(&*handler, 2).await });
    assert_eq!(task.await.unwrap(), 7);
    // Registered: by name, through the object the registry lends, in a task.
    let handlers = Arc::new(TwinRegistry::<dyn SendDynHandler<Request>>::new());
    let adder = handlers.register("adder", Adder).unwrap();
    let task = tokio::spawn({
        let handlers = Arc::clone(&handlers);
        async move {
            let handler = handlers.get("adder").unwrap();
            handle_twice(&*handler, 5).await + handler.handle_send(Request(1.into())).await
        }
    });
    assert_eq!(task.await.unwrap(), 16 + 2);
    assert_eq!(TwinHandle::tracked(&adder, "handle").unwrap().completed, 2);
    let endpoint: Box<dyn SendDynEndpoint<Request = Request>> = Box::new(Adder);
    let task = tokio::spawn(async move { endpoint.call(Request(9.into())).await });
    assert_eq!(task.await.unwrap(), 10);
    // In a `Vec`, an `Option`, a `Pin<Box<_>>`: the bridge asks `Request: Send` (it asked
    // `Send + Sync` of a parameter inside any type but a reference or tuple).
    let task = tokio::spawn({
        let handlers = Arc::clone(&handlers);
        async move {
            let handler = handlers.get("adder").unwrap();
            let none = handler.first(Vec::new(), None).await;
            (
                none,
                handler
                    .first(vec![Request(6.into())], Some(Request(7.into())))
                    .await,
            )
        }
    });
    assert_eq!(task.await.unwrap(), (None, Some(6)));
    let handler: Arc<dyn SendDynHandler<Request>> = Arc::new(Adder);
    let task = tokio::spawn(async move { handler.pinned(Box::pin(Request(8.into()))).await });
    assert_eq!(task.await.unwrap(), 8);

    static LOCKED: std::sync::Mutex<u32> = std::sync::Mutex::new(1);
    let guards = [LOCKED.lock().unwrap()];
    let inspect: &dyn SendDynInspect<std::sync::MutexGuard<'static, u32>> = &KeyCount;
    assert_eq!(inspect.count(&guards).await, 1);
    let [guard] = guards;
    let more = std::collections::BTreeMap::from([(0, Vec::new())]);
    assert_eq!(inspect.present(&Some(guard), &more).await, 1);
}

// ---------------------------------------------------------------------------
// A method bounded by its own lifetime, `where Self: 'a` (aws-credential-
// types' `ProvideCredentials::provide_credentials<'a>(&'a self)`, trillium's
// `ObjectSafeHandler::run<'handler, 'fut>`): the counting wrapper's impl
// took the bound into its header, where `'a` is not declared (E0261 at the
// attribute), so no such trait compiled.

#[dyn_twin(DynProvide, send = SendDynProvide)]
trait Provide: Send + Sync {
    fn provide<'a>(&'a self) -> impl Future<Output = u32> + Send + 'a
    where
        Self: 'a;
    fn name<'a>(&'a self) -> &'a str
    where
        Self: 'a;
    fn run<'handler, 'fut>(&'handler self, conn: u32) -> impl Future<Output = u32> + Send + 'fut
    where
        'handler: 'fut,
        Self: 'fut;
}

struct Static(u32, String);
#[allow(
    clippy::manual_async_fn,
    reason = "written as the projects' implementors write these signatures"
)]
impl Provide for Static {
    fn provide<'a>(&'a self) -> impl Future<Output = u32> + Send + 'a
    where
        Self: 'a,
    {
        async move { self.0 }
    }
    fn name<'a>(&'a self) -> &'a str
    where
        Self: 'a,
    {
        &self.1
    }
    fn run<'handler, 'fut>(&'handler self, conn: u32) -> impl Future<Output = u32> + Send + 'fut
    where
        'handler: 'fut,
        Self: 'fut,
    {
        async move { conn + self.0 }
    }
}

#[tokio::test]
async fn a_method_bounded_by_its_own_lifetime() {
    let provider: Arc<dyn SendDynProvide> = Arc::new(Static(7, "static".into()));
    assert_eq!(provider.provide().await, 7);
    assert_eq!(provider.provide_send().await, 7);
    assert_eq!(provider.name(), "static");
    assert_eq!(provider.run(1).await, 8);
    // Registered: through the counting wrapper.
    let providers = TwinRegistry::<dyn SendDynProvide>::new();
    let handle = providers
        .register("static", Static(2, "two".into()))
        .unwrap();
    let shared = providers.get("static").unwrap();
    assert_eq!(shared.provide().await + shared.run(3).await, 2 + 5);
    assert_eq!(shared.name(), "two");
    assert_eq!(
        TwinHandle::tracked(&handle, "provide").unwrap().completed,
        1
    );
    // Their futures' layouts are known: the sizing report lists both.
    // `run`'s future outlives its borrow of the wrapper (`'fut`): not
    // tracked, counted.
    assert_eq!(TwinHandle::stats(&handle).get("run").unwrap().calls, 1);
    let sized: Vec<_> = TwinHandle::sizing(&handle)
        .into_iter()
        .map(|(m, _)| m)
        .collect();
    assert_eq!(sized, ["provide", "run"]);
}

// ---------------------------------------------------------------------------
// A `where Self: Sized` method that takes `self: &Arc<Self>` (nativelink's
// `RunningActionsManager`, once its `Sized` supertrait goes as the error
// says): refused a second time, as the counting wrapper cannot forward that
// receiver, so the trait could not keep the method at all. With a default
// body, the wrapper now runs the default on itself.

#[dyn_twin(DynManager, send = SendDynManager)]
trait Manager: Send + Sync + 'static {
    async fn kill_all(&self) -> usize;
    fn spawn_upload(self: &Arc<Self>) -> usize
    where
        Self: Sized,
    {
        Arc::strong_count(self)
    }
    async fn kill_later(self: Arc<Self>) -> usize
    where
        Self: Sized,
    {
        self.kill_all().await + 1
    }
}

struct Actions(usize);
impl Manager for Actions {
    async fn kill_all(&self) -> usize {
        self.0
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sized_method_on_another_pointer_to_self() {
    let actions = Arc::new(Actions(3));
    let again = Arc::clone(&actions);
    assert_eq!(actions.spawn_upload(), 2);
    drop(again);
    // The `send` rewrite makes the `Arc<Self>` method's future `Send`.
    let task = tokio::spawn(Arc::clone(&actions).kill_later());
    assert_eq!(task.await.unwrap(), 4);
    let managers = TwinRegistry::<dyn SendDynManager>::new();
    let handle = managers.register("actions", Actions(5)).unwrap();
    assert_eq!(managers.get("actions").unwrap().kill_all().await, 5);
    assert_eq!(handle.kill_all_send().await, 5);
}

// ---------------------------------------------------------------------------
// An associated type bounded by the trait's own associated types: ntex's
// `ServiceFactory` (`type Service: Service<Res = Self::Res, Error =
// Self::Error>`) and hyper's `Service` (`type Future: Future<Output =
// Result<Self::Response, Self::Error>>`). The impls on the objects copied the
// bound, where `Self` is the object: rustc overflowed (E0275) or, with two
// such names, ran until the machine's memory was gone.

trait Svc {
    type Res;
    type Error;
    fn run(&self) -> Result<Self::Res, Self::Error>;
}

#[dyn_twin(DynFactory, send = SendDynFactory)]
trait Factory: Send + Sync {
    type Res;
    type Error;
    type Service: Svc<Res = Self::Res, Error = Self::Error>;
    async fn create(&self, seed: u32) -> Self::Service;
}

struct Seeded(u32);
impl Svc for Seeded {
    type Res = u32;
    type Error = String;
    fn run(&self) -> Result<u32, String> {
        Ok(self.0)
    }
}

struct SeedFactory;
impl Factory for SeedFactory {
    type Res = u32;
    type Error = String;
    type Service = Seeded;
    async fn create(&self, seed: u32) -> Seeded {
        Seeded(seed)
    }
}

#[dyn_twin(DynHyperService, send = SendDynHyperService)]
trait HyperService<Request>: Send + Sync {
    type Response;
    type Error;
    type Future: Future<Output = Result<Self::Response, Self::Error>>;
    fn call(&self, req: Request) -> Self::Future;
}

struct Len;
impl HyperService<String> for Len {
    type Response = usize;
    type Error = ();
    type Future = std::future::Ready<Result<usize, ()>>;
    fn call(&self, req: String) -> Self::Future {
        std::future::ready(Ok(req.len()))
    }
}

/// Generic code over hyper's shape, handed the object.
async fn serve<S: HyperService<String> + ?Sized>(service: &S) -> Result<S::Response, S::Error> {
    service.call("xyz".into()).await
}

#[tokio::test]
async fn an_associated_type_bounded_by_the_traits_own() {
    type SeededObject = dyn SendDynFactory<Res = u32, Error = String, Service = Seeded>;
    let factory: Arc<SeededObject> = Arc::new(SeedFactory);
    assert_eq!(factory.create(4).await.run(), Ok(4));
    assert_eq!(factory.create_send(5).await.run(), Ok(5));
    let factories = TwinRegistry::<SeededObject>::new();
    factories.register("seeded", SeedFactory).unwrap();
    assert_eq!(
        factories.get("seeded").unwrap().create(6).await.run(),
        Ok(6)
    );

    type Ready = std::future::Ready<Result<usize, ()>>;
    let service: Box<
        dyn SendDynHyperService<String, Response = usize, Error = (), Future = Ready>,
    > = Box::new(Len);
    assert_eq!(service.call("ab".into()).await, Ok(2));
    assert_eq!(serve(&*service).await, Ok(3));
}

// ---------------------------------------------------------------------------
// A `where Self: Sized` method on `self: Pin<&mut Self>` in a `send` trait:
// its rewritten future holds the `Pin<&mut Self>` across its awaits, which
// is `Send` when `Self` is. The attribute asked `Self: Send + Sync` (what an
// `Arc<Self>` receiver needs), so a `Send`, `!Sync` implementor could not call
// it (E0277). `Pin<&Self>` asks `Sync` only; `Arc<Self>` still asks both.

#[dyn_twin(DynStepper, send = SendDynStepper)]
trait Stepper {
    async fn step(&mut self) -> u32;
    async fn settle(mut self: std::pin::Pin<&mut Self>) -> u32
    where
        Self: Sized + Unpin,
    {
        YieldOnce::default().await;
        self.as_mut().get_mut().step().await + 100
    }
}

/// `Send`, not `Sync`.
struct Tally(std::cell::Cell<u32>);
impl Stepper for Tally {
    async fn step(&mut self) -> u32 {
        self.0.set(self.0.get() + 1);
        self.0.get()
    }
}

#[dyn_twin(DynPeeker, send = SendDynPeeker)]
trait Peeker {
    async fn look(&self) -> u32;
    async fn peek(self: std::pin::Pin<&Self>) -> u32
    where
        Self: Sized,
    {
        YieldOnce::default().await;
        self.get_ref().look().await + 1
    }
}

/// `Sync`, not `Send`.
struct Frozen(std::marker::PhantomData<std::sync::MutexGuard<'static, u8>>);
impl Peeker for Frozen {
    async fn look(&self) -> u32 {
        41
    }
}

fn is_send<T: Send>(value: T) -> T {
    value
}

#[test]
fn a_sized_method_on_a_pinned_pointer_asks_what_the_pointer_needs() {
    let mut tally = Tally(std::cell::Cell::new(0));
    let settled = is_send(std::pin::Pin::new(&mut tally).settle());
    assert_eq!(block_on(settled).0, 101);
    // The counting wrapper runs the default on itself, as `Send` as `P`.
    let mut counted = CountedTwin::new::<dyn SendDynStepper>(Tally(std::cell::Cell::new(5)));
    assert_eq!(
        block_on(is_send(std::pin::Pin::new(&mut counted).settle())).0,
        106
    );
    let frozen = Frozen(std::marker::PhantomData);
    let peeked = is_send(std::pin::Pin::new(&frozen).peek());
    assert_eq!(block_on(peeked).0, 42);
}
