//! Amounts and counts as the reader's locale writes them, by the browser's `Intl.NumberFormat`
//! and `Intl.PluralRules`.

use js_sys::{Array, Intl, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::host::Money;

/// Formats amounts for one locale and (optional) currency.
#[derive(Clone)]
pub struct MoneyFormat {
    format: Option<Intl::NumberFormat>,
}

impl MoneyFormat {
    /// `locale` is a BCP 47 tag; `currency` an ISO 4217 code, or `None` for a plain number.
    pub fn new(locale: &str, currency: Option<&str>) -> MoneyFormat {
        let options = Object::new();
        let set =
            |key: &str, value: JsValue| Reflect::set(&options, &JsValue::from_str(key), &value);
        let configured = match currency {
            Some(code) => set("style", "currency".into()).and(set("currency", code.into())),
            None => {
                set("minimumFractionDigits", 2.into()).and(set("maximumFractionDigits", 2.into()))
            }
        };
        let locales = Array::of1(&JsValue::from_str(locale));
        // Intl throws on an unknown currency; such a widget still shows plain numbers.
        let format = configured
            .ok()
            .and_then(|_| number_format(&locales, &options).ok());
        MoneyFormat { format }
    }

    pub fn format(&self, amount: Money) -> String {
        self.format
            .as_ref()
            .and_then(|f| {
                f.format()
                    .call1(&JsValue::NULL, &amount.to_number().into())
                    .ok()
            })
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| amount.to_string())
    }
}

thread_local! {
    /// The last formatter made, with its locale and currency: a view shows many amounts, and
    /// building an `Intl.NumberFormat` costs the page's thread far more than using one.
    static LAST_FORMAT: std::cell::RefCell<Option<(String, Option<String>, MoneyFormat)>> =
        const { std::cell::RefCell::new(None) };
}

/// `amount` as `locale` writes it in `currency` (or as a plain number), with one formatter
/// kept for as long as the locale and currency stay the same.
pub fn money(locale: &str, currency: Option<&str>, amount: Money) -> String {
    LAST_FORMAT.with_borrow_mut(|last| match last {
        Some((l, c, format)) if l == locale && c.as_deref() == currency => format.format(amount),
        _ => {
            let format = MoneyFormat::new(locale, currency);
            let text = format.format(amount);
            *last = Some((locale.to_owned(), currency.map(str::to_owned), format));
            text
        }
    })
}

/// `Intl.PluralRules`' category for `count` in `locale` (`one`, `few`, `other`, …); `other`
/// when the browser cannot use the tag.
pub fn plural_category(locale: &str, count: usize) -> String {
    let locales = Array::of1(&JsValue::from_str(locale));
    PluralRules::new(&locales, &Object::new())
        .map(|rules| rules.select(count as f64))
        .unwrap_or_else(|_| "other".into())
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl)]
    type PluralRules;

    /// `new Intl.PluralRules(locales, options)`, which throws as `Intl.NumberFormat` does.
    #[wasm_bindgen(catch, constructor, js_namespace = Intl, js_class = "PluralRules")]
    fn new(locales: &Array, options: &Object) -> Result<PluralRules, JsValue>;

    #[wasm_bindgen(method)]
    fn select(this: &PluralRules, count: f64) -> String;

    /// `Intl.NumberFormat(locales, options)`, which throws a RangeError for a tag or code it
    /// cannot use: caught, never a trap.
    #[wasm_bindgen(catch, js_namespace = Intl, js_name = NumberFormat)]
    fn number_format(locales: &Array, options: &Object) -> Result<Intl::NumberFormat, JsValue>;
}

/// A moment (milliseconds since 1970) as `locale` writes a date and time, by
/// `Date.prototype.toLocaleString` with `dateStyle` and `timeStyle`.
pub fn date_time(locale: &str, at_ms: f64) -> String {
    let options = Object::new();
    let _ = Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = Reflect::set(&options, &"timeStyle".into(), &"short".into());
    String::from(js_sys::Date::new(&at_ms.into()).to_locale_string(locale, &options))
}

/// An RFC 3339 time (`2026-11-26T09:12:00+01:00`) as `locale` writes it, in the reader's time
/// zone; as it came when the browser cannot read it.
pub fn rfc3339_date_time(locale: &str, text: &str) -> String {
    let at_ms = js_sys::Date::parse(text);
    if at_ms.is_nan() {
        return text.to_owned();
    }
    date_time(locale, at_ms)
}

/// Today in the reader's time zone, as an `<input type="date">` holds it: `2026-11-26`.
pub fn today() -> String {
    let now = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        now.get_full_year(),
        now.get_month() + 1,
        now.get_date()
    )
}
