//! `Storage`: geofmureithi/apalis, `packages/apalis-core/src/storage/mod.rs` (v0.7.4,
//! 49f90e13; apalis 1.0 split it into `Backend` + `TaskSink`, `Update`, `Vacuum`, ..., each
//! a subtrait of `Backend`).
//! Used through `dyn`: no, generically (`S: Storage`), implemented by the Redis, Postgres,
//! MySQL and SQLite storages; a job dashboard or an admin API over several queues would
//! hold `Box<dyn SendDynStorage<..>>`.
//! Shape: a supertrait that names the trait's own associated types
//! (`Backend<Request<Self::Job, Self::Context>>`) and has associated types of its own
//! (`Stream`, `Layer`, `Codec`); four associated types; `&mut self` methods declared by hand
//! `-> impl Future<Output = Result<.., Self::Error>> + Send`, two with default bodies that
//! return another method's future (`self.push_request(Request::new(job))`).

use std::future::Future;
use std::time::Duration;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskId(pub u64);
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parts<Ctx> {
    pub task_id: TaskId,
    pub attempt: u32,
    pub context: Ctx,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request<Args, Ctx> {
    pub args: Args,
    pub parts: Parts<Ctx>,
}
impl<Args, Ctx: Default> Request<Args, Ctx> {
    pub fn new(args: Args) -> Self {
        Self {
            args,
            parts: Parts::default(),
        }
    }
}
pub struct Worker<Ctx>(pub Ctx);
pub struct Context;
pub struct Poller<S, L> {
    pub stream: S,
    pub layer: L,
}
#[derive(Debug)]
pub struct Error;

// geofmureithi/apalis, `packages/apalis-core/src/codec/mod.rs` (methods left out).
pub trait Codec {
    type Compact;
}
pub struct JsonCodec;
impl Codec for JsonCodec {
    type Compact = Vec<u8>;
}

// geofmureithi/apalis, `packages/apalis-core/src/backend.rs` (v0.7.4); the stream's bound
// (`futures::Stream<Item = Result<Option<Req>, Error>>`) left out.
pub trait Backend<Req> {
    type Stream;

    type Layer;

    type Codec: Codec;

    fn poll(self, worker: &Worker<Context>) -> Poller<Self::Stream, Self::Layer>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: String,
}

/// A storage as apalis' SQL storages are: here, a vector of requests.
#[derive(Default)]
pub struct MemoryStorage {
    pub jobs: Vec<(Request<Email, ()>, i64)>,
    pub next_id: u64,
}

impl Backend<Request<Email, ()>> for MemoryStorage {
    type Stream = std::vec::IntoIter<Result<Option<Request<Email, ()>>, Error>>;
    type Layer = ();
    type Codec = JsonCodec;

    fn poll(self, worker: &Worker<Context>) -> Poller<Self::Stream, Self::Layer> {
        let items: Vec<_> = self.jobs.into_iter().map(|(r, _)| Ok(Some(r))).collect();
        Poller {
            stream: items.into_iter(),
            layer: (),
        }
    }
}

#[cfg(any())] // BLOCKED: refused: "the supertrait `Backend` names `Self` in its arguments, so the trait cannot be a trait object ..." (not dyn-compatible in Rust with or without the twin)
mod migrated {
    use super::*;

    // geofmureithi/apalis, `packages/apalis-core/src/storage/mod.rs` (v0.7.4).
    #[hybrid_dispatch::dyn_twin(DynStorage, send = SendDynStorage)]
    pub trait Storage: Backend<Request<Self::Job, Self::Context>> {
        type Job;

        type Error;

        type Context: Default;

        type Compact;

        fn push(
            &mut self,
            job: Self::Job,
        ) -> impl Future<Output = Result<Parts<Self::Context>, Self::Error>> + Send {
            self.push_request(Request::new(job))
        }

        fn push_request(
            &mut self,
            req: Request<Self::Job, Self::Context>,
        ) -> impl Future<Output = Result<Parts<Self::Context>, Self::Error>> + Send;

        fn push_raw_request(
            &mut self,
            req: Request<Self::Compact, Self::Context>,
        ) -> impl Future<Output = Result<Parts<Self::Context>, Self::Error>> + Send;

        fn schedule(
            &mut self,
            job: Self::Job,
            on: i64,
        ) -> impl Future<Output = Result<Parts<Self::Context>, Self::Error>> + Send {
            self.schedule_request(Request::new(job), on)
        }

        fn schedule_request(
            &mut self,
            request: Request<Self::Job, Self::Context>,
            on: i64,
        ) -> impl Future<Output = Result<Parts<Self::Context>, Self::Error>> + Send;

        fn len(&mut self) -> impl Future<Output = Result<i64, Self::Error>> + Send;

        fn fetch_by_id(
            &mut self,
            job_id: &TaskId,
        ) -> impl Future<Output = Result<Option<Request<Self::Job, Self::Context>>, Self::Error>> + Send;

        fn update(
            &mut self,
            job: Request<Self::Job, Self::Context>,
        ) -> impl Future<Output = Result<(), Self::Error>> + Send;

        fn reschedule(
            &mut self,
            job: Request<Self::Job, Self::Context>,
            wait: Duration,
        ) -> impl Future<Output = Result<(), Self::Error>> + Send;

        fn is_empty(&mut self) -> impl Future<Output = Result<bool, Self::Error>> + Send;

        fn vacuum(&mut self) -> impl Future<Output = Result<usize, Self::Error>> + Send;
    }

    impl Storage for MemoryStorage {
        type Job = Email;
        type Error = String;
        type Context = ();
        type Compact = Vec<u8>;

        async fn push_request(&mut self, mut req: Request<Email, ()>) -> Result<Parts<()>, String> {
            self.next_id += 1;
            req.parts.task_id = TaskId(self.next_id);
            let parts = req.parts.clone();
            self.jobs.push((req, 0));
            Ok(parts)
        }

        async fn push_raw_request(
            &mut self,
            req: Request<Vec<u8>, ()>,
        ) -> Result<Parts<()>, String> {
            let to = String::from_utf8(req.args).map_err(|e| e.to_string())?;
            self.push_request(Request::new(Email { to })).await
        }

        async fn schedule_request(
            &mut self,
            mut request: Request<Email, ()>,
            on: i64,
        ) -> Result<Parts<()>, String> {
            self.next_id += 1;
            request.parts.task_id = TaskId(self.next_id);
            let parts = request.parts.clone();
            self.jobs.push((request, on));
            Ok(parts)
        }

        async fn len(&mut self) -> Result<i64, String> {
            Ok(self.jobs.len() as i64)
        }

        async fn fetch_by_id(
            &mut self,
            job_id: &TaskId,
        ) -> Result<Option<Request<Email, ()>>, String> {
            Ok(self
                .jobs
                .iter()
                .find(|(r, _)| r.parts.task_id == *job_id)
                .map(|(r, _)| r.clone()))
        }

        async fn update(&mut self, job: Request<Email, ()>) -> Result<(), String> {
            let slot = self
                .jobs
                .iter_mut()
                .find(|(r, _)| r.parts.task_id == job.parts.task_id)
                .ok_or("not found")?;
            slot.0 = job;
            Ok(())
        }

        async fn reschedule(
            &mut self,
            job: Request<Email, ()>,
            wait: Duration,
        ) -> Result<(), String> {
            self.update(job).await
        }

        async fn is_empty(&mut self) -> Result<bool, String> {
            Ok(self.jobs.is_empty())
        }

        async fn vacuum(&mut self) -> Result<usize, String> {
            let n = self.jobs.len();
            self.jobs.clear();
            Ok(n)
        }
    }

    pub async fn run() {
        let mut storage: Box<
            dyn SendDynStorage<
                    Job = Email,
                    Error = String,
                    Context = (),
                    Compact = Vec<u8>,
                    Stream = <MemoryStorage as Backend<Request<Email, ()>>>::Stream,
                    Layer = (),
                    Codec = JsonCodec,
                >,
        > = Box::new(MemoryStorage::default());
        let parts = storage
            .push(Email {
                to: "a@example.com".into(),
            })
            .await
            .unwrap();
        assert_eq!(parts.task_id, TaskId(1));
        storage
            .schedule_send(
                Email {
                    to: "b@example.com".into(),
                },
                60,
            )
            .await
            .unwrap();
        assert_eq!(storage.len().await, Ok(2));
        assert_eq!(
            storage
                .fetch_by_id_send(&TaskId(2))
                .await
                .unwrap()
                .unwrap()
                .args
                .to,
            "b@example.com"
        );
        assert_eq!(storage.vacuum_send().await, Ok(2));
    }
}
