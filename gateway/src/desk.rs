//! The help desk's shift, as the widget reads it (JSON) and as a spreadsheet opens it (CSV):
//! plain functions from the ledger's lines, no HTTP.
//!
//! A shift is the credits the desk gave (operators' payments credited in MyQ X) since a time,
//! each with its flag if an operator said it was a mistake. Times are RFC 3339 at the
//! configured `utc_offset`, to the second; amounts are MyQ X's numbers (`20.5`) in JSON and
//! two decimals (`20.50`) in the CSV.

use myq_api::UserId;
use myq_api::desk::{CreditFlag, Shift, ShiftLine};
use time::{OffsetDateTime, UtcOffset};

use crate::ledger::{DeskCredit, Flag};
use crate::policy::{Money, ShiftScope};

/// What an operator's payment records as the username when the gateway does not know it:
/// MyQ X finds users by username, email, card or code, never by id, so only a user the gateway
/// itself found for the desk has a known username (see `App::username_of`).
pub fn unknown_username(user: UserId) -> String {
    format!("user {user}")
}

/// The shift's answer (`GET {api_prefix}/desk/shift`): the ledger's lines since `since`, in
/// the wire types the widget reads.
pub fn shift_answer(
    since: OffsetDateTime,
    scope: &ShiftScope,
    lines: &[DeskCredit],
    utc_offset: UtcOffset,
) -> Shift {
    let total = lines.iter().fold(Money(0), |sum, line| sum + line.amount);
    Shift {
        since: rfc3339(crate::policy::unix_ms(since), utc_offset),
        operator: scope.operator().map(String::from),
        count: lines.len(),
        total,
        flagged: lines.iter().filter(|line| line.flag.is_some()).count(),
        lines: lines
            .iter()
            .map(|line| ShiftLine {
                payment_id: line.payment_id.as_str().into(),
                user_id: UserId(line.user_id.unsigned_abs()),
                username: known_username(line),
                amount: line.amount,
                credited_at: rfc3339(line.credited_at, utc_offset),
                operator: line.actor.clone(),
                flag: line.flag.as_ref().map(|f| credit_flag(f, utc_offset)),
            })
            .collect(),
    }
}

/// A ledger's flag as answered.
pub fn credit_flag(flag: &Flag, utc_offset: UtcOffset) -> CreditFlag {
    CreditFlag {
        reason: flag.reason.clone(),
        by: flag.by.clone(),
        at: rfc3339(flag.at, utc_offset),
    }
}

fn known_username(line: &DeskCredit) -> Option<String> {
    let placeholder = unknown_username(UserId(line.user_id.unsigned_abs()));
    (line.username != placeholder).then(|| line.username.clone())
}

/// Unix milliseconds as RFC 3339 at `utc_offset`, to the second.
pub fn rfc3339(unix_ms: i64, utc_offset: UtcOffset) -> String {
    let at = OffsetDateTime::from_unix_timestamp(unix_ms.div_euclid(1000))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(utc_offset);
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The CSV's columns.
pub const CSV_HEADER: [&str; 9] = [
    "credited at",
    "payment",
    "user id",
    "username",
    "amount",
    "operator",
    "flag reason",
    "flagged by",
    "flagged at",
];

/// The shift as CSV (RFC 4180: a header row, CRLF line ends, UTF-8), one row per credit.
/// Amounts have two decimals. A cell a spreadsheet would take for a formula (one beginning
/// with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'`.
pub fn csv(shift: &Shift) -> String {
    let mut out = String::new();
    row(&mut out, CSV_HEADER.iter().map(|c| c.to_string()));
    for line in &shift.lines {
        let flag = line.flag.as_ref();
        row(
            &mut out,
            [
                line.credited_at.clone(),
                line.payment_id.to_string(),
                line.user_id.to_string(),
                line.username.clone().unwrap_or_default(),
                line.amount.to_string(),
                line.operator.clone(),
                flag.map(|f| f.reason.clone()).unwrap_or_default(),
                flag.map(|f| f.by.clone()).unwrap_or_default(),
                flag.map(|f| f.at.clone()).unwrap_or_default(),
            ],
        );
    }
    out
}

fn row(out: &mut String, cells: impl IntoIterator<Item = String>) {
    let cells: Vec<String> = cells.into_iter().map(|c| csv_cell(&c)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// One CSV cell: defused if a spreadsheet would read it as a formula, then quoted if needed.
pub fn csv_cell(text: &str) -> String {
    let defused = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if defused.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// The CSV's file name: `shift-OPERATOR-DATE.csv` (`all` for every operator), only letters,
/// digits, `.`, `_` and `-`.
pub fn csv_file_name(shift: &Shift) -> String {
    let who = shift.operator.as_deref().unwrap_or("all");
    let day = shift.since.get(..10).unwrap_or("");
    let name: String = format!("shift-{who}-{day}.csv")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    /// 2025-03-10 12:00:00.250 UTC.
    const CREDITED_AT: i64 = 1_741_608_000_250;

    fn line(id: &str, actor: &str, cents: i64, flag: Option<&str>) -> DeskCredit {
        DeskCredit::example(id, actor, cents, CREDITED_AT, flag)
    }

    #[test]
    fn cells_are_quoted_and_defused() {
        let cases = [
            ("jnovak", "jnovak"),
            ("", ""),
            ("20.50", "20.50"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("=1+1", "'=1+1"),
            ("+420 123", "'+420 123"),
            ("-5", "'-5"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
            ),
            ("a=b", "a=b"),
            ("Nováková", "Nováková"),
        ];
        for (text, cell) in cases {
            assert_eq!(csv_cell(text), cell, "{text:?}");
        }
    }

    #[test]
    fn a_shift_adds_up_and_shows_its_flags() {
        let lines = [
            line("10", "desk1", 2050, None),
            line("11", "desk1", 500, Some("typed 50 for 5")),
        ];
        let shift = shift_answer(
            datetime!(2025-03-10 00:00 +01:00),
            &ShiftScope::Operator("desk1".into()),
            &lines,
            offset!(+01:00),
        );
        assert_eq!(shift.count, 2);
        assert_eq!(shift.total, Money(2550));
        assert_eq!(shift.flagged, 1);
        assert_eq!(shift.since, "2025-03-10T00:00:00+01:00");
        assert_eq!(shift.lines[0].credited_at, "2025-03-10T13:00:00+01:00");
        let json = serde_json::to_value(&shift).unwrap();
        assert_eq!(
            json["lines"][1],
            serde_json::json!({
                "paymentId": "11", "userId": 34173, "username": "jnovak", "amount": 5,
                "creditedAt": "2025-03-10T13:00:00+01:00", "operator": "desk1",
                "flag": {"reason": "typed 50 for 5", "by": "desk1", "at": "2025-03-10T14:00:00+01:00"}
            })
        );
        assert_eq!(json["lines"][0]["flag"], serde_json::Value::Null);
        assert_eq!(
            csv(&shift),
            "credited at,payment,user id,username,amount,operator,flag reason,flagged by,flagged at\r\n\
             2025-03-10T13:00:00+01:00,10,34173,jnovak,20.50,desk1,,,\r\n\
             2025-03-10T13:00:00+01:00,11,34173,jnovak,5.00,desk1,typed 50 for 5,desk1,2025-03-10T14:00:00+01:00\r\n"
        );
        assert_eq!(csv_file_name(&shift), "shift-desk1-2025-03-10.csv");
    }

    #[test]
    fn an_unknown_username_is_null_and_everyones_shift_has_no_operator() {
        let mut unknown = line("12", "desk2", 1000, None);
        unknown.username = unknown_username(UserId(34173));
        let shift = shift_answer(
            datetime!(2025-03-10 00:00 UTC),
            &ShiftScope::Everyone,
            &[unknown],
            offset!(UTC),
        );
        assert_eq!(shift.lines[0].username, None);
        assert_eq!(shift.operator, None);
        assert_eq!(csv_file_name(&shift), "shift-all-2025-03-10.csv");
        let empty = shift_answer(
            datetime!(2025-03-10 00:00 UTC),
            &ShiftScope::Operator("a b/../c".into()),
            &[],
            offset!(UTC),
        );
        assert_eq!((empty.count, empty.total, empty.flagged), (0, Money(0), 0));
        assert_eq!(csv_file_name(&empty), "shift-a_b_.._c-2025-03-10.csv");
        assert_eq!(csv(&empty).lines().count(), 1);
    }
}
