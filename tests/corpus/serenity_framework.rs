//! `Framework`: serenity-rs/serenity, `src/framework/mod.rs`.
//! Used through `dyn`: yes, `Option<Arc<dyn Framework>>` in the dispatcher (and `Box<F>` / `&mut F`
//! forwarding impls for `F: Framework + ?Sized`).
//! Shape: `&mut self` default async body with a borrowed argument; `&self` required method.

use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Default)]
pub struct Context {
    pub log: Arc<Mutex<Vec<String>>>,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GuildId(pub u64);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChannelId(pub u64);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageId(pub u64);
#[derive(Debug, Clone, Default)]
pub struct Message {
    pub content: String,
}
#[derive(Debug, Clone, Default)]
pub struct Ready;
#[derive(Debug, Clone, Default)]
pub struct Guild;
#[derive(Debug, Clone, Default)]
pub struct Reaction;
#[derive(Debug, Clone, Default)]
pub struct Interaction;
#[derive(Debug, Clone, Default)]
pub struct ShardStageUpdateEvent;
#[derive(Debug, Clone, Default)]
pub struct RatelimitInfo;

#[derive(Debug, Default)]
pub struct Client;
#[derive(Debug, Clone)]
pub enum FullEvent {
    Message { new_message: Message },
}
#[derive(Default)]
pub struct Commands {
    pub initialised: bool,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // serenity-rs/serenity, `src/framework/mod.rs`.
    #[async_trait::async_trait]
    pub trait Framework: Send + Sync {
        async fn init(&mut self, client: &Client) {
            let _: &Client = client;
        }
        async fn dispatch(&self, ctx: Context, event: FullEvent);
    }

    #[async_trait::async_trait]
    impl Framework for Commands {
        async fn init(&mut self, client: &Client) {
            self.initialised = true;
        }
        async fn dispatch(&self, ctx: Context, event: FullEvent) {
            let FullEvent::Message { new_message } = event;
            ctx.log.lock().unwrap().push(new_message.content);
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // serenity-rs/serenity, `src/framework/mod.rs`.
    #[hybrid_dispatch::dyn_twin(DynFramework, send = SendDynFramework)]
    pub trait Framework: Send + Sync {
        async fn init(&mut self, client: &Client) {
            let _: &Client = client;
        }
        async fn dispatch(&self, ctx: Context, event: FullEvent);
    }

    impl Framework for Commands {
        async fn init(&mut self, client: &Client) {
            self.initialised = true;
        }
        async fn dispatch(&self, ctx: Context, event: FullEvent) {
            let FullEvent::Message { new_message } = event;
            ctx.log.lock().unwrap().push(new_message.content);
        }
    }

    pub async fn run() {
        let mut framework: Box<dyn SendDynFramework> = Box::new(Commands::default());
        framework.init(&Client).await;
        let ctx = Context::default();
        framework
            .dispatch_send(
                ctx.clone(),
                FullEvent::Message {
                    new_message: Message {
                        content: "!help".into(),
                    },
                },
            )
            .await;
        assert_eq!(*ctx.log.lock().unwrap(), vec!["!help".to_string()]);
    }
}
