//! The intent key: what marks every payment made for one top-up a person asked for.
//!
//! MyQ X has no idempotency keys, and a POST can reach it twice although it was sent once:
//! Chromium re-sends a request whose kept-alive connection closed before the answer, and proxies
//! may do the same. So every create carries its intent's key at the end of the description,
//! which MyQ X keeps (docs/myq-api.md, "Descriptions and the intent key"). The widget finds the
//! payments of one intent by it; the gateway answers a repeated create with the first payment.

use crate::types::MAX_DESCRIPTION_CHARS;

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

    /// The key as text: sixteen hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
