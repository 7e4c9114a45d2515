//! `Acceptor`: poem-web/poem, `poem/src/listener/mod.rs` (d67f4bc0^).
//! Used through `dyn`: yes, `BoxAcceptor = Box<dyn Acceptor<Io = BoxIo>>`.
//! Shape: `Send` only (not `Sync`); an associated type with `Send + Unpin + 'static` bounds;
//! `&mut self` async method.

#[derive(Debug, Clone, PartialEq)]
pub struct LocalAddr(pub String);
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteAddr(pub String);
#[derive(Debug, Clone, PartialEq)]
pub enum Scheme {
    Http,
}
pub type IoResult<T> = std::io::Result<T>;
/// Stands in for `AsyncRead + AsyncWrite`.
pub trait AsyncRead {}
pub trait AsyncWrite {}
#[derive(Debug, PartialEq)]
pub struct Conn(pub u32);
impl AsyncRead for Conn {}
impl AsyncWrite for Conn {}

pub struct Fake {
    pub next: u32,
    /// Not `Sync`: acceptors are only `Send`.
    pub marker: std::cell::Cell<()>,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // poem-web/poem, `poem/src/listener/mod.rs` (d67f4bc0^).
    #[async_trait::async_trait]
    pub trait Acceptor: Send {
        type Io: AsyncRead + AsyncWrite + Send + Unpin + 'static;

        fn local_addr(&self) -> Vec<LocalAddr>;

        async fn accept(&mut self) -> IoResult<(Self::Io, LocalAddr, RemoteAddr, Scheme)>;
    }

    #[async_trait::async_trait]
    impl Acceptor for Fake {
        type Io = Conn;

        fn local_addr(&self) -> Vec<LocalAddr> {
            vec![LocalAddr("127.0.0.1:80".into())]
        }

        async fn accept(&mut self) -> IoResult<(Conn, LocalAddr, RemoteAddr, Scheme)> {
            self.next += 1;
            Ok((
                Conn(self.next),
                LocalAddr("l".into()),
                RemoteAddr("r".into()),
                Scheme::Http,
            ))
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // poem-web/poem, `poem/src/listener/mod.rs` (d67f4bc0^).
    #[hybrid_dispatch::dyn_twin(DynAcceptor, send = SendDynAcceptor)]
    pub trait Acceptor: Send {
        type Io: AsyncRead + AsyncWrite + Send + Unpin + 'static;

        fn local_addr(&self) -> Vec<LocalAddr>;

        async fn accept(&mut self) -> IoResult<(Self::Io, LocalAddr, RemoteAddr, Scheme)>;
    }

    impl Acceptor for Fake {
        type Io = Conn;

        fn local_addr(&self) -> Vec<LocalAddr> {
            vec![LocalAddr("127.0.0.1:80".into())]
        }

        async fn accept(&mut self) -> IoResult<(Conn, LocalAddr, RemoteAddr, Scheme)> {
            self.next += 1;
            Ok((
                Conn(self.next),
                LocalAddr("l".into()),
                RemoteAddr("r".into()),
                Scheme::Http,
            ))
        }
    }

    pub async fn run() {
        let mut acceptor: Box<dyn SendDynAcceptor<Io = Conn>> = Box::new(Fake {
            next: 0,
            marker: Default::default(),
        });
        let (io, ..) = acceptor.accept().await.unwrap();
        assert_eq!(io, Conn(1));
    }
}
