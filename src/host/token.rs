//! Where the widget's tokens come from: the element's `tokenProvider` property when the page
//! set one, else the `token-url` attribute (its first answer fetched by `myq-topup.js` while the
//! wasm loaded, when it could).

use futures::FutureExt;
use futures::future::LocalBoxFuture;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlElement;

use super::callback::{self, Answer, message_of};
use crate::api::{ApiError, DEFAULT_TIMEOUT_MS, Operation, TokenAnswer, TokenSource, TokenUrl};

/// The element's token source, looked up at each fetch so that a `tokenProvider` set after
/// mount is used.
pub struct ElementTokens {
    pub element: HtmlElement,
    pub token_url: Option<String>,
    /// How long `tokenProvider` may take (the `callback-timeout` attribute).
    pub callback_timeout_ms: u32,
}

impl TokenSource for ElementTokens {
    fn fetch(&self) -> LocalBoxFuture<'_, Result<TokenAnswer, ApiError>> {
        async move {
            let prefetched = self.take_prefetched();
            let provider = Reflect::get(&self.element, &JsValue::from_str("tokenProvider"))
                .ok()
                .and_then(|p| p.dyn_into::<Function>().ok());
            match (provider, &self.token_url) {
                (Some(provider), _) => self.ask_provider(&provider).await,
                (None, Some(url)) => {
                    if let Some(answer) = prefetched_answer(prefetched, url).await {
                        return Ok(answer);
                    }
                    let source = TokenUrl {
                        url: url.clone(),
                        timeout_ms: DEFAULT_TIMEOUT_MS,
                    };
                    source.fetch().await
                }
                (None, None) => Err(ApiError::contract(
                    Operation::Token,
                    "set the token-url attribute or the tokenProvider property",
                )),
            }
        }
        .boxed_local()
    }
}

/// Where `myq-topup.js` leaves the token request it started while the wasm loaded:
/// `{ url, text }`, `text` a promise of the answer's text (`null` if it failed or was refused).
const PREFETCHED: &str = "_tokenPrefetch";

/// The prefetched answer's token, if it was fetched from `url` and is one; else the caller
/// fetches its own, which reports any failure as its own would.
async fn prefetched_answer(prefetched: JsValue, url: &str) -> Option<TokenAnswer> {
    let field = |name: &str| Reflect::get(&prefetched, &JsValue::from_str(name)).ok();
    if field("url")?.as_string()? != url {
        return None;
    }
    let text = field("text")?.dyn_into::<Promise>().ok()?;
    let text = JsFuture::from(text).await.ok()?.as_string()?;
    TokenAnswer::read(&text).ok()
}

impl ElementTokens {
    /// Takes the prefetched token request off the element: only the first fetch may use it, and
    /// only if it is still the element's token source by then.
    fn take_prefetched(&self) -> JsValue {
        let key = JsValue::from_str(PREFETCHED);
        let prefetched = Reflect::get(&self.element, &key).unwrap_or_default();
        let _ = Reflect::delete_property(&self.element, &key);
        prefetched
    }

    /// Calls the page's `tokenProvider()`: a token string or MyQ's token JSON, or a promise of
    /// one, within the callback time limit.
    async fn ask_provider(&self, provider: &Function) -> Result<TokenAnswer, ApiError> {
        let failed = |message: String| ApiError::contract(Operation::Token, message);
        let limit = self.callback_timeout_ms;
        let value = match callback::call(provider, &JsValue::NULL, &[], limit).await {
            Answer::Resolved(value) => value,
            Answer::Rejected(err) => {
                return Err(failed(format!(
                    "tokenProvider failed: {}",
                    message_of(&err)
                )));
            }
            Answer::TimedOut => {
                let waited = callback::seconds(limit);
                return Err(failed(format!(
                    "tokenProvider did not answer within {waited}"
                )));
            }
        };
        let text = match value.as_string() {
            Some(token) => token,
            None => js_sys::JSON::stringify(&value)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default(),
        };
        TokenAnswer::read(&text).map_err(|err| failed(format!("tokenProvider: {err}")))
    }
}
