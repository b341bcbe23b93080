//! The help desk (`<myq-topup desk>`) as an operator uses it, in headless Chromium against the
//! simulator: find by username, email, card and personal code, no match and several, a card
//! scan and a cash credit by keyboard alone, the receipt, the events, Czech and English; the
//! shift without a gateway (the gateway's shift is tested end to end in `e2e/desk.test.mjs`).
//!
//! Enter is what a browser does on Enter: in a field, the form is submitted (`requestSubmit`);
//! on a button, the button is pressed. So the tests also check where the focus goes.

#![cfg(target_arch = "wasm32")]

mod support;

use myq_topup::ui::MountedWidget;
use serde_json::Value;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

const JNOVAK: u64 = 34173;
const JNOVAKOVA: u64 = 34176;

/// A desk pointed at the simulator, waiting in its find field.
async fn desk(extra: &[(&str, &str)]) -> (HtmlElement, MountedWidget) {
    let mut attributes = standard_attributes();
    attributes.retain(|(name, _)| *name != "username");
    attributes.extend([
        ("desk", String::new()),
        ("currency", "CZK".into()),
        ("locale", "en".into()),
        ("institution", "Example University".into()),
        ("operator", "Eva Operator".into()),
    ]);
    let (element, widget) = mount_with(attributes, extra);
    until(&element, "the find field", |e| {
        focused_id(e) == "myq-topup-find"
    })
    .await;
    (element, widget)
}

/// Waits (at most 5 s) until `ready` holds.
async fn until(element: &HtmlElement, what: &str, ready: impl Fn(&HtmlElement) -> bool) {
    for _ in 0..250 {
        if ready(element) {
            return;
        }
        settle().await;
    }
    panic!("no {what} within 5 s: {}", shadow_html(element));
}

fn focused(element: &HtmlElement) -> Option<HtmlElement> {
    Some(element.shadow_root()?.active_element()?.unchecked_into())
}

fn focused_id(element: &HtmlElement) -> String {
    focused(element).map(|e| e.id()).unwrap_or_default()
}

/// Types into the focused field, as a person or a card reader does (an `input` event), and
/// lets the widget take it in, as the time between keys does.
async fn type_text(element: &HtmlElement, text: &str) {
    let input: HtmlInputElement = focused(element)
        .expect("a focused field")
        .dyn_into()
        .expect("the focus is in a text field");
    input.set_value(text);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    settle().await;
}

/// Enter on whatever has the focus.
fn enter(element: &HtmlElement) {
    let target = focused(element).expect("something has the focus");
    match target.dyn_ref::<HtmlInputElement>() {
        Some(input) => input
            .form()
            .expect("the field's form")
            .request_submit()
            .unwrap(),
        None => target.click(),
    }
}

/// Types `text` into the find field and presses Enter.
async fn find(element: &HtmlElement, text: &str) {
    shadow_query(element, "#myq-topup-find")
        .unwrap()
        .focus()
        .unwrap();
    type_text(element, text).await;
    enter(element);
}

/// Finds `text` (chosen `by`, or auto), expects the one user it names picked.
async fn find_one(element: &HtmlElement, by: &str, text: &str) -> Value {
    let select: HtmlSelectElement = shadow_query(element, "select").unwrap().unchecked_into();
    select.set_value(by);
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    let picked = next_event(element, "picked");
    let ready = next_event(element, "ready");
    find(element, text).await;
    let picked = detail(&picked.await);
    ready.await;
    until(element, "the amount field", |e| {
        focused_id(e) == "myq-topup-amount"
    })
    .await;
    picked
}

async fn next_user(element: &HtmlElement) {
    button(element, "Next user").click();
    until(element, "the find field", |e| {
        focused_id(e) == "myq-topup-find"
    })
    .await;
}

#[wasm_bindgen_test]
async fn finds_by_username_email_card_and_personal_code() {
    reset().await;
    let (element, _widget) = desk(&[]).await;
    let card = format!("04{JNOVAK:08X}");
    let code = format!("S{JNOVAK}");
    for (by, text) in [
        ("auto", "jnovak"),
        ("auto", "JNovak@example.edu"),
        ("auto", card.as_str()),
        ("auto", code.as_str()),
        ("username", "jnovak"),
        ("email", "jnovak@example.edu"),
        ("card", card.as_str()),
        ("code", code.as_str()),
    ] {
        let picked = find_one(&element, by, text).await;
        assert_eq!(picked["userId"].as_u64(), Some(JNOVAK), "{by} {text}");
        assert_eq!(
            (&picked["username"], &picked["fullname"], &picked["email"]),
            (
                &Value::from("jnovak"),
                &Value::from("Jan Novák"),
                &Value::from("jnovak@example.edu")
            )
        );
        let student = shadow_text(&element, ".myq-topup__student").unwrap();
        assert_eq!(student, "User: Jan Novák · jnovak · jnovak@example.edu");
        assert_eq!(
            shadow_text(&element, ".myq-topup__balance-value").as_deref(),
            Some("CZK 120.00")
        );
        next_user(&element).await;
    }
    // A chosen kind is asked as it is: a username is no card.
    find(&element, "jnovak").await;
    let select: HtmlSelectElement = shadow_query(&element, "select").unwrap().unchecked_into();
    assert_eq!(select.value(), "code", "the choice stays");
    until(&element, "no match", |e| {
        shadow_text(e, ".myq-topup__status").is_some_and(|t| t == "Nobody matches jnovak.")
    })
    .await;
    element.remove();
}

#[wasm_bindgen_test]
async fn no_match_says_so_and_several_are_listed_to_pick_from() {
    reset().await;
    let (element, _widget) = desk(&[]).await;
    find(&element, "nobody").await;
    until(&element, "no match", |e| {
        shadow_text(e, ".myq-topup__status").is_some_and(|t| t == "Nobody matches nobody.")
    })
    .await;
    assert_eq!(
        focused_id(&element),
        "myq-topup-find",
        "the field keeps the focus"
    );

    // jnovak and jnovakova share the alias "jn".
    let picked_events = record_events(&element, "picked");
    find(&element, "jn").await;
    until(&element, "the matches", |e| {
        shadow_query(e, ".myq-topup__match").is_some()
    })
    .await;
    assert_eq!(
        shadow_text(&element, ".myq-topup__found h3").as_deref(),
        Some("Users found: 2")
    );
    let root = element.shadow_root().unwrap();
    let matches = root.query_selector_all(".myq-topup__match").unwrap();
    let labels: Vec<String> = (0..matches.length())
        .map(|i| matches.item(i).unwrap().text_content().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "Jan Novák · jnovak · jnovak@example.edu",
            "Jana Nováková · jnovakova · jnovakova@example.edu"
        ]
    );
    until(&element, "the first match focused", |e| {
        focused(e).is_some_and(|f| f.class_name() == "myq-topup__match")
    })
    .await;
    assert!(picked_events.borrow().is_empty(), "nobody picked yet");
    let ready = next_event(&element, "ready");
    button(
        &element,
        "Jana Nováková · jnovakova · jnovakova@example.edu",
    )
    .click();
    let ready = detail(&ready.await);
    assert_eq!(ready["userId"].as_u64(), Some(JNOVAKOVA));
    assert_eq!(ready["username"], "jnovakova");
    assert_eq!(picked_events.borrow().len(), 1);
    assert_eq!(
        picked_events.borrow()[0]["userId"].as_u64(),
        Some(JNOVAKOVA)
    );
    until(&element, "the balance", |e| {
        shadow_text(e, ".myq-topup__balance-value").as_deref() == Some("CZK 30.00")
    })
    .await;
    element.remove();
}

#[wasm_bindgen_test]
async fn a_card_scan_then_a_cash_credit_by_keyboard_alone_credits_once_and_prints_a_receipt() {
    reset().await;
    let (element, _widget) = desk(&[]).await;
    let committed = record_events(&element, "committed");
    let created = record_events(&element, "created");

    // The card reader types the number and Enter.
    find(&element, &format!("04{JNOVAK:08X}")).await;
    until(&element, "the amount field", |e| {
        focused_id(e) == "myq-topup-amount"
    })
    .await;
    type_text(&element, "100").await;
    enter(&element);
    settle().await;
    let confirm = focused(&element).expect("the confirm button has the focus");
    assert_eq!(
        confirm.text_content().unwrap().replace('\u{a0}', " "),
        "Confirm: CZK 100.00 in cash"
    );
    assert_eq!(created.borrow().len(), 0, "nothing before the confirmation");
    // Enter twice on the confirm button: one credit.
    enter(&element);
    enter(&element);
    until(&element, "the receipt", |e| {
        shadow_query(e, ".myq-topup__receipt").is_some()
    })
    .await;
    until(&element, "the find field", |e| {
        focused_id(e) == "myq-topup-find"
    })
    .await;
    enter(&element);
    settle().await;

    assert_eq!(created.borrow().len(), 1);
    assert_eq!(committed.borrow().len(), 1);
    let detail = committed.borrow()[0].clone();
    assert_eq!(
        (
            detail["userId"].as_u64(),
            detail["credited"].as_f64(),
            detail["balance"].as_f64()
        ),
        (Some(JNOVAK), Some(100.0), Some(220.0))
    );
    assert_eq!(server_payments().await.len(), 1);
    assert_eq!(credit_of(JNOVAK).await, 220.0);

    let receipt = shadow_text(&element, ".myq-topup__receipt").unwrap();
    let payment_no = server_payments().await[0]["paymentNo"].to_string();
    let payment_no = payment_no.trim_matches('"');
    for expected in [
        "Example University",
        "Receipt",
        "Operator",
        "Eva Operator",
        "UserJan Novák (jnovak)",
        &format!("Payment no.{payment_no}"),
        "AmountCZK 100.00",
        "New creditCZK 220.00",
        "Print receipt",
    ] {
        assert!(receipt.contains(expected), "{expected:?} in {receipt:?}");
    }
    let part = shadow_query(&element, ".myq-topup__receipt").unwrap();
    assert_eq!(part.get_attribute("part").as_deref(), Some("receipt"));
    assert!(
        element.has_attribute("data-myq-topup-receipt"),
        "the element is marked for printing the receipt alone"
    );
    let result = shadow_text(&element, ".myq-topup__result").unwrap();
    assert!(result.contains("CZK 220.00"), "{result}");

    // The next user: the receipt goes.
    find_one(&element, "auto", "psvobodova").await;
    assert!(shadow_query(&element, ".myq-topup__receipt").is_none());
    assert!(!element.has_attribute("data-myq-topup-receipt"));
    element.remove();
}

#[wasm_bindgen_test]
async fn the_student_widget_is_unchanged_without_desk() {
    reset().await;
    let (element, _widget) = ready(&[]).await;
    assert!(shadow_query(&element, "#myq-topup-find").is_none());
    assert!(shadow_query(&element, ".myq-topup__student").is_none());
    button(&element, "Top up credit");
    element.remove();
}

/// The shift is the gateway's: a desk pointed straight at MyQ X (here the simulator) says the
/// server refused it, dispatches the error, and goes on finding users.
#[wasm_bindgen_test]
async fn without_a_gateway_the_shift_is_refused_and_the_desk_goes_on() {
    reset().await;
    let (element, _widget) = desk(&[]).await;
    let errors = record_events(&element, "error");
    button(&element, "Shift").click();
    until(&element, "the refusal", |e| {
        shadow_query(e, ".myq-topup__problem").is_some()
    })
    .await;
    let message = shadow_text(&element, ".myq-topup__problem").unwrap();
    assert!(
        message.starts_with("The print server refused: "),
        "{message}"
    );
    let error = errors.borrow()[0].clone();
    assert_eq!(
        (&error["operation"], &error["status"]),
        (&Value::from("desk.shift"), &Value::from(404))
    );
    assert!(shadow_query(&element, ".myq-topup__shift-summary").is_none());
    button(&element, "Back to finding users").click();
    until(&element, "the find field", |e| {
        focused_id(e) == "myq-topup-find"
    })
    .await;
    assert!(shadow_query(&element, ".myq-topup__problem").is_none());
    element.remove();
}

#[wasm_bindgen_test]
async fn the_czech_desk_speaks_czech() {
    reset().await;
    let (element, _widget) = desk(&[("locale", "cs")]).await;
    let words = |element: &HtmlElement| {
        element
            .shadow_root()
            .unwrap()
            .text_content()
            .unwrap()
            .replace('\u{a0}', " ")
    };
    assert!(
        words(&element).contains("Najít uživatele"),
        "{}",
        words(&element)
    );
    assert!(words(&element).contains("Hledat podle"));
    find(&element, "jn").await;
    until(&element, "the matches", |e| {
        words(e).contains("Nalezení uživatelé: 2")
    })
    .await;
    button(&element, "Jan Novák · jnovak · jnovak@example.edu").click();
    until(&element, "the amount field", |e| {
        focused_id(e) == "myq-topup-amount"
    })
    .await;
    type_text(&element, "50").await;
    enter(&element);
    settle().await;
    assert_eq!(
        focused(&element)
            .unwrap()
            .text_content()
            .unwrap()
            .replace('\u{a0}', " "),
        "Potvrdit: 50,00 Kč v hotovosti"
    );
    enter(&element);
    until(&element, "the receipt", |e| {
        shadow_query(e, ".myq-topup__receipt").is_some()
    })
    .await;
    let text = words(&element);
    for expected in [
        "Potvrzení o vkladu",
        "Datum a čas",
        "Obsluha",
        "UživatelJan Novák (jnovak)",
        "Částka50,00 Kč",
        "Nový kredit170,00 Kč",
        "Vytisknout potvrzení",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text:?}");
    }
    let english: Vec<&str> = myq_topup::ui::i18n::EN
        .all()
        .into_iter()
        .flat_map(|word| word.split("{}"))
        .map(str::trim)
        .filter(|piece| piece.chars().count() >= 4)
        .collect();
    let ours = text
        .replace("Example University", "")
        .replace("Eva Operator", "");
    for piece in english {
        assert!(!ours.contains(piece), "English {piece:?} in {ours:?}");
    }
    element.remove();
}
