//! What MyQ X sends and takes, as docs/myq-api.md describes it.
//!
//! Readers accept MyQ X's quirks (see [`wire`](super::wire)) and ignore fields they do not
//! know, so a newer server does not break the widget.

use super::json::{FromJson, Json, ObjectWriter};
use super::money::Money;
use super::wire;

/// `POST /auth/token` answer, or the host's token endpoint answer.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenAnswer {
    pub access_token: String,
    pub token_type: String,
    /// Lifetime in seconds; MyQ X issues 1800.
    pub expires_in: Option<f64>,
}

impl FromJson for TokenAnswer {
    fn from_json(value: &Json) -> Result<Self, String> {
        let fields = value.fields()?;
        Ok(TokenAnswer {
            access_token: fields.required("access_token", Json::text)?,
            token_type: fields.text_or_empty("token_type")?,
            expires_in: fields.optional("expires_in", Json::number)?,
        })
    }
}

/// A recharge provider from `GET /v3/rechargeProviders`.
#[derive(Clone, Debug, PartialEq)]
pub struct Provider {
    pub name: String,
    pub reference: String,
    pub description: String,
}

impl FromJson for Provider {
    fn from_json(value: &Json) -> Result<Self, String> {
        let fields = value.fields()?;
        Ok(Provider {
            name: fields.text_or_empty("name")?,
            reference: fields.required("reference", Json::text)?,
            description: fields.text_or_empty("description")?,
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProviderList {
    pub providers: Vec<Provider>,
}

impl FromJson for ProviderList {
    fn from_json(value: &Json) -> Result<Self, String> {
        Ok(ProviderList {
            providers: value.fields()?.list("providers")?,
        })
    }
}

/// A user from `GET /v3/users/find`.
#[derive(Clone, Debug, PartialEq)]
pub struct User {
    pub id: u64,
    pub username: String,
    pub fullname: String,
    pub email: String,
}

impl FromJson for User {
    fn from_json(value: &Json) -> Result<Self, String> {
        let fields = value.fields()?;
        Ok(User {
            id: fields.required("id", wire::user_id)?,
            username: fields.required("username", Json::text)?,
            fullname: fields.text_or_empty("fullname")?,
            email: fields.text_or_empty("email")?,
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct UserList {
    pub users: Vec<User>,
}

impl FromJson for UserList {
    fn from_json(value: &Json) -> Result<Self, String> {
        Ok(UserList {
            users: value.fields()?.list("users")?,
        })
    }
}

/// An account from `GET /v3/users/{id}/accounts`: its reference and its `limits.price`.
#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    pub reference: String,
    pub price: Option<Money>,
}

impl FromJson for Account {
    fn from_json(value: &Json) -> Result<Self, String> {
        let fields = value.fields()?;
        let price = |limits: &Json| limits.fields()?.optional("price", wire::money);
        Ok(Account {
            reference: fields.text_or_empty("reference")?,
            price: fields.optional("limits", price)?.flatten(),
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct AccountList {
    pub accounts: Vec<Account>,
}

impl FromJson for AccountList {
    fn from_json(value: &Json) -> Result<Self, String> {
        Ok(AccountList {
            accounts: value.fields()?.list("accounts")?,
        })
    }
}

/// The reference of the account that holds a user's credit.
pub const CREDIT_ACCOUNT: &str = "internalaccount";

impl AccountList {
    /// The credit balance: the internal account's `limits.price`.
    pub fn credit(&self) -> Option<Money> {
        self.accounts
            .iter()
            .find(|a| a.reference == CREDIT_ACCOUNT)?
            .price
    }
}

/// `params` of a payment: the amount, and whatever else the provider keeps.
#[derive(Clone, Debug, PartialEq)]
pub struct PaymentParams {
    pub amount: Money,
}

impl PaymentParams {
    fn to_json(&self) -> ObjectWriter {
        ObjectWriter::new().money("amount", self.amount)
    }
}

/// `POST …/payments` body.
#[derive(Clone, Debug, PartialEq)]
pub struct NewPayment {
    pub user_id: u64,
    /// Left out when empty.
    pub description: String,
    pub params: PaymentParams,
}

impl NewPayment {
    pub fn to_json(&self) -> String {
        let mut body = ObjectWriter::new().whole("userId", self.user_id);
        if !self.description.is_empty() {
            body = body.text("description", &self.description);
        }
        body.object("params", self.params.to_json()).finish()
    }
}

/// `PATCH …/payments/{id}` body.
#[derive(Clone, Debug, PartialEq)]
pub struct PaymentChange {
    pub description: Option<String>,
    pub params: PaymentParams,
}

impl PaymentChange {
    pub fn to_json(&self) -> String {
        let mut body = ObjectWriter::new();
        if let Some(description) = &self.description {
            body = body.text("description", description);
        }
        body.object("params", self.params.to_json()).finish()
    }
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
pub fn rollback_body(reason: &str) -> String {
    ObjectWriter::new().text("reason", reason).finish()
}

/// `POST …/payments` answer.
#[derive(Clone, Debug, PartialEq)]
pub struct CreatedPayment {
    pub id: String,
    pub user_id: u64,
    pub amount: Money,
    pub description: String,
}

impl FromJson for CreatedPayment {
    fn from_json(value: &Json) -> Result<Self, String> {
        let fields = value.fields()?;
        Ok(CreatedPayment {
            id: fields.required("id", wire::id)?,
            user_id: fields.required("userId", wire::user_id)?,
            amount: fields.required("amount", wire::money)?,
            description: fields.text_or_empty("description")?,
        })
    }
}

/// `POST …/payments/{id}/commit` answer: the credit added.
#[derive(Clone, Debug, PartialEq)]
pub struct Committed {
    pub amount: Money,
}

impl FromJson for Committed {
    fn from_json(value: &Json) -> Result<Self, String> {
        Ok(Committed {
            amount: value.fields()?.required("amount", wire::money)?,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentState {
    /// Created, not yet effective.
    Created,
    /// Committed: the credit was added.
    Completed,
    /// Rolled back.
    Canceled,
}

impl PaymentState {
    fn read(value: &Json) -> Result<PaymentState, String> {
        match value {
            Json::Text(state) if state == "created" => Ok(PaymentState::Created),
            Json::Text(state) if state == "completed" => Ok(PaymentState::Completed),
            Json::Text(state) if state == "canceled" => Ok(PaymentState::Canceled),
            _ => Err("expected created, completed or canceled".into()),
        }
    }
}

/// A payment from `GET …/payments?userId=`.
#[derive(Clone, Debug, PartialEq)]
pub struct Payment {
    pub id: String,
    pub user_id: u64,
    pub amount: Money,
    pub currency: Option<String>,
    pub state: PaymentState,
    pub created: String,
    pub updated: String,
    pub expires: Option<String>,
    pub payment_no: Option<String>,
    pub provider: String,
    pub description: String,
}

impl FromJson for Payment {
    fn from_json(value: &Json) -> Result<Self, String> {
        let fields = value.fields()?;
        Ok(Payment {
            id: fields.required("id", wire::id)?,
            user_id: fields.required("userId", wire::user_id)?,
            amount: fields.required("amount", wire::money)?,
            currency: fields.optional("currency", Json::text)?,
            state: fields.required("state", PaymentState::read)?,
            created: fields.text_or_empty("created")?,
            updated: fields.text_or_empty("updated")?,
            expires: fields.optional("expires", Json::text)?,
            payment_no: fields.optional("paymentNo", wire::id)?,
            provider: fields.text_or_empty("provider")?,
            description: fields.text_or_empty("description")?,
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PaymentList {
    pub payments: Vec<Payment>,
}

impl FromJson for PaymentList {
    fn from_json(value: &Json) -> Result<Self, String> {
        Ok(PaymentList {
            payments: value.fields()?.list("payments")?,
        })
    }
}

/// MyQ X's error body: `{"code": 400, "message": "…", "data": []}`.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorBody {
    pub code: Option<f64>,
    pub message: String,
}

impl FromJson for ErrorBody {
    fn from_json(value: &Json) -> Result<Self, String> {
        let fields = value.fields()?;
        Ok(ErrorBody {
            code: fields.optional("code", Json::number)?,
            message: fields.text_or_empty("message")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::json;

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
        assert_eq!(payment.user_id, 12);
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
            user_id: 34173,
            description: String::new(),
            params: params.clone(),
        };
        assert_eq!(
            created.to_json(),
            r#"{"userId":34173,"params":{"amount":12.5}}"#
        );
        let change = PaymentChange {
            description: Some("Top-up \"A\"".into()),
            params,
        };
        assert_eq!(
            change.to_json(),
            r#"{"description":"Top-up \"A\"","params":{"amount":12.5}}"#
        );
        assert_eq!(rollback_body("canceled"), r#"{"reason":"canceled"}"#);
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
    fn finds_the_credit_account() {
        let accounts: AccountList = json::parse(
            r#"{"accounts": [{"reference": "quota", "limits": {"price": 5}},
                {"reference": "internalaccount", "limits": {"price": 120.5}}]}"#,
        )
        .unwrap();
        assert_eq!(accounts.credit(), Some(Money(12050)));
    }
}
