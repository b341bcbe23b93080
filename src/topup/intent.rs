//! What the user asked for, and the key that marks every payment made for it.
//!
//! MyQ X has no idempotency keys, and a POST can reach it twice although the widget sent it
//! once: Chromium re-sends a request whose kept-alive connection closed before the answer, and
//! proxies may do the same. So every create carries its intent's key at the end of the
//! description, which MyQ X keeps (`docs/myq-api.md`); the payments of one intent are then found
//! by their key in the user's list, one is kept and the others are rolled back.

use crate::api::{MAX_DESCRIPTION_CHARS, Money, Payment, PaymentState};

/// One top-up the user asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct Intent {
    pub amount: Money,
    /// The description the host configured; the key is added when the payment is created.
    pub description: String,
    pub key: IntentKey,
}

/// Sixteen lowercase hex digits, random per intent: unique enough across tabs and pages that
/// two intents never share one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IntentKey(String);

const TAG_START: &str = "[myq-topup ";
const KEY_DIGITS: usize = 16;

/// The characters the key's tag takes at the end of a description: ` [myq-topup 0123456789abcdef]`.
pub const KEY_TAG_CHARS: usize = 1 + TAG_START.len() + KEY_DIGITS + 1;

/// The longest description a host may configure: MyQ X keeps 255 characters, the tag needs its
/// share.
pub const MAX_HOST_DESCRIPTION_CHARS: usize = MAX_DESCRIPTION_CHARS - KEY_TAG_CHARS;

impl IntentKey {
    /// A key from 64 random bits (the host draws them from the browser's `crypto`).
    pub fn from_random(bits: u64) -> IntentKey {
        IntentKey(format!("{bits:016x}"))
    }

    /// The description MyQ X is sent: the host's, then the key's tag.
    pub fn tag(&self, description: &str) -> String {
        let tag = format!("{TAG_START}{}]", self.0);
        if description.is_empty() {
            tag
        } else {
            format!("{description} {tag}")
        }
    }

    /// The key a description ends with, if it ends with one.
    pub fn of(description: &str) -> Option<IntentKey> {
        let (_, tagged) = description.strip_suffix(']')?.rsplit_once(TAG_START)?;
        let is_key = tagged.len() == KEY_DIGITS
            && tagged
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        is_key.then(|| IntentKey(tagged.to_owned()))
    }
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
    fn tags_descriptions_and_reads_the_key_back() {
        let key = IntentKey::from_random(0x00ab_cdef_0123_4567);
        assert_eq!(key.tag(""), "[myq-topup 00abcdef01234567]");
        assert_eq!(key.tag("Kiosk"), "Kiosk [myq-topup 00abcdef01234567]");
        assert_eq!(
            key.tag("Kiosk").chars().count(),
            "Kiosk".len() + KEY_TAG_CHARS
        );
        assert_eq!(IntentKey::of(&key.tag("Kiosk")), Some(key.clone()));
        assert_eq!(IntentKey::of(&key.tag("")), Some(key));
        for untagged in [
            "",
            "Kiosk",
            "[myq-topup 00abcdef0123456]",
            "[myq-topup 00ABCDEF01234567]",
            "[myq-topup 00abcdef01234567] later",
            "[myq-topup 00abcdef0123456g]",
        ] {
            assert_eq!(IntentKey::of(untagged), None, "{untagged}");
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
