//! The erasure layer: every [`Service`](crate::Service) as a `dyn` object,
//! by blanket impls. `dyn_service.rs` holds the inline-first pair
//! ([`DynService`](crate::DynService), [`SendDynService`](crate::SendDynService):
//! `call_dyn`, `call_boxed`, `call_in`), `inline_only.rs` the pair that
//! cannot allocate ([`InlineOnlyService`](crate::InlineOnlyService),
//! [`SendInlineOnlyService`](crate::SendInlineOnlyService): `call_inline`),
//! `recycled.rs` [`Recycled`](crate::Recycled), a shared `dyn` service
//! whose large futures live in recycled buffers.

#[cfg(feature = "alloc")]
pub(crate) mod dyn_service;
pub(crate) mod inline_only;
#[cfg(feature = "std")]
pub(crate) mod recycled;
