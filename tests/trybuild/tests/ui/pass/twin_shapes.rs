//! Every shape `#[dyn_twin]` supports, in a crate that denies the lints a
//! library denies: the generated items are documented, `Debug` is not
//! needed (no types are generated), and nothing is unreachably `pub`.
#![deny(missing_docs, missing_debug_implementations, unreachable_pub, warnings)]

use core::future::Future;
use hybrid_dispatch::dyn_twin;

/// A request.
#[derive(Debug)]
pub struct Request(pub u64);

/// Async, sync, `impl Future + Send`, `&mut self`, borrowed `&str` and
/// `&[u8]`, explicit lifetimes, a default method, a `Self: Sized` method
/// (left out of the twin), an associated type, a `#[cfg]`-ed method.
#[dyn_twin(DynPlugin)]
pub trait Plugin {
    /// What the plugin produces.
    type Output: core::fmt::Debug;
    /// A sync method.
    fn name(&self) -> &str;
    /// An async method.
    async fn handle(&self, req: Request) -> Self::Output;
    /// An `impl Future + Send` method with an explicit lifetime.
    fn store<'a>(&'a self, key: u64, bytes: &'a [u8]) -> impl Future<Output = usize> + Send + 'a;
    /// Borrowed, elided.
    async fn lookup(&self, key: &str) -> Option<&str>;
    /// Two borrowed arguments.
    async fn join(&self, a: &str, b: &[u8]) -> usize;
    /// `&mut self`.
    async fn reset(&mut self) -> bool;
    /// A default method.
    async fn version(&self) -> u32 {
        1
    }
    /// Left out of the twin.
    fn into_boxed(self) -> Box<Self>
    where
        Self: Sized,
    {
        Box::new(self)
    }
    /// Generic, so left out of the twin.
    fn with<T: Default>(&self) -> T
    where
        Self: Sized,
    {
        T::default()
    }
    /// Only on unix.
    #[cfg(unix)]
    async fn unix_only(&self) -> u8;
}

/// Trait generics and a where clause.
#[dyn_twin(DynConvert)]
pub trait Convert<T: Clone, const N: usize>
where
    T: Default + 'static,
{
    /// Converts.
    async fn convert(&self, input: T, label: &str) -> [T; N];
}

struct Echo;

impl Plugin for Echo {
    type Output = u64;
    fn name(&self) -> &str {
        "echo"
    }
    async fn handle(&self, req: Request) -> u64 {
        req.0
    }
    async fn store<'a>(&'a self, key: u64, bytes: &'a [u8]) -> usize {
        bytes.len() + key as usize
    }
    async fn lookup(&self, key: &str) -> Option<&str> {
        Some(if key.is_empty() { "empty" } else { self.name() })
    }
    async fn join(&self, a: &str, b: &[u8]) -> usize {
        a.len() + b.len()
    }
    async fn reset(&mut self) -> bool {
        true
    }
    #[cfg(unix)]
    async fn unix_only(&self) -> u8 {
        1
    }
}

impl Convert<u8, 2> for Echo {
    async fn convert(&self, input: u8, _label: &str) -> [u8; 2] {
        [input; 2]
    }
}

async fn generic<P: Plugin + ?Sized>(plugin: &P) -> P::Output {
    plugin.handle(Request(1)).await
}

fn main() {
    let echo = Echo;
    let erased: &dyn DynPlugin<Output = u64> = &echo;
    let text = String::from("key");
    drop(erased.handle_dyn(Request(2)));
    drop(erased.store_dyn(1, b"ab"));
    drop(erased.lookup_dyn(&text));
    drop(erased.join_dyn(&text, b"x"));
    drop(erased.version_dyn());
    drop(generic(erased));
    drop(erased.lookup(&text));
    let _ = erased
        .handle_layout()
        .fits::<hybrid_dispatch::capacity::DefaultCapacity>();
    let mut boxed: Box<dyn DynPlugin<Output = u64>> = Box::new(Echo);
    drop(boxed.reset_dyn());
    let converter: &dyn DynConvert<u8, 2> = &echo;
    drop(converter.convert_dyn(1, &text));
    let _ = echo.into_boxed().with::<u8>();
}
