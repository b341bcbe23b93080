//! The browser's fetch as the [`Transport`]: same-origin credentials, and an abort when the
//! time is up.

use gloo_net::http::{Method as FetchMethod, RequestBuilder};
use web_sys::{AbortController, RequestCredentials};

use crate::error::{ApiError, Failure};
use crate::transport::{Answer, Method, Request, Transport};

/// Sends requests with the browser's `fetch`; cookies go to the page's own origin only.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fetch;

impl Transport for Fetch {
    async fn send(&self, request: Request<'_>) -> Result<Answer, ApiError> {
        let operation = request.operation;
        let network =
            |err: gloo_net::Error| ApiError::new(operation, Failure::Network(err.to_string()));
        let controller = AbortController::new().map_err(|_| {
            ApiError::new(operation, Failure::Network("fetch is not available".into()))
        })?;
        let signal = controller.signal();
        let _deadline =
            gloo_timers::callback::Timeout::new(request.timeout_ms, move || controller.abort());
        let method = match request.method {
            Method::Get => FetchMethod::GET,
            Method::Post => FetchMethod::POST,
            Method::Patch => FetchMethod::PATCH,
        };
        let mut builder = RequestBuilder::new(request.url)
            .method(method)
            .credentials(RequestCredentials::SameOrigin)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .abort_signal(Some(&signal));
        if let Some(token) = request.token {
            builder = builder.header("Authorization", &format!("Bearer {token}"));
        }
        let built = match request.body {
            Some(body) => builder.body(body),
            None => builder.build(),
        }
        .map_err(network)?;
        let answered = async {
            let response = built.send().await?;
            let text = response.text().await?;
            Ok(Answer {
                status: response.status(),
                text,
            })
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
