//! The MyQ X REST client: one method per call the widget makes.

use std::rc::Rc;

use super::error::{ApiError, Operation};
use super::http::{self, Method};
use serde::de::DeserializeOwned;

use super::json;
use super::money::Money;
use super::myq::Myq;
use super::token::{TokenSource, Tokens};
use super::types::*;

/// How long a request may take before it is aborted.
pub const DEFAULT_TIMEOUT_MS: u32 = 15_000;

/// A client of one MyQ X server. Cloning shares the token cache.
///
/// ```no_run
/// # async fn run() -> Result<(), myq_topup::api::ApiError> {
/// use std::rc::Rc;
/// use myq_topup::api::{MyqClient, TokenUrl};
///
/// let tokens = Rc::new(TokenUrl { url: "/portal/myq-token".into(), timeout_ms: 15_000 });
/// use myq_topup::api::Myq;
///
/// let myq = MyqClient::new("https://print.example.edu:8090/api", tokens, 15_000);
/// let providers = myq.providers().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct MyqClient {
    inner: Rc<Inner>,
}

struct Inner {
    base: String,
    tokens: Tokens,
    timeout_ms: u32,
}

/// What a call sends: everything but the token.
struct Call<'a> {
    operation: Operation,
    method: Method,
    path: &'a str,
    body: Option<String>,
}

impl MyqClient {
    /// `base` is the API root, `/api` included, without the `/v3`; each request is aborted
    /// after `timeout_ms`.
    pub fn new(base: &str, tokens: Rc<dyn TokenSource>, timeout_ms: u32) -> MyqClient {
        MyqClient {
            inner: Rc::new(Inner {
                base: base.trim_end_matches('/').to_owned(),
                tokens: Tokens::new(tokens),
                timeout_ms,
            }),
        }
    }
}

impl Myq for MyqClient {
    async fn providers(&self) -> Result<Vec<Provider>, ApiError> {
        let call = Call::get(Operation::Providers, "/v3/rechargeProviders");
        Ok(self.json::<ProviderList>(call).await?.providers)
    }

    async fn find_users(&self, username: &str) -> Result<Vec<User>, ApiError> {
        let path = format!("/v3/users/find?username={}", encode(username));
        Ok(self
            .json::<UserList>(Call::get(Operation::FindUser, &path))
            .await?
            .users)
    }

    async fn balance(&self, user_id: UserId) -> Result<Option<Money>, ApiError> {
        let path = format!("/v3/users/{user_id}/accounts");
        Ok(self
            .json::<AccountList>(Call::get(Operation::Balance, &path))
            .await?
            .credit())
    }

    async fn create_payment(
        &self,
        provider: &str,
        payment: &NewPayment,
    ) -> Result<CreatedPayment, ApiError> {
        let path = payments_path(provider, None, "");
        let call = Call::send(
            Operation::CreatePayment,
            Method::POST,
            &path,
            json::write(payment),
        );
        self.json(call).await
    }

    async fn update_payment(
        &self,
        provider: &str,
        id: &PaymentId,
        change: &PaymentChange,
    ) -> Result<(), ApiError> {
        let path = payments_path(provider, Some(id), "");
        let call = Call::send(
            Operation::UpdatePayment,
            Method::PATCH,
            &path,
            json::write(change),
        );
        self.empty(call).await
    }

    async fn commit_payment(&self, provider: &str, id: &PaymentId) -> Result<Money, ApiError> {
        let path = payments_path(provider, Some(id), "/commit");
        let call = Call::send(Operation::CommitPayment, Method::POST, &path, String::new());
        Ok(self.json::<Committed>(call).await?.amount)
    }

    async fn rollback_payment(
        &self,
        provider: &str,
        id: &PaymentId,
        reason: &str,
    ) -> Result<(), ApiError> {
        let path = payments_path(provider, Some(id), "/rollback");
        let body = json::write(&Rollback { reason });
        self.empty(Call::send(
            Operation::RollbackPayment,
            Method::POST,
            &path,
            body,
        ))
        .await
    }

    async fn payments(&self, provider: &str, user_id: UserId) -> Result<Vec<Payment>, ApiError> {
        let path = format!("{}?userId={user_id}", payments_path(provider, None, ""));
        let call = Call::get(Operation::ListPayments, &path);
        Ok(self.json::<PaymentList>(call).await?.payments)
    }
}

impl MyqClient {
    async fn json<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, ApiError> {
        let operation = call.operation;
        let text = self.exchange(call).await?;
        json::parse(&text).map_err(|err| ApiError::contract(operation, err))
    }

    /// For the calls docs/myq-api.md describes as answering an empty body (or `1`): any 2xx body is
    /// success.
    async fn empty(&self, call: Call<'_>) -> Result<(), ApiError> {
        self.exchange(call).await.map(drop)
    }

    /// Sends the call with a token; on 401 fetches a fresh token once and retries once.
    async fn exchange(&self, call: Call<'_>) -> Result<String, ApiError> {
        let tokens = &self.inner.tokens;
        let token = tokens.get().await?;
        let (mut status, mut text) = self.send(&call, &token).await?;
        if status == 401 {
            tokens.discard(&token);
            let fresh = tokens.get().await?;
            (status, text) = self.send(&call, &fresh).await?;
        }
        if (200..300).contains(&status) {
            Ok(text)
        } else {
            Err(http::refusal(call.operation, status, &text))
        }
    }

    async fn send(&self, call: &Call<'_>, token: &str) -> Result<(u16, String), ApiError> {
        let url = format!("{}{}", self.inner.base, call.path);
        let request = http::Request {
            operation: call.operation,
            method: call.method.clone(),
            url: &url,
            token: Some(token),
            body: call.body.as_deref(),
            timeout_ms: self.inner.timeout_ms,
        };
        request.send().await
    }
}

impl<'a> Call<'a> {
    fn get(operation: Operation, path: &'a str) -> Self {
        Call {
            operation,
            method: Method::GET,
            path,
            body: None,
        }
    }

    fn send(operation: Operation, method: Method, path: &'a str, body: String) -> Self {
        Call {
            operation,
            method,
            path,
            body: (!body.is_empty()).then_some(body),
        }
    }
}

fn payments_path(provider: &str, id: Option<&str>, action: &str) -> String {
    let mut path = format!("/v3/rechargeProviders/{}/payments", encode(provider));
    if let Some(id) = id {
        path.push('/');
        path.push_str(&encode(id));
    }
    path.push_str(action);
    path
}

/// Percent-encodes a path segment or query value.
fn encode(part: &str) -> String {
    js_sys::encode_uri_component(part).into()
}
