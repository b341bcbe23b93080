//! What MyQ X sends and takes, as the seed documents it.
//!
//! Readers accept the seed's quirks (see [`wire`](super::wire)) and ignore fields they do not
//! know, so a newer server does not break the widget.

use serde::{Deserialize, Serialize};

use super::money::Money;
use super::wire;

/// `POST /auth/token` body. The host's backend sends it, never the widget: the client secret
/// stays on a server.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TokenRequest {
    /// `client_credentials` or `login_info`.
    pub grant_type: String,
    pub client_id: String,
    pub client_secret: String,
    /// Space-separated, e.g. `credit users`.
    pub scope: String,
    /// `login_info` only: `{"type": 3, "name", "pwd"}` (username and password).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub login: Option<Login>,
}

/// The user a `login_info` grant logs in as.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Login {
    /// 3: username and password.
    #[serde(rename = "type")]
    pub kind: u8,
    pub name: String,
    pub pwd: String,
}

/// `POST /auth/token` answer, or the host's token endpoint answer.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct TokenAnswer {
    pub access_token: String,
    #[serde(default, deserialize_with = "wire::text")]
    pub token_type: String,
    /// Lifetime in seconds; MyQ X issues 1800.
    #[serde(default)]
    pub expires_in: Option<f64>,
}

/// A recharge provider from `GET /v3/rechargeProviders`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Provider {
    #[serde(deserialize_with = "wire::text")]
    pub name: String,
    pub reference: String,
    #[serde(default, deserialize_with = "wire::text")]
    pub description: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ProviderList {
    pub providers: Vec<Provider>,
}

/// A user from `GET /v3/users/find`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct User {
    #[serde(deserialize_with = "wire::user_id")]
    pub id: u64,
    pub username: String,
    #[serde(default, deserialize_with = "wire::text")]
    pub fullname: String,
    #[serde(default, deserialize_with = "wire::text")]
    pub email: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct UserList {
    pub users: Vec<User>,
}

/// An account from `GET /v3/users/{id}/accounts`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Account {
    #[serde(default, deserialize_with = "wire::text")]
    pub reference: String,
    #[serde(default)]
    pub limits: Option<AccountLimits>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct AccountLimits {
    #[serde(default)]
    pub price: Option<Money>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct AccountList {
    pub accounts: Vec<Account>,
}

/// The reference of the account that holds a user's credit.
pub const CREDIT_ACCOUNT: &str = "internalaccount";

impl AccountList {
    /// The credit balance: the internal account's `limits.price`.
    pub fn credit(&self) -> Option<Money> {
        self.accounts
            .iter()
            .find(|a| a.reference == CREDIT_ACCOUNT)?
            .limits
            .as_ref()?
            .price
    }
}

/// `params` of a payment: the amount, and whatever else the provider keeps.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PaymentParams {
    pub amount: Money,
}

/// `POST …/payments` body.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NewPayment {
    pub user_id: u64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub params: PaymentParams,
}

/// `PATCH …/payments/{id}` body.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PaymentChange {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub params: PaymentParams,
}

/// `POST …/payments` answer.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CreatedPayment {
    #[serde(deserialize_with = "wire::id")]
    pub id: String,
    #[serde(deserialize_with = "wire::user_id")]
    pub user_id: u64,
    pub amount: Money,
    #[serde(default, deserialize_with = "wire::text")]
    pub description: String,
}

/// `POST …/payments/{id}/commit` answer: the credit added.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Committed {
    pub amount: Money,
}

/// `POST …/payments/{id}/rollback` body.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Rollback {
    pub reason: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
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
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    #[serde(deserialize_with = "wire::id")]
    pub id: String,
    #[serde(deserialize_with = "wire::user_id")]
    pub user_id: u64,
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

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct PaymentList {
    pub payments: Vec<Payment>,
}

/// MyQ X's error body: `{"code": 400, "message": "…", "data": []}`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ErrorBody {
    #[serde(default)]
    pub code: Option<f64>,
    #[serde(default, deserialize_with = "wire::text")]
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed's own examples, quirks included.
    #[test]
    fn reads_the_seed_examples() {
        let created: CreatedPayment = serde_json::from_str(
            r#"{"id": "34200", "userId": 34173, "amount": 10, "description": "",
                "params": {"amount": 10, "createdBy": -2}}"#,
        )
        .unwrap();
        assert_eq!(created.id, "34200");
        assert_eq!(created.amount, Money(1000));

        let list: PaymentList = serde_json::from_str(
            r#"{"payments": [{"id": "34204", "userId": 34173, "amount": 15, "currency": null,
                "state": "created", "created": "2025-04-29T00:51:19+02:00",
                "updated": "2025-04-29T00:51:19+02:00", "expires": null, "paymentNo": "5",
                "provider": "external", "description": ""}], "count": 1}"#,
        )
        .unwrap();
        assert_eq!(list.payments[0].state, PaymentState::Created);
        assert_eq!(list.payments[0].payment_no.as_deref(), Some("5"));

        let providers: ProviderList = serde_json::from_str(
            r#"{"providers": [{"name": "External Payment Providers", "reference": "external",
                "description": "", "params": []}], "count": 1}"#,
        )
        .unwrap();
        assert_eq!(providers.providers[0].reference, "external");
    }

    #[test]
    fn reads_ids_as_numbers_as_the_schemas_say() {
        let payment: Payment = serde_json::from_str(
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
            serde_json::from_str::<Payment>(
                r#"{"id": 1.5, "userId": 1, "amount": 1, "state": "created"}"#
            )
            .is_err()
        );
        assert!(
            serde_json::from_str::<Payment>(
                r#"{"id": 1, "userId": 1, "amount": 1, "state": "lost"}"#
            )
            .is_err()
        );
        assert!(serde_json::from_str::<Committed>(r#"{"amount": "ten"}"#).is_err());
        assert!(serde_json::from_str::<User>(r#"{"id": -4, "username": "x"}"#).is_err());
    }

    #[test]
    fn writes_both_token_grants() {
        let mut request = TokenRequest {
            grant_type: "client_credentials".into(),
            client_id: "c".into(),
            client_secret: "s".into(),
            scope: "credit users".into(),
            login: None,
        };
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            serde_json::json!({"grant_type": "client_credentials", "client_id": "c",
                               "client_secret": "s", "scope": "credit users"})
        );
        request.grant_type = "login_info".into();
        request.login = Some(Login {
            kind: 3,
            name: "jnovak".into(),
            pwd: "pw".into(),
        });
        let value = serde_json::to_value(&request).unwrap();
        assert_eq!(
            (value["type"].as_u64(), value["name"].as_str()),
            (Some(3), Some("jnovak"))
        );
    }

    #[test]
    fn finds_the_credit_account() {
        let accounts: AccountList = serde_json::from_str(
            r#"{"accounts": [{"reference": "quota", "limits": {"price": 5}},
                {"reference": "internalaccount", "limits": {"price": 120.5}}]}"#,
        )
        .unwrap();
        assert_eq!(accounts.credit(), Some(Money(12050)));
    }
}
