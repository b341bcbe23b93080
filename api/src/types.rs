//! What MyQ X sends and takes, as docs/myq-api.md describes it.
//!
//! Answers derive `Deserialize` and accept MyQ X's quirks through the functions in
//! [`wire`](crate::wire); fields they do not know are ignored, so a newer server does not break
//! the widget. Request bodies derive `Serialize`. The gateway speaks the same API to the widget,
//! so it reads request bodies and writes answers with the same types: each derives both.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::wire;

/// A payment's id, as MyQ X gives it (a number or a numeric string on the wire), kept as text.
///
/// It reads as a `str` (`Deref`): an id is compared and printed, never computed with.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub struct PaymentId(#[serde(deserialize_with = "wire::id")] String);

impl PaymentId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for PaymentId {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for PaymentId {
    fn from(id: &str) -> Self {
        PaymentId(id.to_owned())
    }
}

impl From<String> for PaymentId {
    fn from(id: String) -> Self {
        PaymentId(id)
    }
}

impl PartialEq<str> for PaymentId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<String> for PaymentId {
    fn eq(&self, other: &String) -> bool {
        self.0 == *other
    }
}

/// Ids look up as text (a set of ids answers `contains("34200")`): hashed and compared alike.
impl std::borrow::Borrow<str> for PaymentId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<&str> for PaymentId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for PaymentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A MyQ X user's id: a positive whole number (sent as a string by some answers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
pub struct UserId(#[serde(deserialize_with = "wire::user_id")] pub u64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// `POST /auth/token` answer, or the host's token endpoint answer.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct TokenAnswer {
    pub access_token: String,
    #[serde(default, deserialize_with = "wire::text")]
    pub token_type: String,
    /// Lifetime in seconds; MyQ X issues 1800.
    #[serde(default, deserialize_with = "wire::optional_number")]
    pub expires_in: Option<f64>,
}

/// A recharge provider from `GET /v3/rechargeProviders`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct Provider {
    #[serde(default, deserialize_with = "wire::text")]
    pub name: String,
    pub reference: String,
    #[serde(default, deserialize_with = "wire::text")]
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct ProviderList {
    pub providers: Vec<Provider>,
}

/// A user from `GET /v3/users/find`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    #[serde(default, deserialize_with = "wire::text")]
    pub fullname: String,
    #[serde(default, deserialize_with = "wire::text")]
    pub email: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct UserList {
    pub users: Vec<User>,
}

/// What `users/find` looks a user up by: what a person types or a card reader sends at a desk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserQuery<'a> {
    /// A username or one of the user's aliases.
    Username(&'a str),
    Email(&'a str),
    /// The number of a card the user swipes at printers.
    Card(&'a str),
    /// The user's personal code (a student or staff number).
    Code(&'a str),
}

impl<'a> UserQuery<'a> {
    /// The query parameter MyQ X takes it as.
    pub fn parameter(self) -> &'static str {
        match self {
            UserQuery::Username(_) => "username",
            UserQuery::Email(_) => "email",
            UserQuery::Card(_) => "card",
            UserQuery::Code(_) => "code",
        }
    }

    /// What is looked for.
    pub fn value(self) -> &'a str {
        match self {
            UserQuery::Username(v)
            | UserQuery::Email(v)
            | UserQuery::Card(v)
            | UserQuery::Code(v) => v,
        }
    }
}

/// Why `users/find` named no one user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoSuchUser {
    /// Nobody by that name.
    Unknown,
    /// Several users by alias, none by username.
    Ambiguous,
}

/// The user a name means among what `users/find` answered (it matches usernames and aliases):
/// the one whose username it is, ignoring case; else the only one found (by alias).
pub fn pick_user(mut found: Vec<User>, name: &str) -> Result<User, NoSuchUser> {
    if let Some(exact) = found
        .iter()
        .position(|u| u.username.eq_ignore_ascii_case(name))
    {
        return Ok(found.swap_remove(exact));
    }
    match found.len() {
        0 => Err(NoSuchUser::Unknown),
        1 => Ok(found.remove(0)),
        _ => Err(NoSuchUser::Ambiguous),
    }
}

/// An account from `GET /v3/users/{id}/accounts`: its reference and its `limits.price`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct Account {
    #[serde(default, deserialize_with = "wire::text")]
    pub reference: String,
    #[serde(default)]
    pub limits: Option<Limits>,
}

/// An account's `limits`: `price` is the credit.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct Limits {
    #[serde(default, deserialize_with = "wire::optional_money")]
    pub price: Option<Money>,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct AccountList {
    pub accounts: Vec<Account>,
}

/// The reference of the account that holds a user's credit.
pub const CREDIT_ACCOUNT: &str = "internalaccount";

impl AccountList {
    /// The credit balance: the internal account's `limits.price`.
    pub fn credit(&self) -> Option<Money> {
        let account = self
            .accounts
            .iter()
            .find(|a| a.reference == CREDIT_ACCOUNT)?;
        account.limits.as_ref()?.price
    }
}

/// `params` of a payment: the amount, and whatever else the provider keeps.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct PaymentParams {
    #[serde(deserialize_with = "wire::money")]
    pub amount: Money,
}

/// `POST …/payments` body.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewPayment {
    pub user_id: UserId,
    /// Left out when empty.
    #[serde(
        default,
        deserialize_with = "wire::text",
        skip_serializing_if = "String::is_empty"
    )]
    pub description: String,
    pub params: PaymentParams,
}

/// `PATCH …/payments/{id}` body.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct PaymentChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub params: PaymentParams,
}

/// The most characters MyQ X keeps of a payment's description (a rollback reason becomes it).
pub const MAX_DESCRIPTION_CHARS: usize = 255;

/// `text` cut to what MyQ X keeps of a description, on a character boundary.
pub fn fit_description(text: &str) -> &str {
    match text.char_indices().nth(MAX_DESCRIPTION_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// `POST …/payments/{id}/rollback` body.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rollback<'a> {
    pub reason: &'a str,
}

/// `POST …/payments` answer.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedPayment {
    pub id: PaymentId,
    pub user_id: UserId,
    #[serde(deserialize_with = "wire::money")]
    pub amount: Money,
    #[serde(default, deserialize_with = "wire::text")]
    pub description: String,
}

/// `POST …/payments/{id}/commit` answer: the credit added.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct Committed {
    #[serde(deserialize_with = "wire::money")]
    pub amount: Money,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentState {
    /// Created, not yet effective.
    Created,
    /// Committed: the credit was added.
    Completed,
    /// Rolled back.
    Canceled,
}

/// A payment from `GET …/payments?userId=`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    pub id: PaymentId,
    pub user_id: UserId,
    #[serde(deserialize_with = "wire::money")]
    pub amount: Money,
    #[serde(default)]
    pub currency: Option<String>,
    pub state: PaymentState,
    #[serde(default, deserialize_with = "wire::text")]
    pub created: String,
    #[serde(default, deserialize_with = "wire::text")]
    pub updated: String,
    #[serde(default)]
    pub expires: Option<String>,
    #[serde(default, deserialize_with = "wire::optional_id")]
    pub payment_no: Option<String>,
    #[serde(default, deserialize_with = "wire::text")]
    pub provider: String,
    #[serde(default, deserialize_with = "wire::text")]
    pub description: String,
}

/// `GET …/payments?userId=` answer, newest first: every `created` payment and the newest
/// [`KEPT_FINISHED_PAYMENTS`] finished ones; the rest is skipped while reading. MyQ X's list has
/// no paging and a user's history no end, and the widget reads it after every create: memory and
/// time must not grow with it.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct PaymentList {
    #[serde(deserialize_with = "wire::newest_payments")]
    pub payments: Vec<Payment>,
}

/// Finished (completed or canceled) payments a list keeps, newest first.
pub const KEPT_FINISHED_PAYMENTS: usize = 50;

/// MyQ X's error body: `{"code": 400, "message": "…", "data": []}`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ErrorBody {
    #[serde(default, deserialize_with = "wire::optional_number")]
    pub code: Option<f64>,
    #[serde(default, deserialize_with = "wire::text")]
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    /// The API document's own examples (docs/myq-api.md), quirks included.
    #[test]
    fn reads_the_seed_examples() {
        let created: CreatedPayment = json::parse(
            r#"{"id": "34200", "userId": 34173, "amount": 10, "description": "",
                "params": {"amount": 10, "createdBy": -2}}"#,
        )
        .unwrap();
        assert_eq!(created.id, "34200");
        assert_eq!(created.amount, Money(1000));

        let list: PaymentList = json::parse(
            r#"{"payments": [{"id": "34204", "userId": 34173, "amount": 15, "currency": null,
                "state": "created", "created": "2025-04-29T00:51:19+02:00",
                "updated": "2025-04-29T00:51:19+02:00", "expires": null, "paymentNo": "5",
                "provider": "external", "description": ""}], "count": 1}"#,
        )
        .unwrap();
        assert_eq!(list.payments[0].state, PaymentState::Created);
        assert_eq!(list.payments[0].payment_no.as_deref(), Some("5"));

        let providers: ProviderList = json::parse(
            r#"{"providers": [{"name": "External Payment Providers", "reference": "external",
                "description": "", "params": []}], "count": 1}"#,
        )
        .unwrap();
        assert_eq!(providers.providers[0].reference, "external");
    }

    #[test]
    fn reads_ids_as_numbers_as_the_schemas_say() {
        let payment: Payment = json::parse(
            r#"{"id": 7, "userId": "12", "amount": 2.5, "state": "completed", "paymentNo": 3}"#,
        )
        .unwrap();
        assert_eq!(payment.id, "7");
        assert_eq!(payment.user_id, UserId(12));
        assert_eq!(payment.payment_no.as_deref(), Some("3"));
        assert_eq!(payment.description, "");
    }

    #[test]
    fn refuses_what_breaks_the_contract() {
        assert!(
            json::parse::<Payment>(r#"{"id": 1.5, "userId": 1, "amount": 1, "state": "created"}"#)
                .is_err()
        );
        assert!(
            json::parse::<Payment>(r#"{"id": 1, "userId": 1, "amount": 1, "state": "lost"}"#)
                .is_err()
        );
        assert!(json::parse::<Committed>(r#"{"amount": "ten"}"#).is_err());
        assert!(json::parse::<User>(r#"{"id": -4, "username": "x"}"#).is_err());
    }

    #[test]
    fn writes_the_request_bodies() {
        let params = PaymentParams {
            amount: Money(1250),
        };
        let created = NewPayment {
            user_id: UserId(34173),
            description: String::new(),
            params: params.clone(),
        };
        assert_eq!(
            json::write(&created),
            r#"{"userId":34173,"params":{"amount":12.5}}"#
        );
        let change = PaymentChange {
            description: Some("Top-up \"A\"".into()),
            params,
        };
        assert_eq!(
            json::write(&change),
            r#"{"description":"Top-up \"A\"","params":{"amount":12.5}}"#
        );
        let rollback = Rollback { reason: "canceled" };
        assert_eq!(json::write(&rollback), r#"{"reason":"canceled"}"#);
    }

    #[test]
    fn cuts_descriptions_to_what_myq_keeps() {
        let long = "č".repeat(300);
        assert_eq!(
            fit_description(&long).chars().count(),
            MAX_DESCRIPTION_CHARS
        );
        assert_eq!(fit_description("short"), "short");
    }

    #[test]
    fn a_long_list_keeps_every_created_payment_and_the_newest_finished_ones() {
        let entry = |id: usize, state: &str| {
            format!(r#"{{"id": {id}, "userId": 1, "amount": 1, "state": "{state}"}}"#)
        };
        // Newest first: 120 finished payments with a created one every 40.
        let entries: Vec<String> = (0..120)
            .rev()
            .map(|id| entry(id, if id % 40 == 0 { "created" } else { "completed" }))
            .collect();
        let list: PaymentList =
            json::parse(&format!(r#"{{"payments": [{}]}}"#, entries.join(","))).unwrap();
        let created: Vec<&str> = list
            .payments
            .iter()
            .filter(|p| p.state == PaymentState::Created)
            .map(|p| p.id.as_str())
            .collect();
        assert_eq!(created, ["80", "40", "0"], "every created one, in order");
        let finished = list.payments.len() - created.len();
        assert_eq!(finished, KEPT_FINISHED_PAYMENTS);
        assert_eq!(list.payments[0].id, "119", "the newest first");
    }

    #[test]
    fn picks_the_user_a_name_means() {
        let user = |id: u64, username: &str| User {
            id: UserId(id),
            username: username.into(),
            fullname: String::new(),
            email: String::new(),
        };
        let both = vec![user(1, "novak"), user(2, "JNovak")];
        assert_eq!(pick_user(both.clone(), "jnovak").unwrap().id, UserId(2));
        assert_eq!(
            pick_user(vec![user(2, "jnovak")], "novak").unwrap().id,
            UserId(2)
        );
        assert_eq!(pick_user(Vec::new(), "x"), Err(NoSuchUser::Unknown));
        assert_eq!(pick_user(both, "jan"), Err(NoSuchUser::Ambiguous));
    }

    #[test]
    fn finds_the_credit_account() {
        let accounts: AccountList = json::parse(
            r#"{"accounts": [{"reference": "quota", "limits": {"price": 5}},
                {"reference": "internalaccount", "limits": {"price": 120.5}}]}"#,
        )
        .unwrap();
        assert_eq!(accounts.credit(), Some(Money(12050)));
    }
}
