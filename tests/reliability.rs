//! What a hostile run found, in headless Chromium against the simulator: a create the browser
//! sends twice, a restart mid-commit, a deeply nested answer, an approval naming any amount,
//! host callbacks that never settle, amounts past any account.

#![cfg(target_arch = "wasm32")]

mod support;

use serde_json::{Value, json};
use support::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const JNOVAK: u64 = 34173;

fn count_in_state(payments: &[Value], state: &str) -> usize {
    payments.iter().filter(|p| p["state"] == state).count()
}

#[wasm_bindgen_test]
async fn a_create_the_browser_sends_twice_credits_once_and_rolls_back_the_copy() {
    reset().await;
    let (element, widget) = ready(&[]).await;
    // Applied, then the connection closes unanswered: Chromium sends the POST again by itself.
    fault(json!({"operation": "payments.create", "kind": "drop"})).await;
    let committed = top_up(&widget, 100.into()).await.unwrap();
    let creates = requests("payments.create").await as usize;
    assert_eq!(creates, 2, "the browser re-sent the create");

    let payments = server_payments().await;
    assert_eq!(payments.len(), 2);
    assert_eq!(
        count_in_state(&payments, "completed"),
        1,
        "one intent, one payment"
    );
    assert_eq!(credit_of(JNOVAK).await, 220.0, "credited once");
    let kept = committed["paymentId"].as_str().unwrap();
    let copy = payments.iter().find(|p| p["id"] != kept).unwrap();
    assert_eq!(copy["state"], "canceled");
    assert_eq!(
        copy["description"],
        format!("Duplicate of payment {kept}: the same top-up reached MyQ X twice")
    );
    let duplicates = committed["duplicates"].as_array().unwrap();
    assert_eq!(duplicates.len(), 1);
    assert_eq!(duplicates[0]["paymentId"], copy["id"]);
    assert_eq!(
        requests("payments.list").await,
        2,
        "one read at start, one after the create"
    );

    // A new page offers nothing to finish: no second credit for the same intent.
    assert_eq!(restart(&element, &widget, "ready").await["pending"], 0);
    assert!(shadow_query(&element, ".myq-topup__unfinished").is_none());
    element.remove();
}

#[wasm_bindgen_test]
async fn a_payment_committing_during_a_restart_is_not_offered_and_settles_once() {
    reset().await;
    let (element, widget) = ready(&[]).await;
    let committed = record_events(&element, "committed");
    fault(json!({"operation": "payments.commit", "kind": "delay", "delayMs": 1500})).await;
    let created = next_event(&element, "created");
    let flow = JsFuture::from(widget.top_up(100.into()));
    let payment = detail(&created.await)["paymentId"].clone();

    let ready = restart(&element, &widget, "ready").await;
    assert_eq!(
        ready["pending"], 0,
        "the running flow's payment is not offered"
    );
    assert!(
        shadow_query(&element, ".myq-topup__unfinished").is_none(),
        "no Finish for it: {}",
        shadow_html(&element)
    );

    flow.await.unwrap();
    settle().await;
    assert_eq!(credit_of(JNOVAK).await, 220.0);
    assert!(shadow_query(&element, ".myq-topup__unfinished").is_none());
    let heard: Vec<Value> = committed.borrow().clone();
    assert_eq!(heard.len(), 1, "one payment, one terminal event: {heard:?}");
    assert_eq!(heard[0]["paymentId"], payment);
    element.remove();
}

#[wasm_bindgen_test]
async fn an_answer_nested_200000_levels_deep_is_an_error_not_a_stuck_widget() {
    reset().await;
    let (element, _widget) = mount_standard(&[("token-url", "")]);
    set_function(
        &element,
        "tokenProvider",
        "",
        "return '{\"a\":'.repeat(200000) + '1' + '}'.repeat(200000);",
    );
    let error = detail(&next_event(&element, "error").await);
    settle().await;
    assert_eq!(error["operation"], "token");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("nests deeper than"), "{message}");
    assert!(
        shadow_text(&element, "[role=alert]").is_some(),
        "the widget says so"
    );
    assert_eq!(requests("users.find").await, 0);
    element.remove();
}

#[wasm_bindgen_test]
async fn an_amount_approve_names_is_held_to_min_max_and_step() {
    reset().await;
    let (element, widget) = ready(&[("max", "2000"), ("step", "10")]).await;
    for (named, why) in [
        ("50000", "at most 2000.00"),
        ("{amount: 105}", "a multiple of 10.00"),
        ("{amount: -5}", "more than zero"),
        ("{amount: 1e14}", "too large"),
    ] {
        set_function(&element, "approve", "payment", &format!("return {named};"));
        let rolled_back = top_up(&widget, 100.into()).await.unwrap();
        assert_eq!(rolled_back["outcome"], "rolled-back", "{named}");
        let reason = rolled_back["reason"].as_str().unwrap();
        assert!(reason.contains(why), "{named}: {reason}");
    }
    assert_eq!(requests("payments.commit").await, 0);
    assert_eq!(requests("payments.update").await, 0);
    assert_eq!(credit_of(JNOVAK).await, 120.0);
    assert_eq!(count_in_state(&server_payments().await, "canceled"), 4);
    element.remove();
}

#[wasm_bindgen_test]
async fn an_approve_that_never_settles_rolls_back_after_the_callback_timeout() {
    reset().await;
    let (element, widget) = ready(&[("callback-timeout", "1")]).await;
    set_function(
        &element,
        "approve",
        "payment",
        "return new Promise(() => {});",
    );
    let rolled_back = top_up(&widget, 100.into()).await.unwrap();
    assert_eq!(rolled_back["outcome"], "rolled-back");
    assert_eq!(
        rolled_back["reason"],
        "The payment step did not answer within 1 s"
    );
    let payments = server_payments().await;
    assert_eq!(count_in_state(&payments, "canceled"), 1);
    assert_eq!(credit_of(JNOVAK).await, 120.0);
    // The widget is free again.
    set_function(&element, "approve", "payment", "return true;");
    assert_eq!(
        top_up(&widget, 5.into()).await.unwrap()["outcome"],
        "committed"
    );
    element.remove();
}

#[wasm_bindgen_test]
async fn a_token_provider_that_never_settles_fails_with_nothing_created() {
    reset().await;
    let (element, widget) = ready(&[("callback-timeout", "1")]).await;
    set_function(
        &element,
        "tokenProvider",
        "",
        "return new Promise(() => {});",
    );
    control_post("/tokens/expire").await;
    let error = top_up(&widget, 100.into()).await.unwrap_err();
    assert_eq!(error["operation"], "token");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("tokenProvider did not answer within 1 s"),
        "{error}"
    );
    assert!(server_payments().await.is_empty(), "nothing created");
    element.remove();
}

#[wasm_bindgen_test]
async fn amounts_past_any_account_are_too_large() {
    reset().await;
    let (element, widget) = ready(&[]).await;
    for amount in [1e14.into(), "100000000000000".into()] {
        let error = top_up(&widget, amount).await.unwrap_err();
        assert_eq!(error["operation"], "input");
        assert_eq!(error["message"], "the amount is too large");
    }
    assert_eq!(requests("payments.create").await, 0);
    element.remove();
}
