//! Tokens: where they come from ([`TokenSource`]), and one cache that every request shares
//! ([`Tokens`]).
//!
//! The widget gets its token from the page (`token-url`, [`TokenUrl`], or a callback); the
//! gateway mints its own with the client secret ([`ClientCredentials`]). Both go through the
//! same cache: kept in memory, renewed before it expires, one fetch at a time.

use std::sync::atomic::{AtomicUsize, Ordering};

use futures::lock::Mutex;
use serde::Serialize;

use crate::error::{ApiError, Operation};
use crate::json;
use crate::transport::{Method, Request, Transport};
use crate::types::TokenAnswer;

/// A token is dropped this long before MyQ X would expire it, so that no request leaves with a
/// token that dies on the way.
const EXPIRY_MARGIN_MS: f64 = 60_000.0;

/// Something that hands out MyQ X access tokens.
// See `Transport` on why the futures are not required to be `Send`.
#[allow(async_fn_in_trait)]
pub trait TokenSource {
    async fn fetch(&self) -> Result<TokenAnswer, ApiError>;
}

/// The host's token endpoint: answers MyQ's token JSON, a JSON string or the bare token as text.
///
/// It is called with `POST` and no body: minting a token is not a safe request, and no cache
/// may keep it. In the browser, cookies go along (same origin), so the endpoint knows who asks.
pub struct TokenUrl<T> {
    pub transport: T,
    pub url: String,
    pub timeout_ms: u32,
}

impl<T: Transport> TokenSource for TokenUrl<T> {
    async fn fetch(&self) -> Result<TokenAnswer, ApiError> {
        let text = ask_for_token(&self.transport, &self.url, None, self.timeout_ms).await?;
        TokenAnswer::read(&text).map_err(|message| ApiError::contract(Operation::Token, message))
    }
}

/// `POST url` for a token, with `body` if any: the answer's text, or why there is none.
async fn ask_for_token(
    transport: &impl Transport,
    url: &str,
    body: Option<&str>,
    timeout_ms: u32,
) -> Result<String, ApiError> {
    let request = Request {
        operation: Operation::Token,
        method: Method::Post,
        url,
        token: None,
        body,
        timeout_ms,
    };
    transport
        .send(request)
        .await?
        .into_success(Operation::Token)
}

/// MyQ X's `client_credentials` grant: the gateway's own token, minted with the client secret.
/// Never for a browser: whoever holds the secret can credit anyone.
pub struct ClientCredentials<T> {
    pub transport: T,
    /// The API root, `/api` included (as [`MyqClient::new`](crate::MyqClient::new) takes it).
    pub base: String,
    pub client_id: String,
    pub client_secret: String,
    /// The scopes asked for, space-separated (`"credit users"`).
    pub scope: String,
    pub timeout_ms: u32,
}

/// The secret stays out of logs and panics.
impl<T> std::fmt::Debug for ClientCredentials<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("base", &self.base)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("scope", &self.scope)
            .finish()
    }
}

#[derive(Serialize)]
struct TokenRequest<'a> {
    grant_type: &'a str,
    client_id: &'a str,
    client_secret: &'a str,
    scope: &'a str,
}

impl<T: Transport> TokenSource for ClientCredentials<T> {
    async fn fetch(&self) -> Result<TokenAnswer, ApiError> {
        let url = format!("{}/auth/token", self.base.trim_end_matches('/'));
        let body = json::write(&TokenRequest {
            grant_type: "client_credentials",
            client_id: &self.client_id,
            client_secret: &self.client_secret,
            scope: &self.scope,
        });
        let text = ask_for_token(&self.transport, &url, Some(&body), self.timeout_ms).await?;
        json::parse::<TokenAnswer>(&text)
            .map_err(|message| ApiError::contract(Operation::Token, message))
    }
}

impl TokenAnswer {
    /// Reads a token endpoint's answer: MyQ's token JSON, a JSON string, or the bare token.
    pub fn read(text: &str) -> Result<TokenAnswer, String> {
        let text = text.trim();
        let answer = if text.starts_with('{') {
            json::parse::<TokenAnswer>(text).map_err(|err| format!("token JSON: {err}"))?
        } else {
            let token = if text.starts_with('"') {
                json::parse::<String>(text).map_err(|err| format!("token string: {err}"))?
            } else {
                text.to_owned()
            };
            TokenAnswer {
                access_token: token,
                token_type: "Bearer".into(),
                expires_in: None,
            }
        };
        if !is_bearer_token(&answer.access_token) {
            return Err("the token endpoint answered no usable token".into());
        }
        if !(answer.token_type.is_empty() || answer.token_type.eq_ignore_ascii_case("bearer")) {
            return Err(format!("token_type '{}' is not Bearer", answer.token_type));
        }
        Ok(answer)
    }
}

/// RFC 6750's `b64token`: what may follow `Bearer ` in a header.
fn is_bearer_token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | '+' | '/'))
}

struct Cached {
    token: String,
    /// Wall-clock milliseconds after which the token is not used; `None`: until refused.
    use_until_ms: Option<f64>,
}

#[derive(Default)]
struct State {
    cached: Option<Cached>,
    /// The error of the last fetch, if it failed.
    last_failure: Option<ApiError>,
}

/// The token cache: in memory only, until shortly before the token expires. Concurrent
/// callers wait for one fetch (the lock is held while fetching), so a source is never asked
/// twice at once.
pub struct Tokens<S> {
    source: S,
    state: Mutex<State>,
    /// Fetches finished so far: a caller that waited while one finished with an error shares
    /// that error instead of asking the source again in turn.
    fetches: AtomicUsize,
}

impl<S: TokenSource> Tokens<S> {
    pub fn new(source: S) -> Tokens<S> {
        Tokens {
            source,
            state: Mutex::new(State::default()),
            fetches: AtomicUsize::new(0),
        }
    }

    /// A token to send, fetched only when none is fresh.
    pub async fn get(&self) -> Result<String, ApiError> {
        let fetches_seen = self.fetches.load(Ordering::Acquire);
        let mut state = self.state.lock().await;
        if let Some(token) = fresh(&state) {
            return Ok(token);
        }
        if self.fetches.load(Ordering::Acquire) != fetches_seen
            && let Some(failure) = &state.last_failure
        {
            return Err(failure.clone());
        }
        let result = self.source.fetch().await;
        self.fetches.fetch_add(1, Ordering::Release);
        match result {
            Ok(answer) => {
                let lifetime_ms = answer.expires_in.map(|s| s * 1000.0);
                state.last_failure = None;
                state.cached = Some(Cached {
                    use_until_ms: lifetime_ms
                        .map(|ms| now_ms() + (ms - EXPIRY_MARGIN_MS).max(ms / 2.0)),
                    token: answer.access_token.clone(),
                });
                Ok(answer.access_token)
            }
            Err(failure) => {
                state.cached = None;
                state.last_failure = Some(failure.clone());
                Err(failure)
            }
        }
    }

    /// Forgets `token` after the server refused it, so the next [`get`](Self::get) fetches anew.
    /// A newer token someone else fetched meanwhile is kept.
    pub async fn discard(&self, token: &str) {
        let mut state = self.state.lock().await;
        if state.cached.as_ref().is_some_and(|c| c.token == token) {
            state.cached = None;
        }
    }
}

fn fresh(state: &State) -> Option<String> {
    let cached = state.cached.as_ref()?;
    cached
        .use_until_ms
        .is_none_or(|until| now_ms() < until)
        .then(|| cached.token.clone())
}

#[cfg(target_arch = "wasm32")]
fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[cfg(not(target_arch = "wasm32"))]
fn now_ms() -> f64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use futures::executor::block_on;
    use futures::future::join_all;

    use super::*;
    use crate::error::Failure;

    #[test]
    fn reads_myq_token_json_and_bare_tokens() {
        let json = TokenAnswer::read(
            r#"{"access_token": "abc", "token_type": "Bearer", "expires_in": 1800, "scope": "credit"}"#,
        )
        .unwrap();
        assert_eq!(json.access_token, "abc");
        assert_eq!(json.expires_in, Some(1800.0));
        assert_eq!(TokenAnswer::read("abc\n").unwrap().access_token, "abc");
        assert_eq!(TokenAnswer::read("\"abc\"").unwrap().access_token, "abc");
    }

    #[test]
    fn refuses_what_is_no_token() {
        assert!(TokenAnswer::read("").is_err());
        assert!(TokenAnswer::read("<html>login</html>").is_err());
        assert!(TokenAnswer::read(r#"{"token_type": "Bearer"}"#).is_err());
        assert!(TokenAnswer::read(r#"{"access_token": "a", "token_type": "MAC"}"#).is_err());
    }

    /// A source that counts its fetches and answers each after yielding once, so that
    /// concurrent callers really overlap.
    struct Counting {
        fetches: Cell<u32>,
        fail: bool,
        expires_in: Option<f64>,
    }

    impl TokenSource for Counting {
        async fn fetch(&self) -> Result<TokenAnswer, ApiError> {
            self.fetches.set(self.fetches.get() + 1);
            yield_once().await;
            if self.fail {
                return Err(ApiError::new(Operation::Token, Failure::Timeout));
            }
            Ok(TokenAnswer {
                access_token: format!("t{}", self.fetches.get()),
                token_type: "Bearer".into(),
                expires_in: self.expires_in,
            })
        }
    }

    async fn yield_once() {
        let mut yielded = false;
        futures::future::poll_fn(|cx| {
            if yielded {
                std::task::Poll::Ready(())
            } else {
                yielded = true;
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        })
        .await
    }

    fn counting(fail: bool, expires_in: Option<f64>) -> Tokens<Counting> {
        Tokens::new(Counting {
            fetches: Cell::new(0),
            fail,
            expires_in,
        })
    }

    #[test]
    fn concurrent_callers_share_one_fetch_and_its_token() {
        let tokens = counting(false, Some(1800.0));
        let got = block_on(join_all((0..5).map(|_| tokens.get())));
        assert!(got.iter().all(|t| t.as_deref() == Ok("t1")), "{got:?}");
        assert_eq!(tokens.source.fetches.get(), 1);
        assert_eq!(block_on(tokens.get()).unwrap(), "t1", "cached");
    }

    #[test]
    fn concurrent_callers_share_one_failure_and_the_next_call_tries_again() {
        let tokens = counting(true, None);
        let got = block_on(join_all((0..5).map(|_| tokens.get())));
        assert!(got.iter().all(Result::is_err));
        assert_eq!(
            tokens.source.fetches.get(),
            1,
            "one fetch for all who waited"
        );
        assert!(block_on(tokens.get()).is_err());
        assert_eq!(tokens.source.fetches.get(), 2, "a later call asks again");
    }

    #[test]
    fn a_discarded_token_is_fetched_anew_but_a_newer_one_is_kept() {
        let tokens = counting(false, None);
        assert_eq!(block_on(tokens.get()).unwrap(), "t1");
        block_on(tokens.discard("t1"));
        assert_eq!(block_on(tokens.get()).unwrap(), "t2");
        block_on(tokens.discard("t1"));
        assert_eq!(
            block_on(tokens.get()).unwrap(),
            "t2",
            "t2 was not the refused one"
        );
    }

    #[test]
    fn a_token_near_its_expiry_is_renewed() {
        // 100 ms of life: used for half of it, then renewed.
        let tokens = counting(false, Some(0.1));
        assert_eq!(block_on(tokens.get()).unwrap(), "t1");
        std::thread::sleep(std::time::Duration::from_millis(60));
        assert_eq!(block_on(tokens.get()).unwrap(), "t2");
    }
}
