//! A desk prints its receipt alone, from inside a shadow root, under a CSP without inline
//! script or style.
//!
//! While a receipt shows, the element carries [`MARK`] and the page holds one constructed style
//! sheet (adopted once, like the widget's own): in print, everything in the page's body that
//! neither is a marked element nor holds one is not displayed. Inside the shadow root the widget's
//! own print rules leave only the receipt (`src/ui/desk/style.css`). So "Print receipt" is
//! `window.print()`, and so is the browser's own Print while a receipt shows.

use wasm_bindgen::JsValue;
use web_sys::HtmlElement;

/// The attribute a desk's element carries while it shows a receipt.
pub const MARK: &str = "data-myq-topup-receipt";

/// The page's print rule; does nothing while no element shows a receipt.
const PAGE_PRINT: &str = "@media print{body:has([data-myq-topup-receipt]) \
     :not(:has([data-myq-topup-receipt])):not([data-myq-topup-receipt]){display:none!important}}";

/// Marks `element` as showing a receipt, or not; adopts the page's print rule on first use.
pub fn mark_receipt(element: &HtmlElement, shown: bool) {
    if !shown {
        let _ = element.remove_attribute(MARK);
        return;
    }
    let _ = element.set_attribute(MARK, "");
    if let Some(document) = element.owner_document() {
        adopt_page_rule(&document);
    }
}

/// Adds [`PAGE_PRINT`] to the document's adopted style sheets, once per document.
fn adopt_page_rule(document: &web_sys::Document) {
    let key = JsValue::from_str("adoptedStyleSheets");
    let Ok(sheets) = js_sys::Reflect::get(document, &key) else {
        return;
    };
    let sheets = js_sys::Array::from(&sheets);
    let adopted = sheets.iter().any(|sheet| {
        js_sys::Reflect::get(&sheet, &JsValue::from_str("myqTopupPrint"))
            .is_ok_and(|v| v.is_truthy())
    });
    if adopted {
        return;
    }
    let Ok(sheet) = web_sys::CssStyleSheet::new() else {
        return;
    };
    let _ = sheet.replace_sync(PAGE_PRINT);
    let _ = js_sys::Reflect::set(&sheet, &JsValue::from_str("myqTopupPrint"), &JsValue::TRUE);
    sheets.push(&sheet);
    let _ = js_sys::Reflect::set(document, &key, &sheets);
}

/// The browser's print dialog; what prints is the receipt alone (see the module's text).
pub fn print() {
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}
