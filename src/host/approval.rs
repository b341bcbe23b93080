//! The host's payment step: the element's `approve` property, asked between create and commit.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlElement;

use super::events::{Detail, PaymentDetail};
use super::token::describe;
use crate::api::Money;
use crate::topup::{Approval, Approved, PaymentRef};

/// `element.approve(payment)`: resolve to commit (with a number or `{amount}` to commit that
/// amount instead), reject to roll back with the rejection's message as the reason. Without an
/// `approve` property, payments are committed right away.
pub struct ElementApproval {
    pub element: HtmlElement,
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
        let answer = match hook.call1(&self.element, &detail) {
            Ok(returned) => JsFuture::from(Promise::resolve(&returned)).await,
            Err(thrown) => Err(thrown),
        };
        match answer {
            Err(reason) => Approved::Reject(reason_text(&reason)),
            Ok(value) => match approved_amount(&value) {
                Some(Some(amount)) => Approved::CommitAmount(amount),
                Some(None) => {
                    Approved::Reject("approve resolved to an amount that is not one".into())
                }
                None => Approved::Commit,
            },
        }
    }
}

/// The amount an approval resolved to: `None` when it named none, `Some(None)` when it named
/// one that is not a positive amount with at most two decimals.
fn approved_amount(value: &JsValue) -> Option<Option<Money>> {
    // A number names an amount, and so does an object's `amount`; anything else commits.
    let named = if value.is_object() {
        Reflect::get(value, &JsValue::from_str("amount")).unwrap_or(JsValue::UNDEFINED)
    } else if value.as_f64().is_some() {
        value.clone()
    } else {
        JsValue::UNDEFINED
    };
    if named.is_undefined() || named.is_null() {
        return None;
    }
    // Named, but not a positive amount in whole cents: refused, never the old amount instead.
    let amount = named
        .as_f64()
        .and_then(Money::from_number)
        .filter(|m| m.cents() > 0);
    Some(amount)
}

fn reason_text(reason: &JsValue) -> String {
    let text = describe(reason);
    if text.trim().is_empty() {
        "Rejected by the payment step".into()
    } else {
        text
    }
}
