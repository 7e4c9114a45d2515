//! `AuthorityObject`: hickory-dns/hickory-dns, `crates/server/src/authority/authority_object.rs` (0008ba3b7^, before the trait was dropped in 2025).
//! Used through `dyn`: yes, `Arc<dyn AuthorityObject>` in the server's `Catalog` ("Object-safe
//! authority and lookup traits"; blanket-implemented for every `Authority`).
//! Shape: `Send + Sync`; results that are tuples holding `Option<Box<dyn ResponseSigner>>`;
//! default async bodies calling `self.lookup(self.origin(), ..)` (a borrow of `self` passed back
//! in); `#[cfg(feature = "__dnssec")]` methods, one taking `Nsec3QueryInfo<'_>` by value.
#![allow(
    unexpected_cfgs,
    reason = "hickory's `__dnssec` feature, kept as written"
)]
#![allow(
    clippy::upper_case_acronyms,
    reason = "hickory's `RecordType::SOA`, named in the default bodies"
)]

use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ZoneType {
    Primary,
    Secondary,
    External,
}
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AxfrPolicy {
    Deny,
    AllowAll,
}
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ResponseCode {
    Refused,
}
pub type UpdateResult<T> = Result<T, ResponseCode>;
pub trait ResponseSigner: Send + Sync {}
#[derive(Debug, Clone, PartialEq)]
pub struct LowerName(pub String);
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RecordType {
    A,
    NS,
    SOA,
}
#[derive(Debug, Clone, Copy, Default)]
pub struct LookupOptions {
    pub dnssec_ok: bool,
}
#[derive(Debug, PartialEq)]
pub struct AuthLookup(pub Vec<(String, RecordType)>);
#[derive(Debug, PartialEq)]
pub enum LookupError {
    NameExists,
}
#[derive(Debug, PartialEq)]
pub enum LookupControlFlow<T, E = LookupError> {
    Continue(Result<T, E>),
    Break(Result<T, E>),
    Skip,
}
#[derive(Debug)]
pub struct Request {
    pub query: LowerName,
}
pub struct Nsec3QueryInfo<'q>(pub &'q LowerName);
pub struct NxProofKind;

pub struct InMemoryAuthority {
    pub origin: LowerName,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // hickory-dns/hickory-dns, `crates/server/src/authority/authority_object.rs` (0008ba3b7^, before the trait was dropped in 2025).
    #[async_trait::async_trait]
    pub trait AuthorityObject: Send + Sync {
        fn zone_type(&self) -> ZoneType;

        fn axfr_policy(&self) -> AxfrPolicy;

        fn can_validate_dnssec(&self) -> bool;

        async fn update(
            &self,
            update: &Request,
        ) -> (UpdateResult<bool>, Option<Box<dyn ResponseSigner>>);

        fn origin(&self) -> &LowerName;

        async fn lookup(
            &self,
            name: &LowerName,
            rtype: RecordType,
            lookup_options: LookupOptions,
        ) -> LookupControlFlow<AuthLookup>;

        async fn consult(
            &self,
            name: &LowerName,
            rtype: RecordType,
            lookup_options: LookupOptions,
            last_result: LookupControlFlow<AuthLookup>,
        ) -> (
            LookupControlFlow<AuthLookup>,
            Option<Box<dyn ResponseSigner>>,
        );

        async fn search(
            &self,
            request: &Request,
            lookup_options: LookupOptions,
        ) -> (
            LookupControlFlow<AuthLookup>,
            Option<Box<dyn ResponseSigner>>,
        );

        async fn ns(&self, lookup_options: LookupOptions) -> LookupControlFlow<AuthLookup> {
            self.lookup(self.origin(), RecordType::NS, lookup_options)
                .await
        }

        async fn get_nsec_records(
            &self,
            name: &LowerName,
            lookup_options: LookupOptions,
        ) -> LookupControlFlow<AuthLookup>;

        #[cfg(feature = "__dnssec")]
        async fn get_nsec3_records(
            &self,
            info: Nsec3QueryInfo<'_>,
            lookup_options: LookupOptions,
        ) -> LookupControlFlow<AuthLookup>;

        async fn soa(&self) -> LookupControlFlow<AuthLookup> {
            // SOA should be origin|SOA
            self.lookup(self.origin(), RecordType::SOA, LookupOptions::default())
                .await
        }

        async fn soa_secure(&self, lookup_options: LookupOptions) -> LookupControlFlow<AuthLookup> {
            self.lookup(self.origin(), RecordType::SOA, lookup_options)
                .await
        }

        #[cfg(feature = "__dnssec")]
        fn nx_proof_kind(&self) -> Option<&NxProofKind>;
    }

    #[async_trait::async_trait]
    impl AuthorityObject for InMemoryAuthority {
        fn zone_type(&self) -> ZoneType {
            ZoneType::Primary
        }

        fn axfr_policy(&self) -> AxfrPolicy {
            AxfrPolicy::Deny
        }

        fn can_validate_dnssec(&self) -> bool {
            false
        }

        async fn update(
            &self,
            update: &Request,
        ) -> (UpdateResult<bool>, Option<Box<dyn ResponseSigner>>) {
            (Err(ResponseCode::Refused), None)
        }

        fn origin(&self) -> &LowerName {
            &self.origin
        }

        async fn lookup(
            &self,
            name: &LowerName,
            rtype: RecordType,
            lookup_options: LookupOptions,
        ) -> LookupControlFlow<AuthLookup> {
            LookupControlFlow::Continue(Ok(AuthLookup(vec![(name.0.clone(), rtype)])))
        }

        async fn consult(
            &self,
            name: &LowerName,
            rtype: RecordType,
            lookup_options: LookupOptions,
            last_result: LookupControlFlow<AuthLookup>,
        ) -> (
            LookupControlFlow<AuthLookup>,
            Option<Box<dyn ResponseSigner>>,
        ) {
            (last_result, None)
        }

        async fn search(
            &self,
            request: &Request,
            lookup_options: LookupOptions,
        ) -> (
            LookupControlFlow<AuthLookup>,
            Option<Box<dyn ResponseSigner>>,
        ) {
            (
                self.lookup(&request.query, RecordType::A, lookup_options)
                    .await,
                None,
            )
        }

        async fn get_nsec_records(
            &self,
            name: &LowerName,
            lookup_options: LookupOptions,
        ) -> LookupControlFlow<AuthLookup> {
            LookupControlFlow::Skip
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // hickory-dns/hickory-dns, `crates/server/src/authority/authority_object.rs` (0008ba3b7^, before the trait was dropped in 2025).
    #[hybrid_dispatch::dyn_twin(DynAuthorityObject, send = SendDynAuthorityObject)]
    pub trait AuthorityObject: Send + Sync {
        fn zone_type(&self) -> ZoneType;

        fn axfr_policy(&self) -> AxfrPolicy;

        fn can_validate_dnssec(&self) -> bool;

        async fn update(
            &self,
            update: &Request,
        ) -> (UpdateResult<bool>, Option<Box<dyn ResponseSigner>>);

        fn origin(&self) -> &LowerName;

        async fn lookup(
            &self,
            name: &LowerName,
            rtype: RecordType,
            lookup_options: LookupOptions,
        ) -> LookupControlFlow<AuthLookup>;

        async fn consult(
            &self,
            name: &LowerName,
            rtype: RecordType,
            lookup_options: LookupOptions,
            last_result: LookupControlFlow<AuthLookup>,
        ) -> (
            LookupControlFlow<AuthLookup>,
            Option<Box<dyn ResponseSigner>>,
        );

        async fn search(
            &self,
            request: &Request,
            lookup_options: LookupOptions,
        ) -> (
            LookupControlFlow<AuthLookup>,
            Option<Box<dyn ResponseSigner>>,
        );

        async fn ns(&self, lookup_options: LookupOptions) -> LookupControlFlow<AuthLookup> {
            self.lookup(self.origin(), RecordType::NS, lookup_options)
                .await
        }

        async fn get_nsec_records(
            &self,
            name: &LowerName,
            lookup_options: LookupOptions,
        ) -> LookupControlFlow<AuthLookup>;

        #[cfg(feature = "__dnssec")]
        async fn get_nsec3_records(
            &self,
            info: Nsec3QueryInfo<'_>,
            lookup_options: LookupOptions,
        ) -> LookupControlFlow<AuthLookup>;

        async fn soa(&self) -> LookupControlFlow<AuthLookup> {
            // SOA should be origin|SOA
            self.lookup(self.origin(), RecordType::SOA, LookupOptions::default())
                .await
        }

        async fn soa_secure(&self, lookup_options: LookupOptions) -> LookupControlFlow<AuthLookup> {
            self.lookup(self.origin(), RecordType::SOA, lookup_options)
                .await
        }

        #[cfg(feature = "__dnssec")]
        fn nx_proof_kind(&self) -> Option<&NxProofKind>;
    }

    impl AuthorityObject for InMemoryAuthority {
        fn zone_type(&self) -> ZoneType {
            ZoneType::Primary
        }

        fn axfr_policy(&self) -> AxfrPolicy {
            AxfrPolicy::Deny
        }

        fn can_validate_dnssec(&self) -> bool {
            false
        }

        async fn update(
            &self,
            update: &Request,
        ) -> (UpdateResult<bool>, Option<Box<dyn ResponseSigner>>) {
            (Err(ResponseCode::Refused), None)
        }

        fn origin(&self) -> &LowerName {
            &self.origin
        }

        async fn lookup(
            &self,
            name: &LowerName,
            rtype: RecordType,
            lookup_options: LookupOptions,
        ) -> LookupControlFlow<AuthLookup> {
            LookupControlFlow::Continue(Ok(AuthLookup(vec![(name.0.clone(), rtype)])))
        }

        async fn consult(
            &self,
            name: &LowerName,
            rtype: RecordType,
            lookup_options: LookupOptions,
            last_result: LookupControlFlow<AuthLookup>,
        ) -> (
            LookupControlFlow<AuthLookup>,
            Option<Box<dyn ResponseSigner>>,
        ) {
            (last_result, None)
        }

        async fn search(
            &self,
            request: &Request,
            lookup_options: LookupOptions,
        ) -> (
            LookupControlFlow<AuthLookup>,
            Option<Box<dyn ResponseSigner>>,
        ) {
            (
                self.lookup(&request.query, RecordType::A, lookup_options)
                    .await,
                None,
            )
        }

        async fn get_nsec_records(
            &self,
            name: &LowerName,
            lookup_options: LookupOptions,
        ) -> LookupControlFlow<AuthLookup> {
            LookupControlFlow::Skip
        }
    }

    pub async fn run() {
        let authority: Arc<dyn SendDynAuthorityObject> = Arc::new(InMemoryAuthority {
            origin: LowerName("example.org.".into()),
        });
        let soa = authority.soa().await;
        assert_eq!(
            soa,
            LookupControlFlow::Continue(Ok(AuthLookup(vec![(
                "example.org.".into(),
                RecordType::SOA
            )])))
        );
        let (found, signer) = authority
            .search_send(
                &Request {
                    query: LowerName("www.example.org.".into()),
                },
                LookupOptions::default(),
            )
            .await;
        assert!(signer.is_none());
        assert_eq!(
            found,
            LookupControlFlow::Continue(Ok(AuthLookup(vec![(
                "www.example.org.".into(),
                RecordType::A
            )])))
        );
    }
}
