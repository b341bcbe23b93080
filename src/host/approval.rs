//! The host's payment step: the element's `approve` property, asked between create and commit.

use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlElement;

use super::callback::{self, Answer, message_of};
use super::events::{Detail, PaymentDetail};
use crate::api::Money;
use crate::topup::{
    AmountError, AmountRules, Approval, Approved, PaymentRef, Reason, amount_from_number,
};

/// `element.approve(payment)`: resolve to commit (with a number or `{amount}` to commit that
/// amount instead), reject to roll back with the rejection's message as the reason. Without an
/// `approve` property, payments are committed right away.
pub struct ElementApproval {
    pub element: HtmlElement,
    /// An amount `approve` names is held to the same bounds as a typed one.
    pub rules: AmountRules,
    /// How long `approve` may take (the `callback-timeout` attribute); then the payment is
    /// rolled back.
    pub callback_timeout_ms: u32,
}

impl Approval for ElementApproval {
    async fn approve(&self, payment: &PaymentRef) -> Approved {
        let hook = Reflect::get(&self.element, &JsValue::from_str("approve"))
            .ok()
            .and_then(|value| value.dyn_into::<Function>().ok());
        let Some(hook) = hook else {
            return Approved::Commit;
        };
        let detail = PaymentDetail::from(payment).to_js();
        let limit = self.callback_timeout_ms;
        match callback::call(&hook, &self.element, &[detail], limit).await {
            Answer::Rejected(reason) => Approved::Reject(reason_of(&reason)),
            Answer::TimedOut => Approved::Reject(Reason::StepTimedOut {
                seconds: limit / 1000,
            }),
            Answer::Resolved(value) => match self.approved_amount(&value) {
                NamedAmount::None => Approved::Commit,
                NamedAmount::Valid(amount) => Approved::CommitAmount(amount),
                NamedAmount::Refused(why) => Approved::Reject(Reason::AmountRefused(why)),
            },
        }
    }
}

/// What an approval's answer says of the amount.
enum NamedAmount {
    /// None: commit the payment's own amount.
    None,
    /// One within the bounds: commit it instead.
    Valid(Money),
    /// One that cannot be committed, and why (never the old amount instead).
    Refused(AmountError),
}

impl ElementApproval {
    /// The amount an approval resolved to.
    fn approved_amount(&self, value: &JsValue) -> NamedAmount {
        // A number names an amount, and so does an object's `amount`; anything else commits.
        let named = if value.is_object() {
            Reflect::get(value, &JsValue::from_str("amount")).unwrap_or(JsValue::UNDEFINED)
        } else if value.as_f64().is_some() {
            value.clone()
        } else {
            JsValue::UNDEFINED
        };
        if named.is_undefined() || named.is_null() {
            return NamedAmount::None;
        }
        let amount = named
            .as_f64()
            .ok_or(AmountError::NotANumber)
            .and_then(amount_from_number)
            .and_then(|amount| self.rules.check(amount));
        match amount {
            Ok(amount) => NamedAmount::Valid(amount),
            Err(err) => NamedAmount::Refused(err),
        }
    }
}

/// A rejection's message as the reason; a rejection without one is still a rejection.
fn reason_of(rejection: &JsValue) -> Reason {
    message_of(rejection).map_or(Reason::RejectedSilently, Reason::Rejected)
}
