//! The DOM events the element dispatches: `myq-topup-<what>`, bubbling out of the shadow root.
//!
//! Details are plain objects; none ever holds the token.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};

use crate::api::{ApiError, Money, PaymentId, Provider, User, UserId};
use crate::topup::{Outcome, PaymentRef, StartError, Started};

/// `myq-topup-ready`: providers and user known.
pub struct Ready<'a> {
    pub user_id: UserId,
    pub username: Option<&'a str>,
    pub provider: &'a str,
    pub providers: &'a [Provider],
    pub balance: Option<f64>,
    /// Payments left unfinished by an earlier page.
    pub pending: usize,
}

impl<'a> Ready<'a> {
    pub fn new(account: &'a Started, pending: usize) -> Self {
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

/// `myq-topup-picked`: the user a desk operator picked.
pub struct Picked<'a>(pub &'a User);

impl Detail for Picked<'_> {
    fn write(&self, object: JsObject) -> JsObject {
        object
            .set("userId", self.0.id.0 as f64)
            .set("username", self.0.username.as_str())
            .set("fullname", self.0.fullname.as_str())
            .set("email", self.0.email.as_str())
    }
}

/// A payment in `myq-topup-created`, and what `approve` is given.
pub struct PaymentDetail<'a> {
    pub payment_id: &'a str,
    pub payment_no: Option<&'a str>,
    pub user_id: UserId,
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
pub struct Committed<'a> {
    pub payment: PaymentDetail<'a>,
    pub credited: f64,
    pub balance: Option<f64>,
    /// Copies of the intent's payment that reached MyQ X and were rolled back.
    pub duplicates: &'a [PaymentRef],
}

/// `myq-topup-rolled-back`: the payment and the reason MyQ X keeps.
pub struct RolledBack<'a> {
    pub payment: PaymentDetail<'a>,
    /// As MyQ X keeps it (English where the widget wrote it: for the host's developers).
    pub reason: String,
    pub duplicates: &'a [PaymentRef],
}

/// A flow that ended as asked: the detail of `myq-topup-committed` or `myq-topup-rolled-back`,
/// and what `element.topUp()` resolves with (`outcome` tells which).
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
                duplicates,
            } => Some(Settled::Committed(Committed {
                payment: PaymentDetail::from(payment),
                credited: credited.to_number(),
                balance: balance.map(Money::to_number),
                duplicates,
            })),
            Outcome::RolledBack {
                payment,
                reason,
                duplicates,
            } => Some(Settled::RolledBack(RolledBack {
                payment: PaymentDetail::from(payment),
                reason: reason.text(),
                duplicates,
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
            Settled::Committed(detail) => detail.to_js(),
            Settled::RolledBack(detail) => detail.to_js(),
        }
    }
}

/// `myq-topup-error`: what failed, with the server's status and MyQ code when it answered.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    /// `config`, `input`, `token`, `users.find`, `providers`, `payments.create`, ….
    pub operation: String,
    pub status: Option<u16>,
    pub code: Option<i64>,
    pub message: String,
    /// The payment concerned, when there is one.
    pub payment_id: Option<PaymentId>,
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

/// What an event carries, as a plain JavaScript object (property names in camelCase, `null`
/// for what is not known).
pub trait Detail {
    fn to_js(&self) -> JsValue {
        self.write(JsObject::new()).into()
    }

    fn write(&self, object: JsObject) -> JsObject;
}

/// A plain object filled property by property.
pub struct JsObject(Object);

impl JsObject {
    fn new() -> JsObject {
        JsObject(Object::new())
    }

    fn set(self, key: &str, value: impl Into<JsValue>) -> JsObject {
        // Setting a property on a fresh plain object cannot throw.
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), &value.into());
        self
    }

    fn set_optional(self, key: &str, value: Option<impl Into<JsValue>>) -> JsObject {
        match value {
            Some(value) => self.set(key, value),
            None => self.set(key, JsValue::NULL),
        }
    }
}

impl From<JsObject> for JsValue {
    fn from(object: JsObject) -> JsValue {
        object.0.into()
    }
}

impl Detail for Ready<'_> {
    fn write(&self, object: JsObject) -> JsObject {
        let providers: Array = self
            .providers
            .iter()
            .map(|provider| {
                JsValue::from(
                    JsObject::new()
                        .set("name", provider.name.as_str())
                        .set("reference", provider.reference.as_str())
                        .set("description", provider.description.as_str()),
                )
            })
            .collect();
        object
            .set("userId", self.user_id.0 as f64)
            .set_optional("username", self.username)
            .set("provider", self.provider)
            .set("providers", providers)
            .set_optional("balance", self.balance)
            .set("pending", self.pending as f64)
    }
}

impl Detail for PaymentDetail<'_> {
    fn write(&self, object: JsObject) -> JsObject {
        object
            .set("paymentId", self.payment_id)
            .set_optional("paymentNo", self.payment_no)
            .set("userId", self.user_id.0 as f64)
            .set("amount", self.amount)
            .set("provider", self.provider)
    }
}

impl Detail for Committed<'_> {
    fn write(&self, object: JsObject) -> JsObject {
        self.payment
            .write(object)
            .set("credited", self.credited)
            .set_optional("balance", self.balance)
            .set("duplicates", payment_list(self.duplicates))
    }
}

impl Detail for RolledBack<'_> {
    fn write(&self, object: JsObject) -> JsObject {
        self.payment
            .write(object)
            .set("reason", self.reason.as_str())
            .set("duplicates", payment_list(self.duplicates))
    }
}

/// Payments as an array of [`PaymentDetail`] objects.
fn payment_list(payments: &[PaymentRef]) -> Array {
    payments
        .iter()
        .map(|payment| PaymentDetail::from(payment).to_js())
        .collect()
}

/// What `element.topUp()` resolves with: the event's detail and `outcome`.
impl Detail for Settled<'_> {
    fn write(&self, object: JsObject) -> JsObject {
        match self {
            Settled::Committed(detail) => detail.write(object),
            Settled::RolledBack(detail) => detail.write(object),
        }
        .set("outcome", self.event())
    }
}

impl Detail for Error {
    fn write(&self, object: JsObject) -> JsObject {
        object
            .set("operation", self.operation.as_str())
            .set_optional("status", self.status)
            .set_optional("code", self.code.map(|code| code as f64))
            .set("message", self.message.as_str())
            .set_optional("paymentId", self.payment_id.as_deref())
    }
}

/// Dispatches `myq-topup-{name}` on `element` with `detail`.
pub fn emit(element: &HtmlElement, name: &str, detail: &impl Detail) {
    emit_js(element, name, &detail.to_js());
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
