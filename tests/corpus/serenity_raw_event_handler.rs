//! `RawEventHandler`: serenity-rs/serenity, `src/client/event_handler.rs`.
//! Used through `dyn`: yes, `Vec<Arc<dyn RawEventHandler>>` in the dispatcher.
//! Shape: `Send + Sync`; one default body with `_`-prefixed arguments.

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

#[derive(Debug, Clone)]
pub struct Event(pub String);
pub struct Raw;

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // serenity-rs/serenity, `src/client/event_handler.rs`.
    #[async_trait::async_trait]
    pub trait RawEventHandler: Send + Sync {
        async fn raw_event(&self, _ctx: Context, _ev: Event) {}
    }

    #[async_trait::async_trait]
    impl RawEventHandler for Raw {
        async fn raw_event(&self, ctx: Context, ev: Event) {
            ctx.log.lock().unwrap().push(ev.0);
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // serenity-rs/serenity, `src/client/event_handler.rs`.
    #[hybrid_dispatch::dyn_twin(DynRawEventHandler, send = SendDynRawEventHandler)]
    pub trait RawEventHandler: Send + Sync {
        async fn raw_event(&self, _ctx: Context, _ev: Event) {}
    }

    impl RawEventHandler for Raw {
        async fn raw_event(&self, ctx: Context, ev: Event) {
            ctx.log.lock().unwrap().push(ev.0);
        }
    }

    pub async fn run() {
        let handler: Arc<dyn SendDynRawEventHandler> = Arc::new(Raw);
        let ctx = Context::default();
        handler
            .raw_event(ctx.clone(), Event("MESSAGE_CREATE".into()))
            .await;
        assert_eq!(ctx.log.lock().unwrap().len(), 1);
    }
}
