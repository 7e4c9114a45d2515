//! `StateStore`: supabase/etl, `crates/etl/src/store/state/base.rs` (read at cd49f6f8,
//! 2026-07).
//! Used through `dyn`: no, generically (`S: StateStore + Clone + Send + Sync + 'static`, the
//! `SharedStateStore` capability), with a Postgres store, an in-memory one and test stores
//! that wrap another; a pipeline choosing its store from configuration would hold
//! `Arc<dyn SendDynStateStore>`.
//! Shape: no supertraits; every method `&self`, declared by hand
//! `-> impl Future<Output = EtlResult<T>> + Send`; one default body that is not an `async`
//! block but returns another method's future (`self.update_table_states(vec![..])`);
//! implementors write `async fn` around a `tokio::sync::Mutex`.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EtlError(pub &'static str);
pub type EtlResult<T> = Result<T, EtlError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TableId(pub u32);
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PgLsn(pub u64);
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableState {
    Init,
    DataSync,
    SyncDone { lsn: PgLsn },
    Ready,
    Errored { reason: String },
}
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WorkerType {
    Apply,
    TableSync { table_id: TableId },
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestinationTableMetadata {
    pub table_name: String,
    pub applied: bool,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedDestinationTableMetadata {
    pub table_name: String,
}

pub type TableStates = Arc<BTreeMap<TableId, TableState>>;

// supabase/etl, `crates/etl/src/store/state/base.rs`.
#[hybrid_dispatch::dyn_twin(DynStateStore, send = SendDynStateStore)]
pub trait StateStore {
    fn get_table_state(
        &self,
        table_id: TableId,
    ) -> impl Future<Output = EtlResult<Option<TableState>>> + Send;

    fn get_table_states(&self) -> impl Future<Output = EtlResult<TableStates>> + Send;

    fn load_table_states(&self) -> impl Future<Output = EtlResult<usize>> + Send;

    fn update_table_states(
        &self,
        updates: Vec<(TableId, TableState)>,
    ) -> impl Future<Output = EtlResult<()>> + Send;

    fn update_table_state(
        &self,
        table_id: TableId,
        state: TableState,
    ) -> impl Future<Output = EtlResult<()>> + Send {
        self.update_table_states(vec![(table_id, state)])
    }

    fn rollback_table_state(
        &self,
        table_id: TableId,
    ) -> impl Future<Output = EtlResult<TableState>> + Send;

    fn get_replication_progress(
        &self,
        worker_type: WorkerType,
    ) -> impl Future<Output = EtlResult<Option<PgLsn>>> + Send;

    fn upsert_replication_progress(
        &self,
        worker_type: WorkerType,
        flush_lsn: PgLsn,
    ) -> impl Future<Output = EtlResult<PgLsn>> + Send;

    fn delete_replication_progress(
        &self,
        worker_type: WorkerType,
    ) -> impl Future<Output = EtlResult<()>> + Send;

    fn get_destination_table_metadata(
        &self,
        table_id: TableId,
    ) -> impl Future<Output = EtlResult<Option<DestinationTableMetadata>>> + Send;

    fn get_applied_destination_table_metadata(
        &self,
        table_id: TableId,
    ) -> impl Future<Output = EtlResult<Option<AppliedDestinationTableMetadata>>> + Send;

    fn load_destination_tables_metadata(&self) -> impl Future<Output = EtlResult<usize>> + Send;

    fn store_destination_table_metadata(
        &self,
        table_id: TableId,
        metadata: DestinationTableMetadata,
    ) -> impl Future<Output = EtlResult<()>> + Send;
}

#[derive(Default)]
struct Inner {
    table_states: TableStates,
    previous: BTreeMap<TableId, TableState>,
    progress: BTreeMap<WorkerType, PgLsn>,
    metadata: BTreeMap<TableId, DestinationTableMetadata>,
}

/// The in-memory store as the project's `MemoryStore` is: shared state behind a
/// `tokio::sync::Mutex`.
#[derive(Clone, Default)]
pub struct MemoryStore {
    inner: Arc<tokio::sync::Mutex<Inner>>,
}

impl StateStore for MemoryStore {
    async fn get_table_state(&self, table_id: TableId) -> EtlResult<Option<TableState>> {
        let inner = self.inner.lock().await;
        Ok(inner.table_states.get(&table_id).cloned())
    }

    async fn get_table_states(&self) -> EtlResult<TableStates> {
        let inner = self.inner.lock().await;
        Ok(Arc::clone(&inner.table_states))
    }

    async fn load_table_states(&self) -> EtlResult<usize> {
        let inner = self.inner.lock().await;
        Ok(inner.table_states.len())
    }

    async fn update_table_states(&self, updates: Vec<(TableId, TableState)>) -> EtlResult<()> {
        let mut inner = self.inner.lock().await;
        let mut states = (*inner.table_states).clone();
        for (table_id, state) in updates {
            if let Some(old) = states.insert(table_id, state) {
                inner.previous.insert(table_id, old);
            }
        }
        inner.table_states = Arc::new(states);
        Ok(())
    }

    async fn rollback_table_state(&self, table_id: TableId) -> EtlResult<TableState> {
        let mut inner = self.inner.lock().await;
        let previous = inner
            .previous
            .remove(&table_id)
            .ok_or(EtlError("no previous state"))?;
        let mut states = (*inner.table_states).clone();
        states.insert(table_id, previous.clone());
        inner.table_states = Arc::new(states);
        Ok(previous)
    }

    async fn get_replication_progress(&self, worker_type: WorkerType) -> EtlResult<Option<PgLsn>> {
        Ok(self.inner.lock().await.progress.get(&worker_type).copied())
    }

    async fn upsert_replication_progress(
        &self,
        worker_type: WorkerType,
        flush_lsn: PgLsn,
    ) -> EtlResult<PgLsn> {
        let mut inner = self.inner.lock().await;
        let lsn = inner.progress.entry(worker_type).or_insert(flush_lsn);
        *lsn = (*lsn).max(flush_lsn);
        Ok(*lsn)
    }

    async fn delete_replication_progress(&self, worker_type: WorkerType) -> EtlResult<()> {
        self.inner.lock().await.progress.remove(&worker_type);
        Ok(())
    }

    async fn get_destination_table_metadata(
        &self,
        table_id: TableId,
    ) -> EtlResult<Option<DestinationTableMetadata>> {
        Ok(self.inner.lock().await.metadata.get(&table_id).cloned())
    }

    async fn get_applied_destination_table_metadata(
        &self,
        table_id: TableId,
    ) -> EtlResult<Option<AppliedDestinationTableMetadata>> {
        let inner = self.inner.lock().await;
        Ok(inner
            .metadata
            .get(&table_id)
            .filter(|m| m.applied)
            .map(|m| AppliedDestinationTableMetadata {
                table_name: m.table_name.clone(),
            }))
    }

    async fn load_destination_tables_metadata(&self) -> EtlResult<usize> {
        Ok(self.inner.lock().await.metadata.len())
    }

    async fn store_destination_table_metadata(
        &self,
        table_id: TableId,
        metadata: DestinationTableMetadata,
    ) -> EtlResult<()> {
        self.inner.lock().await.metadata.insert(table_id, metadata);
        Ok(())
    }
}

pub async fn run() {
    let store: Arc<dyn SendDynStateStore> = Arc::new(MemoryStore::default());
    let users = TableId(16384);

    // The default body (it returns `update_table_states`' future), through the bridge and
    // through the twin.
    store
        .update_table_state(users, TableState::Init)
        .await
        .unwrap();
    store
        .update_table_state_send(users, TableState::DataSync)
        .await
        .unwrap();
    assert_eq!(
        store.get_table_state(users).await,
        Ok(Some(TableState::DataSync))
    );
    assert_eq!(
        store.rollback_table_state_send(users).await,
        Ok(TableState::Init)
    );
    assert_eq!(store.load_table_states().await, Ok(1));
    assert_eq!(store.get_table_states_send().await.unwrap().len(), 1);

    assert_eq!(
        store
            .upsert_replication_progress(WorkerType::Apply, PgLsn(40))
            .await,
        Ok(PgLsn(40))
    );
    assert_eq!(
        store
            .upsert_replication_progress_send(WorkerType::Apply, PgLsn(10))
            .await,
        Ok(PgLsn(40))
    );
    store
        .store_destination_table_metadata(
            users,
            DestinationTableMetadata {
                table_name: "public_users".into(),
                applied: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .get_applied_destination_table_metadata_send(users)
            .await
            .unwrap()
            .unwrap()
            .table_name,
        "public_users"
    );

    // Shared with the apply worker's task.
    let worker_store = Arc::clone(&store);
    let task = tokio::spawn(async move {
        worker_store
            .get_replication_progress(WorkerType::Apply)
            .await
    });
    assert_eq!(task.await.unwrap(), Ok(Some(PgLsn(40))));
}
