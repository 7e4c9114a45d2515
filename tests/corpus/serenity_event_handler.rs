//! `EventHandler`: serenity-rs/serenity, `src/client/event_handler.rs`.
//! Used through `dyn`: yes, `Vec<Arc<dyn EventHandler>>` in the dispatcher.
//! Shape: `Send + Sync`; every method has a default body that ignores its arguments with
//! `drop((ctx, ..))` (the form serenity's `event_handler!` macro expands to); owned arguments.
//! Excerpt: 10 of the trait's ~75 methods, chosen to cover its argument shapes (no argument but
//! `ctx`, several, `Option<..>`, `Vec<..>`, and `ratelimit` without `ctx`).
#![allow(
    unused_parens,
    clippy::double_parens,
    reason = "`drop((data))`: the single-argument expansion of serenity's macro"
)]
#![allow(
    clippy::drop_non_drop,
    reason = "serenity's default bodies drop their arguments to silence unused warnings"
)]

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

pub struct Handler;

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // serenity-rs/serenity, `src/client/event_handler.rs`.
    #[async_trait::async_trait]
    pub trait EventHandler: Send + Sync {
        async fn cache_ready(&self, ctx: Context, guilds: Vec<GuildId>) {
            // Suppress unused argument warnings
            drop((ctx, guilds))
        }
        async fn guild_create(&self, ctx: Context, guild: Guild, is_new: Option<bool>) {
            drop((ctx, guild, is_new))
        }
        async fn message(&self, ctx: Context, new_message: Message) {
            drop((ctx, new_message))
        }
        async fn message_delete(
            &self,
            ctx: Context,
            channel_id: ChannelId,
            deleted_message_id: MessageId,
            guild_id: Option<GuildId>,
        ) {
            drop((ctx, channel_id, deleted_message_id, guild_id))
        }
        async fn reaction_add(&self, ctx: Context, add_reaction: Reaction) {
            drop((ctx, add_reaction))
        }
        async fn ready(&self, ctx: Context, data_about_bot: Ready) {
            drop((ctx, data_about_bot))
        }
        async fn resume(&self, ctx: Context, event: ()) {
            drop((ctx, event))
        }
        async fn shard_stage_update(&self, ctx: Context, event: ShardStageUpdateEvent) {
            drop((ctx, event))
        }
        async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
            drop((ctx, interaction))
        }
        async fn ratelimit(&self, data: RatelimitInfo) {
            drop((data))
        }
    }

    #[async_trait::async_trait]
    impl EventHandler for Handler {
        async fn message(&self, ctx: Context, new_message: Message) {
            if new_message.content == "!ping" {
                ctx.log.lock().unwrap().push("Pong!".into());
            }
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // serenity-rs/serenity, `src/client/event_handler.rs`.
    #[hybrid_dispatch::dyn_twin(DynEventHandler, send = SendDynEventHandler)]
    pub trait EventHandler: Send + Sync {
        async fn cache_ready(&self, ctx: Context, guilds: Vec<GuildId>) {
            // Suppress unused argument warnings
            drop((ctx, guilds))
        }
        async fn guild_create(&self, ctx: Context, guild: Guild, is_new: Option<bool>) {
            drop((ctx, guild, is_new))
        }
        async fn message(&self, ctx: Context, new_message: Message) {
            drop((ctx, new_message))
        }
        async fn message_delete(
            &self,
            ctx: Context,
            channel_id: ChannelId,
            deleted_message_id: MessageId,
            guild_id: Option<GuildId>,
        ) {
            drop((ctx, channel_id, deleted_message_id, guild_id))
        }
        async fn reaction_add(&self, ctx: Context, add_reaction: Reaction) {
            drop((ctx, add_reaction))
        }
        async fn ready(&self, ctx: Context, data_about_bot: Ready) {
            drop((ctx, data_about_bot))
        }
        async fn resume(&self, ctx: Context, event: ()) {
            drop((ctx, event))
        }
        async fn shard_stage_update(&self, ctx: Context, event: ShardStageUpdateEvent) {
            drop((ctx, event))
        }
        async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
            drop((ctx, interaction))
        }
        async fn ratelimit(&self, data: RatelimitInfo) {
            drop((data))
        }
    }

    impl EventHandler for Handler {
        async fn message(&self, ctx: Context, new_message: Message) {
            if new_message.content == "!ping" {
                ctx.log.lock().unwrap().push("Pong!".into());
            }
        }
    }

    pub async fn run() {
        let handler: Arc<dyn SendDynEventHandler> = Arc::new(Handler);
        let ctx = Context::default();
        handler
            .message(
                ctx.clone(),
                Message {
                    content: "!ping".into(),
                },
            )
            .await;
        handler.ready_send(ctx.clone(), Ready).await;
        assert_eq!(*ctx.log.lock().unwrap(), vec!["Pong!".to_string()]);
    }
}
