//! [`service`]: `async fn call` in a `Service` impl, on nightly.

/// Lets a [`Service`](crate::Service) impl write `async fn call` (feature
/// `nightly`, nightly Rust).
///
/// On stable Rust a `Service`'s future must be a nameable type, so an
/// `async fn` cannot be its `call`. With the `nightly` feature (and
/// `#![feature(impl_trait_in_assoc_type)]` in your crate),
///
/// ```ignore
/// #[hybrid_dispatch::service]
/// impl Service<String> for Greeter {
///     async fn call(&self, name: String) -> String {
///         format!("{}, {name}!", self.greeting)
///     }
/// }
/// ```
///
/// expands to
///
/// ```ignore
/// impl Service<String> for Greeter {
///     type Response = String;
///     type Future<'a> = impl Future<Output = String> where Self: 'a;
///     fn call<'a>(&'a self, name: String) -> Self::Future<'a> {
///         async move { format!("{}, {name}!", self.greeting) }
///     }
/// }
/// ```
///
/// (`type Response` is added unless the impl has one). `tests/nightly_service.rs`
/// runs it with `cargo +nightly test --features nightly`.
///
/// Without the `nightly` feature the attribute is a compile error that
/// points to what works on stable: [`service_fn`](crate::service_fn) for a
/// service built from a closure, and [`dyn_twin`](crate::dyn_twin) for your
/// own trait with `async fn` methods.
///
/// ```compile_fail
/// use hybrid_dispatch::Service;
///
/// struct Echo;
/// #[hybrid_dispatch::service] // error: #[service] … needs nightly Rust …
/// impl Service<u8> for Echo {
///     async fn call(&self, x: u8) -> u8 { x }
/// }
/// ```
#[doc(inline)]
pub use hybrid_dispatch_macros::service;
