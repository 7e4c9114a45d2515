//! `Authority`: hickory-dns/hickory-dns, `crates/server/src/authority/authority.rs` (2dd70eac0, 2025-07).
//! Used through `dyn`: yes, `HashMap<LowerName, Vec<Arc<dyn Authority>>>` in the server's `Catalog`
//! (after `AuthorityObject` was folded into it).
//! Shape: `Send + Sync`; `request_info: Option<&RequestInfo<'_>>` (a `'_` nested inside a borrow
//! inside an `Option`); default async bodies calling `self.lookup(self.origin(), .., None, ..)`;
//! `#[cfg(feature = ..)]` methods.
#![allow(
    unexpected_cfgs,
    reason = "hickory's `__dnssec` and `metrics` features, kept as written"
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

#[derive(Debug)]
pub struct RequestInfo<'a> {
    pub src: &'a str,
    pub query: &'a LowerName,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // hickory-dns/hickory-dns, `crates/server/src/authority/authority.rs` (2dd70eac0, 2025-07).
    #[async_trait::async_trait]
    pub trait Authority: Send + Sync {
        fn zone_type(&self) -> ZoneType;

        fn axfr_policy(&self) -> AxfrPolicy;

        fn can_validate_dnssec(&self) -> bool {
            false
        }

        async fn update(
            &self,
            update: &Request,
        ) -> (UpdateResult<bool>, Option<Box<dyn ResponseSigner>>);

        fn origin(&self) -> &LowerName;

        async fn lookup(
            &self,
            name: &LowerName,
            rtype: RecordType,
            request_info: Option<&RequestInfo<'_>>,
            lookup_options: LookupOptions,
        ) -> LookupControlFlow<AuthLookup>;

        async fn consult(
            &self,
            _name: &LowerName,
            _rtype: RecordType,
            _request_info: Option<&RequestInfo<'_>>,
            _lookup_options: LookupOptions,
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
        );

        async fn ns(&self, lookup_options: LookupOptions) -> LookupControlFlow<AuthLookup> {
            self.lookup(self.origin(), RecordType::NS, None, lookup_options)
                .await
        }

        async fn nsec_records(
            &self,
            name: &LowerName,
            lookup_options: LookupOptions,
        ) -> LookupControlFlow<AuthLookup>;

        #[cfg(feature = "__dnssec")]
        async fn nsec3_records(
            &self,
            info: Nsec3QueryInfo<'_>,
            lookup_options: LookupOptions,
        ) -> LookupControlFlow<AuthLookup>;

        async fn soa(&self) -> LookupControlFlow<AuthLookup> {
            // SOA should be origin|SOA
            self.lookup(
                self.origin(),
                RecordType::SOA,
                None,
                LookupOptions::default(),
            )
            .await
        }

        async fn soa_secure(&self, lookup_options: LookupOptions) -> LookupControlFlow<AuthLookup> {
            self.lookup(self.origin(), RecordType::SOA, None, lookup_options)
                .await
        }

        #[cfg(feature = "__dnssec")]
        fn nx_proof_kind(&self) -> Option<&NxProofKind>;

        #[cfg(feature = "metrics")]
        fn metrics_label(&self) -> &'static str;
    }

    #[async_trait::async_trait]
    impl Authority for InMemoryAuthority {
        fn zone_type(&self) -> ZoneType {
            ZoneType::Primary
        }

        fn axfr_policy(&self) -> AxfrPolicy {
            AxfrPolicy::Deny
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
            request_info: Option<&RequestInfo<'_>>,
            lookup_options: LookupOptions,
        ) -> LookupControlFlow<AuthLookup> {
            let who = request_info.map_or("-", |info| info.src);
            LookupControlFlow::Continue(Ok(AuthLookup(vec![(
                format!("{} for {who}", name.0),
                rtype,
            )])))
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
                self.lookup(&request.query, RecordType::A, None, lookup_options)
                    .await,
                None,
            )
        }

        async fn nsec_records(
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

    // hickory-dns/hickory-dns, `crates/server/src/authority/authority.rs` (2dd70eac0, 2025-07).
    #[hybrid_dispatch::dyn_twin(DynAuthority, send = SendDynAuthority)]
    pub trait Authority: Send + Sync {
        fn zone_type(&self) -> ZoneType;

        fn axfr_policy(&self) -> AxfrPolicy;

        fn can_validate_dnssec(&self) -> bool {
            false
        }

        async fn update(
            &self,
            update: &Request,
        ) -> (UpdateResult<bool>, Option<Box<dyn ResponseSigner>>);

        fn origin(&self) -> &LowerName;

        async fn lookup(
            &self,
            name: &LowerName,
            rtype: RecordType,
            request_info: Option<&RequestInfo<'_>>,
            lookup_options: LookupOptions,
        ) -> LookupControlFlow<AuthLookup>;

        async fn consult(
            &self,
            _name: &LowerName,
            _rtype: RecordType,
            _request_info: Option<&RequestInfo<'_>>,
            _lookup_options: LookupOptions,
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
        );

        async fn ns(&self, lookup_options: LookupOptions) -> LookupControlFlow<AuthLookup> {
            self.lookup(self.origin(), RecordType::NS, None, lookup_options)
                .await
        }

        async fn nsec_records(
            &self,
            name: &LowerName,
            lookup_options: LookupOptions,
        ) -> LookupControlFlow<AuthLookup>;

        #[cfg(feature = "__dnssec")]
        async fn nsec3_records(
            &self,
            info: Nsec3QueryInfo<'_>,
            lookup_options: LookupOptions,
        ) -> LookupControlFlow<AuthLookup>;

        async fn soa(&self) -> LookupControlFlow<AuthLookup> {
            // SOA should be origin|SOA
            self.lookup(
                self.origin(),
                RecordType::SOA,
                None,
                LookupOptions::default(),
            )
            .await
        }

        async fn soa_secure(&self, lookup_options: LookupOptions) -> LookupControlFlow<AuthLookup> {
            self.lookup(self.origin(), RecordType::SOA, None, lookup_options)
                .await
        }

        #[cfg(feature = "__dnssec")]
        fn nx_proof_kind(&self) -> Option<&NxProofKind>;

        #[cfg(feature = "metrics")]
        fn metrics_label(&self) -> &'static str;
    }

    impl Authority for InMemoryAuthority {
        fn zone_type(&self) -> ZoneType {
            ZoneType::Primary
        }

        fn axfr_policy(&self) -> AxfrPolicy {
            AxfrPolicy::Deny
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
            request_info: Option<&RequestInfo<'_>>,
            lookup_options: LookupOptions,
        ) -> LookupControlFlow<AuthLookup> {
            let who = request_info.map_or("-", |info| info.src);
            LookupControlFlow::Continue(Ok(AuthLookup(vec![(
                format!("{} for {who}", name.0),
                rtype,
            )])))
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
                self.lookup(&request.query, RecordType::A, None, lookup_options)
                    .await,
                None,
            )
        }

        async fn nsec_records(
            &self,
            name: &LowerName,
            lookup_options: LookupOptions,
        ) -> LookupControlFlow<AuthLookup> {
            LookupControlFlow::Skip
        }
    }

    pub async fn run() {
        let authority: Arc<dyn SendDynAuthority> = Arc::new(InMemoryAuthority {
            origin: LowerName("example.org.".into()),
        });
        let name = LowerName("www.example.org.".into());
        let info = RequestInfo {
            src: "10.0.0.1",
            query: &name,
        };
        let found = authority
            .lookup(&name, RecordType::A, Some(&info), LookupOptions::default())
            .await;
        assert_eq!(
            found,
            LookupControlFlow::Continue(Ok(AuthLookup(vec![(
                "www.example.org. for 10.0.0.1".into(),
                RecordType::A
            )])))
        );
        assert_eq!(
            authority.soa_send().await,
            LookupControlFlow::Continue(Ok(AuthLookup(vec![(
                "example.org. for -".into(),
                RecordType::SOA
            )])))
        );
    }
}
