//! Helpers for writing services.

mod service_fn;

pub use service_fn::{ServiceFn, service_fn};
