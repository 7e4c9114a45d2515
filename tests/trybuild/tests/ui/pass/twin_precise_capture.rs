//! Futures that say what they capture (`+ use<'_, Self>`, Rust 1.87):
//! shapes from real traits (a storage archive's `get_all(&self, index) ->
//! impl Future + Send + use<'_, Self>`, a transaction hook's `&mut self`
//! default returning `ready(..)`), through the twin, the bridge and a
//! registry. Only the receiver's lifetime is captured, so an argument may
//! end before the future does, through `dyn` as on the concrete type.
//! Here, not in `tests/`: the MSRV (1.86) has no `use<..>` in traits.
#![deny(missing_docs, missing_debug_implementations, unreachable_pub, warnings)]

use core::future::{Future, ready};
use core::pin::pin;
use futures_core::Stream;
use hybrid_dispatch::dyn_twin;
use hybrid_dispatch::twin::{TwinHandle, TwinRegistry};

/// A store of values by index.
#[dyn_twin(DynArchive, send = SendDynArchive, try_methods)]
pub trait Archive: Send + Sync {
    /// What it stores.
    type Value: Send;
    /// Every value at `index`; borrows the archive, not the call's frame.
    fn get_all(
        &self,
        index: u64,
    ) -> impl Future<Output = Option<Vec<Self::Value>>> + Send + use<'_, Self>;
    /// The length of `key`'s values, read before the future: the key may go first.
    fn len_of(&self, key: &str) -> impl Future<Output = usize> + Send + use<'_, Self>;
    /// Before a rollback; nothing to do by default.
    fn pre_rollback(&mut self) -> impl Future<Output = Result<(), String>> + Send + use<'_, Self> {
        ready(Ok(()))
    }
    /// Every lifetime listed: as if `use<..>` were left out.
    fn both<'a, 'b>(&'a self, a: &'b str)
    -> impl Future<Output = usize> + Send + use<'a, 'b, Self>;
    /// Owns the archive and borrows the one argument (`'_` is its lifetime).
    fn close(self: Box<Self>, why: &str) -> impl Future<Output = usize> + Send + use<'_, Self>;
    /// Borrows nothing.
    fn version(&self) -> impl Future<Output = u32> + Send + 'static + use<Self>;
    /// The values as a stream that borrows the archive only.
    fn scan(&self, prefix: &str) -> impl Stream<Item = u64> + Send + use<'_, Self>;
    /// Kept out of the twin, forwarded by the counting wrapper.
    fn sized_len(&self, key: &str) -> impl Future<Output = usize> + Send + use<'_, Self>
    where
        Self: Sized,
    {
        let n = key.len();
        async move { n }
    }
}

/// A trait with a lifetime and a type of its own.
#[dyn_twin(DynRoute)]
pub trait Route<'r, T> {
    /// Borrows `path` for `'r` and the route; `extra` may end first.
    fn route(
        &self,
        path: &'r str,
        extra: &str,
    ) -> impl Future<Output = Option<T>> + use<'_, 'r, Self, T>;
}

/// A trait lifetime and type named like the bridge's own parameters
/// (`'dyn_twin`, `Cap`), listed in `use<..>` beside `Self`.
#[dyn_twin(DynNamed)]
pub trait Named<'dyn_twin, Cap> {
    /// Borrows the receiver and `'dyn_twin`, not `extra`.
    fn get(
        &self,
        key: &'dyn_twin str,
        extra: &str,
    ) -> impl Future<Output = (usize, Option<Cap>)> + use<'_, 'dyn_twin, Self, Cap>;
}

impl<'dyn_twin> Named<'dyn_twin, u8> for Memory {
    fn get(
        &self,
        key: &'dyn_twin str,
        extra: &str,
    ) -> impl Future<Output = (usize, Option<u8>)> + use<'_, 'dyn_twin> {
        let n = extra.len();
        async move { (key.len() + n + self.values.len(), None) }
    }
}

#[derive(Debug, Default)]
struct Memory {
    values: Vec<u64>,
    rollbacks: u32,
}

impl Archive for Memory {
    type Value = u64;
    async fn get_all(&self, index: u64) -> Option<Vec<u64>> {
        Some(self.values.iter().map(|v| v + index).collect())
    }
    fn len_of(&self, key: &str) -> impl Future<Output = usize> + Send + use<'_> {
        let n = key.len();
        async move {
            // Larger than the inline capacity: a registry recycles it.
            let scratch = [1u8; 256];
            ready(()).await;
            n + self.values.len() + usize::from(scratch[n]) - 1
        }
    }
    fn pre_rollback(&mut self) -> impl Future<Output = Result<(), String>> + Send + use<'_> {
        self.rollbacks += 1;
        ready(Ok(()))
    }
    async fn both<'a, 'b>(&'a self, a: &'b str) -> usize {
        a.len() + self.values.len()
    }
    fn close(self: Box<Self>, why: &str) -> impl Future<Output = usize> + Send + use<'_> {
        async move { why.len() + self.values.len() }
    }
    fn version(&self) -> impl Future<Output = u32> + Send + 'static + use<> {
        ready(3)
    }
    fn scan(&self, prefix: &str) -> impl Stream<Item = u64> + Send + use<'_> {
        let skip = prefix.len();
        Values(self.values.iter().skip(skip))
    }
}

struct Values<'a>(core::iter::Skip<core::slice::Iter<'a, u64>>);

impl Stream for Values<'_> {
    type Item = u64;
    fn poll_next(
        mut self: core::pin::Pin<&mut Self>,
        _: &mut core::task::Context<'_>,
    ) -> core::task::Poll<Option<u64>> {
        core::task::Poll::Ready(self.0.next().copied())
    }
}

impl<'r> Route<'r, usize> for Memory {
    fn route(
        &self,
        path: &'r str,
        extra: &str,
    ) -> impl Future<Output = Option<usize>> + use<'_, 'r> {
        let n = extra.len();
        async move { Some(path.len() + n + self.values.len()) }
    }
}

fn key(text: &str) -> String {
    text.to_owned()
}

async fn next<S: Stream + ?Sized>(stream: core::pin::Pin<&mut S>) -> Option<S::Item> {
    let mut stream = stream;
    core::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await
}

fn main() {
    // Polled here: every future below is ready when polled or wakes itself.
    let mut run = pin!(run());
    let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    while run.as_mut().poll(&mut cx).is_pending() {}
}

async fn run() {
    let mut memory = Memory {
        values: vec![1, 2],
        rollbacks: 0,
    };
    {
        let archive: &dyn SendDynArchive<Value = u64> = &memory;
        assert_eq!(archive.get_all(10).await, Some(vec![11, 12]));
        // The key ends before the future: it captures only the archive.
        let k = key("abc");
        let len = archive.len_of_send(&k);
        drop(k);
        assert_eq!(len.await, 5);
        let k = key("abcd");
        let len = archive.len_of(&k);
        drop(k);
        assert_eq!(len.await, 6);
        assert_eq!(archive.both("xy").await, 4);
        let version = archive.version_send();
        assert_eq!(version.await, 3);
        let k = key("a");
        let mut scan = pin!(archive.scan_send(&k));
        drop(k);
        assert_eq!(next(scan.as_mut()).await, Some(2));
        assert_eq!(next(scan.as_mut()).await, None);
    }
    {
        let archive: &mut dyn SendDynArchive<Value = u64> = &mut memory;
        assert_eq!(archive.pre_rollback_send().await, Ok(()));
    }
    assert_eq!(memory.rollbacks, 1);
    assert_eq!(memory.sized_len("abc").await, 3);

    let route: &dyn DynRoute<'static, usize> = &memory;
    let extra = key("ab");
    let found = route.route("path", &extra);
    drop(extra);
    assert_eq!(found.await, Some(8));

    let named: &dyn DynNamed<'static, u8> = &memory;
    let extra = key("ab");
    let got = named.get("key", &extra);
    drop(extra);
    assert_eq!(got.await, (7, None));
    // The `try_` call of a `use<'_, Self>` method: the same borrows.
    let archive: &dyn SendDynArchive<Value = u64> = &memory;
    let k = key("abc");
    let len = archive.try_len_of_send(&mut Some(&k)).unwrap();
    drop(k);
    assert_eq!(len.await, 5);

    let boxed: Box<dyn SendDynArchive<Value = u64>> = Box::new(Memory {
        values: vec![7],
        rollbacks: 0,
    });
    assert_eq!(boxed.close_send("done").await, 5);

    // Registered: counted and tracked to its end, the key gone first.
    let registry = TwinRegistry::<dyn SendDynArchive<Value = u64>>::new();
    let handle = registry
        .register(
            "memory",
            Memory {
                values: vec![5],
                rollbacks: 0,
            },
        )
        .unwrap();
    // By name, through the object the registry lends.
    let archive = registry.get("memory").unwrap();
    let k = key("xyz");
    let len = archive.len_of_send(&k);
    drop(k);
    assert_eq!(len.await, 4);
    assert_eq!(archive.get_all(1).await, Some(vec![6]));
    let k = key("q");
    let cancelled = archive.len_of_send(&k);
    drop(k);
    drop(cancelled);
    let len_of = TwinHandle::tracked(&handle, "len_of").unwrap();
    assert_eq!(
        (len_of.calls, len_of.completed, len_of.cancelled),
        (2, 1, 1)
    );
    // In a buffer of the method's pool, which the entry keeps: the second
    // call took the buffer the first gave back.
    assert_eq!((len_of.recycled, len_of.recycle_misses), (2, 1));
    assert_eq!(
        TwinHandle::tracked(&handle, "get_all").unwrap().completed,
        1
    );
}
