//! The quirks of MyQ X's answers (docs/myq-api.md, "Quirks of the answers") as
//! `deserialize_with` functions: ids and `paymentNo` as strings where the schemas say numbers,
//! numbers as numeric strings, and `null` where a string is expected.
//!
//! One visitor ([`Scalar`]) takes a number or a string apart; each function says what it
//! accepts of that.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::money::Money;
use crate::types::{KEPT_FINISHED_PAYMENTS, Payment, PaymentState};

/// The largest whole number an f64 (a JavaScript number) holds exactly.
const EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// A JSON number or string, as sent.
enum Scalar {
    Number(f64),
    Text(String),
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;

        impl Visitor<'_> for ScalarVisitor {
            type Value = Scalar;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a string")
            }

            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v))
            }

            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v as f64))
            }

            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v as f64))
            }

            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_owned()))
            }
        }

        deserializer.deserialize_any(ScalarVisitor)
    }
}

impl Scalar {
    /// The number, also from a numeric string.
    fn number(self) -> Result<f64, String> {
        match self {
            Scalar::Number(number) => Ok(number),
            Scalar::Text(text) => parse_number(text.trim())
                .ok_or_else(|| format!("expected a number, found the string '{}'", shorten(&text))),
        }
    }

    /// An identifier: a non-empty string, or a whole number, kept as text.
    fn id(self) -> Result<String, String> {
        match self {
            Scalar::Text(text) if !text.is_empty() => Ok(text),
            Scalar::Text(_) => Err("expected an id, found an empty string".into()),
            Scalar::Number(number) => whole(number)
                .map(|n| n.to_string())
                .ok_or_else(|| "expected an id, found a fractional or huge number".into()),
        }
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

fn read<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    take: impl FnOnce(Scalar) -> Result<T, String>,
) -> Result<T, D::Error> {
    take(Scalar::deserialize(deserializer)?).map_err(de::Error::custom)
}

fn read_optional<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    take: impl FnOnce(Scalar) -> Result<T, String>,
) -> Result<Option<T>, D::Error> {
    match Option::<Scalar>::deserialize(deserializer)? {
        Some(scalar) => take(scalar).map(Some).map_err(de::Error::custom),
        None => Ok(None),
    }
}

/// A number sent as a JSON number or as a numeric string; `null` or absent allowed (with
/// `#[serde(default)]`).
pub fn optional_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    read_optional(d, Scalar::number)
}

/// An identifier sent as a string or as a whole number, kept as text.
pub fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    read(deserializer, Scalar::id)
}

/// As [`id`], `null` or absent allowed (with `#[serde(default)]`).
pub fn optional_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    read_optional(d, Scalar::id)
}

/// A user id: a positive whole number, possibly sent as a string.
pub fn user_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    read(deserializer, |scalar| {
        scalar
            .id()?
            .parse()
            .map_err(|_| "expected a user id (a positive whole number)".into())
    })
}

fn to_money(scalar: Scalar) -> Result<Money, String> {
    Money::from_number(scalar.number()?)
        .ok_or_else(|| "not an amount of credit (whole hundredths)".into())
}

/// An amount of credit: a number (or numeric string) with at most two decimals.
pub fn money<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
    read(deserializer, to_money)
}

/// As [`money`], `null` or absent allowed (with `#[serde(default)]`).
pub fn optional_money<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
    read_optional(d, to_money)
}

/// A payment list, newest first, keeping every `created` payment and the newest
/// [`KEPT_FINISHED_PAYMENTS`](crate::types::KEPT_FINISHED_PAYMENTS) finished ones; each other
/// entry is read and dropped at once, so the list's length sets no memory peak.
pub fn newest_payments<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Payment>, D::Error> {
    struct Newest;

    impl<'de> Visitor<'de> for Newest {
        type Value = Vec<Payment>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of payments")
        }

        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Payment>, A::Error> {
            let mut kept = Vec::new();
            let mut finished = 0;
            while let Some(payment) = seq.next_element::<Payment>()? {
                let open = payment.state == PaymentState::Created;
                finished += usize::from(!open);
                if open || finished <= KEPT_FINISHED_PAYMENTS {
                    kept.push(payment);
                }
            }
            Ok(kept)
        }
    }

    d.deserialize_seq(Newest)
}

/// Text where `null` means empty (with `#[serde(default)]`, absent too).
pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_default())
}

/// Money as MyQ X takes it: a JSON number in currency units, whole amounts without a
/// fraction (`10`, `12.5`).
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.cents() % 100 == 0 {
            serializer.serialize_i64(self.cents() / 100)
        } else {
            serializer.serialize_f64(self.to_number())
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::json;

    #[derive(Debug, Deserialize)]
    struct Fields {
        #[serde(default, deserialize_with = "optional_id")]
        id: Option<String>,
        #[serde(default, deserialize_with = "optional_money")]
        money: Option<Money>,
        #[serde(default, deserialize_with = "optional_number")]
        number: Option<f64>,
        #[serde(default, deserialize_with = "text")]
        text: String,
    }

    fn read(text: &str) -> Result<Fields, String> {
        json::parse(text)
    }

    #[test]
    fn reads_ids_as_strings_or_whole_numbers() {
        assert_eq!(read(r#"{"id": "34200"}"#).unwrap().id.unwrap(), "34200");
        assert_eq!(read(r#"{"id": 34200}"#).unwrap().id.unwrap(), "34200");
        for bad in ["1.5", "1e300", r#""""#, "true"] {
            assert!(read(&format!(r#"{{"id": {bad}}}"#)).is_err(), "{bad}");
        }
        assert_eq!(read(r#"{"id": null}"#).unwrap().id, None);
    }

    #[test]
    fn reads_numbers_numeric_strings_money_and_null_text() {
        assert_eq!(read(r#"{"number": 2.5}"#).unwrap().number, Some(2.5));
        assert_eq!(read(r#"{"number": " 10 "}"#).unwrap().number, Some(10.0));
        assert!(read(r#"{"number": "ten"}"#).is_err());
        assert!(read(r#"{"number": ""}"#).is_err());
        assert_eq!(
            read(r#"{"money": 120.5}"#).unwrap().money,
            Some(Money(12050))
        );
        assert!(read(r#"{"money": 1.005}"#).is_err());
        assert_eq!(read(r#"{"text": null}"#).unwrap().text, "");
        assert_eq!(read("{}").unwrap().text, "");
    }

    #[test]
    fn money_survives_writing_and_reading() {
        #[derive(Deserialize)]
        struct Read(#[serde(deserialize_with = "money")] Money);
        for cents in (-100_000..100_000).step_by(7) {
            let Read(back) = json::parse(&json::write(&Money(cents))).unwrap();
            assert_eq!(back, Money(cents));
        }
    }

    #[test]
    fn writes_whole_amounts_without_a_fraction() {
        assert_eq!(json::write(&Money(1000)), "10");
        assert_eq!(json::write(&Money(1250)), "12.5");
        assert_eq!(json::write(&Money(1205)), "12.05");
    }
}
