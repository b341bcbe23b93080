//! The MyQ X REST client: one method per call, over any [`Transport`], with tokens from any
//! [`TokenSource`].

use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::error::{ApiError, Operation};
use crate::json;
use crate::money::Money;
use crate::myq::Myq;
use crate::token::{TokenSource, Tokens};
use crate::transport::{Method, Request, Transport};
use crate::types::*;

/// How long a request may take before it is abandoned.
pub const DEFAULT_TIMEOUT_MS: u32 = 15_000;

/// A client of one MyQ X server. Cloning shares the token cache.
///
/// In the widget the transport is the browser's fetch and the tokens come from the page; in
/// the gateway they are reqwest and the client secret:
///
/// ```no_run
/// # #[cfg(feature = "reqwest")]
/// # async fn run() -> Result<(), myq_api::ApiError> {
/// use myq_api::{ClientCredentials, Myq, MyqClient, Reqwest};
///
/// let transport = Reqwest(reqwest::Client::new());
/// let base = "https://print.example.edu:8090/api";
/// let tokens = ClientCredentials {
///     transport: transport.clone(),
///     base: base.into(),
///     client_id: "gateway".into(),
///     client_secret: "…".into(),
///     scope: "credit users".into(),
///     timeout_ms: 15_000,
/// };
/// let myq = MyqClient::new(base, transport, tokens, 15_000);
/// let providers = myq.providers().await?;
/// # Ok(()) }
/// ```
pub struct MyqClient<T, S> {
    inner: Arc<Inner<T, S>>,
}

impl<T, S> Clone for MyqClient<T, S> {
    fn clone(&self) -> Self {
        MyqClient {
            inner: self.inner.clone(),
        }
    }
}

struct Inner<T, S> {
    base: String,
    transport: T,
    tokens: Tokens<S>,
    timeout_ms: u32,
}

/// What a call sends: everything but the token.
pub(crate) struct Call<'a> {
    operation: Operation,
    method: Method,
    path: &'a str,
    body: Option<String>,
}

impl<T: Transport, S: TokenSource> MyqClient<T, S> {
    /// `base` is the API root, `/api` included, without the `/v3`; each request is abandoned
    /// after `timeout_ms`.
    pub fn new(base: &str, transport: T, tokens: S, timeout_ms: u32) -> Self {
        MyqClient {
            inner: Arc::new(Inner {
                base: base.trim_end_matches('/').to_owned(),
                transport,
                tokens: Tokens::new(tokens),
                timeout_ms,
            }),
        }
    }
}

impl<T: Transport, S: TokenSource> Myq for MyqClient<T, S> {
    async fn providers(&self) -> Result<Vec<Provider>, ApiError> {
        let call = Call::get(Operation::Providers, "/v3/rechargeProviders");
        Ok(self.json::<ProviderList>(call).await?.providers)
    }

    async fn find_users(&self, query: UserQuery<'_>) -> Result<Vec<User>, ApiError> {
        let path = format!(
            "/v3/users/find?{}={}",
            query.parameter(),
            encode(query.value())
        );
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
            Method::Post,
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
            Method::Patch,
            &path,
            json::write(change),
        );
        self.empty(call).await
    }

    async fn commit_payment(&self, provider: &str, id: &PaymentId) -> Result<Money, ApiError> {
        let path = payments_path(provider, Some(id), "/commit");
        let call = Call::send(Operation::CommitPayment, Method::Post, &path, String::new());
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
            Method::Post,
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

impl<T: Transport, S: TokenSource> MyqClient<T, S> {
    pub(crate) async fn json<A: DeserializeOwned>(&self, call: Call<'_>) -> Result<A, ApiError> {
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
    pub(crate) async fn exchange(&self, call: Call<'_>) -> Result<String, ApiError> {
        let tokens = &self.inner.tokens;
        let token = tokens.get().await?;
        let mut answer = self.send(&call, &token).await?;
        if answer.status == 401 {
            tokens.discard(&token).await;
            let fresh = tokens.get().await?;
            answer = self.send(&call, &fresh).await?;
        }
        answer.into_success(call.operation)
    }

    async fn send(&self, call: &Call<'_>, token: &str) -> Result<crate::Answer, ApiError> {
        let url = format!("{}{}", self.inner.base, call.path);
        let request = Request {
            operation: call.operation,
            method: call.method,
            url: &url,
            token: Some(token),
            body: call.body.as_deref(),
            timeout_ms: self.inner.timeout_ms,
        };
        self.inner.transport.send(request).await
    }
}

impl<'a> Call<'a> {
    pub(crate) fn get(operation: Operation, path: &'a str) -> Self {
        Call {
            operation,
            method: Method::Get,
            path,
            body: None,
        }
    }

    pub(crate) fn send(operation: Operation, method: Method, path: &'a str, body: String) -> Self {
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

/// Percent-encodes a path segment or query value, as `encodeURIComponent` does.
#[cfg(target_arch = "wasm32")]
pub(crate) fn encode(part: &str) -> String {
    js_sys::encode_uri_component(part).into()
}

/// Percent-encodes a path segment or query value, as `encodeURIComponent` does.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn encode(part: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    /// What `encodeURIComponent` leaves as it is, besides letters and digits.
    const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'!')
        .remove(b'~')
        .remove(b'*')
        .remove(b'\'')
        .remove(b'(')
        .remove(b')');
    utf8_percent_encode(part, COMPONENT).to_string()
}
