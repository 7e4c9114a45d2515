//! `Handler`: trillium-rs/trillium, `trillium/src/handler.rs` (trillium 1.3.0; snapshot
//! 768591a2, 2026-08-21).
//! Used through `dyn`: yes, by the project's own erasure, `BoxedHandler(Box<dyn
//! ObjectSafeHandler>)`, a private trait with a blanket impl for every `H: Handler` whose
//! methods return `Pin<Box<dyn Future + Send + 'fut>>` (`trillium_object_safe_handler.rs`);
//! routers and handler lists hold those.
//! Shape: native, every async method written `fn m(..) -> impl Future<Output = T> + Send`,
//! every one with a default body, and none of those bodies an `async fn`'s: `async { conn }`
//! (not `move`), `std::future::ready(conn)`, a `let _ = info;` statement before the future; an
//! `&mut self` method with a second `&mut` argument (`init(&mut self, info: &mut Info)`); sync
//! methods beside them, one naming `Self` in its body (`type_name::<Self>()`);
//! `Send + Sync + 'static`. The project's impls: for a closure type (`impl<Fun, Fut> Handler
//! for Fun where Fun: Fn(Conn) -> Fut`), for `&'static str`, `String` and `Vec<H>`, and impls
//! whose signatures drop the `+ Send` (`-> impl Future<Output = Conn>`, returning `ready(..)`).

use std::borrow::Cow;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// trillium's `Conn`, stubbed: the request path, the response, and the halted flag.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conn {
    pub path: String,
    pub status: Option<u16>,
    pub body: Option<String>,
    pub halted: bool,
    pub sent_by: Vec<String>,
}
impl Conn {
    pub fn new(path: &str) -> Self {
        Conn {
            path: path.into(),
            ..Conn::default()
        }
    }
    pub fn ok(mut self, body: impl Into<String>) -> Self {
        self.status = Some(200);
        self.body = Some(body.into());
        self.halted = true;
        self
    }
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }
    pub fn is_halted(&self) -> bool {
        self.halted
    }
}

/// trillium's `Info` (server information handed to `init`), stubbed.
#[derive(Debug, Default)]
pub struct Info {
    pub server_description: String,
    pub initialized: Vec<String>,
}

/// trillium's `Upgrade` (an upgraded connection), stubbed.
#[derive(Debug)]
pub struct Upgrade {
    pub protocol: String,
}

/// trillium's `Status`, stubbed.
#[derive(Debug, Clone, Copy)]
pub struct Status(pub u16);

// trillium-rs/trillium, `trillium/src/handler.rs` (1.3.0).
#[hybrid_dispatch::dyn_twin(DynHandler, send = SendDynHandler)]
pub trait Handler: Send + Sync + 'static {
    fn run(&self, conn: Conn) -> impl Future<Output = Conn> + Send {
        async { conn }
    }

    fn init(&mut self, info: &mut Info) -> impl Future<Output = ()> + Send {
        let _ = info;
        std::future::ready(())
    }

    fn before_send(&self, conn: Conn) -> impl Future<Output = Conn> + Send {
        std::future::ready(conn)
    }

    fn has_upgrade(&self, upgrade: &Upgrade) -> bool {
        let _ = upgrade;
        false
    }

    fn upgrade(&self, upgrade: Upgrade) -> impl Future<Output = ()> + Send {
        let _ = upgrade;
        async { unimplemented!("if has_upgrade returns true, you must also implement upgrade") }
    }

    fn name(&self) -> Cow<'static, str> {
        std::any::type_name::<Self>().into()
    }
}

// The project's impls (`handler.rs`), unchanged.
impl Handler for Status {
    fn run(&self, conn: Conn) -> impl Future<Output = Conn> {
        std::future::ready(conn.with_status(self.0))
    }
}

impl Handler for String {
    fn run(&self, conn: Conn) -> impl Future<Output = Conn> {
        std::future::ready(conn.ok(self.clone()))
    }

    fn name(&self) -> Cow<'static, str> {
        format!("conn.ok({self:?})").into()
    }
}

impl Handler for &'static str {
    fn run(&self, conn: Conn) -> impl Future<Output = Conn> {
        std::future::ready(conn.ok(*self))
    }

    fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed(self)
    }
}

impl<H: Handler> Handler for Vec<H> {
    async fn run(&self, mut conn: Conn) -> Conn {
        for handler in self {
            conn = handler.run(conn).await;
            if conn.is_halted() {
                break;
            }
        }
        conn
    }

    async fn init(&mut self, info: &mut Info) {
        for handler in self {
            handler.init(info).await;
        }
    }

    async fn before_send(&self, mut conn: Conn) -> Conn {
        for handler in self.iter().rev() {
            conn = handler.before_send(conn).await;
        }
        conn
    }

    fn name(&self) -> Cow<'static, str> {
        self.iter()
            .map(Handler::name)
            .collect::<Vec<_>>()
            .join(",")
            .into()
    }

    fn has_upgrade(&self, upgrade: &Upgrade) -> bool {
        self.iter().any(|g| g.has_upgrade(upgrade))
    }

    async fn upgrade(&self, upgrade: Upgrade) {
        if let Some(handler) = self.iter().find(|g| g.has_upgrade(&upgrade)) {
            handler.upgrade(upgrade).await;
        }
    }
}

impl<Fun, Fut> Handler for Fun
where
    Fun: Fn(Conn) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Conn> + Send + 'static,
{
    async fn run(&self, conn: Conn) -> Conn {
        (self)(conn).await
    }
}

/// A handler as trillium's users write one: `async fn`s, overriding most defaults.
#[derive(Debug, Default)]
pub struct Greeter {
    pub prefix: String,
    pub sent: AtomicUsize,
    pub upgrades: AtomicUsize,
}

impl Handler for Greeter {
    async fn run(&self, conn: Conn) -> Conn {
        if conn.path.starts_with("/hello/") {
            let name = conn.path["/hello/".len()..].to_string();
            conn.ok(format!("{}{name}", self.prefix))
        } else {
            conn
        }
    }

    async fn init(&mut self, info: &mut Info) {
        self.prefix = format!("[{}] hello, ", info.server_description);
        info.initialized.push("greeter".into());
    }

    async fn before_send(&self, mut conn: Conn) -> Conn {
        self.sent.fetch_add(1, Ordering::SeqCst);
        conn.sent_by.push("greeter".into());
        conn
    }

    fn has_upgrade(&self, upgrade: &Upgrade) -> bool {
        upgrade.protocol == "websocket"
    }

    async fn upgrade(&self, upgrade: Upgrade) {
        assert_eq!(upgrade.protocol, "websocket");
        self.upgrades.fetch_add(1, Ordering::SeqCst);
    }
}

pub async fn run() {
    let mut info = Info {
        server_description: "test".into(),
        initialized: Vec::new(),
    };

    // A handler list as trillium's server holds one, but of twin objects.
    let mut handlers: Vec<Box<dyn SendDynHandler>> = vec![
        Box::new(Greeter::default()),
        Box::new(Status(404)),
        Box::new("fallback"),
        Box::new(|conn: Conn| async move { conn.ok("from a closure") }),
        Box::new(vec![String::from("a"), String::from("b")]),
    ];

    // `init(&mut self, &mut Info)`: through the bridge, then through the twin.
    for handler in handlers.iter_mut() {
        handler.init(&mut info).await;
    }
    assert_eq!(info.initialized, ["greeter"]);
    handlers[0].init_send(&mut info).await;
    assert_eq!(info.initialized, ["greeter", "greeter"]);

    // `run` through the bridge on each object: the greeter answers `/hello/..`.
    let conn = handlers[0].run(Conn::new("/hello/ann")).await;
    assert_eq!(conn.body.as_deref(), Some("[test] hello, ann"));
    let conn = handlers[0].before_send_send(conn).await;
    assert_eq!(conn.sent_by, ["greeter"]);

    // The other impls: an impl without `+ Send` in its signature, the `&'static str`, the
    // closure and the `Vec<String>`, through the twin.
    let conn = handlers[1].run_send(Conn::new("/missing")).await;
    assert_eq!(conn.status, Some(404));
    assert!(!conn.is_halted());
    let conn = handlers[2].run_send(Conn::new("/")).await;
    assert_eq!(conn.body.as_deref(), Some("fallback"));
    let conn = handlers[3].run_send(Conn::new("/")).await;
    assert_eq!(conn.body.as_deref(), Some("from a closure"));
    let conn = handlers[4].run(Conn::new("/")).await;
    assert_eq!(conn.body.as_deref(), Some("a"));

    // Defaults through the twin: `before_send` returns `ready(conn)`.
    let conn = handlers[2].before_send_send(Conn::new("/x")).await;
    assert_eq!(conn, Conn::new("/x"));

    // The sync methods: the default `name` names the implementing type, not the object.
    assert!(
        handlers[0].name().ends_with("Greeter"),
        "{}",
        handlers[0].name()
    );
    assert_eq!(handlers[2].name_dyn(), "fallback");
    assert_eq!(handlers[4].name(), "conn.ok(\"a\"),conn.ok(\"b\")");

    // The upgrade path: the first handler that wants it gets it.
    let upgrade = Upgrade {
        protocol: "websocket".into(),
    };
    let chosen = handlers
        .iter()
        .position(|h| h.has_upgrade(&upgrade))
        .unwrap();
    assert_eq!(chosen, 0);
    handlers[chosen].upgrade(upgrade).await;
    handlers[chosen]
        .upgrade_send(Upgrade {
            protocol: "websocket".into(),
        })
        .await;

    // Shared into a task.
    let shared: Arc<dyn SendDynHandler> = Arc::new(Greeter {
        prefix: "hi ".into(),
        ..Greeter::default()
    });
    let conn = tokio::spawn(async move { shared.run(Conn::new("/hello/bo")).await })
        .await
        .unwrap();
    assert_eq!(conn.body.as_deref(), Some("hi bo"));
}
