//! Composing middleware: the [`Layer`] trait, [`Identity`] (the layer that
//! does nothing) and [`Stack`] (two layers, one around the other).

/// Wraps a service in another: the unit of middleware.
///
/// A layer is a service *factory*: given an inner service it returns an
/// outer one that does something before, after or around each call. It is
/// the same idea as `tower::Layer`, for this crate's `&self`
/// [`Service`](crate::Service). The layer itself is configuration (a
/// closure, a shared histogram handle); [`layer`](Layer::layer) takes
/// `&self`, so one layer can wrap many services.
///
/// Every middleware in this crate returns a service whose future is a
/// *named* type, so a stack of layers keeps the static call path
/// allocation-free and stays erasable through
/// [`DynService`](crate::DynService) like any other service.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layer::{Layer, MapResponseLayer};
/// use hybrid_dispatch::{Service, service_fn};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let double = MapResponseLayer::new(|x: u64| x * 2);
/// let svc = double.layer(service_fn(|x: u64| async move { x + 1 }));
/// assert_eq!(block_on(svc.call(20)), 42);
/// ```
///
/// Writing your own: a layer is any type with a `layer` method.
///
/// ```
/// use hybrid_dispatch::layer::Layer;
///
/// #[derive(Debug)]
/// struct Retry(u32);
/// #[derive(Debug)]
/// struct Retrying<S> { inner: S, attempts: u32 }
///
/// impl<S> Layer<S> for Retry {
///     type Service = Retrying<S>;
///     fn layer(&self, inner: S) -> Retrying<S> {
///         Retrying { inner, attempts: self.0 }
///     }
/// }
/// assert_eq!(Retry(3).layer(()).attempts, 3);
/// ```
pub trait Layer<S> {
    /// The wrapped service.
    type Service;

    /// Wraps `inner`.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::{Identity, Layer};
    ///
    /// assert_eq!(Identity::new().layer(7), 7);
    /// ```
    fn layer(&self, inner: S) -> Self::Service;
}

impl<L: Layer<S> + ?Sized, S> Layer<S> for &L {
    type Service = L::Service;

    #[inline]
    fn layer(&self, inner: S) -> Self::Service {
        (**self).layer(inner)
    }
}

/// A [`Layer`] that returns the service unchanged: where a
/// [`ServiceBuilder`](crate::layer::ServiceBuilder) starts.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layer::{Identity, Layer};
///
/// assert_eq!(Identity::new().layer("svc"), "svc");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Identity {
    _private: (),
}

impl Identity {
    /// The identity layer.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = hybrid_dispatch::layer::Identity::new();
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Identity { _private: () }
    }
}

impl<S> Layer<S> for Identity {
    type Service = S;

    #[inline]
    fn layer(&self, inner: S) -> S {
        inner
    }
}

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
