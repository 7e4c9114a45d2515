//! What [`dyn_twin`](crate::dyn_twin) generates, shown on one example trait:
//! [`Plugin`] below carries `#[dyn_twin(DynPlugin, send = SendDynPlugin)]`,
//! and everything else on this page was written by the attribute. This
//! module exists in the documentation only (`cfg(doc)`).
//!
//! ```text
//! #[dyn_twin(DynPlugin, send = SendDynPlugin)]
//! pub trait Plugin: Send + Sync {
//!     /// The plugin's name, for logs.
//!     fn name(&self) -> &str;
//!     /// Handles one request.
//!     async fn handle(&self, request: Request) -> Response;
//!     /// Looks a key up; the future borrows it.
//!     async fn lookup(&self, key: &str) -> Option<u64>;
//!     /// Ready to serve? (A default body.)
//!     async fn ready(&self) -> bool { true }
//! }
//! ```
//!
//! * [`Plugin`]: the trait as written, with `async fn` rewritten to
//!   `fn .. -> impl Future + Send` (the `send` option), plus a hidden hook.
//! * [`DynPlugin`]: the `dyn` twin; [`SendDynPlugin`]: the `Send + Sync`
//!   one. Implemented for every `Plugin`.
//! * `impl Plugin for dyn SendDynPlugin` (the bridge),
//!   `impl Plugin for CountedTwin<P>` (counting), and the registry glue
//!   ([`Twin`](crate::twin::Twin), [`TwinOf`](crate::twin::TwinOf)): see
//!   each trait's implementors.

/// A request, for the example.
#[derive(Debug)]
pub struct Request(pub u64);

/// A response, for the example.
#[derive(Debug)]
pub struct Response(pub u64);

/// The example trait, as the attribute leaves it.
#[crate::dyn_twin(DynPlugin, send = SendDynPlugin, crate = crate)]
pub trait Plugin: Send + Sync {
    /// The plugin's name, for logs.
    fn name(&self) -> &str;
    /// Handles one request.
    async fn handle(&self, request: Request) -> Response;
    /// Looks a key up; the future borrows it.
    async fn lookup(&self, key: &str) -> Option<u64>;
    /// Ready to serve? (A default body.)
    async fn ready(&self) -> bool {
        true
    }
}
