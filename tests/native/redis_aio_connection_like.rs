//! `aio::ConnectionLike`: redis-rs/redis-rs, `redis/src/aio/mod.rs` (redis 1.x; snapshot
//! 88fb4d6c, 2026-08-18).
//! Used through `dyn`: generically (`C: ConnectionLike`, every `query_async`), and the
//! project's pool integrations (bb8-redis, deadpool-redis) pick one concrete connection type;
//! an application switching between a single connection, a `ConnectionManager` and a cluster
//! connection at run time holds `Box<dyn SendDynConnectionLike>`.
//! Shape: no `async` method: its futures are already boxed, `RedisFuture<'a, T>`
//! (`futures_util::future::BoxFuture<'a, RedisResult<T>>`, an alias with a lifetime
//! parameter), returned by methods with an explicit lifetime shared by `&'a mut self` and the
//! arguments (`cmd: &'a Cmd`); `#[doc(hidden)]` on one method; a sync `get_db(&self)`.

use std::future::Future;
use std::pin::Pin;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Nil,
    Int(i64),
    BulkString(Vec<u8>),
    Okay,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisError(pub String);
pub type RedisResult<T> = Result<T, RedisError>;

/// `futures_util::future::BoxFuture`, as redis re-exports it.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
pub type RedisFuture<'a, T> = BoxFuture<'a, RedisResult<T>>;

/// redis' `Cmd`, stubbed: the packed arguments.
#[derive(Debug, Clone)]
pub struct Cmd {
    pub args: Vec<String>,
}
impl Cmd {
    pub fn new(args: &[&str]) -> Self {
        Cmd {
            args: args.iter().map(|a| a.to_string()).collect(),
        }
    }
}
/// redis' `Pipeline`, stubbed.
#[derive(Debug, Clone, Default)]
pub struct Pipeline {
    pub commands: Vec<Cmd>,
}

// redis-rs/redis-rs, `redis/src/aio/mod.rs`.
/// An async abstraction over connections.
#[hybrid_dispatch::dyn_twin(DynConnectionLike, send = SendDynConnectionLike)]
pub trait ConnectionLike {
    /// Sends an already encoded (packed) command into the TCP socket and
    /// reads the single response from it.
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value>;

    /// Sends multiple already encoded (packed) command into the TCP socket
    /// and reads `count` responses from it.
    #[doc(hidden)]
    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>>;

    /// Returns the database this connection is bound to.
    fn get_db(&self) -> i64;
}

/// An in-memory connection, as redis' own test mocks (`MockRedisConnection`) are.
#[derive(Debug, Default)]
pub struct MemoryConnection {
    pub db: i64,
    pub store: std::collections::BTreeMap<String, Vec<u8>>,
}

impl MemoryConnection {
    async fn execute(&mut self, cmd: &Cmd) -> RedisResult<Value> {
        match cmd.args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            ["SET", key, value] => {
                self.store.insert(key.into(), value.as_bytes().to_vec());
                Ok(Value::Okay)
            }
            ["GET", key] => Ok(self
                .store
                .get(key)
                .map_or(Value::Nil, |v| Value::BulkString(v.clone()))),
            ["DBSIZE"] => Ok(Value::Int(self.store.len() as i64)),
            _ => Err(RedisError(format!("unknown command {:?}", cmd.args))),
        }
    }
}

impl ConnectionLike for MemoryConnection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move { self.execute(cmd).await })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            let mut values = Vec::new();
            for cmd in &pipeline.commands {
                values.push(self.execute(cmd).await?);
            }
            Ok(values.into_iter().skip(offset).take(count).collect())
        })
    }

    fn get_db(&self) -> i64 {
        self.db
    }
}

/// Generic code as redis' `Cmd::query_async` is: `C: ConnectionLike`, here `?Sized`.
async fn query<C: ConnectionLike + ?Sized>(con: &mut C, args: &[&str]) -> RedisResult<Value> {
    let cmd = Cmd::new(args);
    con.req_packed_command(&cmd).await
}

pub async fn run() {
    let mut con: Box<dyn SendDynConnectionLike> = Box::new(MemoryConnection {
        db: 3,
        ..MemoryConnection::default()
    });

    // Through the bridge (the trait's own methods on the object), and generic code.
    let set = Cmd::new(&["SET", "k", "v"]);
    assert_eq!(con.req_packed_command(&set).await, Ok(Value::Okay));
    assert_eq!(
        query(&mut *con, &["GET", "k"]).await,
        Ok(Value::BulkString(b"v".to_vec()))
    );
    assert_eq!(con.get_db(), 3);

    // Through the twin's forwarding methods.
    let get = Cmd::new(&["GET", "missing"]);
    assert_eq!(con.req_packed_command_dyn(&get).await, Ok(Value::Nil));
    let pipeline = Pipeline {
        commands: vec![
            Cmd::new(&["SET", "a", "1"]),
            Cmd::new(&["GET", "a"]),
            Cmd::new(&["DBSIZE"]),
        ],
    };
    assert_eq!(
        con.req_packed_commands_dyn(&pipeline, 1, 2).await,
        Ok(vec![Value::BulkString(b"1".to_vec()), Value::Int(2)])
    );
    assert_eq!(con.get_db_dyn(), 3);
    assert!(matches!(
        con.req_packed_command(&Cmd::new(&["FLUSHALL"])).await,
        Err(RedisError(_))
    ));

    // Moved into a task.
    let value = tokio::spawn(async move {
        let cmd = Cmd::new(&["DBSIZE"]);
        con.req_packed_command(&cmd).await
    })
    .await
    .unwrap();
    assert_eq!(value, Ok(Value::Int(2)));
}
