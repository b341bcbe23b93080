//! Where the widget's tokens come from: the element's `tokenProvider` property when the page
//! set one, else the `token-url` attribute.

use futures::FutureExt;
use futures::future::LocalBoxFuture;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlElement;

use crate::api::{ApiError, DEFAULT_TIMEOUT_MS, Operation, TokenAnswer, TokenSource, TokenUrl};

/// The element's token source, looked up at each fetch so that a `tokenProvider` set after
/// mount is used.
pub struct ElementTokens {
    pub element: HtmlElement,
    pub token_url: Option<String>,
}

impl TokenSource for ElementTokens {
    fn fetch(&self) -> LocalBoxFuture<'_, Result<TokenAnswer, ApiError>> {
        async move {
            let provider = Reflect::get(&self.element, &JsValue::from_str("tokenProvider"))
                .ok()
                .and_then(|p| p.dyn_into::<Function>().ok());
            match (provider, &self.token_url) {
                (Some(provider), _) => from_callback(&provider).await,
                (None, Some(url)) => {
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

/// Calls the page's `tokenProvider()`: a token string or MyQ's token JSON, or a promise of one.
async fn from_callback(provider: &Function) -> Result<TokenAnswer, ApiError> {
    let failed = |message: String| ApiError::contract(Operation::Token, message);
    let returned = provider
        .call0(&JsValue::NULL)
        .map_err(|err| failed(format!("tokenProvider threw: {}", describe(&err))))?;
    let value = JsFuture::from(Promise::resolve(&returned))
        .await
        .map_err(|err| failed(format!("tokenProvider failed: {}", describe(&err))))?;
    let text = match value.as_string() {
        Some(token) => token,
        None => js_sys::JSON::stringify(&value)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default(),
    };
    TokenAnswer::read(&text).map_err(|err| failed(format!("tokenProvider: {err}")))
}

/// A thrown value as a message: an `Error`'s message, or the value as text.
pub fn describe(err: &JsValue) -> String {
    err.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| err.as_string())
        .unwrap_or_else(|| "an unknown error".into())
}
