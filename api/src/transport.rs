//! One HTTP exchange, behind a trait: the browser's fetch in the widget ([`Fetch`]), reqwest in
//! the gateway ([`Reqwest`]). The client above it knows MyQ X; a transport knows only HTTP.
//!
//! [`Fetch`]: crate::Fetch
//! [`Reqwest`]: crate::Reqwest

use crate::error::{ApiError, Failure, Operation};
use crate::json;
use crate::types::ErrorBody;

/// The methods MyQ X's calls use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
        }
    }
}

/// A request as a transport sends it: JSON in, JSON out.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// Names the call in the error when the exchange fails.
    pub operation: Operation,
    pub method: Method,
    pub url: &'a str,
    /// Sent as `Authorization: Bearer …`.
    pub token: Option<&'a str>,
    /// A JSON body.
    pub body: Option<&'a str>,
    /// The request is abandoned after this long, as [`Failure::Timeout`].
    pub timeout_ms: u32,
}

/// What the server answered: any status, and the body as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub text: String,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body of a 2xx answer; any other status as the error MyQ's body describes.
    pub fn into_success(self, operation: Operation) -> Result<String, ApiError> {
        if self.is_success() {
            Ok(self.text)
        } else {
            Err(refusal(operation, self.status, &self.text))
        }
    }
}

/// Sends requests. `Err` only when no answer came (network, timeout); every status is an
/// [`Answer`].
// The widget runs on the browser's one thread, so its futures need not be `Send`; the gateway's
// concrete transport is, and its callers see that through the concrete type.
#[allow(async_fn_in_trait)]
pub trait Transport {
    async fn send(&self, request: Request<'_>) -> Result<Answer, ApiError>;
}

/// The error for a non-2xx answer, with MyQ's `code` and `message` when the body has them.
pub fn refusal(operation: Operation, status: u16, text: &str) -> ApiError {
    let body = json::parse::<ErrorBody>(text).ok();
    let message = body
        .as_ref()
        .map(|b| b.message.trim().to_owned())
        .unwrap_or_default();
    let code = body
        .and_then(|b| b.code)
        .filter(|c| c.fract() == 0.0)
        .map(|c| c as i64);
    ApiError::new(
        operation,
        Failure::Refused {
            status,
            code,
            message,
        },
    )
}
