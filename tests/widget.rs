//! The widget as a student and an integrator use it, in headless Chromium against the simulator:
//! attributes, properties, methods, events, validation, retry, resume, several on one page.

#![cfg(target_arch = "wasm32")]

mod support;

use js_sys::Reflect;
use serde_json::json;
use support::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

const JNOVAK: u64 = 34173;

#[wasm_bindgen_test]
async fn a_top_up_through_the_form_dispatches_created_then_committed() {
    reset().await;
    let (element, _widget) = ready(&[("currency", "CZK"), ("description", "Kiosk top-up")]).await;
    choose_preset(&element, "CZK 100.00").await;
    let created = next_event(&element, "created");
    let committed = next_event(&element, "committed");
    button(&element, "Top up CZK 100.00").click();
    let created = detail(&created.await);
    let committed = detail(&committed.await);
    settle().await;

    assert_eq!(
        (created["userId"].as_u64(), created["amount"].as_f64()),
        (Some(JNOVAK), Some(100.0))
    );
    assert_eq!(committed["paymentId"], created["paymentId"]);
    assert_eq!(
        (
            committed["credited"].as_f64(),
            committed["balance"].as_f64()
        ),
        (Some(100.0), Some(220.0))
    );
    assert_eq!(committed["provider"], "external");
    assert_eq!(credit_of(JNOVAK).await, 220.0);
    let payments = state().await["payments"].clone();
    let description = payments[0]["description"].as_str().unwrap();
    assert!(
        description.starts_with("Kiosk top-up [myq-topup ")
            && myq_topup::topup::IntentKey::of(description).is_some(),
        "the host's description, then the intent's key: {description}"
    );
    let result = shadow_text(&element, ".myq-topup__result").unwrap();
    assert!(
        result.contains("CZK 100.00") && result.contains("CZK 220.00"),
        "{result}"
    );
    assert_eq!(
        shadow_text(&element, ".myq-topup__balance-value").as_deref(),
        Some("CZK 220.00")
    );
    let recent = shadow_text(&element, ".myq-topup__recent").unwrap();
    assert!(recent.contains("completed"), "{recent}");
    element.remove();
}

#[wasm_bindgen_test]
async fn typed_amounts_are_checked_as_they_are_typed_and_send_nothing_when_bad() {
    reset().await;
    let (element, _widget) = ready(&[("min", "20"), ("max", "2000"), ("step", "0.5")]).await;
    button(&element, "Top up credit").click();
    settle().await;
    let cases = [
        ("", "Enter an amount."),
        ("abc", "The amount must be a number."),
        ("0", "The amount must be more than zero."),
        ("-5", "The amount must be more than zero."),
        ("20.125", "At most two decimal places."),
        ("10", "At least 20.00."),
        ("2500", "At most 2,000.00."),
        ("20.25", "The amount must be a multiple of 0.50."),
    ];
    for (typed, message) in cases {
        type_amount(&element, typed);
        settle().await;
        assert_eq!(
            shadow_text(&element, "#myq-topup-amount-message").as_deref(),
            Some(message),
            "{typed:?}"
        );
        let confirm = shadow_query(&element, "button[type=submit]").unwrap();
        assert!(
            confirm.has_attribute("disabled"),
            "confirm is off for {typed:?}"
        );
        assert_eq!(
            shadow_query(&element, "#myq-topup-amount")
                .unwrap()
                .get_attribute("aria-invalid")
                .as_deref(),
            Some("true")
        );
    }
    type_amount(&element, "20,50");
    settle().await;
    assert_eq!(
        shadow_text(&element, "#myq-topup-amount-message").as_deref(),
        Some("")
    );
    assert_eq!(
        shadow_text(&element, "button[type=submit]").as_deref(),
        Some("Top up 20.50")
    );
    assert_eq!(
        requests("payments.create").await,
        0,
        "bad input sent nothing"
    );
    element.remove();
}

#[wasm_bindgen_test]
async fn a_top_up_that_ends_after_the_unmount_is_announced_and_touches_no_removed_view() {
    reset().await;
    let (element, widget) = ready(&[("amounts", "50")]).await;
    choose_preset(&element, "50.00").await;
    let committed = next_event(&element, "committed");
    button(&element, "Top up 50.00").click();
    // Unmounted while the top-up runs. Its end still updates the widget's state; the removed
    // view's effects must have gone with the view, not run on its disposed signals (which
    // aborts the wasm, and with it every test after this one).
    widget.unmount();
    let committed = detail(&committed.await);
    settle().await;
    assert_eq!(
        committed["credited"], 50,
        "money moved: the event still goes out"
    );
    assert!(
        shadow_query(&element, "section").is_none(),
        "the view is gone"
    );
    element.remove();
}

#[wasm_bindgen_test]
async fn presets_follow_the_amounts_attribute_and_locale_formats_them() {
    reset().await;
    let (element, _widget) = ready(&[
        ("amounts", "25, 75.5"),
        ("currency", "CZK"),
        ("locale", "cs"),
    ])
    .await;
    let presets: Vec<String> = {
        let root = element.shadow_root().unwrap();
        let nodes = root.query_selector_all(".myq-topup__preset").unwrap();
        (0..nodes.length())
            .map(|i| nodes.item(i).unwrap().text_content().unwrap())
            .collect()
    };
    assert_eq!(presets, ["25,00\u{a0}Kč", "75,50\u{a0}Kč"]);
    assert_eq!(
        shadow_text(&element, "button").as_deref(),
        Some("Dobít kredit")
    );
    assert_eq!(
        shadow_text(&element, ".myq-topup__provider").as_deref(),
        Some("Platba přes: External Payment Providers")
    );
    assert_eq!(
        shadow_query(&element, "section")
            .unwrap()
            .get_attribute("lang")
            .as_deref(),
        Some("cs")
    );
    element.remove();
}

#[wasm_bindgen_test]
async fn a_user_id_needs_no_lookup() {
    reset().await;
    let (element, _widget) = mount_standard(&[("username", ""), ("user-id", "34174")]);
    let ready = detail(&next_event(&element, "ready").await);
    assert_eq!(
        (ready["userId"].as_u64(), ready["balance"].as_f64()),
        (Some(34174), Some(45.5))
    );
    assert_eq!(requests("users.find").await, 0);
    element.remove();
}

/// Whether an element matching `selector` is ever added to `element`'s shadow root from now on.
fn watch_for(element: &HtmlElement, selector: &str) -> js_sys::Function {
    let body = format!(
        "const root = this.shadowRoot; let seen = false; \
         new MutationObserver(() => {{ seen ||= !!root.querySelector('{selector}'); }}) \
             .observe(root, {{ childList: true, subtree: true }}); \
         return () => seen;"
    );
    let watch = js_sys::Function::new_no_args(&body);
    watch.call0(element).unwrap().unchecked_into()
}

#[wasm_bindgen_test]
async fn a_start_that_settles_at_once_is_first_rendered_as_it_ended() {
    reset().await;
    let (element, _widget) = mount_standard(&[("amounts", "10,x")]);
    assert_eq!(
        shadow_html(&element),
        r#"<div class="myq-topup__root"></div>"#
    );
    let loading_seen = watch_for(&element, ".myq-topup__status");
    next_event(&element, "error").await;
    settle().await;
    assert!(shadow_text(&element, "[role=alert]").is_some());
    let seen = loading_seen.call0(&JsValue::NULL).unwrap();
    assert_eq!(seen.as_bool(), Some(false), "no flash of the loading view");
    element.remove();
}

#[wasm_bindgen_test]
async fn a_slow_start_shows_loading_after_the_first_render_wait_until_it_settles() {
    reset().await;
    let (element, _widget) = mount_standard(&[("token-url", "")]);
    // The page's sign-in takes a second to hand over a token.
    let body = format!(
        "return new Promise((resolve) => setTimeout(resolve, 1000)).then(() => {});",
        demo_token_js()
    );
    set_function(&element, "tokenProvider", "", &body);
    gloo_timers::future::TimeoutFuture::new(myq_topup::ui::FIRST_RENDER_WAIT_MS + 200).await;
    assert_eq!(
        shadow_text(&element, ".myq-topup__status").as_deref(),
        Some("Loading…")
    );
    let section = shadow_query(&element, "section").unwrap();
    assert_eq!(section.get_attribute("aria-busy").as_deref(), Some("true"));
    next_event(&element, "ready").await;
    settle().await;
    assert!(shadow_text(&element, ".myq-topup__balance-value").is_some());
    assert!(shadow_query(&element, ".myq-topup__status").is_none());
    element.remove();
}

#[wasm_bindgen_test]
async fn a_restart_from_one_bad_attribute_to_another_shows_the_new_one() {
    reset().await;
    let (element, widget) = mount_standard(&[("currency", "CZKK")]);
    next_event(&element, "error").await;
    settle().await;
    let first = shadow_text(&element, "[role=alert]").unwrap();
    assert!(first.contains("currency"), "{first}");
    element.set_attribute("currency", "CZK").unwrap();
    element.set_attribute("callback-timeout", "0").unwrap();
    let error = restart(&element, &widget, "error").await;
    assert_eq!(error["operation"], "config");
    let second = shadow_text(&element, "[role=alert]").unwrap();
    assert!(
        second.contains("callback-timeout") && !second.contains("currency"),
        "the failure shown is the new one: {second}"
    );
    element.remove();
}

#[wasm_bindgen_test]
async fn invalid_attributes_are_named_and_nothing_is_sent() {
    for (attribute, value) in [
        ("provider", "ext ernal"),
        ("amounts", "10,x"),
        ("currency", "CZKK"),
        ("min", "0"),
        ("user-id", "abc"),
        ("user-id", "9007199254740992"),
        ("token-url", "ftp://x/token"),
        // The browser sends this to evil.example: judged as the browser parses it.
        ("base-url", "http://evil.example\\@127.0.0.1/api"),
        ("callback-timeout", "0"),
    ] {
        reset().await;
        let (element, _widget) = mount_standard(&[(attribute, value)]);
        let error = detail(&next_event(&element, "error").await);
        settle().await;
        assert_eq!(error["operation"], "config", "{attribute}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{attribute}:")),
            "{error}"
        );
        assert!(
            shadow_text(&element, "[role=alert]")
                .unwrap()
                .contains(attribute),
            "{attribute}"
        );
        assert!(
            shadow_query(&element, ".myq-topup__form").is_none(),
            "no half-working widget"
        );
        assert_eq!(requests("demo.token").await, 0);
        element.remove();
    }
}

#[wasm_bindgen_test]
async fn a_provider_that_takes_no_rest_payments_is_refused_at_start() {
    reset().await;
    let (element, _widget) = mount_standard(&[("provider", "paypal")]);
    let error = detail(&next_event(&element, "error").await);
    settle().await;
    assert_eq!(
        (error["operation"].as_str(), error["status"].as_u64()),
        (Some("payments.list"), Some(400))
    );
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("use 'external'"),
        "{error}"
    );
    assert!(
        shadow_text(&element, "[role=alert]")
            .unwrap()
            .contains("use 'external'")
    );
    assert!(state().await["payments"].as_array().unwrap().is_empty());
    element.remove();
}

#[wasm_bindgen_test]
async fn top_up_method_resolves_with_the_outcome_and_rejects_bad_amounts() {
    reset().await;
    let (element, widget) = ready(&[("max", "500")]).await;
    let outcome = top_up(&widget, "12,50".into()).await.unwrap();
    assert_eq!(outcome["outcome"], "committed");
    assert_eq!(outcome["credited"], 12.5);
    assert_eq!(credit_of(JNOVAK).await, 132.5);

    for bad in [
        wasm_bindgen::JsValue::from("ten"),
        600.into(),
        (-1).into(),
        1.005.into(),
    ] {
        let error = top_up(&widget, bad.clone()).await.unwrap_err();
        assert_eq!(error["operation"], "input", "{bad:?}");
    }
    assert_eq!(
        requests("payments.create").await,
        1,
        "refused amounts sent nothing"
    );

    // A second call while the first runs is refused: one intent, one payment.
    fault(json!({"operation": "payments.create", "kind": "delay", "delayMs": 300})).await;
    let first = JsFuture::from(widget.top_up(5.into()));
    let second = top_up(&widget, 5.into()).await.unwrap_err();
    assert!(
        second["message"]
            .as_str()
            .unwrap()
            .contains("already running"),
        "{second}"
    );
    first.await.unwrap();
    assert_eq!(credit_of(JNOVAK).await, 137.5);
    element.remove();
}

#[wasm_bindgen_test]
async fn approve_resolving_commits_rejecting_rolls_back_and_an_amount_updates() {
    reset().await;
    let (element, widget) = ready(&[]).await;
    set_function(
        &element,
        "approve",
        "payment",
        "window.approved = payment; return Promise.resolve();",
    );
    let outcome = top_up(&widget, 30.into()).await.unwrap();
    assert_eq!(outcome["outcome"], "committed");
    let approved = Reflect::get(&web_sys::window().unwrap(), &js("approved")).unwrap();
    assert_eq!(
        Reflect::get(&approved, &js("amount")).unwrap().as_f64(),
        Some(30.0)
    );
    assert!(
        Reflect::get(&approved, &js("paymentId"))
            .unwrap()
            .is_string()
    );

    set_function(
        &element,
        "approve",
        "payment",
        "return Promise.reject(new Error('Card declined'));",
    );
    let rolled_back = next_event(&element, "rolled-back");
    let outcome = top_up(&widget, 40.into()).await.unwrap();
    assert_eq!(
        (outcome["outcome"].as_str(), outcome["reason"].as_str()),
        (Some("rolled-back"), Some("Card declined"))
    );
    assert_eq!(detail(&rolled_back.await)["reason"], "Card declined");

    set_function(
        &element,
        "approve",
        "payment",
        "return { amount: payment.amount + 5 };",
    );
    let outcome = top_up(&widget, 50.into()).await.unwrap();
    assert_eq!(outcome["credited"], 55);
    assert_eq!(requests("payments.update").await, 1);

    // An amount that is not one is refused, never swapped for the old amount.
    set_function(&element, "approve", "payment", "return { amount: 'lots' };");
    let outcome = top_up(&widget, 60.into()).await.unwrap();
    assert_eq!(outcome["outcome"], "rolled-back");

    let payments = state().await["payments"].clone();
    let states: Vec<&str> = payments
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["completed", "canceled", "completed", "canceled"]);
    assert_eq!(payments[1]["description"], "Card declined");
    assert_eq!(credit_of(JNOVAK).await, 120.0 + 30.0 + 55.0);
    element.remove();
}

#[wasm_bindgen_test]
async fn a_token_provider_is_used_instead_of_the_token_url() {
    reset().await;
    let (element, widget) = mount_standard(&[("token-url", "")]);
    let body = format!(
        "window.tokenCalls = (window.tokenCalls || 0) + 1; return {};",
        demo_token_js()
    );
    set_function(&element, "tokenProvider", "", &body);
    next_event(&element, "ready").await;
    top_up(&widget, 10.into()).await.unwrap();
    let calls = Reflect::get(&web_sys::window().unwrap(), &js("tokenCalls")).unwrap();
    assert_eq!(calls.as_f64(), Some(1.0), "one token for the whole session");

    set_function(
        &element,
        "tokenProvider",
        "",
        "return Promise.reject(new Error('SSO session ended'));",
    );
    control_post("/tokens/expire").await;
    let error = top_up(&widget, 10.into()).await.unwrap_err();
    assert_eq!(error["operation"], "token");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("SSO session ended"),
        "{error}"
    );
    element.remove();
}

#[wasm_bindgen_test]
async fn refresh_reads_the_attributes_again() {
    reset().await;
    let (element, widget) = ready(&[("amounts", "10")]).await;
    assert!(shadow_text(&element, ".myq-topup__balance").is_some_and(|b| b.contains("120.00")));
    element.set_attribute("username", "psvobodova").unwrap();
    // Language, amounts and currency are shown without reactive updates inside the ready view:
    // a restart builds that view anew, so new attributes show.
    element.set_attribute("locale", "cs").unwrap();
    element.set_attribute("amounts", "20").unwrap();
    element.set_attribute("currency", "CZK").unwrap();
    let again = restart(&element, &widget, "ready").await;
    assert_eq!(
        (again["userId"].as_u64(), again["username"].as_str()),
        (Some(34174), Some("psvobodova"))
    );
    button(&element, "Dobít kredit").click();
    settle().await;
    let balance = shadow_text(&element, ".myq-topup__balance").unwrap();
    assert!(balance.contains("45,50 Kč"), "{balance}");
    assert_eq!(
        shadow_text(&element, ".myq-topup__label").unwrap(),
        "Částka"
    );
    button(&element, "20,00 Kč").click();
    element.remove();
}

#[wasm_bindgen_test]
async fn a_failed_create_offers_a_retry_that_credits_once() {
    reset().await;
    let (element, _widget) = ready(&[("amounts", "50")]).await;
    fault(json!({"operation": "payments.create", "kind": "status", "status": 503})).await;
    choose_preset(&element, "50.00").await;
    let error = next_event(&element, "error");
    button(&element, "Top up 50.00").click();
    let error = detail(&error.await);
    settle().await;
    assert_eq!(
        (error["operation"].as_str(), error["status"].as_u64()),
        (Some("payments.create"), Some(503))
    );
    let alert = shadow_text(&element, "[role=alert]").unwrap();
    assert!(
        alert.contains("did not answer") && alert.contains("not changed"),
        "{alert}"
    );

    let committed = next_event(&element, "committed");
    button(&element, "Try again").click();
    assert_eq!(detail(&committed.await)["credited"], 50);
    assert_eq!(credit_of(JNOVAK).await, 170.0);
    assert_eq!(state().await["payments"].as_array().unwrap().len(), 1);
    element.remove();
}

#[wasm_bindgen_test]
async fn a_disabled_provider_tells_the_student_to_contact_the_administrator() {
    reset().await;
    let (element, widget) = ready(&[]).await;
    control_json("/providers/external", json!({"enabled": false})).await;
    top_up(&widget, 10.into()).await.unwrap_err();
    settle().await;
    let alert = shadow_text(&element, "[role=alert]").unwrap();
    assert!(
        alert.contains("administrator") && alert.contains("Settings > Credit"),
        "{alert}"
    );
    let html = element.shadow_root().unwrap().inner_html();
    assert!(!html.contains("Try again"), "no retry: it cannot help");
    element.remove();
}

#[wasm_bindgen_test]
async fn an_unfinished_payment_from_an_earlier_page_can_be_finished_or_canceled() {
    reset().await;
    let first = leave_payment(15.0).await;
    let second = leave_payment(25.0).await;
    let (element, widget) = mount_standard(&[]);
    let ready = detail(&next_event(&element, "ready").await);
    settle().await;
    assert_eq!(ready["pending"], 2);
    let unfinished = shadow_text(&element, ".myq-topup__unfinished").unwrap();
    assert!(
        unfinished.starts_with("2 unfinished payments")
            && unfinished.contains("No. 1")
            && unfinished.contains("No. 2"),
        "{unfinished}"
    );

    let committed = next_event(&element, "committed");
    let finish = element
        .shadow_root()
        .unwrap()
        .query_selector_all(".myq-topup__unfinished-item button")
        .unwrap();
    // Newest first: the 25.00 payment, then the 15.00 one; each has Finish, then Cancel.
    finish
        .item(0)
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    let committed = detail(&committed.await);
    assert_eq!(
        (
            committed["paymentId"].as_str(),
            committed["credited"].as_f64()
        ),
        (Some(second.as_str()), Some(25.0))
    );
    settle().await;

    let rolled_back = next_event(&element, "rolled-back");
    button(&element, "Cancel payment").click();
    let rolled_back = detail(&rolled_back.await);
    assert_eq!(
        (
            rolled_back["paymentId"].as_str(),
            rolled_back["reason"].as_str()
        ),
        (Some(first.as_str()), Some("Canceled by user"))
    );
    settle().await;
    assert!(shadow_query(&element, ".myq-topup__unfinished").is_none());
    assert_eq!(credit_of(JNOVAK).await, 145.0);
    drop(widget);
    element.remove();
}

#[wasm_bindgen_test]
async fn several_widgets_on_one_page_keep_to_their_own_user() {
    reset().await;
    let (first, first_widget) = mount_standard(&[]);
    let (second, second_widget) = mount_standard(&[("username", "psvobodova")]);
    let (a, b) = futures::join!(next_event(&first, "ready"), next_event(&second, "ready"));
    assert_eq!(
        (detail(&a)["userId"].as_u64(), detail(&b)["userId"].as_u64()),
        (Some(JNOVAK), Some(34174))
    );
    top_up(&second_widget, 10.into()).await.unwrap();
    settle().await;
    assert_eq!(
        (credit_of(JNOVAK).await, credit_of(34174).await),
        (120.0, 55.5)
    );
    assert_eq!(
        shadow_text(&second, ".myq-topup__balance-value").as_deref(),
        Some("55.50")
    );
    assert_eq!(
        shadow_text(&first, ".myq-topup__balance-value").as_deref(),
        Some("120.00")
    );
    drop((first_widget, second_widget));
    first.remove();
    second.remove();
}

#[wasm_bindgen_test]
async fn a_restart_mid_flow_finishes_the_flow_but_keeps_its_result_out_of_the_new_view() {
    reset().await;
    let (element, widget) = ready(&[]).await;
    set_function(
        &element,
        "approve",
        "payment",
        "return new Promise((resolve) => { window.release = resolve; });",
    );
    let created = next_event(&element, "created");
    let committed = next_event(&element, "committed");
    let flow = JsFuture::from(widget.top_up(30.into()));
    created.await;

    element.set_attribute("username", "psvobodova").unwrap();
    assert_eq!(restart(&element, &widget, "ready").await["userId"], 34174);
    let release: js_sys::Function = Reflect::get(&web_sys::window().unwrap(), &js("release"))
        .unwrap()
        .unchecked_into();
    release.call0(&wasm_bindgen::JsValue::NULL).unwrap();

    assert_eq!(
        detail(&committed.await)["userId"],
        JNOVAK,
        "the money moved: the event still goes out"
    );
    flow.await.unwrap();
    settle().await;
    assert_eq!(credit_of(JNOVAK).await, 150.0);
    assert_eq!(
        shadow_text(&element, ".myq-topup__balance-value").as_deref(),
        Some("45.50")
    );
    assert!(
        shadow_query(&element, ".myq-topup__result").is_none(),
        "the old flow's result stays out"
    );
    element.remove();
}
