//! `DelayNs`: rust-embedded/embedded-hal, `embedded-hal-async/src/delay.rs`
//! (embedded-hal-async 1.0.0; read at cb1f73e4, 2025-12).
//! Used through `dyn`: no, drivers hold it generically (`D: DelayNs`); a board support
//! crate with several timers, or a driver registry, would hold `&mut dyn DynDelayNs`.
//! Shape: native `async fn`, futures not `Send` (embedded executors), so the local twin only;
//! every async method takes `&mut self`; `mut us` / `mut ms` patterns in default bodies,
//! `#[inline]` on a default async method; the crate ships a forwarding
//! `impl<T: DelayNs + ?Sized> DelayNs for &mut T` beside the trait.

use std::cell::Cell;

// rust-embedded/embedded-hal, `embedded-hal-async/src/delay.rs`.
#[hybrid_dispatch::dyn_twin(DynDelayNs)]
pub trait DelayNs {
    async fn delay_ns(&mut self, ns: u32);

    async fn delay_us(&mut self, mut us: u32) {
        while us > 4_294_967 {
            us -= 4_294_967;
            self.delay_ns(4_294_967_000).await;
        }
        self.delay_ns(us * 1_000).await;
    }

    #[inline]
    async fn delay_ms(&mut self, mut ms: u32) {
        while ms > 4294 {
            ms -= 4294;
            self.delay_ns(4_294_000_000).await;
        }
        self.delay_ns(ms * 1_000_000).await;
    }
}

impl<T> DelayNs for &mut T
where
    T: DelayNs + ?Sized,
{
    #[inline]
    async fn delay_ns(&mut self, ns: u32) {
        T::delay_ns(self, ns).await;
    }

    #[inline]
    async fn delay_us(&mut self, us: u32) {
        T::delay_us(self, us).await;
    }

    #[inline]
    async fn delay_ms(&mut self, ms: u32) {
        T::delay_ms(self, ms).await;
    }
}

/// A timer as a HAL writes one: it records the nanoseconds it was asked to wait, and
/// yields once per call (a real timer awaits an interrupt). `Cell`: not `Sync`, as
/// peripherals often are not.
#[derive(Default)]
pub struct MockTimer {
    pub total_ns: Cell<u64>,
    pub calls: u32,
}

impl DelayNs for MockTimer {
    async fn delay_ns(&mut self, ns: u32) {
        self.calls += 1;
        self.total_ns.set(self.total_ns.get() + u64::from(ns));
        tokio::task::yield_now().await;
    }
}

/// A driver written against the trait, generic as embedded drivers are.
async fn reset_pulse<D: DelayNs + ?Sized>(delay: &mut D) {
    delay.delay_us(10).await;
    delay.delay_ms(1).await;
}

pub async fn run() {
    let mut timer = MockTimer::default();
    {
        let delay: &mut dyn DynDelayNs = &mut timer;
        // The twin's own method, inline handle.
        let fut = delay.delay_ns_dyn(500);
        assert!(!fut.is_heap());
        fut.await;
        // The bridge: the trait's own methods on the object, defaults included.
        delay.delay_us(2).await;
        delay.delay_ms(4295).await; // one loop round in the default body
        // Generic code takes the object through the bridge.
        reset_pulse(delay).await;
    }
    assert_eq!(
        timer.total_ns.get(),
        500 + 2_000 + 4_294_000_000 + 1_000_000 + 10_000 + 1_000_000
    );
    assert_eq!(timer.calls, 6);

    // `Box<dyn DynDelayNs>`; and the crate's `&mut T` forwarding impl turns a borrowed
    // timer into a twin too.
    let mut boxed: Box<dyn DynDelayNs> = Box::new(MockTimer::default());
    boxed.delay_ms_dyn(3).await;
    boxed.delay_ns(7).await;
    let mut inner = MockTimer::default();
    {
        let mut by_ref: Box<dyn DynDelayNs + '_> = Box::new(&mut inner);
        by_ref.delay_us_dyn(1).await;
    }
    assert_eq!(inner.total_ns.get(), 1_000);
}
