//! [`Identity`]: the layer that does nothing.

use crate::layer::Layer;

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
