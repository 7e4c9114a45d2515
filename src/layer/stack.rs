//! [`Stack`]: two layers composed.

use crate::layer::Layer;

/// Two layers composed: `inner` wraps the service first, `outer` wraps the
/// result. What [`ServiceBuilder::layer`](crate::layer::ServiceBuilder::layer)
/// builds up.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layer::{Layer, MapResponseLayer, Stack};
/// use hybrid_dispatch::{Service, service_fn};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let plus_one = MapResponseLayer::new(|x: u64| x + 1);
/// let times_ten = MapResponseLayer::new(|x: u64| x * 10);
/// // `plus_one` is applied to the response first: it is closer to the service.
/// let stack = Stack::new(plus_one, times_ten);
/// let svc = stack.layer(service_fn(|x: u64| async move { x }));
/// assert_eq!(block_on(svc.call(1)), 20);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Stack<Inner, Outer> {
    inner: Inner,
    outer: Outer,
}

impl<Inner, Outer> Stack<Inner, Outer> {
    /// Composes `inner` (applied to the service first) and `outer`.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::{Identity, Layer, Stack};
    ///
    /// assert_eq!(Stack::new(Identity::new(), Identity::new()).layer(3), 3);
    /// ```
    #[must_use]
    pub const fn new(inner: Inner, outer: Outer) -> Self {
        Stack { inner, outer }
    }
}

impl<S, Inner, Outer> Layer<S> for Stack<Inner, Outer>
where
    Inner: Layer<S>,
    Outer: Layer<Inner::Service>,
{
    type Service = Outer::Service;

    #[inline]
    fn layer(&self, service: S) -> Self::Service {
        self.outer.layer(self.inner.layer(service))
    }
}
