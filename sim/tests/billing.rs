//! The billing stand-in over real HTTP on loopback: signatures, idempotency, the control API's
//! behaviours. The signing here is written from docs/billing.md, apart from the simulator's.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use myq_sim::Options;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

const KEY: &str = "billing-test-key";

struct Billing {
    running: myq_sim::Running,
    http: reqwest::Client,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn sign(key: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A charge body for jnovak.
fn charge(key: &str, amount_cents: Value) -> Value {
    json!({
        "idempotencyKey": key,
        "account": "jnovak",
        "userId": 34173,
        "amountCents": amount_cents,
        "description": format!("Print credit top-up, MyQ payment {key}"),
    })
}

/// What came back: status and JSON body.
async fn answer(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

impl Billing {
    async fn start() -> Billing {
        let running = myq_sim::start(Options {
            control: true,
            quiet: true,
            billing_key: Some(KEY.into()),
            ..Options::default()
        })
        .await
        .unwrap();
        Billing {
            running,
            http: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.url())
    }

    /// A charge request signed with `key` at `timestamp`, not yet sent.
    fn request(&self, key: &str, timestamp: i64, body: &Value) -> reqwest::RequestBuilder {
        let body = body.to_string();
        self.http
            .post(self.url("/billing/charges"))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", body_key(&body))
            .header("X-Billing-Timestamp", timestamp.to_string())
            .header("X-Billing-Signature", sign(key, timestamp, &body))
            .body(body)
    }

    async fn charge(&self, body: &Value) -> (StatusCode, Value) {
        answer(self.request(KEY, now(), body).send().await.unwrap()).await
    }

    async fn control(&self, body: Value) {
        let response = self
            .http
            .post(self.url("/_sim/billing"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{body}");
    }

    async fn charges(&self) -> Vec<Value> {
        let response = reqwest::get(self.url("/_sim/billing/charges"))
            .await
            .unwrap();
        let (status, body) = answer(response).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["count"], body["charges"].as_array().unwrap().len());
        body["charges"].as_array().unwrap().clone()
    }
}

fn body_key(body: &str) -> String {
    let body: Value = serde_json::from_str(body).unwrap();
    body["idempotencyKey"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[track_caller]
fn approved((status, body): &(StatusCode, Value)) -> String {
    assert_eq!(*status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "approved", "{body}");
    let id = body["chargeId"].as_str().unwrap();
    assert!(id.starts_with("ch_"), "{id}");
    id.to_owned()
}

/// A refusal in the simulator's error body, whose message contains `needle`.
#[track_caller]
fn refused((status, body): (StatusCode, Value), expected: StatusCode, needle: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["code"], expected.as_u16(), "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains(needle),
        "'{message}' should contain '{needle}'"
    );
}

#[tokio::test]
async fn a_charge_is_approved_and_recorded() {
    let billing = Billing::start().await;
    let id = approved(&billing.charge(&charge("34200", json!(500))).await);
    let charges = billing.charges().await;
    assert_eq!(
        charges,
        [json!({
            "idempotencyKey": "34200", "account": "jnovak", "userId": 34173,
            "amountCents": 500, "description": "Print credit top-up, MyQ payment 34200",
            "status": "approved", "reason": null, "chargeId": id, "asked": 1,
        })]
    );
}

#[tokio::test]
async fn a_declined_charge_answers_the_reason() {
    let billing = Billing::start().await;
    billing
        .control(json!({"kind": "decline", "reason": "Insufficient funds on the campus card."}))
        .await;
    let (status, body) = billing.charge(&charge("34200", json!(500))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"status": "declined", "reason": "Insufficient funds on the campus card."})
    );
    assert_eq!(billing.charges().await[0]["status"], "declined");
    approved(&billing.charge(&charge("34201", json!(500))).await);
}

#[tokio::test]
async fn the_same_key_answers_the_first_answer_and_charges_once() {
    let billing = Billing::start().await;
    let first = billing.charge(&charge("34200", json!(500))).await;
    let again = billing.charge(&charge("34200", json!(500))).await;
    assert_eq!(first, again);
    billing.control(json!({"kind": "decline"})).await;
    billing.charge(&charge("34201", json!(300))).await;
    billing.control(json!({"kind": "approve"})).await;
    let (_, declined) = billing.charge(&charge("34201", json!(300))).await;
    assert_eq!(declined["status"], "declined", "declined stays declined");
    let charges = billing.charges().await;
    assert_eq!(charges.len(), 2);
    assert_eq!(
        (charges[0]["asked"].clone(), charges[1]["asked"].clone()),
        (json!(2), json!(2))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_concurrent_requests_for_one_key_charge_it_once() {
    let billing = Billing::start().await;
    let body = charge("34200", json!(500));
    let requests = (0..10).map(|_| billing.charge(&body));
    let answers = futures::future::join_all(requests).await;
    let first = approved(&answers[0]);
    assert!(answers.iter().all(|a| approved(a) == first), "{answers:?}");
    let charges = billing.charges().await;
    assert_eq!((charges.len(), charges[0]["asked"].clone()), (1, json!(10)));
}

#[tokio::test]
async fn the_same_key_for_another_charge_is_a_conflict() {
    let billing = Billing::start().await;
    approved(&billing.charge(&charge("34200", json!(500))).await);
    refused(
        billing.charge(&charge("34200", json!(600))).await,
        StatusCode::CONFLICT,
        "34200",
    );
    let mut other_account = charge("34200", json!(500));
    other_account["account"] = json!("psvobodova");
    refused(
        billing.charge(&other_account).await,
        StatusCode::CONFLICT,
        "another charge",
    );
    let charges = billing.charges().await;
    assert_eq!(
        (charges.len(), charges[0]["amountCents"].clone()),
        (1, json!(500))
    );
}

#[tokio::test]
async fn a_bad_or_missing_signature_is_401_and_charges_nothing() {
    let billing = Billing::start().await;
    let body = charge("34200", json!(500));
    let wrong_key = billing.request("another-key", now(), &body).send().await;
    refused(
        answer(wrong_key.unwrap()).await,
        StatusCode::UNAUTHORIZED,
        "does not match",
    );
    // Signed, then the amount changed on the way.
    let signed = body.to_string();
    let tampered = signed.replace("500", "50000");
    let response = billing
        .http
        .post(billing.url("/billing/charges"))
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", "34200")
        .header("X-Billing-Timestamp", now().to_string())
        .header("X-Billing-Signature", sign(KEY, now(), &signed))
        .body(tampered)
        .send()
        .await
        .unwrap();
    refused(
        answer(response).await,
        StatusCode::UNAUTHORIZED,
        "does not match",
    );
    let unsigned = billing
        .http
        .post(billing.url("/billing/charges"))
        .json(&body)
        .send()
        .await
        .unwrap();
    refused(answer(unsigned).await, StatusCode::UNAUTHORIZED, "missing");
    assert_eq!(billing.charges().await, Vec::<Value>::new());
}

#[tokio::test]
async fn a_timestamp_over_300_seconds_away_is_401() {
    let billing = Billing::start().await;
    let body = charge("34200", json!(500));
    for timestamp in [now() - 400, now() + 400] {
        let response = billing.request(KEY, timestamp, &body).send().await.unwrap();
        refused(answer(response).await, StatusCode::UNAUTHORIZED, "300 s");
    }
    let response = billing
        .request(KEY, now() - 200, &body)
        .send()
        .await
        .unwrap();
    approved(&answer(response).await);
}

#[tokio::test]
async fn malformed_charges_are_400() {
    let billing = Billing::start().await;
    let mut currency = charge("34200", json!(500));
    currency["currency"] = json!("CZK");
    let mut no_user = charge("34200", json!(500));
    no_user["userId"] = json!(0);
    for (body, why) in [
        (charge("34200", json!(0)), "amountCents"),
        (charge("34200", json!(-500)), "amountCents"),
        (charge("34200", json!(5.5)), "not a charge"),
        (charge("34200", json!("500")), "not a charge"),
        (charge("", json!(500)), "idempotencyKey"),
        (currency, "unknown field"),
        (no_user, "userId"),
    ] {
        refused(billing.charge(&body).await, StatusCode::BAD_REQUEST, why);
    }
    // The header names another key than the body.
    let body = charge("34200", json!(500)).to_string();
    let timestamp = now();
    let response = billing
        .http
        .post(billing.url("/billing/charges"))
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", "34201")
        .header("X-Billing-Timestamp", timestamp.to_string())
        .header("X-Billing-Signature", sign(KEY, timestamp, &body))
        .body(body)
        .send()
        .await
        .unwrap();
    refused(
        answer(response).await,
        StatusCode::BAD_REQUEST,
        "Idempotency-Key",
    );
    assert_eq!(billing.charges().await, Vec::<Value>::new());
}

#[tokio::test]
async fn a_lost_answer_is_charged_once_and_asking_again_answers_it() {
    let billing = Billing::start().await;
    billing.control(json!({"kind": "lost"})).await;
    let body = charge("34200", json!(500));
    let lost = billing.request(KEY, now(), &body).send().await;
    assert!(lost.is_err(), "no answer came: {lost:?}");
    let charges = billing.charges().await;
    assert_eq!(charges.len(), 1, "applied before the connection closed");
    let id = charges[0]["chargeId"].as_str().unwrap().to_owned();
    let again = billing.charge(&body).await;
    assert_eq!(approved(&again), id);
    let charges = billing.charges().await;
    assert_eq!((charges.len(), charges[0]["asked"].clone()), (1, json!(2)));
}

#[tokio::test]
async fn a_slow_charge_waits_then_answers() {
    let billing = Billing::start().await;
    billing
        .control(json!({"kind": "slow", "delayMs": 300, "count": 2}))
        .await;
    for key in ["34200", "34201"] {
        let started = Instant::now();
        approved(&billing.charge(&charge(key, json!(500))).await);
        assert!(started.elapsed() >= Duration::from_millis(300));
    }
    let started = Instant::now();
    approved(&billing.charge(&charge("34202", json!(500))).await);
    assert!(started.elapsed() < Duration::from_millis(300), "used up");
}

#[tokio::test]
async fn a_status_fault_answers_it_and_charges_nothing() {
    let billing = Billing::start().await;
    billing
        .control(json!({"kind": "status", "status": 503}))
        .await;
    refused(
        billing.charge(&charge("34200", json!(500))).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "Injected fault",
    );
    assert_eq!(billing.charges().await, Vec::<Value>::new());
}

#[tokio::test]
async fn control_refuses_bad_billing_specs_and_reset_clears_the_charges() {
    let billing = Billing::start().await;
    for (spec, why) in [
        (json!({"kind": "explode"}), "unknown billing kind"),
        (json!({"kind": "slow"}), "delayMs"),
        (json!({"kind": "lost", "count": 0}), "at least 1"),
        (json!({"kind": "status", "status": 200}), "400 to 599"),
    ] {
        let response = billing
            .http
            .post(billing.url("/_sim/billing"))
            .json(&spec)
            .send()
            .await
            .unwrap();
        refused(answer(response).await, StatusCode::BAD_REQUEST, why);
    }
    billing
        .control(json!({"kind": "decline", "count": 5}))
        .await;
    billing.charge(&charge("34200", json!(500))).await;
    let reset = billing.http.post(billing.url("/_sim/reset")).send().await;
    assert_eq!(reset.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(billing.charges().await, Vec::<Value>::new());
    approved(&billing.charge(&charge("34200", json!(500))).await);
}

#[tokio::test]
async fn without_a_key_there_is_no_billing_endpoint() {
    let running = myq_sim::start(Options {
        control: true,
        quiet: true,
        ..Options::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let response = http
        .post(format!("{}/billing/charges", running.url()))
        .json(&charge("34200", json!(500)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = reqwest::get(format!("{}/_sim/billing/charges", running.url()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
