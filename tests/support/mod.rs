//! What the browser tests share: the simulator's address and control API, mounting an element,
//! waiting for its events, reading its shadow DOM.

#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;

use gloo_net::http::Request;
use js_sys::{Array, Promise};
use myq_topup::ui::MountedWidget;
use serde_json::Value;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AddEventListenerOptions, CustomEvent, HtmlElement};

/// The simulator `cargo xtask test` started for this run (its address is compiled in).
// Failing loudly at run time is the point: these tests mean nothing without a simulator.
#[allow(clippy::option_env_unwrap)]
pub fn sim() -> &'static str {
    option_env!("MYQ_SIM_URL")
        .expect("the browser tests talk to a simulator: run them with `cargo xtask test`")
}

/// Back to the simulator's starting data, with no faults queued.
pub async fn reset() {
    control("POST", "/reset", None).await;
}

/// Queues a fault: `{"operation": …, "kind": "status" | "delay" | "drop", …}`.
pub async fn fault(spec: Value) {
    control("POST", "/faults", Some(spec)).await;
}

/// A control call without a body: `/tokens/expire`, `/reset`.
pub async fn control_post(path: &str) {
    control("POST", path, None).await;
}

/// A control call with a JSON body: `/providers/external` `{"enabled": false}`.
pub async fn control_json(path: &str, body: Value) {
    control("POST", path, Some(body)).await;
}

/// The simulator's state: users with balances, payments, request counts per operation.
pub async fn state() -> Value {
    let text = control("GET", "/state", None).await;
    serde_json::from_str(&text).expect("the control API answers JSON")
}

/// How many requests of `operation` the simulator has served since the last reset.
pub async fn requests(operation: &str) -> u64 {
    state().await["requests"][operation]["count"]
        .as_u64()
        .unwrap_or(0)
}

async fn control(method: &str, path: &str, body: Option<Value>) -> String {
    let url = format!("{}/_sim{path}", sim());
    let builder = match method {
        "GET" => Request::get(&url),
        _ => Request::post(&url).header("Content-Type", "application/json"),
    };
    let request = match body {
        Some(body) => builder.body(body.to_string()),
        None => builder.build(),
    }
    .expect("a control request");
    let response = request.send().await.expect("the simulator answers");
    let text = response.text().await.unwrap_or_default();
    assert!(
        response.ok(),
        "control {method} {path}: {} {text}",
        response.status()
    );
    text
}

/// A `<myq-topup>` with these attributes, in the page.
pub fn element(attributes: &[(&str, &str)]) -> HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let element: HtmlElement = document
        .create_element("myq-topup")
        .unwrap()
        .unchecked_into();
    for (name, value) in attributes {
        element.set_attribute(name, value).unwrap();
    }
    document.body().unwrap().append_child(&element).unwrap();
    element
}

/// The attributes that point an element at the simulator for user `jnovak`.
pub fn standard_attributes() -> Vec<(&'static str, String)> {
    vec![
        ("base-url", format!("{}/api", sim())),
        ("token-url", format!("{}/demo/token", sim())),
        ("username", "jnovak".into()),
    ]
}

/// Mounts a widget with the standard attributes, changed or added to by `extra`.
pub fn mount_standard(extra: &[(&str, &str)]) -> (HtmlElement, MountedWidget) {
    mount_with(standard_attributes(), extra)
}

/// Mounts a widget with `attributes`, changed or added to by `extra`.
pub fn mount_with<'a>(
    mut attributes: Vec<(&'a str, String)>,
    extra: &[(&'a str, &str)],
) -> (HtmlElement, MountedWidget) {
    for (name, value) in extra {
        attributes.retain(|(n, _)| n != name);
        attributes.push((name, value.to_string()));
    }
    let pairs: Vec<(&str, &str)> = attributes.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let element = element(&pairs);
    let widget = myq_topup::ui::mount(element.clone());
    (element, widget)
}

/// Mounts a widget with the standard attributes and `extra`, and waits until it is ready.
pub async fn ready(extra: &[(&str, &str)]) -> (HtmlElement, MountedWidget) {
    let (element, widget) = mount_standard(extra);
    next_event(&element, "ready").await;
    settle().await;
    (element, widget)
}

/// `element.topUp(amount)` through the same entry the element's JavaScript uses.
pub async fn top_up(widget: &MountedWidget, amount: JsValue) -> Result<Value, Value> {
    let to_json = |value: JsValue| {
        serde_json::from_str(&String::from(js_sys::JSON::stringify(&value).unwrap())).unwrap()
    };
    JsFuture::from(widget.top_up(amount))
        .await
        .map(to_json)
        .map_err(to_json)
}

/// Every `myq-topup-{name}` event `element` dispatches from now on, as JSON details.
pub fn record_events(element: &HtmlElement, name: &str) -> Rc<RefCell<Vec<Value>>> {
    let recorded = Rc::new(RefCell::new(Vec::new()));
    let sink = recorded.clone();
    let listener = Closure::<dyn FnMut(CustomEvent)>::new(move |event: CustomEvent| {
        sink.borrow_mut().push(detail(&event));
    });
    element
        .add_event_listener_with_callback(
            &format!("myq-topup-{name}"),
            listener.as_ref().unchecked_ref(),
        )
        .unwrap();
    // The listener lives as long as the page: a test page is short-lived.
    listener.forget();
    recorded
}

/// Every payment at the simulator.
pub async fn server_payments() -> Vec<Value> {
    state().await["payments"].as_array().unwrap().clone()
}

/// Waits (at most 5 s) for the next `myq-topup-{name}` event on `element`.
///
/// Call it before yielding to the browser after the action that dispatches the event.
pub fn next_event(
    element: &HtmlElement,
    name: &str,
) -> impl std::future::Future<Output = CustomEvent> {
    let name = format!("myq-topup-{name}");
    let arrived = Promise::new(&mut |resolve, _| {
        let options = AddEventListenerOptions::new();
        options.set_once(true);
        element
            .add_event_listener_with_callback_and_add_event_listener_options(
                &name, &resolve, &options,
            )
            .unwrap();
    });
    let timed_out = Promise::new(&mut |_, reject| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&reject, 5_000)
            .unwrap();
    });
    async move {
        let race = Promise::race(&Array::of2(&arrived, &timed_out));
        match JsFuture::from(race).await {
            Ok(event) => event.unchecked_into(),
            Err(_) => panic!("no {name} event within 5 s"),
        }
    }
}

/// An event's detail as JSON.
pub fn detail(event: &CustomEvent) -> Value {
    let text = js_sys::JSON::stringify(&event.detail()).unwrap();
    serde_json::from_str(&String::from(text)).unwrap()
}

/// The element's shadow DOM as HTML.
pub fn shadow_html(element: &HtmlElement) -> String {
    element
        .shadow_root()
        .expect("the widget attached a shadow root")
        .inner_html()
}

/// The text of the first element matching `selector` in the shadow DOM, no-break spaces (which
/// `Intl.NumberFormat` puts between amount and currency) read as spaces.
pub fn shadow_text(element: &HtmlElement, selector: &str) -> Option<String> {
    let root = element.shadow_root()?;
    let text = root.query_selector(selector).ok()??.text_content()?;
    Some(text.replace('\u{a0}', " "))
}

pub fn js(value: &str) -> JsValue {
    JsValue::from_str(value)
}

/// The shadow DOM's first element matching `selector`.
pub fn shadow_query(element: &HtmlElement, selector: &str) -> Option<HtmlElement> {
    let found = element.shadow_root()?.query_selector(selector).ok()??;
    Some(found.unchecked_into())
}

/// The shadow DOM's button whose text is `text` (no-break spaces read as spaces).
pub fn button(element: &HtmlElement, text: &str) -> HtmlElement {
    let root = element.shadow_root().expect("a shadow root");
    let buttons = root.query_selector_all("button").unwrap();
    (0..buttons.length())
        .filter_map(|i| buttons.item(i))
        .map(|node| node.unchecked_into::<HtmlElement>())
        .find(|b| {
            b.text_content()
                .unwrap_or_default()
                .replace('\u{a0}', " ")
                .trim()
                == text
        })
        .unwrap_or_else(|| panic!("no button '{text}' in {}", root.inner_html()))
}

/// Types `text` into the amount field as a person would (an `input` event).
pub fn type_amount(element: &HtmlElement, text: &str) {
    let input: web_sys::HtmlInputElement = shadow_query(element, "#myq-topup-amount")
        .expect("the amount field")
        .unchecked_into();
    input.set_value(text);
    let event = web_sys::Event::new("input").unwrap();
    input.dispatch_event(&event).unwrap();
}

/// jnovak's (or another user's) credit at the simulator.
pub async fn credit_of(user: u64) -> f64 {
    let state = state().await;
    let users = state["users"].as_array().unwrap().clone();
    users.iter().find(|u| u["id"] == user).unwrap()["credit"]
        .as_f64()
        .unwrap()
}

/// A payment made at the simulator behind the widget's back, as an earlier page would leave it.
pub async fn leave_payment(amount: f64) -> String {
    let token_answer = Request::post(&format!("{}/demo/token", sim()))
        .send()
        .await
        .unwrap();
    let token: Value = serde_json::from_str(&token_answer.text().await.unwrap()).unwrap();
    let token = token["access_token"].as_str().unwrap();
    let body = serde_json::json!({"userId": 34173, "params": {"amount": amount}});
    let created = Request::post(&format!(
        "{}/api/v3/rechargeProviders/external/payments",
        sim()
    ))
    .header("Authorization", &format!("Bearer {token}"))
    .header("Content-Type", "application/json")
    .body(body.to_string())
    .unwrap()
    .send()
    .await
    .unwrap();
    let created: Value = serde_json::from_str(&created.text().await.unwrap()).unwrap();
    created["id"].as_str().unwrap().to_owned()
}

/// A JavaScript expression: the promise of a token from the simulator's `/demo/token`, as MyQ's
/// token JSON (for a page's `tokenProvider`).
pub fn demo_token_js() -> String {
    format!(
        "fetch('{}/demo/token', {{ method: 'POST' }}).then((r) => r.json())",
        sim()
    )
}

/// Sets a property of the element (`approve`, `tokenProvider`) to a JavaScript function.
pub fn set_function(element: &HtmlElement, property: &str, args: &str, body: &str) {
    let function = js_sys::Function::new_with_args(args, body);
    js_sys::Reflect::set(element, &js(property), &function).unwrap();
}

/// Restarts the widget (`refresh()`, as a page does after changing attributes) and waits for
/// the start to end with `event` (`ready` or `error`); answers its detail, with the view updated.
pub async fn restart(element: &HtmlElement, widget: &MountedWidget, event: &str) -> Value {
    let ended = next_event(element, event);
    widget.refresh();
    let ended = detail(&ended.await);
    settle().await;
    ended
}

/// Opens the amount form and chooses the preset labelled `label`.
pub async fn choose_preset(element: &HtmlElement, label: &str) {
    button(element, "Top up credit").click();
    settle().await;
    button(element, label).click();
    settle().await;
}

/// Lets the widget's reactive updates land.
pub async fn settle() {
    leptos::task::tick().await;
    gloo_timers::future::TimeoutFuture::new(20).await;
}
