//! What the user asked for, and the payments made for it.
//!
//! Every create carries its intent's key (`api::IntentKey`, the wire format the gateway reads
//! too) at the end of the description; the payments of one intent are then found by their key
//! in the user's list, one is kept and the others are rolled back.

pub use crate::api::{IntentKey, MAX_HOST_DESCRIPTION_CHARS};
use crate::api::{Money, Payment, PaymentState};

/// One top-up the user asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct Intent {
    pub amount: Money,
    /// The description the host configured; the key is added when the payment is created.
    pub description: String,
    pub key: IntentKey,
}

/// A payment made for an intent that already has its payment: to be rolled back.
#[derive(Clone, Debug, PartialEq)]
pub struct Duplicate<'a> {
    pub payment: &'a Payment,
    /// The intent's payment that is kept.
    pub kept: &'a Payment,
}

/// The duplicates among `payments` (newest first, as MyQ X lists them): for each intent key, the
/// payment kept is the completed one if there is one, else the oldest; every other `created`
/// payment with that key is a duplicate. Canceled payments lost their key to the rollback
/// reason; payments without a key (made elsewhere) are nobody's duplicates.
pub fn duplicates(payments: &[Payment]) -> Vec<Duplicate<'_>> {
    let keyed: Vec<(&Payment, IntentKey)> = payments
        .iter()
        .filter(|p| p.state != PaymentState::Canceled)
        .filter_map(|p| IntentKey::of(&p.description).map(|key| (p, key)))
        .collect();
    let kept_for = |key: &IntentKey| {
        let same = || keyed.iter().filter(move |(_, k)| k == key).map(|(p, _)| *p);
        same()
            .find(|p| p.state == PaymentState::Completed)
            .or_else(|| same().next_back())
    };
    keyed
        .iter()
        .filter(|(p, _)| p.state == PaymentState::Created)
        .filter_map(|(payment, key)| {
            let kept = kept_for(key)?;
            (kept.id != payment.id).then_some(Duplicate { payment, kept })
        })
        .collect()
}

/// The reason MyQ X keeps for a duplicate: it names the payment kept.
pub fn duplicate_reason(kept_id: &str) -> String {
    format!("Duplicate of payment {kept_id}: the same top-up reached MyQ X twice")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::UserId;

    fn payment(id: &str, state: PaymentState, description: &str) -> Payment {
        Payment {
            id: id.into(),
            user_id: UserId(1),
            amount: Money(10_000),
            currency: None,
            state,
            created: String::new(),
            updated: String::new(),
            expires: None,
            payment_no: None,
            provider: "external".into(),
            description: description.into(),
        }
    }

    #[test]
    fn keeps_the_completed_or_oldest_payment_of_an_intent() {
        let a = IntentKey::from_random(1).tag("");
        let b = IntentKey::from_random(2).tag("Kiosk");
        use PaymentState::*;
        // Newest first.
        let listed = [
            payment("7", Created, &a),
            payment("6", Created, &b),
            payment("5", Created, &a),
            payment("4", Completed, &b),
            payment("3", Created, ""),
            payment("2", Created, ""),
            payment("1", Canceled, "Duplicate of payment 5"),
        ];
        let found: Vec<(&str, &str)> = duplicates(&listed)
            .iter()
            .map(|d| (d.payment.id.as_str(), d.kept.id.as_str()))
            .collect();
        assert_eq!(found, [("7", "5"), ("6", "4")]);
        assert_eq!(
            duplicate_reason(&listed[2].id),
            "Duplicate of payment 5: the same top-up reached MyQ X twice"
        );
    }
}
