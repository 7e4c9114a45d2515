//! `SchemaProvider`: apache/datafusion, `datafusion/catalog/src/schema.rs`.
//! Used through `dyn`: yes, `Arc<dyn SchemaProvider>` in every `CatalogProvider`.
//! Shape: `Debug + Sync + Send`; an async method returning `Arc<dyn TableProvider>` (a stand-in
//! here, `TableProvider` is its own corpus entry); a default async body calling `self.table(..)`;
//! `#[allow(unused_variables)]` on sync default methods.

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

macro_rules! exec_err {
    ($($t:tt)*) => {
        Err(DataFusionError(format!($($t)*)))
    };
}

use std::collections::HashMap;

/// Stands in for datafusion's `TableProvider` (its own corpus entry).
pub trait TableProvider: Debug + Sync + Send {
    fn table_type(&self) -> TableType;
}
#[derive(Debug)]
pub struct View;
impl TableProvider for View {
    fn table_type(&self) -> TableType {
        TableType::View
    }
}
#[derive(Debug, Default)]
pub struct MemorySchemaProvider {
    pub tables: HashMap<String, Arc<dyn TableProvider>>,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // apache/datafusion, `datafusion/catalog/src/schema.rs`.
    #[async_trait::async_trait]
    pub trait SchemaProvider: Debug + Sync + Send {
        fn owner_name(&self) -> Option<&str> {
            None
        }

        fn as_any(&self) -> &dyn Any;

        fn table_names(&self) -> Vec<String>;

        async fn table(
            &self,
            name: &str,
        ) -> Result<Option<Arc<dyn TableProvider>>, DataFusionError>;

        async fn table_type(&self, name: &str) -> Result<Option<TableType>> {
            self.table(name).await.map(|o| o.map(|t| t.table_type()))
        }

        #[allow(unused_variables)]
        fn register_table(
            &self,
            name: String,
            table: Arc<dyn TableProvider>,
        ) -> Result<Option<Arc<dyn TableProvider>>> {
            exec_err!("schema provider does not support registering tables")
        }

        #[allow(unused_variables)]
        fn deregister_table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>> {
            exec_err!("schema provider does not support deregistering tables")
        }

        fn table_exist(&self, name: &str) -> bool;
    }

    #[async_trait::async_trait]
    impl SchemaProvider for MemorySchemaProvider {
        fn as_any(&self) -> &dyn Any {
            self
        }

        fn table_names(&self) -> Vec<String> {
            self.tables.keys().cloned().collect()
        }

        async fn table(
            &self,
            name: &str,
        ) -> Result<Option<Arc<dyn TableProvider>>, DataFusionError> {
            Ok(self.tables.get(name).cloned())
        }

        fn table_exist(&self, name: &str) -> bool {
            self.tables.contains_key(name)
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // apache/datafusion, `datafusion/catalog/src/schema.rs`.
    #[hybrid_dispatch::dyn_twin(DynSchemaProvider, send = SendDynSchemaProvider)]
    pub trait SchemaProvider: Debug + Sync + Send {
        fn owner_name(&self) -> Option<&str> {
            None
        }

        fn as_any(&self) -> &dyn Any;

        fn table_names(&self) -> Vec<String>;

        async fn table(
            &self,
            name: &str,
        ) -> Result<Option<Arc<dyn TableProvider>>, DataFusionError>;

        async fn table_type(&self, name: &str) -> Result<Option<TableType>> {
            self.table(name).await.map(|o| o.map(|t| t.table_type()))
        }

        #[allow(unused_variables)]
        fn register_table(
            &self,
            name: String,
            table: Arc<dyn TableProvider>,
        ) -> Result<Option<Arc<dyn TableProvider>>> {
            exec_err!("schema provider does not support registering tables")
        }

        #[allow(unused_variables)]
        fn deregister_table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>> {
            exec_err!("schema provider does not support deregistering tables")
        }

        fn table_exist(&self, name: &str) -> bool;
    }

    impl SchemaProvider for MemorySchemaProvider {
        fn as_any(&self) -> &dyn Any {
            self
        }

        fn table_names(&self) -> Vec<String> {
            self.tables.keys().cloned().collect()
        }

        async fn table(
            &self,
            name: &str,
        ) -> Result<Option<Arc<dyn TableProvider>>, DataFusionError> {
            Ok(self.tables.get(name).cloned())
        }

        fn table_exist(&self, name: &str) -> bool {
            self.tables.contains_key(name)
        }
    }

    pub async fn run() {
        let mut tables: HashMap<String, Arc<dyn TableProvider>> = HashMap::new();
        tables.insert("v".into(), Arc::new(View));
        let schema: Arc<dyn SendDynSchemaProvider> = Arc::new(MemorySchemaProvider { tables });
        assert_eq!(schema.table_type("v").await.unwrap(), Some(TableType::View));
        assert!(schema.table_send("missing").await.unwrap().is_none());
    }
}
