//! Tokens: where they come from, and one cache that every request shares.

use std::cell::RefCell;
use std::rc::Rc;

use futures::FutureExt;
use futures::future::{LocalBoxFuture, Shared};

use super::error::{ApiError, Operation};
use super::http::{self, Method};
use super::json;
use super::types::TokenAnswer;

/// A token is dropped this long before MyQ X would expire it, so that no request leaves with a
/// token that dies on the way.
const EXPIRY_MARGIN_MS: f64 = 60_000.0;

/// Something that hands out MyQ X access tokens: the host's token endpoint, or a callback.
pub trait TokenSource {
    fn fetch(&self) -> LocalBoxFuture<'_, Result<TokenAnswer, ApiError>>;
}

/// The host's token endpoint: same origin, cookies sent, answers MyQ's token JSON or the bare
/// token as text.
///
/// It is called with `POST`: minting a token is not a safe request, and no cache may keep it.
pub struct TokenUrl {
    pub url: String,
    pub timeout_ms: u32,
}

impl TokenSource for TokenUrl {
    fn fetch(&self) -> LocalBoxFuture<'_, Result<TokenAnswer, ApiError>> {
        async move {
            let request = http::Request {
                operation: Operation::Token,
                method: Method::POST,
                url: &self.url,
                token: None,
                body: None,
                timeout_ms: self.timeout_ms,
            };
            let (status, text) = request.send().await?;
            if !(200..300).contains(&status) {
                return Err(http::refusal(Operation::Token, status, &text));
            }
            TokenAnswer::read(&text)
                .map_err(|message| ApiError::contract(Operation::Token, message))
        }
        .boxed_local()
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

#[derive(Clone)]
struct Cached {
    token: String,
    /// `Date.now()` after which the token is not used; `None`: until refused.
    use_until_ms: Option<f64>,
}

type Fetch = Shared<LocalBoxFuture<'static, Result<Cached, ApiError>>>;

enum State {
    Empty,
    Fetching(Fetch),
    Ready(Cached),
}

/// The token cache: kept in memory only, until shortly before it expires; concurrent requests
/// wait for one fetch.
pub struct Tokens {
    source: Rc<dyn TokenSource>,
    state: RefCell<State>,
}

impl Tokens {
    pub fn new(source: Rc<dyn TokenSource>) -> Tokens {
        Tokens {
            source,
            state: RefCell::new(State::Empty),
        }
    }

    /// A token to send, fetched only when none is fresh.
    pub async fn get(&self) -> Result<String, ApiError> {
        let fetch = {
            let mut state = self.state.borrow_mut();
            match &*state {
                State::Ready(cached) if cached.use_until_ms.is_none_or(|t| now_ms() < t) => {
                    return Ok(cached.token.clone());
                }
                State::Fetching(fetch) => fetch.clone(),
                State::Ready(_) | State::Empty => {
                    let source = self.source.clone();
                    let fetch = async move {
                        let answer = source.fetch().await?;
                        let lifetime_ms = answer.expires_in.map(|s| s * 1000.0);
                        Ok(Cached {
                            token: answer.access_token,
                            use_until_ms: lifetime_ms
                                .map(|ms| now_ms() + (ms - EXPIRY_MARGIN_MS).max(ms / 2.0)),
                        })
                    }
                    .boxed_local()
                    .shared();
                    *state = State::Fetching(fetch.clone());
                    fetch
                }
            }
        };
        let result = fetch.clone().await;
        let mut state = self.state.borrow_mut();
        // Only the fetch still on record may settle the state: a discard may have come between.
        if let State::Fetching(current) = &*state
            && current.ptr_eq(&fetch)
        {
            *state = match &result {
                Ok(cached) => State::Ready(cached.clone()),
                Err(_) => State::Empty,
            };
        }
        result.map(|cached| cached.token)
    }

    /// Forgets `token` after the server refused it, so the next [`get`](Self::get) fetches anew.
    pub fn discard(&self, token: &str) {
        let mut state = self.state.borrow_mut();
        if matches!(&*state, State::Ready(cached) if cached.token == token) {
            *state = State::Empty;
        }
    }
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
    use super::*;

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
}
