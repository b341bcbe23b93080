//! Lenient readers for the quirks the seed shows: ids and `paymentNo` as strings where the
//! schemas say numbers, and `null` where a string is expected.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

/// A number sent as a JSON number or as a numeric string.
pub fn number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    struct NumberVisitor;
    impl Visitor<'_> for NumberVisitor {
        type Value = f64;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a number")
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
            Ok(v as f64)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
            Ok(v as f64)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
            parse_number(v.trim()).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }
    deserializer.deserialize_any(NumberVisitor)
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
pub fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    struct IdVisitor;
    impl Visitor<'_> for IdVisitor {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an id (string or whole number)")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            if v.is_empty() {
                return Err(E::invalid_value(de::Unexpected::Str(v), &self));
            }
            Ok(v.to_owned())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
            // A JavaScript number arrives as f64; only whole ones are ids.
            if v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 {
                Ok((v as i64).to_string())
            } else {
                Err(E::invalid_value(
                    de::Unexpected::Other("a fractional number"),
                    &self,
                ))
            }
        }
    }
    deserializer.deserialize_any(IdVisitor)
}

/// An optional identifier: missing or `null` is `None`.
pub fn optional_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Wrapped(#[serde(deserialize_with = "id")] String);
    Ok(Option::<Wrapped>::deserialize(deserializer)?.map(|Wrapped(id)| id))
}

/// A user id: a positive whole number, possibly sent as a string.
pub fn user_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let text = id(deserializer)?;
    text.parse()
        .map_err(|_| de::Error::invalid_value(de::Unexpected::Str(&text), &"a user id"))
}

/// Text that may be `null` or missing: both read as empty.
pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_default())
}
