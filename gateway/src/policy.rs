//! What a top-up may be, and for whom: plain functions, no HTTP, no database.
//!
//! Amounts are whole cents: the MyQ X client's [`Money`], the same type the widget uses. The
//! caps' windows ("today", "this month") begin at
//! midnight at the configured fixed UTC offset ([`day_start`], [`month_start`]).

pub use myq_api::Money;

use crate::error::GatewayError;
use crate::identity::{Identity, Role};
use crate::ledger::RecordState;
use myq_api::{UserId, UserQuery};
use std::fmt;
use time::{Date, OffsetDateTime, Time, UtcOffset};

/// The bounds of one top-up and the caps on a student's top-ups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountPolicy {
    pub min: Money,
    pub max: Money,
    /// Every amount is a whole multiple of it (as the widget's `step` attribute).
    pub step: Money,
    pub daily_cap: Option<Money>,
    pub monthly_cap: Option<Money>,
}

/// Why a top-up is refused, in words for the person who asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NotPositive,
    BelowMin(Money),
    AboveMax(Money),
    OffStep(Money),
    PastDailyCap {
        cap: Money,
        left: Money,
    },
    PastMonthlyCap {
        cap: Money,
        left: Money,
    },
    NotTheirAccount,
    /// A create repeated an intent key whose first payment is another user's.
    IntentOfAnotherTopUp,
    /// The payment's charge has begun or it is settled: it can no longer change.
    NotOpen(RecordState),
    /// The help desk's pages (the shift, flags) are for operators.
    NotAnOperator,
    /// An operator who is not an administrator sees only their own shift.
    AnotherOperatorsShift,
    /// An operator who is not an administrator flags only their own credits.
    AnotherOperatorsCredit,
    /// Only a payment the help desk got credited can be flagged.
    NotADeskCredit,
    /// A shift's `since` that is neither an RFC 3339 time nor a date.
    BadSince,
    /// A flag's reason that is empty, too long, or has control characters.
    BadReason(&'static str),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotPositive => f.write_str("The top-up must be more than zero"),
            Refusal::BelowMin(min) => write!(f, "The top-up must be at least {min}"),
            Refusal::AboveMax(max) => write!(f, "The top-up must be at most {max}"),
            Refusal::OffStep(step) => write!(f, "The top-up must be a multiple of {step}"),
            Refusal::PastDailyCap { cap, left } if left.0 <= 0 => {
                write!(f, "Today's limit of {cap} is used up; try again tomorrow")
            }
            Refusal::PastDailyCap { cap, left } => {
                write!(f, "This would pass today's limit of {cap}: {left} is left")
            }
            Refusal::PastMonthlyCap { cap, left } if left.0 <= 0 => {
                write!(f, "This month's limit of {cap} is used up")
            }
            Refusal::PastMonthlyCap { cap, left } => {
                write!(
                    f,
                    "This would pass this month's limit of {cap}: {left} is left"
                )
            }
            Refusal::NotTheirAccount => f.write_str("Students can top up only their own account"),
            Refusal::IntentOfAnotherTopUp => {
                f.write_str("This top-up's key belongs to another top-up: start the top-up again")
            }
            Refusal::NotOpen(state) => f.write_str(match state {
                RecordState::Created => "This payment is open",
                RecordState::Charging | RecordState::Charged => {
                    "This payment is being paid already and can no longer change"
                }
                RecordState::Credited => "This payment is committed already",
                RecordState::Declined => "This payment was declined",
                RecordState::RolledBack => "This payment was rolled back",
            }),
            Refusal::NotAnOperator => f.write_str("Only the help desk's operators have a shift"),
            Refusal::AnotherOperatorsShift => {
                f.write_str("Only an administrator sees another operator's credits")
            }
            Refusal::AnotherOperatorsCredit => f.write_str(
                "Only the operator who took the cash, or an administrator, can flag this credit",
            ),
            Refusal::NotADeskCredit => {
                f.write_str("Only a credit given at the help desk can be flagged")
            }
            Refusal::BadSince => f.write_str(
                "since is a time like 2025-03-10T08:00:00+01:00, or a date like 2025-03-10",
            ),
            Refusal::BadReason(why) => f.write_str(why),
        }
    }
}

/// A bad amount is a bad request (`400`, as MyQ X refuses one); a cap or someone else's
/// account is forbidden (`403`).
impl From<Refusal> for GatewayError {
    fn from(refusal: Refusal) -> Self {
        let message = refusal.to_string();
        match refusal {
            Refusal::NotPositive
            | Refusal::BelowMin(_)
            | Refusal::AboveMax(_)
            | Refusal::OffStep(_)
            | Refusal::BadSince
            | Refusal::BadReason(_) => GatewayError::bad_request(message),
            Refusal::PastDailyCap { .. }
            | Refusal::PastMonthlyCap { .. }
            | Refusal::NotTheirAccount
            | Refusal::NotAnOperator
            | Refusal::AnotherOperatorsShift
            | Refusal::AnotherOperatorsCredit => GatewayError::forbidden(message),
            Refusal::NotOpen(_) | Refusal::IntentOfAnotherTopUp | Refusal::NotADeskCredit => {
                GatewayError::conflict(message)
            }
        }
    }
}

impl AmountPolicy {
    /// The bounds of a single top-up: positive, within `min..=max`, a multiple of `step`.
    /// An operator's top-up is checked with this alone.
    pub fn check_amount(&self, amount: Money) -> Result<(), Refusal> {
        if amount.0 <= 0 {
            Err(Refusal::NotPositive)
        } else if amount < self.min {
            Err(Refusal::BelowMin(self.min))
        } else if amount > self.max {
            Err(Refusal::AboveMax(self.max))
        } else if amount.0 % self.step.0 != 0 {
            Err(Refusal::OffStep(self.step))
        } else {
            Ok(())
        }
    }

    /// A student's own top-up: [`check_amount`](Self::check_amount), then the caps, given what
    /// the student already spent today and this month (the ledger's `spent`).
    ///
    /// ```
    /// use myq_gateway::policy::{AmountPolicy, Money};
    /// let policy = AmountPolicy {
    ///     min: Money(2000), max: Money(20000), step: Money(100),
    ///     daily_cap: Some(Money(50000)), monthly_cap: None,
    /// };
    /// assert!(policy.check(Money(3000), Money(0), Money(0)).is_ok());
    /// let refusal = policy.check(Money(20000), Money(38000), Money(38000)).unwrap_err();
    /// assert_eq!(refusal.to_string(), "This would pass today's limit of 500.00: 120.00 is left");
    /// ```
    pub fn check(
        &self,
        amount: Money,
        spent_today: Money,
        spent_this_month: Money,
    ) -> Result<(), Refusal> {
        self.check_amount(amount)?;
        self.caps(amount, spent_today, spent_this_month)
    }

    /// The caps alone: `amount` on top of what was spent today and this month. A student's
    /// payment is held to them when it is created and again when it is committed, since
    /// payments created but not yet paid do not count as spent: several created under the caps
    /// must not all be paid past them.
    pub fn caps(
        &self,
        amount: Money,
        spent_today: Money,
        spent_this_month: Money,
    ) -> Result<(), Refusal> {
        if let Some(cap) = self.daily_cap {
            within_cap(amount, spent_today, cap)
                .map_err(|left| Refusal::PastDailyCap { cap, left })?;
        }
        if let Some(cap) = self.monthly_cap {
            within_cap(amount, spent_this_month, cap)
                .map_err(|left| Refusal::PastMonthlyCap { cap, left })?;
        }
        Ok(())
    }
}

impl AmountPolicy {
    /// What was spent, a payment whose charge just began counted in, is within the caps. Checked
    /// once a commit has claimed its charge, so that two commits of one student racing past the
    /// caps are caught: each then counts the other.
    pub fn within_caps(&self, spent_today: Money, spent_this_month: Money) -> Result<(), Refusal> {
        if let Some(cap) = self.daily_cap.filter(|cap| spent_today > *cap) {
            return Err(Refusal::PastDailyCap {
                cap,
                left: Money(0),
            });
        }
        if let Some(cap) = self.monthly_cap.filter(|cap| spent_this_month > *cap) {
            return Err(Refusal::PastMonthlyCap {
                cap,
                left: Money(0),
            });
        }
        Ok(())
    }
}

/// `Err(what is left)` when `amount` on top of `spent` passes `cap`.
fn within_cap(amount: Money, spent: Money, cap: Money) -> Result<(), Money> {
    let left = (cap - spent).max(Money(0));
    if amount <= left { Ok(()) } else { Err(left) }
}

/// Students top up only themselves; operators anyone. Usernames are compared ignoring case,
/// as MyQ X finds users.
pub fn may_act_for(identity: &Identity, target_username: &str) -> Result<(), Refusal> {
    match identity.role {
        Role::Operator => Ok(()),
        Role::Student if same_username(&identity.username, target_username) => Ok(()),
        Role::Student => Err(Refusal::NotTheirAccount),
    }
}

/// A student looks up only themselves, by their username: finding others by email, card or
/// code is the desk's.
pub fn student_may_find(identity: &Identity, query: UserQuery<'_>) -> Result<(), Refusal> {
    match query {
        UserQuery::Username(name) => may_act_for(identity, name),
        UserQuery::Email(_) | UserQuery::Card(_) | UserQuery::Code(_) => {
            Err(Refusal::NotTheirAccount)
        }
    }
}

/// A student acts only for their own MyQ X user id.
pub fn only_own(own: UserId, asked: UserId) -> Result<(), Refusal> {
    if own == asked {
        Ok(())
    } else {
        Err(Refusal::NotTheirAccount)
    }
}

/// A student commits or rolls back only payments they created themselves: a payment an
/// operator made for them is the desk's to settle (its commit takes no charge).
pub fn may_settle(identity: &Identity, creator_role: Role, creator: &str) -> Result<(), Refusal> {
    match identity.role {
        Role::Operator => Ok(()),
        Role::Student
            if creator_role == Role::Student && same_username(&identity.username, creator) =>
        {
            Ok(())
        }
        Role::Student => Err(Refusal::NotTheirAccount),
    }
}

/// A create that repeats an intent key answers the intent's first payment, which must be for the
/// same user: a key seen with another user's payment answers nothing of it.
pub fn same_intent(first: UserId, asked: UserId) -> Result<(), Refusal> {
    if first == asked {
        Ok(())
    } else {
        Err(Refusal::IntentOfAnotherTopUp)
    }
}

/// A payment may change or be rolled back only before its charge begins: once charging, its
/// money is on the way, and only the settlement may finish it.
pub fn still_open(state: RecordState) -> Result<(), Refusal> {
    match state {
        RecordState::Created => Ok(()),
        other => Err(Refusal::NotOpen(other)),
    }
}

/// The help desk's pages (the shift, flags) are the operators'.
pub fn operators_only(identity: &Identity) -> Result<(), Refusal> {
    match identity.role {
        Role::Operator => Ok(()),
        Role::Student => Err(Refusal::NotAnOperator),
    }
}

/// Whose credits a shift lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShiftScope {
    /// One operator's, by username.
    Operator(String),
    /// Every operator's (administrators only).
    Everyone,
}

impl ShiftScope {
    /// The operator, or `None` for everyone.
    pub fn operator(&self) -> Option<&str> {
        match self {
            ShiftScope::Operator(name) => Some(name),
            ShiftScope::Everyone => None,
        }
    }
}

/// The shift's `operator=` that asks for every operator's credits.
pub const EVERY_OPERATOR: &str = "*";

/// Whose shift an operator may see: their own (the default); an administrator also any other
/// operator's by name, or everyone's with `operator=*`. Students have no shift.
///
/// ```
/// use myq_gateway::identity::{Identity, Role};
/// use myq_gateway::policy::{shift_scope, ShiftScope};
/// let desk = Identity { username: "desk1".into(), role: Role::Operator, admin: false };
/// assert_eq!(shift_scope(&desk, None), Ok(ShiftScope::Operator("desk1".into())));
/// assert!(shift_scope(&desk, Some("desk2")).is_err());
/// ```
pub fn shift_scope(identity: &Identity, asked: Option<&str>) -> Result<ShiftScope, Refusal> {
    operators_only(identity)?;
    match asked.map(str::trim).filter(|name| !name.is_empty()) {
        None => Ok(ShiftScope::Operator(identity.username.clone())),
        Some(name) if same_username(name, &identity.username) => {
            Ok(ShiftScope::Operator(identity.username.clone()))
        }
        Some(_) if !identity.admin => Err(Refusal::AnotherOperatorsShift),
        Some(EVERY_OPERATOR) => Ok(ShiftScope::Everyone),
        Some(name) => Ok(ShiftScope::Operator(name.to_owned())),
    }
}

/// Where a shift begins: `since` as an RFC 3339 time, or a date (its midnight at `utc_offset`);
/// when not given, the start of today at `utc_offset`. An offset's `+` sent unencoded in the
/// query (so read as a space) is taken as `+`.
pub fn shift_since(
    asked: Option<&str>,
    now: OffsetDateTime,
    utc_offset: UtcOffset,
) -> Result<OffsetDateTime, Refusal> {
    let Some(text) = asked.map(str::trim).filter(|text| !text.is_empty()) else {
        return Ok(day_start(now, utc_offset));
    };
    let rfc3339 = &time::format_description::well_known::Rfc3339;
    let date = time::macros::format_description!("[year]-[month]-[day]");
    // A `+` left unencoded in a query string arrives as a space.
    let text = &text.replace(' ', "+");
    if let Ok(at) = OffsetDateTime::parse(text, rfc3339) {
        Ok(at)
    } else if let Ok(day) = Date::parse(text, &date) {
        Ok(midnight(day, utc_offset))
    } else {
        Err(Refusal::BadSince)
    }
}

/// A flag's reason, trimmed: the rule of [`myq_api::desk::flag_reason`], which the widget
/// checks too.
pub fn flag_reason(text: &str) -> Result<&str, Refusal> {
    myq_api::desk::flag_reason(text).map_err(|error| Refusal::BadReason(error.message()))
}

/// An operator flags a credit given at the help desk: their own, or any operator's when an
/// administrator. A flag changes no money: the administrator corrects the credit in MyQ X.
pub fn may_flag(
    identity: &Identity,
    creator_role: Role,
    state: RecordState,
    creator: &str,
) -> Result<(), Refusal> {
    operators_only(identity)?;
    if creator_role != Role::Operator || state != RecordState::Credited {
        Err(Refusal::NotADeskCredit)
    } else if !identity.admin && !same_username(&identity.username, creator) {
        Err(Refusal::AnotherOperatorsCredit)
    } else {
        Ok(())
    }
}

fn same_username(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// The instant "today" began for `now`: midnight at `utc_offset`.
///
/// ```
/// use myq_gateway::policy::day_start;
/// use time::macros::{datetime, offset};
/// // 23:30 UTC on 1 March is already 2 March at +01:00.
/// assert_eq!(
///     day_start(datetime!(2025-03-01 23:30 UTC), offset!(+01:00)),
///     datetime!(2025-03-02 00:00 +01:00)
/// );
/// ```
pub fn day_start(now: OffsetDateTime, utc_offset: UtcOffset) -> OffsetDateTime {
    midnight(now.to_offset(utc_offset).date(), utc_offset)
}

/// The instant "this month" began for `now`: midnight of the 1st at `utc_offset`.
pub fn month_start(now: OffsetDateTime, utc_offset: UtcOffset) -> OffsetDateTime {
    let date = now.to_offset(utc_offset).date();
    let first = date.replace_day(1).expect("every month has a 1st");
    midnight(first, utc_offset)
}

fn midnight(date: Date, utc_offset: UtcOffset) -> OffsetDateTime {
    date.with_time(Time::MIDNIGHT).assume_offset(utc_offset)
}

/// Milliseconds since the Unix epoch, the ledger's timestamps.
pub fn unix_ms(instant: OffsetDateTime) -> i64 {
    (instant.unix_timestamp_nanos() / 1_000_000) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    fn policy() -> AmountPolicy {
        AmountPolicy {
            min: Money(2000),
            max: Money(20000),
            step: Money(500),
            daily_cap: Some(Money(50000)),
            monthly_cap: Some(Money(100000)),
        }
    }

    fn identity(username: &str, role: Role) -> Identity {
        Identity {
            username: username.into(),
            role,
            admin: false,
        }
    }

    #[test]
    fn money_displays_two_decimals() {
        for (cents, text) in [
            (0, "0.00"),
            (5, "0.05"),
            (2000, "20.00"),
            (2050, "20.50"),
            (-50, "-0.50"),
            (123456789, "1234567.89"),
        ] {
            assert_eq!(Money(cents).to_string(), text);
        }
    }

    #[test]
    fn amounts_are_checked_in_order_with_plain_messages() {
        let cases: [(i64, Result<(), &str>); 8] = [
            (0, Err("The top-up must be more than zero")),
            (-500, Err("The top-up must be more than zero")),
            (1500, Err("The top-up must be at least 20.00")),
            (20500, Err("The top-up must be at most 200.00")),
            (2250, Err("The top-up must be a multiple of 5.00")),
            (2000, Ok(())),
            (20000, Ok(())),
            (7500, Ok(())),
        ];
        for (cents, expected) in cases {
            let got = policy()
                .check_amount(Money(cents))
                .map_err(|r| r.to_string());
            assert_eq!(got, expected.map_err(String::from), "{cents}");
        }
    }

    #[test]
    fn caps_say_what_is_left() {
        let policy = policy();
        let cases: [(i64, i64, i64, Result<(), &str>); 7] = [
            (20000, 30000, 30000, Ok(())),
            (
                20000,
                38000,
                38000,
                Err("This would pass today's limit of 500.00: 120.00 is left"),
            ),
            (
                2000,
                50000,
                50000,
                Err("Today's limit of 500.00 is used up; try again tomorrow"),
            ),
            // Spent can pass a cap (the cap was lowered, or operators topped up): nothing left.
            (
                2000,
                70000,
                70000,
                Err("Today's limit of 500.00 is used up; try again tomorrow"),
            ),
            (
                20000,
                0,
                90000,
                Err("This would pass this month's limit of 1000.00: 100.00 is left"),
            ),
            (
                2000,
                0,
                100000,
                Err("This month's limit of 1000.00 is used up"),
            ),
            (10000, 40000, 90000, Ok(())),
        ];
        for (amount, today, month, expected) in cases {
            let got = policy
                .check(Money(amount), Money(today), Money(month))
                .map_err(|r| r.to_string());
            assert_eq!(
                got,
                expected.map_err(String::from),
                "{amount} {today} {month}"
            );
        }
    }

    #[test]
    fn spending_counted_in_is_checked_against_the_caps() {
        let policy = policy();
        assert_eq!(policy.within_caps(Money(50000), Money(100000)), Ok(()));
        assert_eq!(
            policy
                .within_caps(Money(50001), Money(60000))
                .map_err(|r| r.to_string()),
            Err("Today's limit of 500.00 is used up; try again tomorrow".into())
        );
        assert_eq!(
            policy
                .within_caps(Money(100), Money(100001))
                .map_err(|r| r.to_string()),
            Err("This month's limit of 1000.00 is used up".into())
        );
        assert_eq!(
            policy.caps(Money(20000), Money(40000), Money(40000)),
            Err(Refusal::PastDailyCap {
                cap: Money(50000),
                left: Money(10000)
            })
        );
    }

    #[test]
    fn no_caps_means_only_the_bounds() {
        let policy = AmountPolicy {
            daily_cap: None,
            monthly_cap: None,
            ..policy()
        };
        assert_eq!(
            policy.check(Money(20000), Money(i64::MAX / 2), Money(i64::MAX / 2)),
            Ok(())
        );
    }

    /// Every amount from -1.00 to 1100.00 by cents against several spendings: `check` accepts
    /// exactly the amounts that satisfy every rule stated on its own.
    #[test]
    fn check_agrees_with_the_rules_stated_plainly() {
        let policy = policy();
        for spent_today in [0, 10000, 49999, 50000] {
            for spent_month in [spent_today, 60000, 99000, 100000] {
                for cents in -100..=110000 {
                    let accepted =
                        policy.check(Money(cents), Money(spent_today), Money(spent_month));
                    let by_the_rules = cents > 0
                        && (2000..=20000).contains(&cents)
                        && cents % 500 == 0
                        && spent_today + cents <= 50000
                        && spent_month + cents <= 100000;
                    assert_eq!(
                        accepted.is_ok(),
                        by_the_rules,
                        "{cents} {spent_today} {spent_month}"
                    );
                }
            }
        }
    }

    #[test]
    fn refusals_map_to_statuses() {
        let status = |r: Refusal| GatewayError::from(r).status.as_u16();
        assert_eq!(status(Refusal::BelowMin(Money(1))), 400);
        assert_eq!(status(Refusal::OffStep(Money(1))), 400);
        assert_eq!(
            status(Refusal::PastDailyCap {
                cap: Money(1),
                left: Money(0)
            }),
            403
        );
        assert_eq!(status(Refusal::NotTheirAccount), 403);
        assert_eq!(status(Refusal::IntentOfAnotherTopUp), 409);
    }

    #[test]
    fn a_repeated_intent_is_answered_only_to_its_user() {
        assert_eq!(same_intent(UserId(34173), UserId(34173)), Ok(()));
        assert_eq!(
            same_intent(UserId(34173), UserId(34174)),
            Err(Refusal::IntentOfAnotherTopUp)
        );
    }

    #[test]
    fn students_act_only_for_themselves_operators_for_anyone() {
        let cases = [
            (identity("jnovak", Role::Student), "jnovak", true),
            (identity("jnovak", Role::Student), "JNovak", true),
            (identity("jnovak", Role::Student), "pdvorak", false),
            (identity("jnovak", Role::Student), "", false),
            (identity("jnovak", Role::Student), "jnovak2", false),
            (identity("desk", Role::Operator), "jnovak", true),
            (identity("desk", Role::Operator), "desk", true),
        ];
        for (who, target, allowed) in cases {
            assert_eq!(
                may_act_for(&who, target).is_ok(),
                allowed,
                "{who:?} for {target}"
            );
        }
        assert_eq!(
            may_act_for(&identity("jnovak", Role::Student), "pdvorak")
                .unwrap_err()
                .to_string(),
            "Students can top up only their own account"
        );
    }

    #[test]
    fn days_and_months_begin_at_local_midnight() {
        let cases = [
            (
                datetime!(2025-03-01 23:30 UTC),
                offset!(+01:00),
                datetime!(2025-03-02 00:00 +01:00),
                datetime!(2025-03-01 00:00 +01:00),
            ),
            (
                datetime!(2025-03-01 00:30 UTC),
                offset!(-05:00),
                datetime!(2025-02-28 00:00 -05:00),
                datetime!(2025-02-01 00:00 -05:00),
            ),
            (
                datetime!(2024-12-31 23:00 UTC),
                offset!(+02:00),
                datetime!(2025-01-01 00:00 +02:00),
                datetime!(2025-01-01 00:00 +02:00),
            ),
            (
                datetime!(2025-06-15 12:00 UTC),
                offset!(UTC),
                datetime!(2025-06-15 00:00 UTC),
                datetime!(2025-06-01 00:00 UTC),
            ),
            (
                datetime!(2025-06-15 00:00 UTC),
                offset!(UTC),
                datetime!(2025-06-15 00:00 UTC),
                datetime!(2025-06-01 00:00 UTC),
            ),
        ];
        for (now, offset, day, month) in cases {
            assert_eq!(day_start(now, offset), day, "{now} {offset}");
            assert_eq!(month_start(now, offset), month, "{now} {offset}");
            assert!(
                day_start(now, offset) <= now && now - day_start(now, offset) < time::Duration::DAY
            );
        }
    }

    #[test]
    fn an_operator_sees_their_own_shift_an_administrator_anyones() {
        let desk = identity("desk1", Role::Operator);
        let boss = Identity {
            admin: true,
            ..identity("boss", Role::Operator)
        };
        let own = |name: &str| Ok(ShiftScope::Operator(name.into()));
        let cases: [(&Identity, Option<&str>, Result<ShiftScope, Refusal>); 11] = [
            (&desk, None, own("desk1")),
            (&desk, Some(""), own("desk1")),
            (&desk, Some("desk1"), own("desk1")),
            (&desk, Some("DESK1"), own("desk1")),
            (&desk, Some("desk2"), Err(Refusal::AnotherOperatorsShift)),
            (&desk, Some("*"), Err(Refusal::AnotherOperatorsShift)),
            (&boss, None, own("boss")),
            (&boss, Some("desk2"), own("desk2")),
            (&boss, Some(" * "), Ok(ShiftScope::Everyone)),
            (
                &identity("jnovak", Role::Student),
                None,
                Err(Refusal::NotAnOperator),
            ),
            (
                &Identity {
                    admin: true,
                    ..identity("auditor", Role::Student)
                },
                Some("*"),
                Err(Refusal::NotAnOperator),
            ),
        ];
        for (who, asked, expected) in cases {
            assert_eq!(shift_scope(who, asked), expected, "{who:?} {asked:?}");
        }
        assert_eq!(GatewayError::from(Refusal::NotAnOperator).status, 403);
        assert_eq!(
            GatewayError::from(Refusal::AnotherOperatorsShift).status,
            403
        );
    }

    #[test]
    fn a_shift_begins_today_or_when_asked() {
        let now = datetime!(2025-03-10 23:30 UTC);
        let cases = [
            (None, Ok(datetime!(2025-03-11 00:00 +01:00))),
            (Some(""), Ok(datetime!(2025-03-11 00:00 +01:00))),
            (
                Some("2025-03-10T08:00:00+01:00"),
                Ok(datetime!(2025-03-10 08:00 +01:00)),
            ),
            (
                Some("2025-03-10T07:00:00Z"),
                Ok(datetime!(2025-03-10 08:00 +01:00)),
            ),
            (Some("2025-03-01"), Ok(datetime!(2025-03-01 00:00 +01:00))),
            (
                Some("2025-03-10T08:00:00 01:00"),
                Ok(datetime!(2025-03-10 08:00 +01:00)),
            ),
            (Some("yesterday"), Err(Refusal::BadSince)),
            (Some("2025-03-10 08:00"), Err(Refusal::BadSince)),
            (Some("2025-02-30"), Err(Refusal::BadSince)),
        ];
        for (asked, expected) in cases {
            assert_eq!(
                shift_since(asked, now, offset!(+01:00)),
                expected,
                "{asked:?}"
            );
        }
        assert_eq!(GatewayError::from(Refusal::BadSince).status, 400);
    }

    #[test]
    fn a_flags_reason_is_one_line_of_1_to_255_characters() {
        assert_eq!(flag_reason("  typed 50 for 5 "), Ok("typed 50 for 5"));
        assert_eq!(flag_reason(&"ř".repeat(255)).map(str::len), Ok(510));
        for bad in ["", "   ", &"x".repeat(256), "two\nlines", "tab\there"] {
            let refusal = flag_reason(bad).unwrap_err();
            assert_eq!(GatewayError::from(refusal).status, 400, "{bad:?}");
        }
    }

    #[test]
    fn an_operator_flags_their_own_desk_credit_an_administrator_anyones() {
        use RecordState::*;
        let desk = identity("desk1", Role::Operator);
        let boss = Identity {
            admin: true,
            ..identity("boss", Role::Operator)
        };
        let student = identity("jnovak", Role::Student);
        let cases = [
            (&desk, Role::Operator, Credited, "desk1", Ok(())),
            (&desk, Role::Operator, Credited, "Desk1", Ok(())),
            (
                &desk,
                Role::Operator,
                Credited,
                "desk2",
                Err(Refusal::AnotherOperatorsCredit),
            ),
            (&boss, Role::Operator, Credited, "desk2", Ok(())),
            (
                &boss,
                Role::Student,
                Credited,
                "jnovak",
                Err(Refusal::NotADeskCredit),
            ),
            (
                &desk,
                Role::Operator,
                Created,
                "desk1",
                Err(Refusal::NotADeskCredit),
            ),
            (
                &desk,
                Role::Operator,
                RolledBack,
                "desk1",
                Err(Refusal::NotADeskCredit),
            ),
            (
                &student,
                Role::Student,
                Credited,
                "jnovak",
                Err(Refusal::NotAnOperator),
            ),
        ];
        for (who, role, state, creator, expected) in cases {
            assert_eq!(
                may_flag(who, role, state, creator),
                expected,
                "{who:?} {role:?} {state} {creator}"
            );
        }
        assert_eq!(GatewayError::from(Refusal::NotADeskCredit).status, 409);
        assert_eq!(
            GatewayError::from(Refusal::AnotherOperatorsCredit).status,
            403
        );
    }

    #[test]
    fn unix_ms_counts_milliseconds() {
        assert_eq!(unix_ms(datetime!(1970-01-01 00:00:01.5 UTC)), 1500);
        assert_eq!(
            unix_ms(datetime!(2025-01-01 00:00 +01:00)),
            1_735_686_000_000
        );
    }
}
