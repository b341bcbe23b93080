//! The help desk's shift and its flags: calls of myq-gateway, not of MyQ X (MyQ X keeps no
//! record of who took the cash), described in README.md under "The operator desk". The gateway
//! writes these types and the widget reads them, so each derives both ways.

use serde::{Deserialize, Serialize};

use crate::client::{Call, MyqClient, encode};
use crate::error::{ApiError, Operation};
use crate::json;
use crate::money::Money;
use crate::token::TokenSource;
use crate::transport::{Method, Transport};
use crate::types::{PaymentId, UserId};
use crate::wire;

/// `GET {base}/desk/shift`: the credits the desk gave since a time.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Shift {
    /// RFC 3339, at the gateway's UTC offset.
    pub since: String,
    /// The operator whose credits these are; `None` for every operator's.
    #[serde(default)]
    pub operator: Option<String>,
    pub count: usize,
    /// Every credit's amount, flagged ones included: they were credited in MyQ X.
    #[serde(deserialize_with = "wire::money")]
    pub total: Money,
    /// How many of the credits are flagged.
    pub flagged: usize,
    pub lines: Vec<ShiftLine>,
}

/// One credit of a shift.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShiftLine {
    /// MyQ X's payment id: the receipt's number.
    pub payment_id: PaymentId,
    pub user_id: UserId,
    /// The user's MyQ X username, when the gateway knew it.
    #[serde(default)]
    pub username: Option<String>,
    #[serde(deserialize_with = "wire::money")]
    pub amount: Money,
    /// RFC 3339, at the gateway's UTC offset.
    pub credited_at: String,
    /// The operator who took the cash.
    pub operator: String,
    #[serde(default)]
    pub flag: Option<CreditFlag>,
}

/// An operator's word that a credit was a mistake, for an administrator to correct in MyQ X
/// (its REST API cannot take credit back).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct CreditFlag {
    pub reason: String,
    /// The operator who flagged it.
    pub by: String,
    /// RFC 3339, at the gateway's UTC offset.
    pub at: String,
}

/// `POST {base}/desk/credits/{id}/flag` body.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct FlagRequest {
    pub reason: String,
}

/// The longest reason a flag keeps, in characters.
pub const FLAG_REASON_MAX_CHARS: usize = 255;

/// Why a flag's reason is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagReasonError {
    Empty,
    TooLong,
    /// Line breaks or other control characters.
    NotOneLine,
}

impl FlagReasonError {
    /// In English, for the gateway's refusal and the widget's `myq-topup-error` detail.
    pub fn message(self) -> &'static str {
        match self {
            FlagReasonError::Empty => "Say why the credit is a mistake",
            FlagReasonError::TooLong => "A flag's reason is at most 255 characters",
            FlagReasonError::NotOneLine => "A flag's reason is one line of text",
        }
    }
}

impl std::fmt::Display for FlagReasonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// A flag's reason, trimmed: 1 to [`FLAG_REASON_MAX_CHARS`] characters on one line. The
/// widget checks it before asking, the gateway again when asked.
pub fn flag_reason(text: &str) -> Result<&str, FlagReasonError> {
    let reason = text.trim();
    if reason.is_empty() {
        Err(FlagReasonError::Empty)
    } else if reason.chars().count() > FLAG_REASON_MAX_CHARS {
        Err(FlagReasonError::TooLong)
    } else if reason.chars().any(char::is_control) {
        Err(FlagReasonError::NotOneLine)
    } else {
        Ok(reason)
    }
}

impl<T: Transport, S: TokenSource> MyqClient<T, S> {
    /// The caller's shift since `since` (a date or an RFC 3339 time; the gateway's today when
    /// `None`).
    pub async fn shift(&self, since: Option<&str>) -> Result<Shift, ApiError> {
        let path = shift_path("/desk/shift", since);
        self.json(Call::get(Operation::Shift, &path)).await
    }

    /// The same shift as the gateway's CSV file (RFC 4180), as text.
    pub async fn shift_csv(&self, since: Option<&str>) -> Result<String, ApiError> {
        let path = shift_path("/desk/shift.csv", since);
        self.exchange(Call::get(Operation::ShiftCsv, &path)).await
    }

    /// Flags a desk credit as a mistake; answers the flag as recorded.
    pub async fn flag_credit(&self, id: &PaymentId, reason: &str) -> Result<CreditFlag, ApiError> {
        let path = format!("/desk/credits/{}/flag", encode(id));
        let body = json::write(&FlagRequest {
            reason: reason.to_owned(),
        });
        self.json(Call::send(Operation::FlagCredit, Method::Post, &path, body))
            .await
    }
}

fn shift_path(path: &str, since: Option<&str>) -> String {
    match since.map(str::trim).filter(|since| !since.is_empty()) {
        Some(since) => format!("{path}?since={}", encode(since)),
        None => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_one_trimmed_line_of_at_most_255_characters() {
        assert_eq!(flag_reason("  wrong student \t"), Ok("wrong student"));
        assert_eq!(flag_reason(" \n "), Err(FlagReasonError::Empty));
        assert_eq!(flag_reason("a\nb"), Err(FlagReasonError::NotOneLine));
        let longest = "č".repeat(FLAG_REASON_MAX_CHARS);
        assert_eq!(flag_reason(&longest), Ok(longest.as_str()));
        let longer = format!("{longest}č");
        assert_eq!(flag_reason(&longer), Err(FlagReasonError::TooLong));
    }

    #[test]
    fn reads_the_gateways_shift_with_money_in_cents() {
        let text = r#"{"since":"2026-11-26T00:00:00+01:00","operator":"desk1","count":2,
            "total":250.5,"flagged":1,"lines":[
            {"paymentId":"41","userId":34173,"username":"jnovak","amount":100,
             "creditedAt":"2026-11-26T09:12:00+01:00","operator":"desk1","flag":null},
            {"paymentId":42,"userId":"34176","username":null,"amount":150.5,
             "creditedAt":"2026-11-26T09:30:00+01:00","operator":"desk1",
             "flag":{"reason":"wrong student","by":"desk1","at":"2026-11-26T09:31:00+01:00"}}]}"#;
        let shift: Shift = json::parse(text).expect("a shift");
        assert_eq!(shift.total, Money(25050));
        assert_eq!(shift.lines[1].payment_id, "42");
        assert_eq!(shift.lines[1].user_id, UserId(34176));
        assert_eq!(shift.lines[1].amount, Money(15050));
        assert_eq!(shift.lines[0].username.as_deref(), Some("jnovak"));
        assert_eq!(
            shift.lines[1].flag.as_ref().map(|f| f.reason.as_str()),
            Some("wrong student")
        );
        let again: Shift = json::parse(&json::write(&shift)).expect("written and read back");
        assert_eq!(again, shift);
    }

    #[test]
    fn a_malformed_shift_is_an_error_not_a_panic() {
        for text in [
            r#"{"since":"x","count":1,"total":"ten","flagged":0,"lines":[]}"#,
            r#"{"since":"x","count":-1,"total":1,"flagged":0,"lines":[]}"#,
            r#"{"since":"x","count":1,"total":1,"flagged":0,"lines":[{}]}"#,
            r#"[]"#,
        ] {
            assert!(json::parse::<Shift>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn asks_for_the_shift_since_a_date_when_one_is_given() {
        assert_eq!(shift_path("/desk/shift", None), "/desk/shift");
        assert_eq!(shift_path("/desk/shift", Some(" ")), "/desk/shift");
        assert_eq!(
            shift_path("/desk/shift.csv", Some("2026-11-26T08:00:00+01:00")),
            "/desk/shift.csv?since=2026-11-26T08%3A00%3A00%2B01%3A00"
        );
    }
}
