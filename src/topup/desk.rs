//! The help desk's lookup: what an operator types or scans, as the `users/find` queries to ask.

use crate::api::UserQuery;
/// A flag's reason: checked before the gateway is asked, by the gateway's own rule.
pub use crate::api::desk::{FlagReasonError, flag_reason};

/// The most matches a desk lists: the gateway answers an operator a page of 20 at most, and a
/// longer list is no choice an operator can make at a counter.
pub const FOUND_PAGE: usize = 20;

/// What the find text is: the operator's "Find by" choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FindBy {
    /// Judged from the text (see [`FindBy::queries`]).
    #[default]
    Auto,
    Username,
    Email,
    Card,
    Code,
}

impl FindBy {
    /// Every choice, in the order the desk offers them.
    pub const ALL: [FindBy; 5] = [
        FindBy::Auto,
        FindBy::Username,
        FindBy::Email,
        FindBy::Card,
        FindBy::Code,
    ];

    /// The choice's value in the desk's `<select>`.
    pub fn key(self) -> &'static str {
        match self {
            FindBy::Auto => "auto",
            FindBy::Username => "username",
            FindBy::Email => "email",
            FindBy::Card => "card",
            FindBy::Code => "code",
        }
    }

    pub fn from_key(key: &str) -> FindBy {
        FindBy::ALL
            .into_iter()
            .find(|by| by.key() == key)
            .unwrap_or_default()
    }

    /// The queries to ask, in order, until one finds somebody. A chosen kind is one query.
    /// `Auto`: an `@` means an email; a card reader's number (hex digits only, at least six,
    /// one of them a decimal digit: `040000857D`) is asked as a card, then as a username; anything
    /// else as a username, then as a personal code (`S34173`). Empty text asks nothing.
    pub fn queries(self, text: &str) -> Vec<UserQuery<'_>> {
        let text = text.trim();
        if text.is_empty() {
            return Vec::new();
        }
        match self {
            FindBy::Username => vec![UserQuery::Username(text)],
            FindBy::Email => vec![UserQuery::Email(text)],
            FindBy::Card => vec![UserQuery::Card(text)],
            FindBy::Code => vec![UserQuery::Code(text)],
            FindBy::Auto if text.contains('@') => vec![UserQuery::Email(text)],
            FindBy::Auto if looks_like_card(text) => {
                vec![UserQuery::Card(text), UserQuery::Username(text)]
            }
            FindBy::Auto => vec![UserQuery::Username(text), UserQuery::Code(text)],
        }
    }
}

/// What a card reader types: hex digits only, at least six, one of them a decimal digit.
fn looks_like_card(text: &str) -> bool {
    text.len() >= 6
        && text.bytes().all(|b| b.is_ascii_hexdigit())
        && text.bytes().any(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_kind_is_asked_as_it_is() {
        assert_eq!(
            FindBy::Username.queries(" jnovak "),
            [UserQuery::Username("jnovak")]
        );
        assert_eq!(
            FindBy::Email.queries("jnovak"),
            [UserQuery::Email("jnovak")]
        );
        assert_eq!(FindBy::Card.queries("12"), [UserQuery::Card("12")]);
        assert_eq!(FindBy::Code.queries("S1"), [UserQuery::Code("S1")]);
        assert!(
            FindBy::Card.queries("  ").is_empty(),
            "nothing typed, nothing asked"
        );
    }

    #[test]
    fn auto_reads_emails_cards_then_names_and_codes() {
        let auto = |text| FindBy::Auto.queries(text);
        assert_eq!(
            auto("jnovak@example.edu"),
            [UserQuery::Email("jnovak@example.edu")]
        );
        assert_eq!(
            auto("040000857D"),
            [
                UserQuery::Card("040000857D"),
                UserQuery::Username("040000857D")
            ]
        );
        assert_eq!(
            auto("1234567890"),
            [
                UserQuery::Card("1234567890"),
                UserQuery::Username("1234567890")
            ]
        );
        assert_eq!(
            auto("jnovak"),
            [UserQuery::Username("jnovak"), UserQuery::Code("jnovak")]
        );
        assert_eq!(
            auto("S34173"),
            [UserQuery::Username("S34173"), UserQuery::Code("S34173")]
        );
        assert_eq!(
            auto("beefcafe"),
            [UserQuery::Username("beefcafe"), UserQuery::Code("beefcafe")],
            "hex letters alone are a name"
        );
        assert_eq!(
            auto("12345"),
            [UserQuery::Username("12345"), UserQuery::Code("12345")],
            "too short for a card"
        );
    }

    #[test]
    fn choices_round_trip_through_their_keys() {
        for by in FindBy::ALL {
            assert_eq!(FindBy::from_key(by.key()), by);
        }
        assert_eq!(FindBy::from_key("other"), FindBy::Auto);
    }
}
