//! The outside world of sync: the server (a [`Transport`]) and the time
//! (a [`Clock`]). The engine knows them only through these traits, so tests
//! bring fakes and the app brings [`HttpTransport`] and [`SystemClock`].

use std::future::Future;
use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use steward_domain::ids::DeviceId;
use steward_protocol::{AttachmentStatus, ErrorBody, PullResponse, PushRequest, PushResponse};

/// Where the wall-clock time comes from.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The device's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// Who the device signs in as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Credentials {
    pub username: String,
    pub password: String,
    pub device_id: Option<DeviceId>,
}

/// Why an exchange with the server failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// No answer: refused, reset, timed out, cut mid-body. Retried.
    #[error("network: {0}")]
    Network(String),
    /// The token is missing, expired or revoked: sign in again.
    #[error("unauthorized: {}", .0.message)]
    Unauthorized(ErrorBody),
    /// The server answered with an error status.
    #[error("server answered {status}: {} ({})", body.message, body.code)]
    Server { status: u16, body: ErrorBody },
    /// An answer that is not what the protocol says.
    #[error("unreadable answer: {0}")]
    Decode(String),
    /// The TLS handshake with the central failed, most often because its
    /// certificate is not one the device trusts. Retried like the network.
    #[error("TLS: {0}")]
    Tls(String),
}

impl TransportError {
    /// The `{code, message}` form the UI shows.
    pub fn body(&self) -> ErrorBody {
        match self {
            TransportError::Network(m) => ErrorBody::new("offline", m.clone()),
            TransportError::Unauthorized(b) | TransportError::Server { body: b, .. } => b.clone(),
            TransportError::Decode(m) => ErrorBody::new("bad_answer", m.clone()),
            TransportError::Tls(m) => ErrorBody::new("tls", m.clone()),
        }
    }
}

/// The central server as sync sees it.
pub trait Transport: Send + Sync + 'static {
    /// Signs in and returns a bearer token.
    fn login(&self, credentials: &Credentials) -> impl Future<Output = Result<String, TransportError>> + Send;

    fn push(
        &self,
        token: &str,
        request: &PushRequest,
    ) -> impl Future<Output = Result<PushResponse, TransportError>> + Send;

    fn pull(
        &self,
        token: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> impl Future<Output = Result<PullResponse, TransportError>> + Send;

    /// How many bytes of attachment `sha256` the server holds, and whether
    /// whole; `None` when it holds nothing.
    fn attachment_offset(
        &self,
        token: &str,
        sha256: &str,
    ) -> impl Future<Output = Result<Option<(u64, bool)>, TransportError>> + Send;

    /// Sends the piece of attachment `sha256` (`total` bytes long) that
    /// starts at `offset`.
    fn put_attachment(
        &self,
        token: &str,
        piece: AttachmentPiece,
    ) -> impl Future<Output = Result<AttachmentStatus, TransportError>> + Send;
}

/// One piece of an attachment upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentPiece {
    pub sha256: String,
    pub content_type: String,
    pub offset: u64,
    pub total: u64,
    pub bytes: Vec<u8>,
}

/// The server over HTTP or HTTPS with `reqwest` and rustls. An `https`
/// central is checked against the platform's trusted roots, plus any the
/// transport was given ([`HttpTransport::with_trusted_pem`]).
#[derive(Debug, Clone)]
pub struct HttpTransport {
    base: String,
    client: reqwest::Client,
}

#[derive(Deserialize)]
struct LoginAnswer {
    token: String,
}

impl HttpTransport {
    /// A transport to the server at `base` (e.g. `http://127.0.0.1:8080`);
    /// each request gives up after `timeout`, so a stalled connection fails
    /// the round instead of hanging it.
    pub fn new(base: impl Into<String>, timeout: Duration) -> Result<Self, TransportError> {
        Self::build(base.into(), timeout, Vec::new())
    }

    /// [`HttpTransport::new`] that also trusts the certificates in `pem`
    /// (one or more PEM blocks), e.g. the CA of a central that does not use
    /// a public one.
    pub fn with_trusted_pem(base: impl Into<String>, timeout: Duration, pem: &[u8]) -> Result<Self, TransportError> {
        let roots = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| TransportError::Tls(format!("the trusted certificates do not read as PEM: {e}")))?;
        if roots.is_empty() {
            return Err(TransportError::Tls("no certificate in the trusted PEM".into()));
        }
        Self::build(base.into(), timeout, roots)
    }

    fn build(base: String, timeout: Duration, roots: Vec<reqwest::Certificate>) -> Result<Self, TransportError> {
        let mut builder = reqwest::Client::builder().timeout(timeout).connect_timeout(timeout);
        if !roots.is_empty() {
            builder = builder.tls_certs_merge(roots);
        }
        let client = builder.build().map_err(|e| TransportError::Network(chain(&e)))?;
        Ok(HttpTransport { base: base.trim_end_matches('/').to_owned(), client })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A `GET` of `path` (e.g. `/api/v1/me`) with the token, its JSON
    /// answer read as `T`; the same client, trust and errors as the sync's
    /// own calls.
    pub async fn get_json<T: serde::de::DeserializeOwned>(&self, token: &str, path: &str) -> Result<T, TransportError> {
        let res = self.client.get(self.url(path)).bearer_auth(token).send().await.map_err(network)?;
        Self::answer(res).await
    }

    /// A `GET` of `path` with the token, its body as bytes (e.g. a photo);
    /// an answer other than success is an error as in [`Self::get_json`].
    pub async fn get_bytes(&self, token: &str, path: &str) -> Result<Vec<u8>, TransportError> {
        let res = self.client.get(self.url(path)).bearer_auth(token).send().await.map_err(network)?;
        Ok(Self::body(res).await?.to_vec())
    }

    async fn answer<T: serde::de::DeserializeOwned>(res: reqwest::Response) -> Result<T, TransportError> {
        let bytes = Self::body(res).await?;
        serde_json::from_slice(&bytes).map_err(|e| TransportError::Decode(e.to_string()))
    }

    /// The body of a successful answer; any other answer as its error (the
    /// central's `{code, message}` when it sent one).
    async fn body(res: reqwest::Response) -> Result<bytes::Bytes, TransportError> {
        let status = res.status();
        let bytes = res.bytes().await.map_err(|e| TransportError::Network(format!("reading the answer: {e}")))?;
        if status.is_success() {
            return Ok(bytes);
        }
        let body = serde_json::from_slice::<ErrorBody>(&bytes)
            .unwrap_or_else(|_| ErrorBody::new("http", format!("HTTP {}", status.as_u16())));
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Err(TransportError::Unauthorized(body));
        }
        Err(TransportError::Server { status: status.as_u16(), body })
    }
}

/// A failed exchange: a TLS failure when rustls is somewhere in the
/// error's chain, the network otherwise; the message is the whole chain.
fn network(e: reqwest::Error) -> TransportError {
    let message = chain(&e);
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(err) = source {
        // An I/O error hides the error it carries from `source()` (rustls's
        // comes inside two of them).
        let mut carried: &(dyn std::error::Error + 'static) = err;
        while let Some(inner) = carried.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            carried = inner;
        }
        if let Some(tls) = carried.downcast_ref::<rustls::Error>() {
            let why = match tls {
                rustls::Error::InvalidCertificate(_) => "the central's certificate is not trusted",
                _ => "the TLS handshake with the central failed",
            };
            return TransportError::Tls(format!("{why}: {tls} ({message})"));
        }
        source = err.source();
    }
    TransportError::Network(message)
}

/// An error and its sources, joined by ": ".
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

impl Transport for HttpTransport {
    async fn login(&self, credentials: &Credentials) -> Result<String, TransportError> {
        let res = self.client.post(self.url("/api/v1/auth/login")).json(credentials).send().await.map_err(network)?;
        Ok(Self::answer::<LoginAnswer>(res).await?.token)
    }

    async fn push(&self, token: &str, request: &PushRequest) -> Result<PushResponse, TransportError> {
        let res = self
            .client
            .post(self.url("/api/v1/sync/push"))
            .bearer_auth(token)
            .json(request)
            .send()
            .await
            .map_err(network)?;
        Self::answer(res).await
    }

    async fn pull(&self, token: &str, cursor: Option<&str>, limit: u32) -> Result<PullResponse, TransportError> {
        let mut path = format!("/api/v1/sync/pull?limit={limit}");
        if let Some(c) = cursor {
            path.push_str("&cursor=");
            path.push_str(&percent_encode(c));
        }
        let res = self.client.get(self.url(&path)).bearer_auth(token).send().await.map_err(network)?;
        Self::answer(res).await
    }

    async fn attachment_offset(&self, token: &str, sha256: &str) -> Result<Option<(u64, bool)>, TransportError> {
        let url = self.url(&format!("/api/v1/attachments/{sha256}"));
        let res = self.client.head(url).bearer_auth(token).send().await.map_err(network)?;
        match res.status() {
            reqwest::StatusCode::NOT_FOUND => Ok(None),
            reqwest::StatusCode::OK => {
                let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
                let offset = header("upload-offset")
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| TransportError::Decode("no Upload-Offset".into()))?;
                Ok(Some((offset, header("upload-complete").as_deref() == Some("true"))))
            }
            reqwest::StatusCode::UNAUTHORIZED => {
                Err(TransportError::Unauthorized(ErrorBody::new("unauthorized", "sign in again")))
            }
            other => Err(TransportError::Server {
                status: other.as_u16(),
                body: ErrorBody::new("http", format!("HTTP {}", other.as_u16())),
            }),
        }
    }

    async fn put_attachment(&self, token: &str, piece: AttachmentPiece) -> Result<AttachmentStatus, TransportError> {
        let end = piece.offset + (piece.bytes.len() as u64).max(1) - 1;
        let res = self
            .client
            .put(self.url(&format!("/api/v1/attachments/{}", piece.sha256)))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, piece.content_type)
            .header(reqwest::header::CONTENT_RANGE, format!("bytes {}-{end}/{}", piece.offset, piece.total))
            .body(piece.bytes)
            .send()
            .await
            .map_err(network)?;
        Self::answer(res).await
    }
}

/// Percent-encodes a query value; the server's cursors are digits, but the
/// device treats them as opaque.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_values_are_encoded() {
        assert_eq!(super::percent_encode("123"), "123");
        assert_eq!(super::percent_encode("a b&c"), "a%20b%26c");
    }
}
