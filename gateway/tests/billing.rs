//! The gateway's billing step against the simulator's stand-in, over HTTP on loopback.

use std::sync::Arc;
use std::time::Duration;

use myq_gateway::billing::{
    BillingEndpoint, BillingKey, Charge, ChargeError, ChargeOutcome, PaymentStep,
};
use myq_sim::Options;
use serde_json::{Value, json};

const KEY: &str = "gateway-billing-test-key";

struct Billing {
    running: myq_sim::Running,
    http: reqwest::Client,
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

    fn endpoint(&self, key: &str, timeout: Duration) -> BillingEndpoint {
        BillingEndpoint::new(
            self.http.clone(),
            &format!("{}/billing/", self.running.url()),
            BillingKey::new(key),
            timeout,
        )
        .unwrap()
    }

    /// The endpoint as the gateway's handlers hold it.
    fn step(&self) -> Arc<dyn PaymentStep> {
        Arc::new(self.endpoint(KEY, Duration::from_secs(5)))
    }

    async fn control(&self, body: Value) {
        let response = self
            .http
            .post(format!("{}/_sim/billing", self.running.url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{body}");
    }

    async fn charges(&self) -> Vec<Value> {
        let url = format!("{}/_sim/billing/charges", self.running.url());
        let body: Value = self
            .http
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["charges"].as_array().unwrap().clone()
    }
}

/// Charges on a task of its own, as an axum handler would: the step's future must be `Send`.
async fn charge(
    step: &Arc<dyn PaymentStep>,
    charge: &Charge,
) -> Result<ChargeOutcome, ChargeError> {
    let (step, charge) = (step.clone(), charge.clone());
    tokio::spawn(async move { step.charge(&charge).await })
        .await
        .unwrap()
}

fn jnovak(payment_id: &str, amount_cents: i64) -> Charge {
    Charge::top_up(payment_id, "jnovak", 34173, amount_cents)
}

#[tokio::test]
async fn an_approved_charge_answers_its_id() {
    let billing = Billing::start().await;
    let step = billing.step();
    assert_eq!(step.name(), "billing");
    let outcome = charge(&step, &jnovak("34200", 500)).await.unwrap();
    let ChargeOutcome::Approved { charge_id } = outcome else {
        panic!("not approved: {outcome:?}");
    };
    let charges = billing.charges().await;
    assert_eq!(charges.len(), 1);
    let recorded = &charges[0];
    assert_eq!(recorded["chargeId"], charge_id.as_str());
    assert_eq!(
        (
            recorded["idempotencyKey"].clone(),
            recorded["account"].clone(),
            recorded["userId"].clone(),
            recorded["amountCents"].clone(),
            recorded["description"].clone(),
        ),
        (
            json!("34200"),
            json!("jnovak"),
            json!(34173),
            json!(500),
            json!("Print credit top-up, MyQ payment 34200"),
        )
    );
}

#[tokio::test]
async fn a_declined_charge_answers_the_reason() {
    let billing = Billing::start().await;
    billing
        .control(json!({"kind": "decline", "reason": "Insufficient funds on the campus card."}))
        .await;
    let step = billing.step();
    let declined = ChargeOutcome::Declined {
        reason: "Insufficient funds on the campus card.".into(),
    };
    assert_eq!(
        charge(&step, &jnovak("34200", 500)).await,
        Ok(declined.clone())
    );
    assert_eq!(
        charge(&step, &jnovak("34200", 500)).await,
        Ok(declined),
        "asking again answers the first outcome"
    );
}

#[tokio::test]
async fn a_lost_answer_is_unknown_and_asking_again_finds_the_one_charge() {
    let billing = Billing::start().await;
    billing.control(json!({"kind": "lost"})).await;
    let step = billing.step();
    let payment = jnovak("34200", 500);
    let lost = charge(&step, &payment).await;
    assert!(matches!(lost, Err(ChargeError::Unknown(_))), "{lost:?}");
    let charges = billing.charges().await;
    assert_eq!(charges.len(), 1, "the lost request was charged");
    let charged = charges[0]["chargeId"].as_str().unwrap().to_owned();
    assert_eq!(
        charge(&step, &payment).await,
        Ok(ChargeOutcome::Approved { charge_id: charged })
    );
    let charges = billing.charges().await;
    assert_eq!((charges.len(), charges[0]["asked"].clone()), (1, json!(2)));
}

#[tokio::test]
async fn a_wrong_key_is_refused_401() {
    let billing = Billing::start().await;
    let endpoint = billing.endpoint("not-the-key", Duration::from_secs(5));
    let refused = endpoint.charge_at(&jnovak("34200", 500), now()).await;
    let Err(ChargeError::Refused { status, message }) = refused else {
        panic!("not refused: {refused:?}");
    };
    assert_eq!(status, 401);
    assert!(message.contains("does not match"), "{message}");
    assert_eq!(billing.charges().await, Vec::<Value>::new());
}

#[tokio::test]
async fn a_clock_far_off_is_refused_401() {
    let billing = Billing::start().await;
    let endpoint = billing.endpoint(KEY, Duration::from_secs(5));
    let refused = endpoint.charge_at(&jnovak("34200", 500), now() - 600).await;
    assert!(
        matches!(&refused, Err(ChargeError::Refused { status: 401, message }) if message.contains("300 s")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn the_same_payment_for_another_amount_is_refused_409() {
    let billing = Billing::start().await;
    let step = billing.step();
    charge(&step, &jnovak("34200", 500)).await.unwrap();
    let refused = charge(&step, &jnovak("34200", 900)).await;
    assert!(
        matches!(refused, Err(ChargeError::Refused { status: 409, .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_malformed_charge_is_refused_400() {
    let billing = Billing::start().await;
    let refused = charge(&billing.step(), &jnovak("34200", 0)).await;
    assert!(
        matches!(&refused, Err(ChargeError::Refused { status: 400, message }) if message.contains("amountCents")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_slow_answer_past_the_timeout_is_unknown_then_asked_again() {
    let billing = Billing::start().await;
    billing
        .control(json!({"kind": "slow", "delayMs": 1000}))
        .await;
    let endpoint = billing.endpoint(KEY, Duration::from_millis(200));
    let payment = jnovak("34200", 500);
    let timed_out = endpoint.charge_at(&payment, now()).await;
    assert!(
        matches!(&timed_out, Err(ChargeError::Unknown(why)) if why.contains("200 ms")),
        "{timed_out:?}"
    );
    let outcome = endpoint.charge_at(&payment, now()).await;
    assert!(
        matches!(outcome, Ok(ChargeOutcome::Approved { .. })),
        "{outcome:?}"
    );
    assert_eq!(billing.charges().await.len(), 1);
}

#[tokio::test]
async fn a_5xx_is_unknown() {
    let billing = Billing::start().await;
    billing
        .control(json!({"kind": "status", "status": 503}))
        .await;
    let unknown = charge(&billing.step(), &jnovak("34200", 500)).await;
    assert!(
        matches!(&unknown, Err(ChargeError::Unknown(why)) if why.contains("503")),
        "{unknown:?}"
    );
    assert_eq!(billing.charges().await, Vec::<Value>::new());
}

#[tokio::test]
async fn an_endpoint_that_is_not_there_is_unknown() {
    let billing = Billing::start().await;
    let url = billing.running.url();
    billing.running.stop().await;
    let endpoint = BillingEndpoint::new(
        reqwest::Client::new(),
        &format!("{url}/billing"),
        BillingKey::new(KEY),
        Duration::from_secs(2),
    )
    .unwrap();
    let unknown = endpoint.charge_at(&jnovak("34200", 500), now()).await;
    assert!(
        matches!(unknown, Err(ChargeError::Unknown(_))),
        "{unknown:?}"
    );
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
