//! The top-up engine in the browser: `Session` over the real HTTP client against the simulator,
//! with the simulator's faults. Each case is checked on the simulator's state.

#![cfg(target_arch = "wasm32")]

mod support;

use myq_topup::api::{Failure, Fetch, Money, MyqClient, Operation, TokenUrl};
use myq_topup::topup::{Claims, Intent, IntentKey, NoApproval, Outcome, Session, Who, start};
use serde_json::json;
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const JNOVAK: u64 = 34173;

/// A fresh simulator and a session for jnovak whose requests time out after `timeout_ms`.
async fn session(timeout_ms: u32) -> Session<Client> {
    reset().await;
    let tokens = TokenUrl {
        transport: Fetch,
        url: format!("{}/demo/token", sim()),
        timeout_ms,
    };
    let myq = MyqClient::new(&format!("{}/api", sim()), Fetch, tokens, timeout_ms);
    let account = start(&myq, &Who::Username("jnovak".into()), "external")
        .await
        .unwrap();
    Session::open(myq, &account, Claims::default()).await
}

/// The client over the browser's fetch, with tokens from the simulator's demo endpoint.
type Client = MyqClient<Fetch, TokenUrl<Fetch>>;

async fn top_up(session: &Session<Client>, amount: i64) -> Outcome {
    let intent = Intent {
        amount: Money(amount),
        description: "Browser test".into(),
        key: IntentKey::from_random(js_sys::Math::random().to_bits()),
    };
    session
        .top_up(&intent, &NoApproval, &mut |_| {})
        .await
        .expect("not busy")
}

#[track_caller]
fn committed_amount(outcome: &Outcome) -> Money {
    match outcome {
        Outcome::Committed { credited, .. } => *credited,
        other => panic!("expected Committed, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn a_top_up_over_http_credits_once() {
    let session = session(5_000).await;
    let outcome = top_up(&session, 1_000).await;
    assert_eq!(committed_amount(&outcome), Money(1_000));
    let Outcome::Committed { balance, .. } = outcome else {
        unreachable!()
    };
    assert_eq!(balance, Some(Money(13_000)));
    assert_eq!(credit_of(JNOVAK).await, 130.0);
    let payments = server_payments().await;
    assert_eq!(payments.len(), 1);
    assert_eq!(payments[0]["state"], "completed");
    let description = payments[0]["description"].as_str().unwrap();
    assert!(
        description.starts_with("Browser test [myq-topup ") && IntentKey::of(description).is_some(),
        "{description}"
    );
}

#[wasm_bindgen_test]
async fn a_lost_commit_answer_is_resolved_without_a_second_commit() {
    let session = session(5_000).await;
    fault(json!({"operation": "payments.commit", "kind": "drop"})).await;
    let outcome = top_up(&session, 1_000).await;
    assert_eq!(committed_amount(&outcome), Money(1_000));
    assert_eq!(credit_of(JNOVAK).await, 130.0);
    // Chrome itself may resend a POST whose reused connection closed unanswered; the server
    // refuses that copy. The widget's own answer is the read-back, not a second commit.
    let commits = &state().await["requests"]["payments.commit"]["statuses"];
    assert_eq!(commits["200"], 1, "{commits}");
    assert!(commits["400"].as_u64().unwrap_or(0) <= 1, "{commits}");
    let statuses = commits.as_object().unwrap();
    assert!(
        statuses.keys().all(|s| s == "200" || s == "400"),
        "{commits}"
    );
    assert!(
        requests("payments.list").await >= 2,
        "the list was read after the lost answer"
    );
}

#[wasm_bindgen_test]
async fn a_5xx_on_create_creates_nothing() {
    let session = session(5_000).await;
    fault(json!({"operation": "payments.create", "kind": "status", "status": 503})).await;
    let outcome = top_up(&session, 1_000).await;
    let Outcome::Failed { error } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        (error.operation, error.status()),
        (Operation::CreatePayment, Some(503))
    );
    assert!(server_payments().await.is_empty());
    assert_eq!(credit_of(JNOVAK).await, 120.0);
}

#[wasm_bindgen_test]
async fn a_5xx_on_commit_is_read_back_and_committed_once() {
    let session = session(5_000).await;
    fault(json!({"operation": "payments.commit", "kind": "status", "status": 502})).await;
    let outcome = top_up(&session, 2_550).await;
    assert_eq!(committed_amount(&outcome), Money(2_550));
    assert_eq!(credit_of(JNOVAK).await, 145.5);
    assert_eq!(requests("payments.commit").await, 2);
}

#[wasm_bindgen_test]
async fn an_expired_token_mid_flow_is_fetched_again_once() {
    let session = session(5_000).await;
    assert_eq!(requests("demo.token").await, 1);
    control_post("/tokens/expire").await;
    let outcome = top_up(&session, 500).await;
    assert_eq!(committed_amount(&outcome), Money(500));
    assert_eq!(requests("demo.token").await, 2, "one fresh token");
    assert_eq!(
        requests("payments.create").await,
        2,
        "the refused create was sent again once"
    );
    assert_eq!(server_payments().await.len(), 1);
    assert_eq!(credit_of(JNOVAK).await, 125.0);
}

#[wasm_bindgen_test]
async fn a_commit_slower_than_the_timeout_still_credits_once() {
    let session = session(600).await;
    fault(json!({"operation": "payments.commit", "kind": "delay", "delayMs": 1500})).await;
    let outcome = top_up(&session, 1_000).await;
    // Aborted at 0.6 s, read back (still created), committed again: one credit whatever lands.
    assert_eq!(committed_amount(&outcome), Money(1_000));
    gloo_timers::future::TimeoutFuture::new(1_200).await;
    assert_eq!(credit_of(JNOVAK).await, 130.0);
    let payments = server_payments().await;
    assert_eq!(payments.len(), 1);
    assert_eq!(payments[0]["state"], "completed");
}

#[wasm_bindgen_test]
async fn a_create_slower_than_the_timeout_is_failed_and_found_later() {
    let session = session(600).await;
    // `late`: the simulator applies the create after 1.5 s although the widget gave up at 0.6 s.
    fault(json!({"operation": "payments.create", "kind": "late", "delayMs": 1500})).await;
    let outcome = top_up(&session, 1_000).await;
    let Outcome::Failed { error } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        (error.operation, &error.failure),
        (Operation::CreatePayment, &Failure::Timeout)
    );
    gloo_timers::future::TimeoutFuture::new(1_200).await;
    // If the slow create landed after all, the next flow lists it first: never unknown.
    let next = top_up(&session, 200).await;
    assert_eq!(committed_amount(&next), Money(200));
    let created: Vec<String> = server_payments()
        .await
        .iter()
        .filter(|p| p["state"] == "created")
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(created.len(), 1, "the late create landed");
    let pending: Vec<String> = session
        .pending()
        .into_iter()
        .map(|p| p.id.to_string())
        .collect();
    assert_eq!(
        pending, created,
        "every created payment is known as pending"
    );
    assert_eq!(
        credit_of(JNOVAK).await,
        122.0,
        "only the second intent credited"
    );
}

#[wasm_bindgen_test]
async fn a_disabled_provider_is_reported_and_creates_nothing() {
    let session = session(5_000).await;
    control_json("/providers/external", json!({"enabled": false})).await;
    let outcome = top_up(&session, 1_000).await;
    let Outcome::Failed { error } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(error.status(), Some(400));
    assert!(
        error.to_string().ends_with("Payment provider is disabled."),
        "{error}"
    );
    assert!(server_payments().await.is_empty());
}
