//! `CallHookHandler`: bytecodealliance/wasmtime, `crates/wasmtime/src/runtime/store/async_.rs`.
//! Used through `dyn`: yes, `Box<dyn CallHookHandler<T> + Send + Sync>` in the store.
//! Shape: a trait type parameter `T`; `Send` supertrait; a by-value argument with an elided
//! lifetime (`StoreContextMut<'_, T>`).

pub type Result<T, E = String> = std::result::Result<T, E>;
pub struct StoreContextMut<'a, T>(pub &'a mut T);
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CallHook {
    CallingWasm,
    ReturningFromWasm,
}

pub struct CountCalls;

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // bytecodealliance/wasmtime, `crates/wasmtime/src/runtime/store/async_.rs`.
    #[async_trait::async_trait]
    pub trait CallHookHandler<T>: Send {
        async fn handle_call_event(&self, t: StoreContextMut<'_, T>, ch: CallHook) -> Result<()>;
    }

    #[async_trait::async_trait]
    impl CallHookHandler<u32> for CountCalls {
        async fn handle_call_event(&self, t: StoreContextMut<'_, u32>, ch: CallHook) -> Result<()> {
            if ch == CallHook::CallingWasm {
                *t.0 += 1;
            }
            Ok(())
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // bytecodealliance/wasmtime, `crates/wasmtime/src/runtime/store/async_.rs`.
    #[hybrid_dispatch::dyn_twin(DynCallHookHandler, send = SendDynCallHookHandler)]
    pub trait CallHookHandler<T>: Send {
        async fn handle_call_event(&self, t: StoreContextMut<'_, T>, ch: CallHook) -> Result<()>;
    }

    impl CallHookHandler<u32> for CountCalls {
        async fn handle_call_event(&self, t: StoreContextMut<'_, u32>, ch: CallHook) -> Result<()> {
            if ch == CallHook::CallingWasm {
                *t.0 += 1;
            }
            Ok(())
        }
    }

    pub async fn run() {
        let hook: Box<dyn SendDynCallHookHandler<u32>> = Box::new(CountCalls);
        let mut calls = 0u32;
        hook.handle_call_event(StoreContextMut(&mut calls), CallHook::CallingWasm)
            .await
            .unwrap();
        hook.handle_call_event_send(StoreContextMut(&mut calls), CallHook::CallingWasm)
            .await
            .unwrap();
        assert_eq!(calls, 2);
    }
}
