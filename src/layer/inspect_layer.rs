//! [`InspectLayer`]: the [`Layer`] for [`Inspect`].

use core::fmt;

use crate::layer::{Inspect, Layer};

/// A [`Layer`] that wraps services in [`Inspect`], cloning its hook
/// into each.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layer::{InspectLayer, Inspected, Layer};
/// use hybrid_dispatch::{Service, service_fn};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let log = InspectLayer::new(|event: Inspected<'_, u64, u64>| println!("{event:?}"));
/// let svc = log.layer(service_fn(|x: u64| async move { x + 1 }));
/// assert_eq!(block_on(svc.call(41)), 42);
/// ```
#[derive(Clone, Copy)]
pub struct InspectLayer<F> {
    f: F,
}

impl<F> InspectLayer<F> {
    /// A layer showing every request and response to `f`.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = hybrid_dispatch::layer::InspectLayer::new(|_: hybrid_dispatch::layer::Inspected<'_, u8, u8>| {});
    /// ```
    pub const fn new(f: F) -> Self {
        InspectLayer { f }
    }
}

impl<S, F: Clone> Layer<S> for InspectLayer<F> {
    type Service = Inspect<S, F>;

    fn layer(&self, inner: S) -> Self::Service {
        Inspect::new(inner, self.f.clone())
    }
}

impl<F> fmt::Debug for InspectLayer<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InspectLayer")
            .field("f", &core::any::type_name::<F>())
            .finish()
    }
}
