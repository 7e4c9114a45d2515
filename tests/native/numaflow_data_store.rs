//! `LocalDataStore` (and its `Send` variant `DataStore`): numaproj/numaflow,
//! `rust/serving/src/app/store/datastore.rs` (read at 075f2df5).
//! Used through `dyn`: no; the serving app picks its store (JetStream, in-memory, user-defined)
//! at start-up and dispatches over an enum of them (`ServingStore`), which a
//! `Box<dyn SendDynLocalDataStore>` replaces.
//! Shape: a `trait_variant` user, `#[trait_variant::make(DataStore: Send)]` on
//! `pub(crate) trait LocalDataStore` with native `async fn`s; `&mut self` methods; an
//! elided lifetime inside an argument's generic (`pod_hash: Option<&str>`); an owned
//! stream in the result. The migration replaces `trait_variant::make` with
//! `#[dyn_twin(.., send = ..)]`, which makes the trait's own futures `Send` (as `DataStore`'s
//! are); implementors, who wrote `impl DataStore for ..`, write `impl LocalDataStore for ..`.

use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Error {
    Connection(String),
    InvalidRequestId(String),
    DuplicateRequest(String),
    StoreRead(String),
}
pub(crate) type Result<T> = std::result::Result<T, Error>;

/// `bytes::Bytes`, stubbed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

/// `tokio_stream::wrappers::ReceiverStream`, stubbed with its `next` as an inherent method.
pub struct ReceiverStream<T>(tokio::sync::mpsc::Receiver<T>);
impl<T> ReceiverStream<T> {
    pub fn new(rx: tokio::sync::mpsc::Receiver<T>) -> Self {
        Self(rx)
    }
    pub async fn next(&mut self) -> Option<T> {
        self.0.recv().await
    }
}

// numaproj/numaflow, `rust/serving/src/app/store/datastore.rs`; was
// `#[trait_variant::make(DataStore: Send)]`.
#[hybrid_dispatch::dyn_twin(DynLocalDataStore, send = SendDynLocalDataStore)]
#[allow(dead_code)]
pub(crate) trait LocalDataStore {
    async fn retrieve_data(&mut self, id: &str, pod_hash: Option<&str>) -> Result<Vec<Vec<u8>>>;
    async fn stream_data(&mut self, id: &str, pod_hash: &str)
    -> Result<ReceiverStream<Arc<Bytes>>>;
    async fn ready(&mut self) -> bool;
}

const STORE_KEY_SUFFIX: &str = "saved";

/// The in-memory store, as `datastore/inmemory.rs` writes it.
#[derive(Clone, Default)]
pub(crate) struct InMemoryDataStore {
    pub(crate) data: Arc<tokio::sync::Mutex<HashMap<String, Vec<Vec<u8>>>>>,
}

impl LocalDataStore for InMemoryDataStore {
    async fn retrieve_data(&mut self, id: &str, _pod_hash: Option<&str>) -> Result<Vec<Vec<u8>>> {
        let id = format!("{id}_{STORE_KEY_SUFFIX}");
        let data = self.data.lock().await;
        match data.get(&id) {
            Some(result) => Ok(result.to_vec()),
            None => Err(Error::InvalidRequestId(format!(
                "No entry found for id: {id}"
            ))),
        }
    }

    async fn stream_data(
        &mut self,
        id: &str,
        _pod_hash: &str,
    ) -> Result<ReceiverStream<Arc<Bytes>>> {
        let (tx, rx) = tokio::sync::mpsc::channel(10);
        let data = self.data.lock().await;
        if let Some(response) = data.get(id) {
            for datum in response {
                tx.send(Arc::new(Bytes(datum.clone())))
                    .await
                    .map_err(|_| Error::StoreRead("Failed to send datum".to_string()))?;
            }
        }
        Ok(ReceiverStream::new(rx))
    }

    async fn ready(&mut self) -> bool {
        true
    }
}

pub async fn run() {
    let mut map = HashMap::new();
    map.insert("req-1_saved".to_string(), vec![b"payload".to_vec()]);
    map.insert("req-2".to_string(), vec![b"a".to_vec(), b"b".to_vec()]);
    let mut store: Box<dyn SendDynLocalDataStore> = Box::new(InMemoryDataStore {
        data: Arc::new(tokio::sync::Mutex::new(map)),
    });

    assert!(store.ready().await);
    let pod_hash = String::from("pod-0");
    assert_eq!(
        store.retrieve_data("req-1", Some(&pod_hash)).await,
        Ok(vec![b"payload".to_vec()])
    );
    assert!(matches!(
        store.retrieve_data_send("missing", None).await,
        Err(Error::InvalidRequestId(_))
    ));
    let mut stream = store.stream_data_send("req-2", &pod_hash).await.unwrap();
    assert_eq!(stream.next().await, Some(Arc::new(Bytes(b"a".to_vec()))));
    assert_eq!(stream.next().await, Some(Arc::new(Bytes(b"b".to_vec()))));

    // The `Send`-only twin (every method takes `&mut self`) moves into a handler's task.
    let task = tokio::spawn(async move {
        let id = String::from("req-1");
        store.retrieve_data(&id, None).await
    });
    assert_eq!(task.await.unwrap().unwrap().len(), 1);
}
