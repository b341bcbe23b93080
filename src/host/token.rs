//! Where the widget's tokens come from: the element's `tokenProvider` property when the page
//! set one, else the `token-url` attribute (its first answer fetched by `myq-topup.js` while the
//! wasm loaded, when it could).

use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlElement;

use super::callback::{self, Answer, message_of};
use crate::api::{
    ApiError, DEFAULT_TIMEOUT_MS, Failure, Fetch, Operation, TokenAnswer, TokenSource,
    TokenSourceFailure, TokenUrl,
};

/// The element's token source, looked up at each fetch so that a `tokenProvider` set after
/// mount is used.
pub struct ElementTokens {
    pub element: HtmlElement,
    pub token_url: Option<String>,
    /// How long `tokenProvider` may take (the `callback-timeout` attribute).
    pub callback_timeout_ms: u32,
}

impl TokenSource for ElementTokens {
    async fn fetch(&self) -> Result<TokenAnswer, ApiError> {
        {
            let provider = Reflect::get(&self.element, &JsValue::from_str("tokenProvider"))
                .ok()
                .and_then(|p| p.dyn_into::<Function>().ok());
            match (provider, &self.token_url) {
                (Some(provider), _) => self.ask_provider(&provider).await,
                (None, Some(url)) => {
                    if let Some(answer) = self.prefetched(url).await {
                        return Ok(answer);
                    }
                    let source = TokenUrl {
                        transport: Fetch,
                        url: url.clone(),
                        timeout_ms: DEFAULT_TIMEOUT_MS,
                    };
                    source.fetch().await
                }
                (None, None) => Err(failed(TokenSourceFailure::Missing)),
            }
        }
    }
}

/// Where `myq-topup.js` leaves the token request it started while the wasm loaded: a function
/// that hands over, once, that answer's text when given the URL it was sent to (else `null`; the
/// text is `null` when the request failed or was refused). The text comes as it is when the
/// answer is already in, else as a promise of it.
const PREFETCHED: &str = "_tokenPrefetch";

impl ElementTokens {
    /// The token the element module fetched ahead from `url`, if it did; else the caller fetches
    /// its own, which reports any failure as its own would.
    ///
    /// An answer already in is read without waiting: the start's first requests then go out in
    /// the same turn as the widget's mount, before its first render (`ui::mount`).
    async fn prefetched(&self, url: &str) -> Option<TokenAnswer> {
        let take = Reflect::get(&self.element, &JsValue::from_str(PREFETCHED))
            .ok()?
            .dyn_into::<Function>()
            .ok()?;
        let handed = take.call1(&self.element, &JsValue::from_str(url)).ok()?;
        let text = match handed.as_string() {
            Some(text) => text,
            // A promise of the text, or `null`, which settles as it is.
            None => match callback::settle(handed, DEFAULT_TIMEOUT_MS).await {
                Answer::Resolved(text) => text.as_string()?,
                _ => return None,
            },
        };
        TokenAnswer::read(&text).ok()
    }

    /// Calls the page's `tokenProvider()`: a token string or MyQ's token JSON, or a promise of
    /// one, within the callback time limit.
    async fn ask_provider(&self, provider: &Function) -> Result<TokenAnswer, ApiError> {
        let limit = self.callback_timeout_ms;
        let value = match callback::call(provider, &JsValue::NULL, &[], limit).await {
            Answer::Resolved(value) => value,
            Answer::Rejected(err) => {
                let message = message_of(&err).unwrap_or_default();
                return Err(failed(TokenSourceFailure::Rejected(message)));
            }
            Answer::TimedOut => return Err(failed(TokenSourceFailure::TimedOut(limit))),
        };
        let text = match value.as_string() {
            Some(token) => token,
            None => js_sys::JSON::stringify(&value)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default(),
        };
        TokenAnswer::read(&text).map_err(|err| failed(TokenSourceFailure::Unusable(err)))
    }
}

fn failed(failure: TokenSourceFailure) -> ApiError {
    ApiError::new(Operation::Token, Failure::TokenSource(failure))
}
