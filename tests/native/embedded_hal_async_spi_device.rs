//! `SpiDevice<Word>`: rust-embedded/embedded-hal, `embedded-hal-async/src/spi.rs`
//! (embedded-hal-async 1.0.0; read at cb1f73e4, 2025-12).
//! Used through `dyn`: no, drivers hold it generically (`SPI: SpiDevice`); a board with
//! several chips behind different bus-sharing schemes (`embedded-hal-bus`' mutex and
//! critical-section devices) would hold `&mut dyn DynSpiDevice<u8, Error = E>`.
//! Shape: native `async fn`, not `Send` (local twin only); a trait type parameter with a
//! default and bounds (`Word: Copy + 'static = u8`); a supertrait with an associated type of
//! its own (`ErrorType { type Error }`, from embedded-hal) that the methods name; an argument
//! `&mut [Operation<'_, Word>]` (a lifetime in a generic inside a borrowed slice); default
//! bodies that build a temporary `&mut [Operation::Read(buf)]` and await the required
//! method; `#[inline]` on the defaults; a forwarding `impl .. for &mut T` beside the trait.

use core::fmt::Debug;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Overrun,
    ChipSelectFault,
    Other,
}

// rust-embedded/embedded-hal, `embedded-hal/src/spi.rs` (re-exported by embedded-hal-async).
pub trait Error: Debug {
    fn kind(&self) -> ErrorKind;
}
impl Error for core::convert::Infallible {
    #[inline]
    fn kind(&self) -> ErrorKind {
        match *self {}
    }
}
impl Error for ErrorKind {
    fn kind(&self) -> ErrorKind {
        *self
    }
}
pub trait ErrorType {
    type Error: Error;
}
impl<T: ErrorType + ?Sized> ErrorType for &mut T {
    type Error = T::Error;
}
#[derive(Debug, PartialEq, Eq)]
pub enum Operation<'a, Word: 'static> {
    Read(&'a mut [Word]),
    Write(&'a [Word]),
    Transfer(&'a mut [Word], &'a [Word]),
    TransferInPlace(&'a mut [Word]),
    DelayNs(u32),
}

// rust-embedded/embedded-hal, `embedded-hal-async/src/spi.rs`.
#[hybrid_dispatch::dyn_twin(DynSpiDevice)]
pub trait SpiDevice<Word: Copy + 'static = u8>: ErrorType {
    async fn transaction(
        &mut self,
        operations: &mut [Operation<'_, Word>],
    ) -> Result<(), Self::Error>;

    #[inline]
    async fn read(&mut self, buf: &mut [Word]) -> Result<(), Self::Error> {
        self.transaction(&mut [Operation::Read(buf)]).await
    }

    #[inline]
    async fn write(&mut self, buf: &[Word]) -> Result<(), Self::Error> {
        self.transaction(&mut [Operation::Write(buf)]).await
    }

    #[inline]
    async fn transfer(&mut self, read: &mut [Word], write: &[Word]) -> Result<(), Self::Error> {
        self.transaction(&mut [Operation::Transfer(read, write)])
            .await
    }

    #[inline]
    async fn transfer_in_place(&mut self, buf: &mut [Word]) -> Result<(), Self::Error> {
        self.transaction(&mut [Operation::TransferInPlace(buf)])
            .await
    }
}

impl<Word: Copy + 'static, T: SpiDevice<Word> + ?Sized> SpiDevice<Word> for &mut T {
    #[inline]
    async fn transaction(
        &mut self,
        operations: &mut [Operation<'_, Word>],
    ) -> Result<(), Self::Error> {
        T::transaction(self, operations).await
    }

    #[inline]
    async fn read(&mut self, buf: &mut [Word]) -> Result<(), Self::Error> {
        T::read(self, buf).await
    }

    #[inline]
    async fn write(&mut self, buf: &[Word]) -> Result<(), Self::Error> {
        T::write(self, buf).await
    }

    #[inline]
    async fn transfer(&mut self, read: &mut [Word], write: &[Word]) -> Result<(), Self::Error> {
        T::transfer(self, read, write).await
    }

    #[inline]
    async fn transfer_in_place(&mut self, buf: &mut [Word]) -> Result<(), Self::Error> {
        T::transfer_in_place(self, buf).await
    }
}

/// A loopback device as a HAL test double is: MISO echoes MOSI, plus one, and it records
/// what was written. `Rc`: not `Send`, as single-core peripherals often are not.
#[derive(Default)]
pub struct Loopback {
    pub written: std::rc::Rc<std::cell::RefCell<Vec<u8>>>,
    pub fail: bool,
}
impl ErrorType for Loopback {
    type Error = ErrorKind;
}
impl SpiDevice for Loopback {
    async fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), ErrorKind> {
        if self.fail {
            return Err(ErrorKind::ChipSelectFault);
        }
        tokio::task::yield_now().await;
        for op in operations {
            match op {
                Operation::Read(buf) => buf.fill(0xAA),
                Operation::Write(buf) => self.written.borrow_mut().extend_from_slice(buf),
                Operation::Transfer(read, write) => {
                    self.written.borrow_mut().extend_from_slice(write);
                    for (r, w) in read.iter_mut().zip(write.iter()) {
                        *r = w.wrapping_add(1);
                    }
                }
                Operation::TransferInPlace(buf) => {
                    for b in buf.iter_mut() {
                        *b = b.wrapping_add(1);
                    }
                }
                Operation::DelayNs(_) => {}
            }
        }
        Ok(())
    }
}

pub async fn run() {
    let mut device = Loopback::default();
    let written = std::rc::Rc::clone(&device.written);
    {
        let spi: &mut dyn DynSpiDevice<Error = ErrorKind> = &mut device;
        let mut buf = [0u8; 2];
        spi.read(&mut buf).await.unwrap();
        assert_eq!(buf, [0xAA, 0xAA]);
        spi.write_dyn(&[1, 2, 3]).await.unwrap();
        let mut read = [0u8; 2];
        spi.transfer(&mut read, &[9, 10]).await.unwrap();
        assert_eq!(read, [10, 11]);
        let mut ops = [Operation::DelayNs(10), Operation::TransferInPlace(&mut buf)];
        let fut = spi.transaction_dyn(&mut ops);
        assert!(!fut.is_heap());
        fut.await.unwrap();
        assert_eq!(buf, [0xAB, 0xAB]);
    }
    assert_eq!(*written.borrow(), [1, 2, 3, 9, 10]);

    let mut failing: Box<dyn DynSpiDevice<u8, Error = ErrorKind>> = Box::new(Loopback {
        fail: true,
        ..Loopback::default()
    });
    assert_eq!(
        failing.transfer_in_place_dyn(&mut [0]).await,
        Err(ErrorKind::ChipSelectFault)
    );
}
