//! `TableProviderFactory`: apache/datafusion, `datafusion/catalog/src/table.rs`.
//! Used through `dyn`: yes, `HashMap<String, Arc<dyn TableProviderFactory>>` in the session state.
//! Shape: `Debug + Sync + Send`; a `&dyn Session` argument and a borrowed command; returns
//! `Arc<dyn TableProvider>` (a stand-in here).

use std::any::Any;
use std::borrow::Cow;
use std::fmt::Debug;
use std::sync::Arc;

#[derive(Debug)]
pub struct DataFusionError(pub String);
pub type Result<T, E = DataFusionError> = std::result::Result<T, E>;
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TableType {
    Base,
    View,
    Temporary,
}

pub trait Session: Send + Sync {
    fn session_id(&self) -> &str;
}
pub struct SessionState;
impl Session for SessionState {
    fn session_id(&self) -> &str {
        "s1"
    }
}
#[derive(Debug)]
pub struct CreateExternalTable {
    pub location: String,
}
/// Stands in for datafusion's `TableProvider` (its own corpus entry).
pub trait TableProvider: Debug + Sync + Send {
    fn table_type(&self) -> TableType;
}
#[derive(Debug)]
pub struct ListingTable(pub String);
impl TableProvider for ListingTable {
    fn table_type(&self) -> TableType {
        TableType::Base
    }
}
#[derive(Debug)]
pub struct ListingTableFactory;

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // apache/datafusion, `datafusion/catalog/src/table.rs`.
    #[async_trait::async_trait]
    pub trait TableProviderFactory: Debug + Sync + Send {
        async fn create(
            &self,
            state: &dyn Session,
            cmd: &CreateExternalTable,
        ) -> Result<Arc<dyn TableProvider>>;
    }

    #[async_trait::async_trait]
    impl TableProviderFactory for ListingTableFactory {
        async fn create(
            &self,
            state: &dyn Session,
            cmd: &CreateExternalTable,
        ) -> Result<Arc<dyn TableProvider>> {
            Ok(Arc::new(ListingTable(cmd.location.clone())))
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // apache/datafusion, `datafusion/catalog/src/table.rs`.
    #[hybrid_dispatch::dyn_twin(DynTableProviderFactory, send = SendDynTableProviderFactory)]
    pub trait TableProviderFactory: Debug + Sync + Send {
        async fn create(
            &self,
            state: &dyn Session,
            cmd: &CreateExternalTable,
        ) -> Result<Arc<dyn TableProvider>>;
    }

    impl TableProviderFactory for ListingTableFactory {
        async fn create(
            &self,
            state: &dyn Session,
            cmd: &CreateExternalTable,
        ) -> Result<Arc<dyn TableProvider>> {
            Ok(Arc::new(ListingTable(cmd.location.clone())))
        }
    }

    pub async fn run() {
        let factory: Arc<dyn SendDynTableProviderFactory> = Arc::new(ListingTableFactory);
        let cmd = CreateExternalTable {
            location: "s3://bucket/t".into(),
        };
        let table = factory.create(&SessionState, &cmd).await.unwrap();
        assert_eq!(table.table_type(), TableType::Base);
    }
}
