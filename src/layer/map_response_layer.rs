//! [`MapResponseLayer`]: the [`Layer`] for [`MapResponse`].

use core::fmt;

use crate::layer::{Layer, MapResponse};

/// A [`Layer`] that wraps services in [`MapResponse`], cloning its function
/// into each.
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
/// let render = MapResponseLayer::new(|x: u64| format!("{x} items"));
/// let svc = render.layer(service_fn(|x: u64| async move { x + 1 }));
/// assert_eq!(block_on(svc.call(41)), "42 items");
/// ```
#[derive(Clone, Copy)]
pub struct MapResponseLayer<F> {
    f: F,
}

impl<F> MapResponseLayer<F> {
    /// A layer applying `f` to every response.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = hybrid_dispatch::layer::MapResponseLayer::new(|x: u32| u64::from(x));
    /// ```
    pub const fn new(f: F) -> Self {
        MapResponseLayer { f }
    }
}

impl<S, F: Clone> Layer<S> for MapResponseLayer<F> {
    type Service = MapResponse<S, F>;

    fn layer(&self, inner: S) -> Self::Service {
        MapResponse::new(inner, self.f.clone())
    }
}

impl<F> fmt::Debug for MapResponseLayer<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapResponseLayer")
            .field("f", &core::any::type_name::<F>())
            .finish()
    }
}
