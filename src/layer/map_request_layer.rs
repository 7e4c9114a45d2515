//! [`MapRequestLayer`]: the [`Layer`] for [`MapRequest`].

use core::fmt;

use crate::layer::{Layer, MapRequest};

/// A [`Layer`] that wraps services in [`MapRequest`], cloning its function
/// into each.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layer::{Layer, MapRequestLayer};
/// use hybrid_dispatch::{Service, service_fn};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let parse = MapRequestLayer::new(|s: &str| s.parse::<u64>().unwrap_or(0));
/// let svc = parse.layer(service_fn(|x: u64| async move { x + 1 }));
/// assert_eq!(block_on(svc.call("41")), 42);
/// ```
#[derive(Clone, Copy)]
pub struct MapRequestLayer<F> {
    f: F,
}

impl<F> MapRequestLayer<F> {
    /// A layer applying `f` to every request.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = hybrid_dispatch::layer::MapRequestLayer::new(|x: u32| u64::from(x));
    /// ```
    pub const fn new(f: F) -> Self {
        MapRequestLayer { f }
    }
}

impl<S, F: Clone> Layer<S> for MapRequestLayer<F> {
    type Service = MapRequest<S, F>;

    fn layer(&self, inner: S) -> Self::Service {
        MapRequest::new(inner, self.f.clone())
    }
}

impl<F> fmt::Debug for MapRequestLayer<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapRequestLayer")
            .field("f", &core::any::type_name::<F>())
            .finish()
    }
}
