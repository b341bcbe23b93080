//! The university's billing endpoint (a bursar or campus-card account), as docs/billing.md
//! describes it: `POST /billing/charges`, signed with a shared key, idempotent by key. Not MyQ's:
//! the gateway charges it before it commits a student's payment at MyQ X. Served only with a
//! billing key (`--billing-key-file`); the control API decides what the next charges do.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::Sim;
use crate::error::MyqError;
use crate::serve::ConnectionKill;

/// Where the charges are posted.
pub const CHARGES_PATH: &str = "/billing/charges";

/// How far a request's timestamp may be from the billing system's clock, in seconds.
pub const MAX_SKEW_SECS: u64 = 300;

/// The longest idempotency key, account and description taken, in characters.
pub const MAX_TEXT: usize = 255;

/// What the next charge requests get, as the control API queued it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// A new charge is approved (the default).
    Approve,
    /// A new charge is declined with this reason.
    Decline(String),
    /// Wait, then apply and answer; a client that gives up first leaves the charge unapplied.
    Slow(Duration),
    /// Apply, then close the connection without answering: the lost answer.
    Lost,
    /// Answer this status, charging nothing.
    Status(StatusCode),
}

/// A behaviour queued for the next `remaining` charge requests.
#[derive(Clone, Debug)]
pub struct QueuedBehaviour {
    pub behaviour: Behaviour,
    pub remaining: u32,
}

/// How a charge was decided; a key keeps its first decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChargeStatus {
    Approved,
    Declined,
}

/// One charge the billing system knows, by idempotency key.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChargeRecord {
    pub idempotency_key: String,
    pub account: String,
    pub user_id: u64,
    pub amount_cents: i64,
    pub description: String,
    pub status: ChargeStatus,
    /// Why it was declined; `None` when approved.
    pub reason: Option<String>,
    /// The charge's id; `None` when declined.
    pub charge_id: Option<String>,
    /// How many requests asked for it, the first included.
    pub asked: u32,
}

impl ChargeRecord {
    /// The answer every request for this charge gets: the first one, again.
    fn answer(&self) -> Value {
        match self.status {
            ChargeStatus::Approved => json!({"status": "approved", "chargeId": self.charge_id}),
            ChargeStatus::Declined => json!({"status": "declined", "reason": self.reason}),
        }
    }
}

/// The billing system's state: its charges and the queued behaviours.
#[derive(Debug, Default)]
pub struct Billing {
    charges: Vec<ChargeRecord>,
    queued: Vec<QueuedBehaviour>,
}

impl Billing {
    pub fn charges(&self) -> &[ChargeRecord] {
        &self.charges
    }

    pub fn queue(&mut self, behaviour: QueuedBehaviour) {
        self.queued.push(behaviour);
    }

    pub fn clear_queue(&mut self) {
        self.queued.clear();
    }

    /// Takes one use of the first queued behaviour; approve when none is queued.
    fn take(&mut self) -> Behaviour {
        let Some(queued) = self.queued.first_mut() else {
            return Behaviour::Approve;
        };
        let behaviour = queued.behaviour.clone();
        queued.remaining = queued.remaining.saturating_sub(1);
        if queued.remaining == 0 {
            self.queued.remove(0);
        }
        behaviour
    }

    /// Charges once per key: a known key with the same account, user and amount answers its first
    /// answer again; with another one it is refused 409. A new key is decided by `decline`.
    fn charge(
        &mut self,
        request: ChargeRequest,
        decline: Option<String>,
    ) -> Result<Value, MyqError> {
        if let Some(known) = self
            .charges
            .iter_mut()
            .find(|c| c.idempotency_key == request.idempotency_key)
        {
            let same = known.account == request.account
                && known.user_id == request.user_id
                && known.amount_cents == request.amount_cents;
            if !same {
                return Err(MyqError::new(
                    StatusCode::CONFLICT,
                    format!(
                        "The idempotency key '{}' was used for another charge.",
                        request.idempotency_key
                    ),
                ));
            }
            known.asked += 1;
            return Ok(known.answer());
        }
        let (status, reason, charge_id) = match decline {
            Some(reason) => (ChargeStatus::Declined, Some(reason), None),
            None => (ChargeStatus::Approved, None, Some(charge_id())),
        };
        let record = ChargeRecord {
            idempotency_key: request.idempotency_key,
            account: request.account,
            user_id: request.user_id,
            amount_cents: request.amount_cents,
            description: request.description,
            status,
            reason,
            charge_id,
            asked: 1,
        };
        let answer = record.answer();
        self.charges.push(record);
        Ok(answer)
    }
}

/// `ch_` and 12 random bytes as hex.
fn charge_id() -> String {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    format!("ch_{}", hex::encode(bytes))
}

/// A charge request's body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ChargeRequest {
    idempotency_key: String,
    account: String,
    user_id: u64,
    amount_cents: i64,
    #[serde(default)]
    description: String,
}

pub fn router() -> Router<Arc<Sim>> {
    Router::new().route(CHARGES_PATH, post(charge))
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Checks `X-Billing-Timestamp` against `now` and `X-Billing-Signature` against
/// HMAC-SHA256(key, "<timestamp>.<body>"), in constant time.
fn verify(key: &[u8], headers: &HeaderMap, body: &[u8], now: u64) -> Result<(), MyqError> {
    let timestamp = header(headers, "x-billing-timestamp")
        .ok_or_else(|| MyqError::unauthorized("X-Billing-Timestamp is missing."))?;
    let seconds: u64 = timestamp
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| timestamp.parse().ok())
        .flatten()
        .ok_or_else(|| MyqError::unauthorized("X-Billing-Timestamp must be Unix seconds."))?;
    if seconds.abs_diff(now) > MAX_SKEW_SECS {
        return Err(MyqError::unauthorized(format!(
            "X-Billing-Timestamp is more than {MAX_SKEW_SECS} s from the billing system's clock."
        )));
    }
    let signature = header(headers, "x-billing-signature")
        .ok_or_else(|| MyqError::unauthorized("X-Billing-Signature is missing."))?;
    let signature = signature
        .strip_prefix("sha256=")
        .and_then(|hex| hex::decode(hex).ok())
        .ok_or_else(|| MyqError::unauthorized("X-Billing-Signature must be sha256=<hex>."))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&signature)
        .map_err(|_| MyqError::unauthorized("X-Billing-Signature does not match."))
}

/// The body as a charge: JSON, the fields docs/billing.md lists, the key the header names.
fn parse(headers: &HeaderMap, body: &[u8]) -> Result<ChargeRequest, MyqError> {
    let json = header(headers, header::CONTENT_TYPE.as_str())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(MyqError::bad_request(
            "Content-Type must be application/json.",
        ));
    }
    let request: ChargeRequest = serde_json::from_slice(body)
        .map_err(|err| MyqError::bad_request(format!("The body is not a charge: {err}.")))?;
    let too_long = |text: &str| text.chars().count() > MAX_TEXT;
    if request.idempotency_key.is_empty() || too_long(&request.idempotency_key) {
        return Err(MyqError::bad_request(format!(
            "idempotencyKey must be 1 to {MAX_TEXT} characters."
        )));
    }
    if header(headers, "idempotency-key") != Some(request.idempotency_key.as_str()) {
        return Err(MyqError::bad_request(
            "The Idempotency-Key header must name the body's idempotencyKey.",
        ));
    }
    if request.account.is_empty() || too_long(&request.account) {
        return Err(MyqError::bad_request(format!(
            "account must be 1 to {MAX_TEXT} characters."
        )));
    }
    if request.user_id == 0 {
        return Err(MyqError::bad_request("userId must be a positive integer."));
    }
    if request.amount_cents <= 0 {
        return Err(MyqError::bad_request(
            "amountCents must be a positive whole number.",
        ));
    }
    if too_long(&request.description) {
        return Err(MyqError::bad_request(format!(
            "description must be at most {MAX_TEXT} characters."
        )));
    }
    Ok(request)
}

async fn charge(
    State(sim): State<Arc<Sim>>,
    kill: Option<Extension<ConnectionKill>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(key) = sim.billing_key.as_deref() else {
        return MyqError::not_found("No billing endpoint here.").into_response();
    };
    let request =
        match verify(key, &headers, &body, unix_now()).and_then(|()| parse(&headers, &body)) {
            Ok(request) => request,
            Err(refusal) => return refusal.into_response(),
        };
    let behaviour = sim.billing().take();
    let decline = match &behaviour {
        Behaviour::Approve | Behaviour::Lost => None,
        Behaviour::Decline(reason) => Some(reason.clone()),
        Behaviour::Slow(delay) => {
            tokio::time::sleep(*delay).await;
            None
        }
        Behaviour::Status(status) => {
            return MyqError::new(
                *status,
                format!("Injected fault: the billing system answered {status}."),
            )
            .into_response();
        }
    };
    let answer = sim.billing().charge(request, decline);
    if behaviour == Behaviour::Lost {
        eprintln!(
            "(billing) charge applied with status {}, connection dropped",
            answer
                .as_ref()
                .map_or_else(|e| e.status, |_| StatusCode::OK)
        );
        if let Some(Extension(kill)) = kill {
            kill.kill();
        }
        return std::future::pending().await;
    }
    match answer {
        Ok(answer) => Json(answer).into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(key: &[u8], timestamp: &str, body: &str) -> HeaderMap {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        mac.update(format!("{timestamp}.{body}").as_bytes());
        let signature = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        let mut headers = HeaderMap::new();
        headers.insert("x-billing-timestamp", timestamp.parse().unwrap());
        headers.insert("x-billing-signature", signature.parse().unwrap());
        headers
    }

    #[test]
    fn the_timestamp_may_be_300_seconds_away_and_no_more() {
        let headers = signed(b"k", "1000000", "{}");
        assert!(verify(b"k", &headers, b"{}", 1_000_300).is_ok());
        assert!(verify(b"k", &headers, b"{}", 999_700).is_ok());
        assert!(verify(b"k", &headers, b"{}", 1_000_301).is_err());
        assert!(verify(b"k", &headers, b"{}", 999_699).is_err());
    }

    #[test]
    fn a_signature_over_other_bytes_or_with_another_key_is_refused() {
        let headers = signed(b"k", "1000000", "{}");
        assert!(verify(b"k", &headers, b"{ }", 1_000_000).is_err());
        assert!(verify(b"other", &headers, b"{}", 1_000_000).is_err());
        let signed_plus = signed(b"k", "+1000000", "{}");
        assert!(verify(b"k", &signed_plus, b"{}", 1_000_000).is_err());
    }

    #[test]
    fn queued_behaviours_are_used_up_in_order() {
        let mut billing = Billing::default();
        billing.queue(QueuedBehaviour {
            behaviour: Behaviour::Lost,
            remaining: 2,
        });
        billing.queue(QueuedBehaviour {
            behaviour: Behaviour::Decline("no".into()),
            remaining: 1,
        });
        let taken: Vec<Behaviour> = (0..4).map(|_| billing.take()).collect();
        assert_eq!(
            taken,
            [
                Behaviour::Lost,
                Behaviour::Lost,
                Behaviour::Decline("no".into()),
                Behaviour::Approve
            ]
        );
    }
}
