//! The element in headless Chromium against the simulator.

#![cfg(target_arch = "wasm32")]

mod support;

use leptos::task::tick;
use serde_json::json;
use support::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn mounts_fetches_a_token_resolves_the_user_and_names_its_provider() {
    reset().await;
    let (element, _widget) = mount_standard(&[]);
    let ready = detail(&next_event(&element, "ready").await);
    tick().await;

    assert_eq!(ready["userId"], 34173);
    assert_eq!(ready["username"], "jnovak");
    assert_eq!(ready["provider"], "external");
    assert_eq!(ready["balance"], 120);
    let references: Vec<_> = ready["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["reference"].clone())
        .collect();
    assert_eq!(
        references,
        [json!("external"), json!("paypal"), json!("voucher")]
    );
    assert!(
        !ready.to_string().contains("access_token"),
        "no token in events: {ready}"
    );

    assert_eq!(
        shadow_text(&element, "button").as_deref(),
        Some("Top up credit")
    );
    // One line naming what the payment goes through; the ready event lists every provider.
    assert_eq!(
        shadow_text(&element, "[part~=providers]").as_deref(),
        Some("Payment via: External Payment Providers")
    );
    let html = shadow_html(&element);
    for other in ["PayPal", "Voucher"] {
        assert!(
            !html.contains(other),
            "only the configured provider: {html}"
        );
    }
    assert_eq!(
        shadow_text(&element, ".myq-topup__balance").as_deref(),
        Some("Credit: 120.00")
    );

    assert_eq!(requests("demo.token").await, 1);
    assert_eq!(requests("users.find").await, 1);
    assert_eq!(requests("providers").await, 1);
    element.remove();
}

#[wasm_bindgen_test]
async fn a_failing_token_endpoint_gives_a_clear_error_and_no_myq_request() {
    reset().await;
    fault(json!({"operation": "demo.token", "kind": "status", "status": 500})).await;
    let (element, _widget) = mount_standard(&[]);
    let error = detail(&next_event(&element, "error").await);
    tick().await;

    assert_eq!(error["operation"], "token");
    assert_eq!(error["status"], 500);
    assert_eq!(error["code"], 500);
    let message = shadow_text(&element, "[role=alert]").expect("an alert in the widget");
    assert!(
        message.contains("token"),
        "the message names the token: {message}"
    );
    assert_eq!(requests("users.find").await, 0);
    assert_eq!(requests("providers").await, 0);
    element.remove();
}

#[wasm_bindgen_test]
async fn a_plain_http_base_url_off_this_machine_is_refused_before_any_request() {
    reset().await;
    let (element, _widget) = mount_standard(&[("base-url", "http://print.example.edu/api")]);
    let error = detail(&next_event(&element, "error").await);
    tick().await;

    assert_eq!(error["operation"], "config");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("base-url:") && message.contains("plain http"),
        "{error}"
    );
    // The reader is told which attribute to check; the event says why.
    assert!(
        shadow_text(&element, "[role=alert]")
            .unwrap()
            .contains("base-url")
    );
    assert_eq!(requests("demo.token").await, 0);
    element.remove();
}

#[wasm_bindgen_test]
async fn retry_after_a_failure_reaches_ready() {
    reset().await;
    fault(json!({"operation": "providers", "kind": "status", "status": 503})).await;
    let (element, _widget) = mount_standard(&[]);
    let error = detail(&next_event(&element, "error").await);
    assert_eq!(
        (error["operation"].as_str(), error["status"].as_u64()),
        (Some("providers"), Some(503))
    );
    tick().await;

    let ready = next_event(&element, "ready");
    let retry: web_sys::HtmlElement = wasm_bindgen::JsCast::unchecked_into(
        element
            .shadow_root()
            .unwrap()
            .query_selector("button")
            .unwrap()
            .expect("a retry button"),
    );
    retry.click();
    assert_eq!(detail(&ready.await)["userId"], 34173);
    element.remove();
}

/// `myq-topup.js` starts the token request while the wasm loads and leaves a function on the
/// element that hands its answer over: the widget asks it with its token URL for its first token,
/// and fetches its own when it gets none.
#[wasm_bindgen_test]
async fn a_prefetched_token_answer_is_the_first_token_and_none_means_a_fetch() {
    let token_url = format!("{}/demo/token", sim());
    for (prefetched, token_requests) in [(true, 1), (false, 2)] {
        reset().await;
        let attributes = standard_attributes();
        let pairs: Vec<_> = attributes.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let element = element(&pairs);
        let take = js_sys::Function::new_with_args(
            "url, prefetched",
            "const text = fetch(url, { method: 'POST' }).then((r) => r.text());
             return (widgetUrl) => {
               delete this._tokenPrefetch;
               window.askedFor = widgetUrl;
               return prefetched ? text : null;
             };",
        )
        .call2(&element, &js(&token_url), &JsValue::from_bool(prefetched))
        .unwrap();
        js_sys::Reflect::set(&element, &js("_tokenPrefetch"), &take).unwrap();
        let _widget = myq_topup::ui::mount(element.clone());
        next_event(&element, "ready").await;
        let asked_for = js_sys::Reflect::get(&js_sys::global(), &js("askedFor")).unwrap();
        assert_eq!(asked_for.as_string(), Some(token_url.clone()));
        assert_eq!(requests("demo.token").await, token_requests, "{prefetched}");
        element.remove();
    }
}
