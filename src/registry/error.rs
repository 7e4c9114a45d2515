//! [`Error`]: what a [`Registry`](crate::Registry) answers instead of
//! panicking.

use alloc::string::String;
use core::fmt;

/// Why a [`Registry`](crate::Registry) operation was refused.
///
/// Every variant names the service it is about, and a refused operation
/// leaves the registry exactly as it was. The type implements
/// [`core::error::Error`] (the same trait as `std::error::Error`), so it
/// works with `?`, `Box<dyn Error>` and error-reporting crates.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{Error, Registry, service_fn};
///
/// let registry: Registry<u64, u64> = Registry::new();
/// registry.register("double", service_fn(|x: u64| async move { x * 2 })).unwrap();
///
/// let duplicate = registry.register("double", service_fn(|x: u64| async move { x }));
/// assert_eq!(duplicate.unwrap_err(), Error::Duplicate("double".into()));
///
/// let missing = registry.handle("triple").unwrap_err();
/// assert_eq!(missing.to_string(), "no service named \"triple\" is registered");
/// assert_eq!(missing.name(), "triple");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// [`register`](crate::Registry::register) was given a name that is
    /// already taken; the existing service stays, the new one is dropped.
    Duplicate(String),
    /// No service is registered under this name (it never was, or it was
    /// [`remove`](crate::Registry::remove)d).
    NotFound(String),
}

impl Error {
    /// The name of the service the error is about.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::Error;
    ///
    /// assert_eq!(Error::NotFound("resize".into()).name(), "resize");
    /// ```
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Error::Duplicate(name) | Error::NotFound(name) => name,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Duplicate(name) => write!(f, "a service named {name:?} is already registered"),
            Error::NotFound(name) => write!(f, "no service named {name:?} is registered"),
        }
    }
}

impl core::error::Error for Error {}
