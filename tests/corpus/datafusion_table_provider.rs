//! `TableProvider`: apache/datafusion, `datafusion/catalog/src/table.rs`.
//! Used through `dyn`: yes, `Arc<dyn TableProvider>` everywhere (catalogs, `register_table`).
//! Shape: `Debug + Sync + Send`; a `&dyn Session` argument (a trait object with an elided
//! lifetime) and `Option<&Vec<usize>>`, `&[Expr]`; sync methods returning borrows
//! (`Option<Cow<'_, LogicalPlan>>` with `&'_ self`); a default async body that only returns an
//! error through a macro.

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

macro_rules! not_impl_err {
    ($($t:tt)*) => {
        Err(DataFusionError(format!($($t)*)))
    };
}

#[derive(Debug, PartialEq)]
pub struct Schema {
    pub fields: Vec<String>,
}
pub type SchemaRef = Arc<Schema>;
#[derive(Debug)]
pub struct Constraints;
#[derive(Debug, Clone)]
pub struct LogicalPlan;
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Column(String),
}
#[derive(Debug, Clone, PartialEq)]
pub enum TableProviderFilterPushDown {
    Unsupported,
    Inexact,
    Exact,
}
#[derive(Debug)]
pub struct Statistics;
#[derive(Debug, Clone, Copy)]
pub enum InsertOp {
    Append,
    Overwrite,
}
pub trait Session: Send + Sync {
    fn session_id(&self) -> &str;
}
pub trait ExecutionPlan: Debug + Send + Sync {
    fn name(&self) -> &str;
}
#[derive(Debug)]
pub struct MemoryExec {
    pub columns: Vec<String>,
    pub limit: Option<usize>,
}
impl ExecutionPlan for MemoryExec {
    fn name(&self) -> &str {
        "MemoryExec"
    }
}
pub struct SessionState;
impl Session for SessionState {
    fn session_id(&self) -> &str {
        "s1"
    }
}
#[derive(Debug)]
pub struct MemTable {
    pub schema: SchemaRef,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // apache/datafusion, `datafusion/catalog/src/table.rs`.
    #[async_trait::async_trait]
    pub trait TableProvider: Debug + Sync + Send {
        fn as_any(&self) -> &dyn Any;

        fn schema(&self) -> SchemaRef;

        fn constraints(&self) -> Option<&Constraints> {
            None
        }

        fn table_type(&self) -> TableType;

        fn get_table_definition(&self) -> Option<&str> {
            None
        }

        fn get_logical_plan(&'_ self) -> Option<Cow<'_, LogicalPlan>> {
            None
        }

        fn get_column_default(&self, _column: &str) -> Option<&Expr> {
            None
        }

        async fn scan(
            &self,
            state: &dyn Session,
            projection: Option<&Vec<usize>>,
            filters: &[Expr],
            limit: Option<usize>,
        ) -> Result<Arc<dyn ExecutionPlan>>;

        fn supports_filters_pushdown(
            &self,
            filters: &[&Expr],
        ) -> Result<Vec<TableProviderFilterPushDown>> {
            Ok(vec![
                TableProviderFilterPushDown::Unsupported;
                filters.len()
            ])
        }

        fn statistics(&self) -> Option<Statistics> {
            None
        }

        async fn insert_into(
            &self,
            _state: &dyn Session,
            _input: Arc<dyn ExecutionPlan>,
            _insert_op: InsertOp,
        ) -> Result<Arc<dyn ExecutionPlan>> {
            not_impl_err!("Insert into not implemented for this table")
        }
    }

    #[async_trait::async_trait]
    impl TableProvider for MemTable {
        fn as_any(&self) -> &dyn Any {
            self
        }

        fn schema(&self) -> SchemaRef {
            Arc::clone(&self.schema)
        }

        fn table_type(&self) -> TableType {
            TableType::Base
        }

        async fn scan(
            &self,
            state: &dyn Session,
            projection: Option<&Vec<usize>>,
            filters: &[Expr],
            limit: Option<usize>,
        ) -> Result<Arc<dyn ExecutionPlan>> {
            let columns = match projection {
                Some(p) => p.iter().map(|i| self.schema.fields[*i].clone()).collect(),
                None => self.schema.fields.clone(),
            };
            Ok(Arc::new(MemoryExec { columns, limit }))
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // apache/datafusion, `datafusion/catalog/src/table.rs`.
    #[hybrid_dispatch::dyn_twin(DynTableProvider, send = SendDynTableProvider)]
    pub trait TableProvider: Debug + Sync + Send {
        fn as_any(&self) -> &dyn Any;

        fn schema(&self) -> SchemaRef;

        fn constraints(&self) -> Option<&Constraints> {
            None
        }

        fn table_type(&self) -> TableType;

        fn get_table_definition(&self) -> Option<&str> {
            None
        }

        fn get_logical_plan(&'_ self) -> Option<Cow<'_, LogicalPlan>> {
            None
        }

        fn get_column_default(&self, _column: &str) -> Option<&Expr> {
            None
        }

        async fn scan(
            &self,
            state: &dyn Session,
            projection: Option<&Vec<usize>>,
            filters: &[Expr],
            limit: Option<usize>,
        ) -> Result<Arc<dyn ExecutionPlan>>;

        fn supports_filters_pushdown(
            &self,
            filters: &[&Expr],
        ) -> Result<Vec<TableProviderFilterPushDown>> {
            Ok(vec![
                TableProviderFilterPushDown::Unsupported;
                filters.len()
            ])
        }

        fn statistics(&self) -> Option<Statistics> {
            None
        }

        async fn insert_into(
            &self,
            _state: &dyn Session,
            _input: Arc<dyn ExecutionPlan>,
            _insert_op: InsertOp,
        ) -> Result<Arc<dyn ExecutionPlan>> {
            not_impl_err!("Insert into not implemented for this table")
        }
    }

    impl TableProvider for MemTable {
        fn as_any(&self) -> &dyn Any {
            self
        }

        fn schema(&self) -> SchemaRef {
            Arc::clone(&self.schema)
        }

        fn table_type(&self) -> TableType {
            TableType::Base
        }

        async fn scan(
            &self,
            state: &dyn Session,
            projection: Option<&Vec<usize>>,
            filters: &[Expr],
            limit: Option<usize>,
        ) -> Result<Arc<dyn ExecutionPlan>> {
            let columns = match projection {
                Some(p) => p.iter().map(|i| self.schema.fields[*i].clone()).collect(),
                None => self.schema.fields.clone(),
            };
            Ok(Arc::new(MemoryExec { columns, limit }))
        }
    }

    pub async fn run() {
        let table: Arc<dyn SendDynTableProvider> = Arc::new(MemTable {
            schema: Arc::new(Schema {
                fields: vec!["a".into(), "b".into()],
            }),
        });
        let plan = table
            .scan(&SessionState, Some(&vec![1]), &[], Some(10))
            .await
            .unwrap();
        assert_eq!(
            format!("{plan:?}"),
            r#"MemoryExec { columns: ["b"], limit: Some(10) }"#
        );
        let insert = table
            .insert_into_send(&SessionState, plan, InsertOp::Append)
            .await;
        assert!(insert.is_err());
    }
}
