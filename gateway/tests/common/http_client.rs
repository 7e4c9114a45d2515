//! A minimal HTTP/1 client over one TCP connection (hyper's `conn::http1`),
//! for the gateway's tests and bench, which include this file with
//! `#[path]`: one connection per client, so "32 clients" is exactly 32
//! connections.

#![allow(
    dead_code,
    reason = "each test binary and the bench use a different part of this module"
)]

use std::net::SocketAddr;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{HeaderMap, Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// One HTTP/1 connection: its requests go one after the other.
pub(crate) struct Client {
    sender: SendRequest<Full<Bytes>>,
    host: String,
}

/// A response, read to the end.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    /// The `x-plugin-future` header: where the plugin's future lived.
    pub(crate) future: Option<String>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Client {
    /// Connects to `addr` (`TCP_NODELAY`, as the gateway's side).
    pub(crate) async fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .expect("handshake");
        // Drives the connection; ends when either side closes it.
        tokio::spawn(connection);
        Client {
            sender,
            host: addr.to_string(),
        }
    }

    /// Whether the server closed the connection.
    pub(crate) fn is_closed(&self) -> bool {
        self.sender.is_closed()
    }

    /// Sends a request; the response's body is left to read as it comes
    /// (a stream).
    pub(crate) async fn open(
        &mut self,
        method: Method,
        path: &str,
        body: String,
    ) -> hyper::Response<Incoming> {
        self.sender.ready().await.expect("connection ready");
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.host)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))
            .expect("request");
        self.sender.send_request(request).await.expect("response")
    }

    /// Sends a request and reads the whole response.
    pub(crate) async fn send(&mut self, method: Method, path: &str, body: String) -> Answer {
        let response = self.open(method, path, body).await;
        let status = response.status();
        let headers = response.headers().clone();
        let future = response
            .headers()
            .get("x-plugin-future")
            .map(|v| v.to_str().expect("ASCII header").to_owned());
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Answer {
            status,
            future,
            headers,
            body,
        }
    }
}
