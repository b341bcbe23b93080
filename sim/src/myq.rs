//! The MyQ X server's behaviour, apart from HTTP: tokens, users, providers and payments.
//!
//! Every method takes parsed input and answers the JSON MyQ X would send, or a [`MyqError`]. The
//! HTTP layer (`http.rs`) only extracts and wraps.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::FormatItem;
use time::macros::format_description;

use crate::data::{Right, SimData, User};
use crate::error::MyqError;
use crate::money::Cents;

/// The only provider whose payments the REST API creates (docs/myq-api.md: integrations use
/// `external`).
pub const EXTERNAL: &str = "external";

/// The longest token lifetime taken; a longer one is cut to it, so an expiry time never
/// overflows.
pub const LONGEST_TOKEN_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// The longest description (or rollback reason) MyQ X keeps, in characters.
pub const DESCRIPTION_LIMIT: usize = 255;

/// The message MyQ X answers when External Payment Providers is switched off.
pub const PROVIDER_DISABLED: &str = "Payment provider is disabled.";

/// RFC 3339 with a numeric offset, as MyQ X's examples write timestamps (docs/myq-api.md).
const TIMESTAMP: &[FormatItem<'static>] = format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Credit,
    Users,
}

impl Scope {
    fn name(self) -> &'static str {
        match self {
            Scope::Credit => "credit",
            Scope::Users => "users",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentState {
    Created,
    Completed,
    Canceled,
}

#[derive(Clone, Debug)]
struct Payment {
    id: u64,
    user_id: u64,
    amount: Cents,
    description: String,
    state: PaymentState,
    created: OffsetDateTime,
    updated: OffsetDateTime,
    payment_no: u64,
    provider: String,
    params: serde_json::Map<String, Value>,
}

#[derive(Clone, Debug)]
struct Grant {
    /// The refresh token issued with it (no refresh grant is simulated; the control API lists it).
    refresh_token: String,
    scopes: Vec<String>,
    rights: Vec<Right>,
    expires: Instant,
}

/// One MyQ X server's state.
pub struct ServerState {
    data: SimData,
    balances: HashMap<u64, Cents>,
    tokens: HashMap<String, Grant>,
    payments: BTreeMap<u64, Payment>,
    next_payment_id: u64,
    next_payment_no: u64,
    token_lifetime: Duration,
}

impl ServerState {
    pub fn new(data: SimData, token_lifetime: Duration) -> ServerState {
        let balances = data.users.iter().map(|u| (u.id, u.credit)).collect();
        ServerState {
            data,
            balances,
            tokens: HashMap::new(),
            payments: BTreeMap::new(),
            next_payment_id: 34200,
            next_payment_no: 1,
            token_lifetime: token_lifetime.min(LONGEST_TOKEN_LIFETIME),
        }
    }

    // ---- auth ----

    /// `POST /auth/token`: the `client_credentials` and `login_info` grants.
    /// This server, its payment ids going on from where `earlier` left them.
    pub fn ids_from(mut self, earlier: &ServerState) -> ServerState {
        self.next_payment_id = earlier.next_payment_id;
        self
    }

    pub fn issue_token(&mut self, body: &Value) -> Result<Value, MyqError> {
        let field = |name: &str| body.get(name).and_then(Value::as_str);
        let client_id = field("client_id").unwrap_or_default();
        let client_secret = field("client_secret").unwrap_or_default();
        let client = self
            .data
            .clients
            .iter()
            .find(|c| c.id == client_id && c.secret == client_secret)
            .ok_or_else(|| MyqError::unauthorized("Invalid client credentials."))?;
        let rights = match field("grant_type") {
            Some("client_credentials") => client.rights.clone(),
            Some("login_info") => self.login(body)?.rights.clone(),
            Some(other) => {
                return Err(MyqError::bad_request(format!(
                    "Unsupported grant_type '{other}'."
                )));
            }
            None => return Err(MyqError::bad_request("grant_type is required.")),
        };
        let requested: Vec<&str> = field("scope")
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        let scopes: Vec<String> = if requested.is_empty() {
            client.scopes.clone()
        } else {
            requested
                .iter()
                .filter(|s| client.scopes.iter().any(|allowed| allowed == *s))
                .map(|s| s.to_string())
                .collect()
        };
        if scopes.is_empty() {
            return Err(MyqError::bad_request(format!(
                "None of the requested scopes '{}' is allowed for this client.",
                requested.join(" ")
            )));
        }
        let access_token = random_token();
        let refresh_token = random_token();
        let scope = scopes.join(" ");
        // Expired tokens are never valid again: dropping them here keeps the map to the tokens
        // issued within one lifetime.
        let now = Instant::now();
        self.tokens.retain(|_, grant| grant.expires > now);
        self.tokens.insert(
            access_token.clone(),
            Grant {
                refresh_token: refresh_token.clone(),
                scopes,
                rights,
                expires: now + self.token_lifetime,
            },
        );
        Ok(json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": self.token_lifetime.as_secs(),
            "scope": scope,
            "refresh_token": refresh_token,
        }))
    }

    /// The user a `login_info` grant logs in as: `{"type": 3, "name": …, "pwd": …}`.
    fn login(&self, body: &Value) -> Result<&User, MyqError> {
        if body.get("type").and_then(Value::as_i64) != Some(3) {
            return Err(MyqError::bad_request(
                "login_info needs \"type\": 3 (username and password).",
            ));
        }
        let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
        let pwd = body.get("pwd").and_then(Value::as_str);
        self.data
            .users
            .iter()
            .find(|u| u.username == name && u.password.is_some() && u.password.as_deref() == pwd)
            .ok_or_else(|| MyqError::unauthorized("Invalid username or password."))
    }

    /// Checks a bearer token for a scope and a right.
    pub fn authorize(
        &self,
        token: Option<&str>,
        scope: Scope,
        right: Right,
    ) -> Result<(), MyqError> {
        let token = token.ok_or_else(|| MyqError::unauthorized("Authorization required."))?;
        let grant = self
            .tokens
            .get(token)
            .filter(|g| g.expires > Instant::now())
            .ok_or_else(|| MyqError::unauthorized("The access token is invalid or expired."))?;
        if !grant.scopes.iter().any(|s| s == scope.name()) {
            return Err(MyqError::forbidden(format!(
                "The access token lacks the scope '{}'.",
                scope.name()
            )));
        }
        if !grant.rights.contains(&right) {
            return Err(MyqError::forbidden(format!(
                "The logged user lacks the right '{}'.",
                right.label()
            )));
        }
        Ok(())
    }

    /// Every token still valid, access and refresh tokens alike: a test looks for them where
    /// they must not appear (a gateway's answers and logs).
    pub fn issued_tokens(&self) -> Vec<String> {
        let now = Instant::now();
        self.tokens
            .iter()
            .filter(|(_, grant)| grant.expires > now)
            .flat_map(|(access, grant)| [access.clone(), grant.refresh_token.clone()])
            .collect()
    }

    /// Makes every token issued so far invalid, as if its lifetime had run out.
    pub fn expire_tokens(&mut self) {
        self.tokens.clear();
    }

    // ---- users ----

    /// `GET /v3/users/find`: the users matching every criterion given, at most `limit`.
    pub fn find_users(&self, find: &UserFind<'_>) -> Value {
        let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        let users: Vec<Value> = self
            .data
            .users
            .iter()
            .filter(|u| {
                find.username.is_none_or(|name| {
                    same(&u.username, name) || u.aliases.iter().any(|a| same(a, name))
                })
            })
            .filter(|u| find.email.is_none_or(|e| same(&u.email, e)))
            .filter(|u| {
                find.card
                    .is_none_or(|c| u.cards.iter().any(|card| same(card, c)))
            })
            .filter(|u| find.code.is_none_or(|c| u.code.as_deref() == Some(c)))
            .take(find.limit.unwrap_or(usize::MAX))
            .map(|u| {
                json!({
                    "id": u.id,
                    "username": u.username,
                    "fullname": u.fullname,
                    "email": u.email,
                    "aliases": u.aliases,
                })
            })
            .collect();
        json!({ "count": users.len(), "users": users })
    }

    /// `GET /v3/users/{id}/accounts`: the internal credit account carries the balance.
    pub fn accounts(&self, user_id: u64) -> Result<Value, MyqError> {
        let balance = self.balance(user_id).ok_or_else(|| unknown_user(user_id))?;
        Ok(json!({
            "accounts": [{
                "id": 1,
                "reference": "internalaccount",
                "name": "Internal account",
                "limits": { "price": balance },
            }],
            "count": 1,
        }))
    }

    pub fn balance(&self, user_id: u64) -> Option<Cents> {
        self.balances.get(&user_id).copied()
    }

    // ---- providers ----

    /// `GET /v3/rechargeProviders`: the active providers.
    pub fn providers(&self) -> Value {
        let providers: Vec<Value> = self
            .data
            .providers
            .iter()
            .filter(|p| p.enabled)
            .map(|p| {
                json!({
                    "name": p.name,
                    "reference": p.reference,
                    "description": p.description,
                    "params": [],
                })
            })
            .collect();
        json!({ "count": providers.len(), "providers": providers })
    }

    /// Switches a provider on or off, as Settings > Credit does; false if there is none.
    pub fn set_provider_enabled(&mut self, reference: &str, enabled: bool) -> bool {
        match self
            .data
            .providers
            .iter_mut()
            .find(|p| p.reference == reference)
        {
            Some(provider) => {
                provider.enabled = enabled;
                true
            }
            None => false,
        }
    }

    /// Checks that `reference` names a provider the REST recharge works with.
    fn recharge_provider(&self, reference: &str) -> Result<(), MyqError> {
        let provider = self
            .data
            .providers
            .iter()
            .find(|p| p.reference == reference)
            .ok_or_else(|| {
                MyqError::not_found(format!("Recharge provider '{reference}' not found."))
            })?;
        if provider.reference != EXTERNAL {
            return Err(MyqError::bad_request(format!(
                "Recharge provider '{reference}' does not support REST API recharge; use '{EXTERNAL}'."
            )));
        }
        Ok(())
    }

    // ---- payments ----

    /// `POST /v3/rechargeProviders/{reference}/payments`.
    pub fn create_payment(&mut self, reference: &str, body: &Value) -> Result<Value, MyqError> {
        self.recharge_provider(reference)?;
        let user_id = body
            .get("userId")
            .ok_or_else(|| MyqError::bad_request("userId is required."))?
            .as_u64()
            .ok_or_else(|| MyqError::bad_request("userId must be a positive integer."))?;
        let description = optional_description(body)?;
        let amount = required_amount(body)?;
        if !self.balances.contains_key(&user_id) {
            return Err(unknown_user(user_id));
        }
        let enabled = self
            .data
            .providers
            .iter()
            .any(|p| p.reference == reference && p.enabled);
        if !enabled {
            return Err(MyqError::invalid_operation(PROVIDER_DISABLED));
        }
        let mut params = body["params"].as_object().cloned().unwrap_or_default();
        params.insert("amount".into(), amount.to_json());
        params.insert("createdBy".into(), json!(-2));
        let now = OffsetDateTime::now_utc();
        let payment = Payment {
            id: self.next_payment_id,
            user_id,
            amount,
            description: description.unwrap_or_default(),
            state: PaymentState::Created,
            created: now,
            updated: now,
            payment_no: self.next_payment_no,
            provider: reference.to_string(),
            params,
        };
        self.next_payment_id += 1;
        self.next_payment_no += 1;
        let answer = json!({
            "id": payment.id.to_string(),
            "userId": payment.user_id,
            "amount": payment.amount,
            "description": payment.description,
            "params": payment.params,
        });
        self.payments.insert(payment.id, payment);
        Ok(answer)
    }

    /// `PATCH …/payments/{id}`: a new amount and/or description before commit.
    pub fn update_payment(
        &mut self,
        reference: &str,
        id: &str,
        body: &Value,
    ) -> Result<(), MyqError> {
        let description = optional_description(body)?;
        let amount = match body.get("params") {
            Some(_) => Some(required_amount(body)?),
            None => None,
        };
        let payment = self.open_payment(reference, id)?;
        if let Some(amount) = amount {
            payment.amount = amount;
            payment.params.insert("amount".into(), amount.to_json());
        }
        if let Some(description) = description {
            payment.description = description;
        }
        payment.updated = OffsetDateTime::now_utc();
        Ok(())
    }

    /// `POST …/payments/{id}/commit`: credits the user, once.
    pub fn commit_payment(&mut self, reference: &str, id: &str) -> Result<Value, MyqError> {
        let payment = self.open_payment(reference, id)?;
        let (payment_id, user_id, amount) = (payment.id, payment.user_id, payment.amount);
        // The new balance is worked out before anything changes, so a refusal leaves the
        // payment `created` and the balance as it was.
        let balance = self.balances.entry(user_id).or_default();
        *balance = balance.checked_add(amount).ok_or_else(|| {
            MyqError::bad_request(format!(
                "Crediting {} would take the balance of user {user_id} past the largest amount an account holds.",
                amount.to_json()
            ))
        })?;
        let payment = self
            .payments
            .get_mut(&payment_id)
            .expect("open_payment found it");
        payment.state = PaymentState::Completed;
        payment.updated = OffsetDateTime::now_utc();
        Ok(json!({ "amount": amount }))
    }

    /// `POST …/payments/{id}/rollback`: the reason becomes the description.
    pub fn rollback_payment(
        &mut self,
        reference: &str,
        id: &str,
        reason: &str,
    ) -> Result<(), MyqError> {
        checked_description("reason", reason)?;
        let payment = self.open_payment(reference, id)?;
        payment.state = PaymentState::Canceled;
        payment.description = reason.to_string();
        payment.updated = OffsetDateTime::now_utc();
        Ok(())
    }

    /// `GET …/payments?userId=`: newest first.
    pub fn list_payments(&self, reference: &str, user_id: Option<u64>) -> Result<Value, MyqError> {
        self.recharge_provider(reference)?;
        let payments: Vec<Value> = self
            .payments
            .values()
            .rev()
            .filter(|p| p.provider == reference && user_id.is_none_or(|u| p.user_id == u))
            .map(payment_json)
            .collect();
        Ok(json!({ "payments": payments, "count": payments.len() }))
    }

    /// Every payment of every provider, for the control API.
    pub fn all_payments(&self) -> Vec<Value> {
        self.payments.values().map(payment_json).collect()
    }

    /// Users with their balances, for the control API.
    pub fn user_balances(&self) -> Vec<Value> {
        self.data
            .users
            .iter()
            .map(|u| json!({ "id": u.id, "username": u.username, "credit": self.balances[&u.id] }))
            .collect()
    }

    /// Providers with their switch, for the control API.
    pub fn provider_switches(&self) -> Vec<Value> {
        self.data
            .providers
            .iter()
            .map(|p| json!({ "reference": p.reference, "enabled": p.enabled }))
            .collect()
    }

    /// A payment that may still change: it exists under `reference` and is in state `created`.
    fn open_payment(&mut self, reference: &str, id: &str) -> Result<&mut Payment, MyqError> {
        self.recharge_provider(reference)?;
        let not_found = || MyqError::not_found(format!("Payment '{id}' not found."));
        let id = parse_id(id).ok_or_else(not_found)?;
        let payment = self
            .payments
            .get_mut(&id)
            .filter(|p| p.provider == reference)
            .ok_or_else(not_found)?;
        match payment.state {
            PaymentState::Created => Ok(payment),
            PaymentState::Completed => Err(MyqError::invalid_operation(
                "The payment is already completed.",
            )),
            PaymentState::Canceled => Err(MyqError::invalid_operation(
                "The payment is already canceled.",
            )),
        }
    }
}

fn payment_json(p: &Payment) -> Value {
    json!({
        "id": p.id.to_string(),
        "userId": p.user_id,
        "amount": p.amount,
        "currency": null,
        "state": p.state,
        "created": timestamp(p.created),
        "updated": timestamp(p.updated),
        "expires": null,
        "paymentNo": p.payment_no.to_string(),
        "provider": p.provider,
        "description": p.description,
    })
}

fn timestamp(at: OffsetDateTime) -> String {
    at.format(TIMESTAMP)
        .expect("the timestamp format has only numeric parts")
}

/// An id as MyQ X writes it: plain decimal digits, so `+34200` names no payment.
pub fn parse_id(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn unknown_user(user_id: u64) -> MyqError {
    MyqError::not_found(format!("User {user_id} not found."))
}

fn optional_description(body: &Value) -> Result<Option<String>, MyqError> {
    match body.get("description") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => {
            checked_description("description", text)?;
            Ok(Some(text.clone()))
        }
        Some(_) => Err(MyqError::bad_request("description must be a string.")),
    }
}

/// Refuses a text longer than MyQ X keeps as a description.
fn checked_description(field: &str, text: &str) -> Result<(), MyqError> {
    let length = text.chars().count();
    if length > DESCRIPTION_LIMIT {
        return Err(MyqError::bad_request(format!(
            "{field} must be at most {DESCRIPTION_LIMIT} characters, not {length}."
        )));
    }
    Ok(())
}

/// `params.amount`: a positive number of whole cents.
fn required_amount(body: &Value) -> Result<Cents, MyqError> {
    let params = body
        .get("params")
        .ok_or_else(|| MyqError::bad_request("params is required."))?
        .as_object()
        .ok_or_else(|| MyqError::bad_request("params must be an object."))?;
    let amount = match params.get("amount") {
        None | Some(Value::Null) => {
            return Err(MyqError::bad_request("params.amount is required."));
        }
        Some(Value::Number(amount)) => amount,
        Some(_) => return Err(MyqError::bad_request("params.amount must be a number.")),
    };
    let cents = Cents::from_json(amount).ok_or_else(|| {
        MyqError::bad_request("params.amount must have at most two decimal places.")
    })?;
    if cents.0 <= 0 {
        return Err(MyqError::bad_request(
            "params.amount must be greater than zero.",
        ));
    }
    Ok(cents)
}

/// 32 random bytes as hex: unguessable, unlike a counter.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What `users/find` is asked: a username (or alias), an email, a card number or a personal
/// code; each given one must match.
#[derive(Clone, Copy, Debug, Default)]
pub struct UserFind<'a> {
    pub username: Option<&'a str>,
    pub email: Option<&'a str>,
    pub card: Option<&'a str>,
    pub code: Option<&'a str>,
    pub limit: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuing_a_token_drops_the_expired_ones() {
        let mut myq = ServerState::new(SimData::default(), Duration::from_millis(1));
        let grant = json!({"grant_type": "client_credentials", "client_id": "demo-client",
                           "client_secret": "demo-secret"});
        for _ in 0..3 {
            myq.issue_token(&grant).unwrap();
            std::thread::sleep(Duration::from_millis(2));
        }
        assert_eq!(myq.tokens.len(), 1, "only the last, itself expired by now");
    }

    #[test]
    fn issued_tokens_are_the_valid_access_and_refresh_tokens() {
        let mut myq = ServerState::new(SimData::default(), Duration::from_secs(60));
        let grant = json!({"grant_type": "client_credentials", "client_id": "demo-client",
                           "client_secret": "demo-secret"});
        let answer = myq.issue_token(&grant).unwrap();
        let mut issued = myq.issued_tokens();
        issued.sort();
        let mut expected = vec![
            answer["access_token"].as_str().unwrap().to_owned(),
            answer["refresh_token"].as_str().unwrap().to_owned(),
        ];
        expected.sort();
        assert_eq!(issued, expected);
        myq.expire_tokens();
        assert!(myq.issued_tokens().is_empty());
    }
}
