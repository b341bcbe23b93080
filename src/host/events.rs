//! The DOM events the element dispatches: `myq-topup-<what>`, bubbling out of the shadow root.
//!
//! Details are plain objects; none ever holds the token.

use serde::Serialize;
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};

use crate::api::{ApiError, Money, Provider};
use crate::topup::{Account, Outcome, PaymentRef, StartError};

/// `myq-topup-ready`: providers and user known.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ready<'a> {
    pub user_id: u64,
    pub username: Option<&'a str>,
    pub provider: &'a str,
    pub providers: &'a [Provider],
    pub balance: Option<f64>,
    /// Payments left unfinished by an earlier page.
    pub pending: usize,
}

impl<'a> Ready<'a> {
    pub fn new(account: &'a Account, pending: usize) -> Self {
        Ready {
            user_id: account.user_id,
            username: account.user.as_ref().map(|u| u.username.as_str()),
            provider: &account.provider,
            providers: &account.providers,
            balance: account.balance.map(Money::to_number),
            pending,
        }
    }
}

/// A payment in `myq-topup-created`, and what `approve` is given.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDetail<'a> {
    pub payment_id: &'a str,
    pub payment_no: Option<&'a str>,
    pub user_id: u64,
    pub amount: f64,
    pub provider: &'a str,
}

impl<'a> From<&'a PaymentRef> for PaymentDetail<'a> {
    fn from(payment: &'a PaymentRef) -> Self {
        PaymentDetail {
            payment_id: &payment.id,
            payment_no: payment.payment_no.as_deref(),
            user_id: payment.user_id,
            amount: payment.amount.to_number(),
            provider: &payment.provider,
        }
    }
}

/// `myq-topup-committed`: the credit added and the new balance when known.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Committed<'a> {
    #[serde(flatten)]
    pub payment: PaymentDetail<'a>,
    pub credited: f64,
    pub balance: Option<f64>,
}

/// `myq-topup-rolled-back`: the payment and the reason MyQ X keeps.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RolledBack<'a> {
    #[serde(flatten)]
    pub payment: PaymentDetail<'a>,
    pub reason: &'a str,
}

/// A flow that ended as asked: the detail of `myq-topup-committed` or `myq-topup-rolled-back`,
/// and what `element.topUp()` resolves with (`outcome` tells which).
#[derive(Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Settled<'a> {
    Committed(Committed<'a>),
    RolledBack(RolledBack<'a>),
}

impl<'a> Settled<'a> {
    /// The detail of an outcome that is not a failure.
    pub fn of(outcome: &'a Outcome) -> Option<Settled<'a>> {
        match outcome {
            Outcome::Committed {
                payment,
                credited,
                balance,
            } => Some(Settled::Committed(Committed {
                payment: PaymentDetail::from(payment),
                credited: credited.to_number(),
                balance: balance.map(Money::to_number),
            })),
            Outcome::RolledBack { payment, reason } => Some(Settled::RolledBack(RolledBack {
                payment: PaymentDetail::from(payment),
                reason,
            })),
            Outcome::Failed { .. } | Outcome::Unresolved { .. } => None,
        }
    }

    /// The event's name: `committed` or `rolled-back`.
    pub fn event(&self) -> &'static str {
        match self {
            Settled::Committed(_) => "committed",
            Settled::RolledBack(_) => "rolled-back",
        }
    }

    /// The detail without the `outcome` tag, as the event carries it.
    pub fn detail(&self) -> JsValue {
        match self {
            Settled::Committed(detail) => to_js(detail),
            Settled::RolledBack(detail) => to_js(detail),
        }
    }
}

/// `myq-topup-error`: what failed, with the server's status and MyQ code when it answered.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Error {
    /// `config`, `input`, `token`, `users.find`, `providers`, `payments.create`, ….
    pub operation: String,
    pub status: Option<u16>,
    pub code: Option<i64>,
    pub message: String,
    /// The payment concerned, when there is one.
    pub payment_id: Option<String>,
}

impl From<&ApiError> for Error {
    fn from(err: &ApiError) -> Self {
        Error {
            operation: err.operation.as_str().to_owned(),
            status: err.status(),
            code: err.code(),
            message: err.to_string(),
            payment_id: None,
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
            payment_id: None,
        }
    }
}

/// A detail as a plain JavaScript object.
pub fn to_js(detail: &impl Serialize) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    detail.serialize(&serializer).unwrap_or(JsValue::NULL)
}

/// Dispatches `myq-topup-{name}` on `element` with `detail`.
pub fn emit(element: &HtmlElement, name: &str, detail: &impl Serialize) {
    emit_js(element, name, &to_js(detail));
}

/// Dispatches `myq-topup-{name}` with a detail already made.
pub fn emit_js(element: &HtmlElement, name: &str, detail: &JsValue) {
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(detail);
    if let Ok(event) = CustomEvent::new_with_event_init_dict(&format!("myq-topup-{name}"), &init) {
        let _ = element.dispatch_event(&event);
    }
}
