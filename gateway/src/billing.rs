//! Paying for a top-up before MyQ X is credited: the [`PaymentStep`] a commit goes through, and
//! [`BillingEndpoint`], the step that charges the university's billing endpoint (a bursar or
//! campus-card account) server to server, as docs/billing.md describes.
//!
//! A step answers an outcome ([`ChargeOutcome`]: approved or declined, final for that payment) or
//! an error ([`ChargeError`]): `Unknown` when the charge may or may not have happened, which is
//! settled by asking again with the same [`Charge`]; `Refused` when the endpoint refused the
//! request itself, which asking again does not change. Another way of paying (a redirect payment
//! provider) is another `PaymentStep`; the rest of the gateway holds an `Arc<dyn PaymentStep>`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use reqwest::{StatusCode, Url};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// A boxed future that can cross threads, as axum handlers need: what [`PaymentStep`] answers.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The most of an answer's body read, in bytes: the billing endpoint's answers are a line.
const ANSWER_LIMIT: usize = 64 * 1024;

/// The most of an error message kept from an answer, in characters.
const MESSAGE_LIMIT: usize = 300;

/// One payment to charge: a MyQ X payment for a user, in cents of the billing system's currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Charge {
    /// The MyQ X payment's id: the idempotency key, so one payment is charged at most once.
    pub payment_id: String,
    /// The user's username, naming the account to charge.
    pub account: String,
    /// The user's MyQ X id.
    pub user_id: u64,
    /// A positive whole number of cents.
    pub amount_cents: i64,
    /// What the user sees on the statement.
    pub description: String,
}

impl Charge {
    /// A top-up of MyQ payment `payment_id`, described as docs/billing.md shows:
    /// `Print credit top-up, MyQ payment 34200`.
    pub fn top_up(
        payment_id: impl Into<String>,
        account: impl Into<String>,
        user_id: u64,
        amount_cents: i64,
    ) -> Charge {
        let payment_id = payment_id.into();
        Charge {
            description: format!("Print credit top-up, MyQ payment {payment_id}"),
            payment_id,
            account: account.into(),
            user_id,
            amount_cents,
        }
    }
}

/// How a charge ended: final for its payment, however often it is asked again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChargeOutcome {
    /// Charged; `charge_id` is the billing system's reference.
    Approved { charge_id: String },
    /// Not charged, for this reason (no funds, account closed).
    Declined { reason: String },
}

/// Why a charge has no outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChargeError {
    /// No answer, a timeout, a 5xx, 408 or 429, or an answer that cannot be read: the charge may
    /// have happened. Ask again later with the same charge.
    Unknown(String),
    /// The endpoint refused the request itself (400, 401, 409, a wrong URL): a configuration
    /// problem or a bug, which asking again does not change. `status` 0: the request could not
    /// even be sent (a payment id that is no header value), so nothing was charged.
    Refused { status: u16, message: String },
}

impl fmt::Display for ChargeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChargeError::Unknown(why) => write!(f, "the charge's outcome is unknown: {why}"),
            ChargeError::Refused { status, message } => {
                write!(
                    f,
                    "the billing endpoint refused the charge ({status}): {message}"
                )
            }
        }
    }
}

impl std::error::Error for ChargeError {}

/// A way of paying for a top-up, taken before the payment is committed at MyQ X.
pub trait PaymentStep: Send + Sync {
    /// A short name for logs and configuration: `billing`.
    fn name(&self) -> &str;

    /// Charges `charge`. Asking again with the same charge never charges twice: it answers the
    /// first outcome again.
    fn charge<'a>(
        &'a self,
        charge: &'a Charge,
    ) -> BoxFuture<'a, Result<ChargeOutcome, ChargeError>>;
}

/// The key shared with the billing endpoint. Its `Debug` shows no byte of it.
#[derive(Clone)]
pub struct BillingKey(Vec<u8>);

impl BillingKey {
    pub fn new(key: impl Into<Vec<u8>>) -> BillingKey {
        BillingKey(key.into())
    }
}

impl fmt::Debug for BillingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BillingKey(…)")
    }
}

/// The `X-Billing-Signature` value: `sha256=` and the lowercase hex of
/// HMAC-SHA256(key, "<timestamp>.<body>").
pub fn signature(key: &BillingKey, timestamp: u64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(&key.0).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The body of a charge request, as docs/billing.md lists it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChargeBody<'a> {
    idempotency_key: &'a str,
    account: &'a str,
    user_id: u64,
    amount_cents: i64,
    description: &'a str,
}

/// The JSON body sent for `charge`: these exact bytes are signed.
pub fn charge_body(charge: &Charge) -> Vec<u8> {
    serde_json::to_vec(&ChargeBody {
        idempotency_key: &charge.payment_id,
        account: &charge.account,
        user_id: charge.user_id,
        amount_cents: charge.amount_cents,
        description: &charge.description,
    })
    .expect("a charge serialises")
}

/// A 200 answer's body.
#[derive(Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
enum Answer {
    Approved {
        #[serde(rename = "chargeId")]
        charge_id: String,
    },
    Declined {
        #[serde(default)]
        reason: Option<String>,
    },
}

/// The university's billing endpoint: charges are `POST {base}/charges`, signed with the key and
/// the current time.
#[derive(Clone)]
pub struct BillingEndpoint {
    client: reqwest::Client,
    charges_url: Url,
    key: BillingKey,
    timeout: Duration,
}

impl fmt::Debug for BillingEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BillingEndpoint")
            .field("charges_url", &self.charges_url.as_str())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl BillingEndpoint {
    /// The endpoint at `base_url` (`https://billing.example.edu/api`; a trailing `/` is
    /// dropped). `client` carries the TLS settings; it should not follow redirects, so that a
    /// moved endpoint is refused rather than re-asked as a GET. `timeout` bounds each request,
    /// answer included. Only `http` and `https` URLs are taken.
    pub fn new(
        client: reqwest::Client,
        base_url: &str,
        key: BillingKey,
        timeout: Duration,
    ) -> Result<BillingEndpoint, String> {
        let charges = format!("{}/charges", base_url.trim_end_matches('/'));
        let charges_url = Url::parse(&charges)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
            .ok_or_else(|| format!("the billing URL must be an http(s) URL, not '{base_url}'"))?;
        Ok(BillingEndpoint {
            client,
            charges_url,
            key,
            timeout,
        })
    }

    /// Where charges are posted.
    pub fn charges_url(&self) -> &str {
        self.charges_url.as_str()
    }

    /// Charges `charge`, signed as at `timestamp` (Unix seconds): [`PaymentStep::charge`] with
    /// the current time.
    pub async fn charge_at(
        &self,
        charge: &Charge,
        timestamp: u64,
    ) -> Result<ChargeOutcome, ChargeError> {
        let body = charge_body(charge);
        let sent = self
            .client
            .post(self.charges_url.clone())
            .timeout(self.timeout)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", &charge.payment_id)
            .header("X-Billing-Timestamp", timestamp.to_string())
            .header(
                "X-Billing-Signature",
                signature(&self.key, timestamp, &body),
            )
            .body(body)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(err) if err.is_builder() => {
                // A payment id that cannot be a header value: no request left.
                return Err(ChargeError::Refused {
                    status: 0,
                    message: format!("the charge cannot be sent: {err}"),
                });
            }
            Err(err) => return Err(ChargeError::Unknown(self.no_answer(&err))),
        };
        let status = response.status();
        let body = read_limited(response)
            .await
            .map_err(|err| ChargeError::Unknown(self.no_answer(&err)))?;
        if status.is_success() {
            return read_answer(&body).ok_or_else(|| {
                ChargeError::Unknown(format!(
                    "the billing endpoint answered {status} with a body that is not an outcome: {}",
                    message(&body, status)
                ))
            });
        }
        let message = message(&body, status);
        let ask_again = status.is_server_error()
            || matches!(
                status,
                StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_MANY_REQUESTS
            );
        if ask_again {
            Err(ChargeError::Unknown(format!(
                "the billing endpoint answered {status}: {message}"
            )))
        } else {
            Err(ChargeError::Refused {
                status: status.as_u16(),
                message,
            })
        }
    }

    fn no_answer(&self, err: &reqwest::Error) -> String {
        if err.is_timeout() {
            format!("no answer within {} ms", self.timeout.as_millis())
        } else {
            format!("no answer: {err}")
        }
    }
}

impl PaymentStep for BillingEndpoint {
    fn name(&self) -> &str {
        "billing"
    }

    fn charge<'a>(
        &'a self,
        charge: &'a Charge,
    ) -> BoxFuture<'a, Result<ChargeOutcome, ChargeError>> {
        Box::pin(self.charge_at(charge, unix_now()))
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The answer's body, at most [`ANSWER_LIMIT`] bytes of it.
async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = ANSWER_LIMIT - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() == ANSWER_LIMIT {
            break;
        }
    }
    Ok(body)
}

/// An outcome from a 200 answer's body, if it is one.
fn read_answer(body: &[u8]) -> Option<ChargeOutcome> {
    match serde_json::from_slice(body).ok()? {
        Answer::Approved { charge_id } if !charge_id.is_empty() => {
            Some(ChargeOutcome::Approved { charge_id })
        }
        Answer::Approved { .. } => None,
        Answer::Declined { reason } => Some(ChargeOutcome::Declined {
            reason: reason
                .filter(|r| !r.trim().is_empty())
                .unwrap_or_else(|| "The billing system declined the charge.".into()),
        }),
    }
}

/// What an answer says: its JSON `message`, else its text, else the status's name; cut short.
fn message(body: &[u8], status: StatusCode) -> String {
    let from_json = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message")?.as_str().map(str::to_owned));
    let text = from_json.unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
    let text = text.trim();
    if text.is_empty() {
        return status.canonical_reason().unwrap_or("no message").to_owned();
    }
    let mut cut: String = text.chars().take(MESSAGE_LIMIT).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The request docs/billing.md shows.
    const EXAMPLE_BODY: &str = r#"{"idempotencyKey":"34200","account":"jnovak","userId":34173,"amountCents":500,"description":"Print credit top-up, MyQ payment 34200"}"#;

    #[test]
    fn the_body_is_the_documented_one() {
        let charge = Charge::top_up("34200", "jnovak", 34173, 500);
        assert_eq!(
            String::from_utf8(charge_body(&charge)).unwrap(),
            EXAMPLE_BODY
        );
    }

    #[test]
    fn the_signature_matches_the_documented_example() {
        // Computed with openssl: printf '%s' "1767225600.$BODY" | openssl dgst -sha256 -hmac ...
        let key = BillingKey::new("demo-billing-key");
        assert_eq!(
            signature(&key, 1_767_225_600, EXAMPLE_BODY.as_bytes()),
            "sha256=1042aadc816414d7c5bc88709717906f6aed23bd9368f433af734dc800ca3989"
        );
    }

    #[test]
    fn the_key_never_shows_in_debug() {
        let endpoint = BillingEndpoint::new(
            reqwest::Client::new(),
            "https://billing.example.edu/api/",
            BillingKey::new("hunter2-secret"),
            Duration::from_secs(5),
        )
        .unwrap();
        let shown = format!("{endpoint:?} {:?}", BillingKey::new("hunter2-secret"));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(
            endpoint.charges_url(),
            "https://billing.example.edu/api/charges"
        );
    }

    #[test]
    fn only_http_urls_are_taken() {
        for url in ["billing.example.edu", "ftp://billing.example.edu", ""] {
            let endpoint = BillingEndpoint::new(
                reqwest::Client::new(),
                url,
                BillingKey::new("k"),
                Duration::from_secs(5),
            );
            assert!(endpoint.is_err(), "{url}");
        }
    }

    #[test]
    fn answers_are_read_strictly() {
        assert_eq!(
            read_answer(br#"{"status":"approved","chargeId":"ch_1","extra":1}"#),
            Some(ChargeOutcome::Approved {
                charge_id: "ch_1".into()
            })
        );
        assert_eq!(
            read_answer(br#"{"status":"declined","reason":"No funds."}"#),
            Some(ChargeOutcome::Declined {
                reason: "No funds.".into()
            })
        );
        assert!(matches!(
            read_answer(br#"{"status":"declined"}"#),
            Some(ChargeOutcome::Declined { .. })
        ));
        for unreadable in [
            &br#"{"status":"approved"}"#[..],
            br#"{"status":"approved","chargeId":""}"#,
            br#"{"status":"pending"}"#,
            b"<html>",
            b"",
        ] {
            assert_eq!(read_answer(unreadable), None);
        }
    }

    #[test]
    fn messages_come_from_json_text_or_the_status() {
        let status = StatusCode::UNAUTHORIZED;
        assert_eq!(
            message(br#"{"code":401,"message":"Bad signature."}"#, status),
            "Bad signature."
        );
        assert_eq!(message(b" plain \n", status), "plain");
        assert_eq!(message(b"", status), "Unauthorized");
        assert_eq!(message(&[b'x'; 1000], status).chars().count(), 301);
    }
}
