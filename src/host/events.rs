//! The DOM events the element dispatches: `myq-topup-<what>`, bubbling out of the shadow root.
//!
//! Details are plain objects; none ever holds the token.

use serde::Serialize;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};

use crate::api::{ApiError, Money, Provider};
use crate::topup::{Account, StartError};

/// `myq-topup-ready`: providers and user known.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ready<'a> {
    pub user_id: u64,
    pub username: Option<&'a str>,
    pub provider: &'a str,
    pub providers: &'a [Provider],
    pub balance: Option<f64>,
}

impl<'a> From<&'a Account> for Ready<'a> {
    fn from(account: &'a Account) -> Self {
        Ready {
            user_id: account.user_id,
            username: account.user.as_ref().map(|u| u.username.as_str()),
            provider: &account.provider,
            providers: &account.providers,
            balance: account.balance.map(Money::to_number),
        }
    }
}

/// `myq-topup-error`: what failed, with the server's status and MyQ code when it answered.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Error {
    /// `config`, `token`, `users.find`, `providers`, `payments.create`, ….
    pub operation: String,
    pub status: Option<u16>,
    pub code: Option<i64>,
    pub message: String,
}

impl From<&ApiError> for Error {
    fn from(err: &ApiError) -> Self {
        Error {
            operation: err.operation.as_str().to_owned(),
            status: err.status(),
            code: err.code(),
            message: err.to_string(),
        }
    }
}

impl From<&StartError> for Error {
    fn from(err: &StartError) -> Self {
        match err {
            StartError::Api(err) => err.into(),
            StartError::UnknownUser(_) | StartError::AmbiguousUser(_) => {
                Error::about("users.find", err)
            }
            StartError::ProviderInactive(_) => Error::about("providers", err),
        }
    }
}

impl Error {
    /// An error the widget found itself, with no answer from the server behind it.
    pub fn about(operation: &str, message: &impl std::fmt::Display) -> Error {
        Error {
            operation: operation.to_owned(),
            status: None,
            code: None,
            message: message.to_string(),
        }
    }
}

/// Dispatches `myq-topup-{name}` on `element` with `detail`.
pub fn emit(element: &HtmlElement, name: &str, detail: &impl Serialize) {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let detail = detail
        .serialize(&serializer)
        .unwrap_or(wasm_bindgen::JsValue::NULL);
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&detail);
    if let Ok(event) = CustomEvent::new_with_event_init_dict(&format!("myq-topup-{name}"), &init) {
        let _ = element.dispatch_event(&event);
    }
}
