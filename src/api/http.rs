//! One HTTP exchange through the browser's fetch: a timeout that aborts it, and the answer as
//! status and text.

use gloo_net::http::RequestBuilder;
use web_sys::{AbortController, RequestCredentials};

use super::error::{ApiError, Failure, Operation};
use super::json;
use super::types::ErrorBody;

pub use gloo_net::http::Method;

pub struct Request<'a> {
    pub operation: Operation,
    pub method: Method,
    pub url: &'a str,
    /// Sent as `Authorization: Bearer …`.
    pub token: Option<&'a str>,
    pub body: Option<&'a str>,
    pub timeout_ms: u32,
}

impl Request<'_> {
    /// Sends the request; `Ok` with any status the server answered, `Err` when none came.
    pub async fn send(self) -> Result<(u16, String), ApiError> {
        let operation = self.operation;
        let network =
            |err: gloo_net::Error| ApiError::new(operation, Failure::Network(err.to_string()));
        let controller = AbortController::new().map_err(|_| {
            ApiError::new(operation, Failure::Network("fetch is not available".into()))
        })?;
        let signal = controller.signal();
        let _deadline =
            gloo_timers::callback::Timeout::new(self.timeout_ms, move || controller.abort());
        let mut builder = RequestBuilder::new(self.url)
            .method(self.method)
            .credentials(RequestCredentials::SameOrigin)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .abort_signal(Some(&signal));
        if let Some(token) = self.token {
            builder = builder.header("Authorization", &format!("Bearer {token}"));
        }
        let request = match self.body {
            Some(body) => builder.body(body),
            None => builder.build(),
        }
        .map_err(network)?;
        let answered = async {
            let response = request.send().await?;
            let text = response.text().await?;
            Ok((response.status(), text))
        };
        answered.await.map_err(|err| {
            if signal.aborted() {
                ApiError::new(operation, Failure::Timeout)
            } else {
                network(err)
            }
        })
    }
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
