//! reqwest as the [`Transport`], for servers (the gateway). The caller builds the
//! `reqwest::Client`, so TLS roots, a private CA and connection pooling are set up in one place.

use std::time::Duration;

use crate::error::{ApiError, Failure};
use crate::transport::{Answer, Method, Request, Transport};

/// Sends requests with a shared `reqwest::Client` (cheap to clone: it is a handle to a pool).
#[derive(Clone, Debug)]
pub struct Reqwest(pub reqwest::Client);

impl Transport for Reqwest {
    async fn send(&self, request: Request<'_>) -> Result<Answer, ApiError> {
        let operation = request.operation;
        let failed = |err: reqwest::Error| {
            let failure = if err.is_timeout() {
                Failure::Timeout
            } else {
                // The chain names the cause (refused connection, TLS, …); it never holds a token.
                let mut detail = err.to_string();
                let mut source = std::error::Error::source(&err);
                while let Some(cause) = source {
                    detail = format!("{detail}: {cause}");
                    source = cause.source();
                }
                Failure::Network(detail)
            };
            ApiError::new(operation, failure)
        };
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Patch => reqwest::Method::PATCH,
        };
        let mut builder = self
            .0
            .request(method, request.url)
            .timeout(Duration::from_millis(request.timeout_ms.into()))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json");
        if let Some(token) = request.token {
            builder = builder.bearer_auth(token);
        }
        if let Some(body) = request.body {
            builder = builder.body(body.to_owned());
        }
        let response = builder.send().await.map_err(failed)?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(failed)?;
        Ok(Answer { status, text })
    }
}
