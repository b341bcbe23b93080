//! The widget in each of its languages, in headless Chromium against the simulator: every
//! sentence the widget writes itself is in the page's language; only the server's and the
//! page's own messages come through as they are.

#![cfg(target_arch = "wasm32")]

mod support;

use myq_topup::ui::i18n::EN;
use serde_json::{Value, json};
use support::*;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

/// The pieces of the English table a sentence is made of (patterns cut at their `{}`), long
/// enough to mean something: none may show in another language.
fn english_pieces() -> Vec<&'static str> {
    EN.all()
        .into_iter()
        .flat_map(|word| word.split("{}"))
        .map(str::trim)
        .filter(|piece| piece.chars().count() >= 4)
        .collect()
}

/// The widget's visible text, without `server_says` (a message that came from MyQ X).
fn widget_words(element: &HtmlElement, server_says: Option<&str>) -> String {
    let text = element
        .shadow_root()
        .unwrap()
        .text_content()
        .unwrap_or_default()
        .replace('\u{a0}', " ");
    match server_says {
        Some(message) => text.replace(message, ""),
        None => text,
    }
}

/// Checks that the widget shows `expected` and no English sentence of its own.
fn assert_czech(element: &HtmlElement, expected: &str, server_says: Option<&str>) {
    let words = widget_words(element, server_says);
    assert!(
        words.contains(expected),
        "expected {expected:?} in {words:?}"
    );
    for english in english_pieces() {
        assert!(!words.contains(english), "English {english:?} in {words:?}");
    }
}

/// The server's message behind an error event: its detail's message after `operation: `.
fn server_message(error: &Value) -> String {
    let message = error["message"].as_str().unwrap();
    let operation = error["operation"].as_str().unwrap();
    message
        .strip_prefix(&format!("{operation}: "))
        .unwrap_or(message)
        .to_owned()
}

async fn failed_start(extra: &[(&str, &str)]) -> (HtmlElement, Value) {
    let (element, widget) = mount_standard(extra);
    let error = detail(&next_event(&element, "error").await);
    settle().await;
    // The element lives on in the page until removed; the view goes with the widget.
    std::mem::forget(widget);
    (element, error)
}

#[wasm_bindgen_test]
async fn the_czech_widget_says_everything_in_czech() {
    const CS: (&str, &str) = ("locale", "cs");
    reset().await;

    // An attribute it cannot work with: the event says why in English, the widget in Czech.
    let (element, error) = failed_start(&[CS, ("currency", "CZKK")]).await;
    assert!(error["message"].as_str().unwrap().contains("ISO 4217"));
    assert_czech(
        &element,
        "Dobíjení nelze spustit. Zkontrolujte atribut widgetu currency.",
        None,
    );
    element.remove();

    // No token source at all, a tokenProvider that fails, a token endpoint that fails.
    let (element, error) = failed_start(&[CS, ("token-url", "")]).await;
    assert_eq!(error["operation"], "token");
    assert_czech(&element, "Stránka widgetu nedává přihlášení", None);
    element.remove();
    let (element, widget) = mount_standard(&[CS, ("token-url", "")]);
    set_function(
        &element,
        "tokenProvider",
        "",
        "return Promise.reject(new Error('SSO relace skončila'));",
    );
    widget.refresh();
    next_event(&element, "error").await;
    settle().await;
    assert_czech(&element, "Přihlášení selhalo: SSO relace skončila", None);
    element.remove();
    fault(json!({"operation": "demo.token", "kind": "status", "status": 500})).await;
    let (element, _) = failed_start(&[CS]).await;
    assert_czech(&element, "Přihlášení k tiskovému serveru selhalo", None);
    element.remove();

    // The server refuses at start: its own message is shown after a Czech sentence.
    reset().await;
    let (element, error) = failed_start(&[CS, ("provider", "paypal")]).await;
    assert_czech(
        &element,
        "Tiskový server požadavek odmítl:",
        Some(&server_message(&error)),
    );
    element.remove();

    // Typed amounts the widget refuses, bounds formatted the Czech way.
    reset().await;
    let (element, widget) = ready(&[
        CS,
        ("currency", "CZK"),
        ("min", "20"),
        ("max", "2000"),
        ("step", "0.5"),
    ])
    .await;
    button(&element, "Dobít kredit").click();
    settle().await;
    for (typed, message) in [
        ("", "Zadejte částku."),
        ("abc", "Částka musí být číslo."),
        ("0", "Částka musí být větší než nula."),
        ("20.125", "Nejvýše dvě desetinná místa."),
        ("9999999999999", "Částka je příliš vysoká."),
        ("10", "Nejméně 20,00 Kč."),
        ("2500", "Nejvýše 2 000,00 Kč."),
        ("20,25", "Částka musí být násobkem 0,50 Kč."),
    ] {
        type_amount(&element, typed);
        settle().await;
        assert_czech(&element, message, None);
    }
    type_amount(&element, "");
    settle().await;

    // Amounts refused through topUp(): the rejection in English, the notice in Czech.
    let error = top_up(&widget, js("deset")).await.unwrap_err();
    assert_eq!(error["operation"], "input");
    settle().await;
    assert_czech(&element, "Částka musí být číslo.", None);
    top_up(&widget, 5000.into()).await.unwrap_err();
    settle().await;
    assert_czech(&element, "Nejvýše 2 000,00 Kč.", None);

    // The server down: nothing changed, try again.
    fault(json!({"operation": "payments.create", "kind": "status", "status": 503})).await;
    top_up(&widget, 50.into()).await.unwrap_err();
    settle().await;
    assert_czech(
        &element,
        "Tiskový server neodpověděl. Kredit se nezměnil.",
        None,
    );
    assert_czech(&element, "Zkusit znovu", None);

    // Every commit refused: the payment is left unfinished, to finish or cancel.
    fault(json!({"operation": "payments.commit", "kind": "status", "status": 503, "count": 3}))
        .await;
    let error = top_up(&widget, 50.into()).await.unwrap_err();
    assert!(error["paymentId"].is_string(), "{error}");
    settle().await;
    assert_czech(&element, "Platbu se nepodařilo dokončit.", None);
    assert_czech(&element, "1 nedokončená platba", None);

    // Canceled by the user in the widget, and by the page's payment step.
    button(&element, "Zrušit platbu").click();
    next_event(&element, "rolled-back").await;
    settle().await;
    assert_czech(&element, "Platba byla zrušena.", None);
    set_function(
        &element,
        "approve",
        "",
        "return Promise.reject(new Error('Karta zamítnuta'));",
    );
    top_up(&widget, 50.into()).await.unwrap();
    settle().await;
    assert_czech(&element, "Platba byla zrušena. Karta zamítnuta", None);
    // The widget's own reasons: a rejection without a word, an amount it cannot commit.
    set_function(&element, "approve", "", "return Promise.reject();");
    top_up(&widget, 50.into()).await.unwrap();
    settle().await;
    assert_czech(
        &element,
        "Platba byla zrušena. Platební krok ji odmítl.",
        None,
    );
    set_function(&element, "approve", "", "return 0.001;");
    top_up(&widget, 50.into()).await.unwrap();
    settle().await;
    assert_czech(
        &element,
        "Platba byla zrušena. Nejvýše dvě desetinná místa.",
        None,
    );
    js_sys::Reflect::delete_property(&element, &js("approve")).unwrap();

    // Committed.
    top_up(&widget, 50.into()).await.unwrap();
    settle().await;
    assert_czech(
        &element,
        "Připsáno 50,00 Kč (č. 5). Nový kredit: 170,00 Kč.",
        None,
    );
    assert_czech(&element, "dokončená", None);

    // Top-ups switched off in MyQ X.
    control_json("/providers/external", json!({"enabled": false})).await;
    top_up(&widget, 50.into()).await.unwrap_err();
    settle().await;
    assert_czech(&element, "Dobíjení je v MyQ X vypnuté.", None);
    element.remove();
}

#[wasm_bindgen_test]
async fn the_slovak_widget_speaks_slovak_and_counts_in_slovak() {
    reset().await;
    leave_payment(15.0).await;
    leave_payment(25.0).await;
    let (element, _widget) = ready(&[("locale", "sk-SK"), ("currency", "EUR")]).await;
    let words = widget_words(&element, None);
    for expected in [
        "Kredit: 120,00 €",
        "Dobiť kredit",
        "2 nedokončené platby",
        "Dokončiť",
    ] {
        assert!(words.contains(expected), "{expected:?} in {words:?}");
    }
    button(&element, "Dobiť kredit").click();
    settle().await;
    type_amount(&element, "12,5");
    settle().await;
    assert_eq!(
        shadow_text(&element, "button[type=submit]").as_deref(),
        Some("Dobiť 12,50 €")
    );
    assert_eq!(
        shadow_text(&element, ".myq-topup__label").as_deref(),
        Some("Suma")
    );
    element.remove();
}

#[wasm_bindgen_test]
async fn the_german_widget_speaks_german() {
    reset().await;
    let (element, widget) = ready(&[("locale", "de-DE"), ("currency", "EUR"), ("min", "20")]).await;
    let words = widget_words(&element, None);
    assert!(words.contains("Guthaben: 120,00 €"), "{words}");
    button(&element, "Guthaben aufladen").click();
    settle().await;
    type_amount(&element, "5");
    settle().await;
    assert_eq!(
        shadow_text(&element, "#myq-topup-amount-message").as_deref(),
        Some("Mindestens 20,00 €.")
    );
    top_up(&widget, 1234.5.into()).await.unwrap();
    settle().await;
    assert_eq!(
        shadow_text(&element, ".myq-topup__result").as_deref(),
        Some("Gutgeschrieben: 1.234,50 € (Nr. 1). Neues Guthaben: 1.354,50 €.")
    );
    element.remove();
}
