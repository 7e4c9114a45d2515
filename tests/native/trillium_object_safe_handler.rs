//! `ObjectSafeHandler`: trillium-rs/trillium, `trillium/src/boxed_handler.rs` (trillium 1.3.0;
//! snapshot 768591a2, 2026-08-21).
//! Used through `dyn`: yes, it is the project's hand-written erasure of `Handler`
//! (`trillium_handler.rs`): `BoxedHandler(Box<dyn ObjectSafeHandler>)`, with a blanket impl
//! for every `H: Handler`.
//! Shape: a private trait; no `async` method: each future is already boxed,
//! `Pin<Box<dyn Future<Output = T> + Send + 'fut>>`, from methods with explicit lifetime
//! parameters bounded in a where clause (`'handler: 'fut, 'info: 'fut, Self: 'fut`); `#[must_use]`
//! on those methods; `Any + Send + Sync + 'static` supertraits; `&mut self`; a
//! `self: Box<Self>` method returning `Box<dyn Any>` and `&self`/`&mut self` ones returning
//! `&dyn Any`. A user keeping such a trait while moving to `#[dyn_twin]` puts the attribute on
//! it as it is.

use std::any::Any;
use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conn {
    pub path: String,
    pub body: Option<String>,
}
#[derive(Debug, Default)]
pub struct Info {
    pub names: Vec<String>,
}
#[derive(Debug)]
pub struct Upgrade {
    pub protocol: String,
}

/// trillium's `Handler` (`trillium_handler.rs`), reduced to what the blanket impl calls.
pub trait Handler: Send + Sync + 'static {
    fn run(&self, conn: Conn) -> impl Future<Output = Conn> + Send;
    fn init(&mut self, info: &mut Info) -> impl Future<Output = ()> + Send {
        let _ = info;
        std::future::ready(())
    }
    fn name(&self) -> Cow<'static, str> {
        std::any::type_name::<Self>().into()
    }
}

/// The trait as the project declares it, and its blanket impl: they compile.
pub mod control {
    use super::*;

    // trillium-rs/trillium, `trillium/src/boxed_handler.rs` (1.3.0).
    trait ObjectSafeHandler: Any + Send + Sync + 'static {
        #[must_use]
        fn run<'handler, 'fut>(
            &'handler self,
            conn: Conn,
        ) -> Pin<Box<dyn Future<Output = Conn> + Send + 'fut>>
        where
            'handler: 'fut,
            Self: 'fut;
        #[must_use]
        fn init<'handler, 'info, 'fut>(
            &'handler mut self,
            info: &'info mut Info,
        ) -> Pin<Box<dyn Future<Output = ()> + Send + 'fut>>
        where
            'handler: 'fut,
            'info: 'fut,
            Self: 'fut;
        fn name(&self) -> Cow<'static, str>;
        fn as_box_any(self: Box<Self>) -> Box<dyn Any>;
        fn as_any(&self) -> &dyn Any;
        fn as_mut_any(&mut self) -> &mut dyn Any;
    }

    impl<H: Handler> ObjectSafeHandler for H {
        fn run<'handler, 'fut>(
            &'handler self,
            conn: Conn,
        ) -> Pin<Box<dyn Future<Output = Conn> + Send + 'fut>>
        where
            'handler: 'fut,
            Self: 'fut,
        {
            Box::pin(async move { Handler::run(self, conn).await })
        }

        fn init<'handler, 'info, 'fut>(
            &'handler mut self,
            info: &'info mut Info,
        ) -> Pin<Box<dyn Future<Output = ()> + Send + 'fut>>
        where
            'handler: 'fut,
            'info: 'fut,
            Self: 'fut,
        {
            Box::pin(async move {
                Handler::init(self, info).await;
            })
        }

        fn name(&self) -> Cow<'static, str> {
            Handler::name(self)
        }

        fn as_box_any(self: Box<Self>) -> Box<dyn Any> {
            self
        }

        fn as_any(&self) -> &dyn Any {
            self
        }

        fn as_mut_any(&mut self) -> &mut dyn Any {
            self
        }
    }
}

/// The same trait under `#[dyn_twin]`, the blanket impl unchanged, and calls through the twin.
pub mod migrated {
    use super::*;

    // trillium-rs/trillium, `trillium/src/boxed_handler.rs` (1.3.0).
    #[hybrid_dispatch::dyn_twin(DynObjectSafeHandler, send = SendDynObjectSafeHandler)]
    trait ObjectSafeHandler: Any + Send + Sync + 'static {
        #[must_use]
        fn run<'handler, 'fut>(
            &'handler self,
            conn: Conn,
        ) -> Pin<Box<dyn Future<Output = Conn> + Send + 'fut>>
        where
            'handler: 'fut,
            Self: 'fut;
        #[must_use]
        fn init<'handler, 'info, 'fut>(
            &'handler mut self,
            info: &'info mut Info,
        ) -> Pin<Box<dyn Future<Output = ()> + Send + 'fut>>
        where
            'handler: 'fut,
            'info: 'fut,
            Self: 'fut;
        fn name(&self) -> Cow<'static, str>;
        fn as_box_any(self: Box<Self>) -> Box<dyn Any>;
        fn as_any(&self) -> &dyn Any;
        fn as_mut_any(&mut self) -> &mut dyn Any;
    }

    impl<H: Handler> ObjectSafeHandler for H {
        fn run<'handler, 'fut>(
            &'handler self,
            conn: Conn,
        ) -> Pin<Box<dyn Future<Output = Conn> + Send + 'fut>>
        where
            'handler: 'fut,
            Self: 'fut,
        {
            Box::pin(async move { Handler::run(self, conn).await })
        }

        fn init<'handler, 'info, 'fut>(
            &'handler mut self,
            info: &'info mut Info,
        ) -> Pin<Box<dyn Future<Output = ()> + Send + 'fut>>
        where
            'handler: 'fut,
            'info: 'fut,
            Self: 'fut,
        {
            Box::pin(async move {
                Handler::init(self, info).await;
            })
        }

        fn name(&self) -> Cow<'static, str> {
            Handler::name(self)
        }

        fn as_box_any(self: Box<Self>) -> Box<dyn Any> {
            self
        }

        fn as_any(&self) -> &dyn Any {
            self
        }

        fn as_mut_any(&mut self) -> &mut dyn Any {
            self
        }
    }

    #[derive(Debug, Default, PartialEq, Eq)]
    pub struct Echo {
        pub inits: usize,
    }
    impl Handler for Echo {
        async fn run(&self, mut conn: Conn) -> Conn {
            conn.body = Some(format!("{} (inits: {})", conn.path, self.inits));
            conn
        }
        async fn init(&mut self, info: &mut Info) {
            self.inits += 1;
            info.names.push(Handler::name(self).into_owned());
        }
    }

    pub async fn run() {
        let mut boxed: Box<dyn SendDynObjectSafeHandler> = Box::new(Echo::default());
        let mut info = Info::default();

        // The bridge (the trait's own boxed methods) and the twin's forwarding `_dyn` methods.
        boxed.init(&mut info).await;
        boxed.init_dyn(&mut info).await;
        assert_eq!(info.names.len(), 2);
        assert!(info.names[0].ends_with("Echo"));
        let conn = boxed
            .run(Conn {
                path: "/a".into(),
                body: None,
            })
            .await;
        assert_eq!(conn.body.as_deref(), Some("/a (inits: 2)"));
        let conn = boxed.run_dyn(Conn::default()).await;
        assert_eq!(conn.body.as_deref(), Some(" (inits: 2)"));
        assert!(boxed.name_dyn().ends_with("Echo"));

        // The `Any` accessors reach the implementor, as `BoxedHandler::downcast` does.
        assert_eq!(
            boxed.as_any().downcast_ref::<Echo>(),
            Some(&Echo { inits: 2 })
        );
        boxed.as_mut_any_dyn().downcast_mut::<Echo>().unwrap().inits = 5;
        let echo = boxed.as_box_any().downcast::<Echo>().unwrap();
        assert_eq!(*echo, Echo { inits: 5 });

        // Shared into a task.
        let shared: Arc<dyn SendDynObjectSafeHandler> = Arc::new(Echo::default());
        let conn = tokio::spawn(async move {
            shared
                .run(Conn {
                    path: "/t".into(),
                    body: None,
                })
                .await
        })
        .await
        .unwrap();
        assert_eq!(conn.body.as_deref(), Some("/t (inits: 0)"));
    }
}
