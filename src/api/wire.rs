//! Lenient readers for the quirks MyQ X's examples show (docs/myq-api.md, "Quirks of the
//! answers"): ids and `paymentNo` as strings where the schemas say numbers, and `null` where a
//! string is expected (see [`Fields`](super::json::Fields)).

use super::json::Json;
use super::money::Money;

/// The largest whole number an f64 (a JavaScript number) holds exactly.
const EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// A number sent as a JSON number or as a numeric string.
pub fn number(value: &Json) -> Result<f64, String> {
    match value {
        Json::Text(text) => parse_number(text.trim())
            .ok_or_else(|| format!("expected a number, found the string '{}'", shorten(text))),
        other => other.number(),
    }
}

/// A numeric string as a number. In the browser, JavaScript's `Number()` reads it, so the wasm
/// carries no float parser of its own.
#[cfg(target_arch = "wasm32")]
fn parse_number(text: &str) -> Option<f64> {
    if text.is_empty() {
        return None;
    }
    let number = js_number(&wasm_bindgen::JsValue::from_str(text));
    number.is_finite().then_some(number)
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// JavaScript's `Number(value)`: `NaN` for what is not a number.
    #[wasm_bindgen(js_name = Number)]
    fn js_number(value: &wasm_bindgen::JsValue) -> f64;
}

#[cfg(not(target_arch = "wasm32"))]
fn parse_number(text: &str) -> Option<f64> {
    text.parse().ok().filter(|n: &f64| n.is_finite())
}

/// An identifier sent as a string or as a whole number, kept as text.
pub fn id(value: &Json) -> Result<String, String> {
    match value {
        Json::Text(text) if !text.is_empty() => Ok(text.clone()),
        Json::Text(_) => Err("expected an id, found an empty string".into()),
        Json::Number(number) => whole(*number)
            .map(|n| n.to_string())
            .ok_or_else(|| "expected an id, found a fractional or huge number".into()),
        other => Err(format!("expected an id, found {}", other.kind())),
    }
}

/// A user id: a positive whole number, possibly sent as a string.
pub fn user_id(value: &Json) -> Result<u64, String> {
    id(value)?
        .parse()
        .map_err(|_| "expected a user id (a positive whole number)".into())
}

/// An amount of credit: a number (or numeric string) with at most two decimals.
pub fn money(value: &Json) -> Result<Money, String> {
    Money::from_number(number(value)?)
        .ok_or_else(|| "not an amount of credit (whole hundredths)".into())
}

/// `number` when it is a whole number an f64 holds exactly.
fn whole(number: f64) -> Option<i64> {
    (number.fract() == 0.0 && number.abs() < EXACT_INTEGER).then_some(number as i64)
}

/// Server text quoted in an error, cut so a huge answer cannot flood a message.
fn shorten(text: &str) -> &str {
    match text.char_indices().nth(40) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<T>(reader: fn(&Json) -> Result<T, String>, text: &str) -> Result<T, String> {
        reader(&Json::parse(text).unwrap())
    }

    #[test]
    fn reads_ids_as_strings_or_whole_numbers() {
        assert_eq!(read(id, r#""34200""#).unwrap(), "34200");
        assert_eq!(read(id, "34200").unwrap(), "34200");
        assert!(read(id, "1.5").is_err());
        assert!(read(id, "1e300").is_err());
        assert!(read(id, r#""""#).is_err());
        assert!(read(id, "true").is_err());
        assert_eq!(read(user_id, r#""12""#).unwrap(), 12);
        assert!(read(user_id, "-4").is_err());
    }

    #[test]
    fn reads_numbers_and_numeric_strings() {
        assert_eq!(read(number, "2.5").unwrap(), 2.5);
        assert_eq!(read(number, r#"" 10 ""#).unwrap(), 10.0);
        assert!(read(number, r#""ten""#).is_err());
        assert!(read(number, r#""""#).is_err());
        assert_eq!(read(money, "120.5").unwrap(), Money(12050));
        assert!(read(money, "1.005").is_err());
    }
}
