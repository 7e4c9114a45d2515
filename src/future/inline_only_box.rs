//! [`InlineOnlyBox`]: inline storage with no heap path at all, behind
//! [`InlineOnlyFuture`](crate::future::InlineOnlyFuture) and
//! [`SendInlineOnlyFuture`](crate::future::SendInlineOnlyFuture).
//!
//! Part of the crate's one `unsafe` module (`future`). The same buffer and
//! vtable as [`InlineBox`](super::InlineBox) ([`OwnedStorage`], in `vtable.rs`),
//! but only ever built with [`OwnedStorage::inline`]: no `Box` anywhere, so it
//! builds without `alloc`. Besides the module's invariants (`future/mod.rs`)
//! it upholds **Pinned** and **Flavour** as `InlineBox` does, and checks at
//! compile time that every stored `F` fits `Cap` in size and alignment.

#![allow(
    unsafe_code,
    reason = "part of the crate's one unsafe module: a type-erased future in an inline buffer"
)]

use core::fmt;
use core::future::Future;
use core::marker::{PhantomData, PhantomPinned};
use core::pin::Pin;
use core::task::{Context, Poll};

use super::capacity::{Capacity, DefaultCapacity};
use super::vtable::{OwnedStorage, State};
use crate::layout::FutureLayout;

/// A type-erased future that lives in an inline buffer and *cannot* spill:
/// what [`InlineOnlyService::call_inline`](crate::InlineOnlyService::call_inline)
/// returns.
///
/// It has no heap path at all (so it builds without `alloc`): a future that
/// does not fit `Cap` in size or alignment fails the build. Each poll is
/// one indirect call to a function made for the stored future.
/// Otherwise it behaves like [`InlineFuture`](crate::InlineFuture): `!Unpin`, polled through
/// `Pin`, dropped once in place, panics when polled after completion.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{future::InlineOnlyFuture, capacity::S2};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let fut: InlineOnlyFuture<'_, u64, S2> = InlineOnlyFuture::new(async { 40 + 2 });
/// assert_eq!(block_on(fut), 42);
/// ```
pub type InlineOnlyFuture<'a, T, Cap = DefaultCapacity> =
    InlineOnlyBox<dyn core::future::Future<Output = T> + 'a, Cap>;

/// The `Send` twin of [`InlineOnlyFuture`].
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::future::SendInlineOnlyFuture;
///
/// #[tokio::main]
/// async fn main() {
///     let fut: SendInlineOnlyFuture<'static, u8> = SendInlineOnlyFuture::new(async { 1 });
///     assert_eq!(tokio::spawn(fut).await.unwrap(), 1);
/// }
/// ```
pub type SendInlineOnlyFuture<'a, T, Cap = DefaultCapacity> =
    InlineOnlyBox<dyn core::future::Future<Output = T> + Send + 'a, Cap>;

/// A type-erased future stored in an inline buffer of `Cap`, never on the
/// heap: a future that does not fit is a compile error.
///
/// Users meet it as [`InlineOnlyFuture`](crate::future::InlineOnlyFuture) and
/// [`SendInlineOnlyFuture`](crate::future::SendInlineOnlyFuture).
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::future::InlineOnlyFuture;
///
/// let fut: InlineOnlyFuture<'_, u32> = InlineOnlyFuture::new(async { 7 });
/// assert_eq!(fut.layout().size(), 1);
/// ```
pub struct InlineOnlyBox<D: Future + ?Sized, Cap: Capacity> {
    /// The future (or nothing, if zero-sized) and the vtable that says
    /// which, for which type, in which state.
    storage: OwnedStorage<Cap>,
    _pinned: PhantomPinned,
    /// Carries `D`'s auto traits (`Send` or not) and says we own a `D`.
    _erased: PhantomData<D>,
}

// SAFETY: the box owns its `D` (**Flavour**); the vtable is an immutable
// constant and the capacity is never a value. So it may go to another thread
// exactly when `D` may, whatever `Cap` is (as for `InlineBox`).
unsafe impl<D: Future + ?Sized + Send, Cap: Capacity> Send for InlineOnlyBox<D, Cap> {}

// **Pinned** rests on this: safe code can never move a pinned box.
static_assertions::assert_not_impl_any!(InlineOnlyBox<dyn Future<Output = u8>, super::capacity::S1>: Unpin);

/// Builds `new` for one `dyn Future` flavour.
macro_rules! constructor {
    ($name:literal $($bounds:tt)*) => {
        impl<'a, T, Cap: Capacity> InlineOnlyBox<dyn Future<Output = T> $($bounds)* + 'a, Cap> {
            /// Erases `future` into the inline buffer. A future larger or
            /// more aligned than `Cap` fails the build.
            ///
            /// # Examples
            ///
            /// ```
            /// use hybrid_dispatch::{future::InlineOnlyFuture, capacity::S1};
            ///
            /// let fut = InlineOnlyFuture::<'_, u32, S1>::new(async { 1u32 });
            /// assert!(fut.layout().size() <= 8);
            /// ```
            ///
            /// ```compile_fail
            /// use hybrid_dispatch::{future::InlineOnlyFuture, capacity::S1};
            ///
            /// // 16 bytes into an 8-byte buffer: error[E0080]
            /// let fut = InlineOnlyFuture::<'_, u64, S1>::new(core::future::ready(1u64));
            /// ```
            #[inline]
            pub fn new<F>(future: F) -> Self
            where
                F: Future<Output = T> $($bounds)* + 'a,
            {
                const {
                    assert!(
                        FutureLayout::of::<F>().fits_capacity(size_of::<Cap>(), usize::MAX),
                        "the future is larger than this InlineOnlyFuture's capacity: use a larger one (`capacity::S32`, `[u64; N]`), make the future smaller, or use `InlineFuture`, which puts a future that does not fit on the heap"
                    );
                    assert!(
                        FutureLayout::of::<F>().fits_capacity(usize::MAX, align_of::<Cap>()),
                        "the future is aligned more strictly than this InlineOnlyFuture's capacity: use a capacity of over-aligned blocks (`[capacity::Align64; N]`), or `InlineFuture`, which boxes it"
                    );
                }
                InlineOnlyBox {
                    storage: OwnedStorage::inline(future),
                    _pinned: PhantomPinned,
                    _erased: PhantomData,
                }
            }
        }

        impl<'a, T, Cap: Capacity> fmt::Debug for InlineOnlyBox<dyn Future<Output = T> $($bounds)* + 'a, Cap> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let header = self.storage.header();
                f.debug_struct($name)
                    .field("future", &header.layout.type_name())
                    .field("size", &header.layout.size())
                    .field("align", &header.layout.align())
                    .field("capacity", &core::mem::size_of::<Cap>())
                    .field("state", &header.state)
                    .finish()
            }
        }
    };
}

constructor!("InlineOnlyFuture");
constructor!("SendInlineOnlyFuture" + Send);

impl<D: Future + ?Sized, Cap: Capacity> InlineOnlyBox<D, Cap> {
    /// The erased future's size, alignment and type.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::future::InlineOnlyFuture;
    ///
    /// let fut = InlineOnlyFuture::<'_, u64>::new(core::future::ready(5u64));
    /// assert_eq!(fut.layout().size(), 16);
    /// ```
    #[inline]
    #[must_use]
    pub fn layout(&self) -> FutureLayout {
        self.storage.header().layout
    }

    /// Where the future went (always inline), as an
    /// [`Erasure`](crate::layout::Erasure) to report to
    /// [`Service::observe_erasure`](crate::Service::observe_erasure).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{future::InlineOnlyFuture, layout::Placement};
    ///
    /// let fut = InlineOnlyFuture::<'_, u8>::new(async { 1 });
    /// assert_eq!(fut.erasure().placement(), Placement::Inline);
    /// ```
    #[inline]
    #[must_use]
    pub fn erasure(&self) -> crate::layout::Erasure {
        crate::layout::Erasure::new(
            self.storage.header().layout,
            crate::layout::Placement::Inline,
        )
    }

    /// Whether the future has finished (returned `Ready`, or its `poll`
    /// panicked); polling again panics.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::task::{Context, Waker};
    /// use hybrid_dispatch::future::InlineOnlyFuture;
    ///
    /// let mut fut = core::pin::pin!(InlineOnlyFuture::<'_, u8>::new(async { 1 }));
    /// let _ = fut.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    /// assert!(fut.is_terminated());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_terminated(&self) -> bool {
        self.storage.header().state != State::Live
    }
}

impl<D: Future + ?Sized, Cap: Capacity> Future for InlineOnlyBox<D, Cap> {
    type Output = D::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<D::Output> {
        // SAFETY: nothing is moved out of `this` (**Pinned**).
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: the stored future's output is `D::Output` (**Flavour**)
        // and it is pinned, as `self` is (**Pinned**).
        unsafe { this.storage.poll::<D::Output>(cx) }
    }
}
