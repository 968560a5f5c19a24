//! Reading a request body within the limits: the size cap (`413`, checked
//! against Content-Length first, then while streaming) and the read timeout
//! (`408`). Shared by every POST endpoint.

use crate::Limits;
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, StatusCode};
use http_body_util::{BodyExt, LengthLimitError, Limited};

/// Why a body could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread {
    pub status: StatusCode,
    /// A metrics label: `too_large`, `timeout` or `unreadable`.
    pub reason: &'static str,
    pub message: String,
}

pub async fn read(limits: Limits, headers: &HeaderMap, body: Body) -> Result<Bytes, Unread> {
    let too_large = || Unread {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        reason: "too_large",
        message: format!("request body larger than {} bytes (--max-body)", limits.max_body),
    };
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_body as u64) {
        return Err(too_large());
    }
    match tokio::time::timeout(limits.read_timeout, Limited::new(body, limits.max_body).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Ok(Err(e)) => Err(Unread {
            status: StatusCode::BAD_REQUEST,
            reason: "unreadable",
            message: format!("could not read the request body: {e}"),
        }),
        Err(_) => Err(Unread {
            status: StatusCode::REQUEST_TIMEOUT,
            reason: "timeout",
            message: format!("request body not received within {} s (--read-timeout)", limits.read_timeout.as_secs()),
        }),
    }
}
