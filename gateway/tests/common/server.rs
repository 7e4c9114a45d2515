//! The gateway on an ephemeral loopback port, for the tests that include
//! this file with `#[path]`: the same app and `serve` as the binary.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of this module"
)]

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use http_gateway::{Config, Gateway, Served};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// A gateway serving on `127.0.0.1:0`.
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    pub(crate) gateway: Gateway,
    stop: mpsc::Sender<()>,
    task: JoinHandle<io::Result<Served>>,
}

impl Server {
    pub(crate) async fn start(config: Config) -> Server {
        let (router, gateway) = http_gateway::app(config);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        let (stop, stops) = mpsc::channel(2);
        let task = tokio::spawn(http_gateway::serve(
            listener,
            router,
            gateway.clone(),
            stops,
        ));
        Server {
            addr,
            gateway,
            stop,
            task,
        }
    }

    /// Signals shutdown and waits for the server to stop on its own.
    pub(crate) async fn stop(self) -> Served {
        let _ = self.stop.send(()).await;
        let stopped = tokio::time::timeout(Duration::from_secs(10), self.task).await;
        stopped
            .expect("the server stops within 10 s of the signal")
            .expect("the server task did not panic")
            .expect("the server returns Ok")
    }
}
