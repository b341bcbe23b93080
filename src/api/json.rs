//! JSON in and out, without a serialisation framework.
//!
//! The widget reads a handful of small answers and writes three request bodies; a derive-based
//! framework costs the bundle more than all of that (its visitors, its error formatting and a
//! float printer). In the browser, the browser's own `JSON.parse` does the text work; natively,
//! `serde_json` stands in so the same readers run in `cargo test`.
//!
//! ```
//! use myq_topup::api::json::{self, FromJson, Json, ObjectWriter};
//!
//! struct Greeting { name: String }
//!
//! impl FromJson for Greeting {
//!     fn from_json(value: &Json) -> Result<Self, String> {
//!         let fields = value.fields()?;
//!         Ok(Greeting { name: fields.required("name", Json::text)? })
//!     }
//! }
//!
//! let greeting: Greeting = json::parse(r#"{"name": "Jana"}"#).unwrap();
//! assert_eq!(greeting.name, "Jana");
//! assert_eq!(ObjectWriter::new().text("name", "Jana").finish(), r#"{"name":"Jana"}"#);
//! ```

use super::money::Money;

/// A parsed JSON document.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    Array(Vec<Json>),
    /// Fields in document order.
    Object(Vec<(String, Json)>),
}

/// A type read from JSON; the error says what did not fit.
pub trait FromJson: Sized {
    fn from_json(value: &Json) -> Result<Self, String>;
}

/// How deep an answer may nest. MyQ X's answers nest three levels; reading is recursive, and a
/// hostile answer nested 200,000 levels deep would overflow the stack and kill the widget.
pub const MAX_DEPTH: usize = 32;

fn too_deep() -> String {
    format!("the answer nests deeper than {MAX_DEPTH} levels")
}

/// Reads `text` as `T`.
pub fn parse<T: FromJson>(text: &str) -> Result<T, String> {
    T::from_json(&Json::parse(text)?)
}

/// The document as it is, for answers whose content does not matter.
impl FromJson for Json {
    fn from_json(value: &Json) -> Result<Self, String> {
        Ok(value.clone())
    }
}

impl FromJson for String {
    fn from_json(value: &Json) -> Result<Self, String> {
        value.text()
    }
}

impl Json {
    /// Parses JSON text with the browser's `JSON.parse`.
    #[cfg(target_arch = "wasm32")]
    pub fn parse(text: &str) -> Result<Json, String> {
        // The browser's parser is not recursive: any depth parses, and is refused below.
        let value = js_sys::JSON::parse(text).map_err(|_| "not JSON".to_owned())?;
        Json::from_js(&value, 0)
    }

    #[cfg(target_arch = "wasm32")]
    fn from_js(value: &wasm_bindgen::JsValue, depth: usize) -> Result<Json, String> {
        use wasm_bindgen::JsCast;
        let inner = |item: &wasm_bindgen::JsValue| {
            if depth == MAX_DEPTH {
                return Err(too_deep());
            }
            Json::from_js(item, depth + 1)
        };
        Ok(if let Some(number) = value.as_f64() {
            Json::Number(number)
        } else if let Some(text) = value.as_string() {
            Json::Text(text)
        } else if let Some(flag) = value.as_bool() {
            Json::Bool(flag)
        } else if let Some(array) = value.dyn_ref::<js_sys::Array>() {
            Json::Array(
                array
                    .iter()
                    .map(|item| inner(&item))
                    .collect::<Result<_, _>>()?,
            )
        } else if let Some(object) = value.dyn_ref::<js_sys::Object>() {
            // JSON.parse makes only plain objects: their entries are [key, value] pairs.
            let fields = js_sys::Object::entries(object)
                .iter()
                .map(|entry| {
                    let pair: js_sys::Array = entry.unchecked_into();
                    let key = pair.get(0).as_string().unwrap_or_default();
                    Ok((key, inner(&pair.get(1))?))
                })
                .collect::<Result<_, String>>()?;
            Json::Object(fields)
        } else {
            Json::Null
        })
    }

    /// Parses JSON text with `serde_json` (native builds: tests and tools).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn parse(text: &str) -> Result<Json, String> {
        // serde_json refuses more than 128 levels itself.
        let value: serde_json::Value = serde_json::from_str(text).map_err(|_| "not JSON")?;
        Json::from_serde(value, 0)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn from_serde(value: serde_json::Value, depth: usize) -> Result<Json, String> {
        use serde_json::Value;
        let inner = |item: Value| {
            if depth == MAX_DEPTH {
                return Err(too_deep());
            }
            Json::from_serde(item, depth + 1)
        };
        Ok(match value {
            Value::Null => Json::Null,
            Value::Bool(flag) => Json::Bool(flag),
            // As in the browser, every number is an f64.
            Value::Number(number) => Json::Number(number.as_f64().unwrap_or(f64::NAN)),
            Value::String(text) => Json::Text(text),
            Value::Array(items) => {
                Json::Array(items.into_iter().map(inner).collect::<Result<_, _>>()?)
            }
            Value::Object(fields) => Json::Object(
                fields
                    .into_iter()
                    .map(|(key, value)| Ok((key, inner(value)?)))
                    .collect::<Result<_, String>>()?,
            ),
        })
    }

    /// What the value is, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::Text(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }

    fn expected<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("expected {what}, found {}", self.kind()))
    }

    /// The fields of an object.
    pub fn fields(&self) -> Result<Fields<'_>, String> {
        match self {
            Json::Object(fields) => Ok(Fields(fields)),
            other => other.expected("an object"),
        }
    }

    /// The items of an array, each read as `T`.
    pub fn list<T: FromJson>(&self) -> Result<Vec<T>, String> {
        match self {
            Json::Array(items) => items
                .iter()
                .enumerate()
                .map(|(index, item)| T::from_json(item).map_err(|err| format!("[{index}]: {err}")))
                .collect(),
            other => other.expected("an array"),
        }
    }

    /// A string, as it is.
    pub fn text(&self) -> Result<String, String> {
        match self {
            Json::Text(text) => Ok(text.clone()),
            other => other.expected("a string"),
        }
    }

    /// A finite number.
    pub fn number(&self) -> Result<f64, String> {
        match self {
            Json::Number(number) if number.is_finite() => Ok(*number),
            other => other.expected("a number"),
        }
    }
}

/// The fields of a JSON object. A field that is `null` reads as missing: MyQ X sends `null`
/// where the schemas promise a value.
#[derive(Clone, Copy)]
pub struct Fields<'a>(&'a [(String, Json)]);

impl<'a> Fields<'a> {
    /// The field's value, unless it is missing or `null`.
    pub fn get(&self, key: &str) -> Option<&'a Json> {
        self.0
            .iter()
            .rev() // as with JSON.parse, the last of repeated keys counts
            .find(|(name, _)| name == key)
            .map(|(_, value)| value)
            .filter(|value| **value != Json::Null)
    }

    /// A field that must be there.
    pub fn required<T>(
        &self,
        key: &str,
        read: impl FnOnce(&Json) -> Result<T, String>,
    ) -> Result<T, String> {
        match self.get(key) {
            Some(value) => read(value).map_err(|err| format!("{key}: {err}")),
            None => Err(format!("{key}: missing")),
        }
    }

    /// A field that may be missing or `null`; present, it must read.
    pub fn optional<T>(
        &self,
        key: &str,
        read: impl FnOnce(&Json) -> Result<T, String>,
    ) -> Result<Option<T>, String> {
        self.get(key)
            .map(|value| read(value).map_err(|err| format!("{key}: {err}")))
            .transpose()
    }

    /// A string field that may be missing or `null`: both read as empty.
    pub fn text_or_empty(&self, key: &str) -> Result<String, String> {
        Ok(self.optional(key, Json::text)?.unwrap_or_default())
    }

    /// A required array field, each item read as `T`.
    pub fn list<T: FromJson>(&self, key: &str) -> Result<Vec<T>, String> {
        self.required(key, Json::list)
    }
}

/// A JSON object written as text, field by field, in order.
#[must_use]
pub struct ObjectWriter {
    text: String,
}

impl Default for ObjectWriter {
    fn default() -> Self {
        ObjectWriter::new()
    }
}

impl ObjectWriter {
    pub fn new() -> ObjectWriter {
        ObjectWriter {
            text: String::from("{"),
        }
    }

    fn key(mut self, key: &str) -> ObjectWriter {
        if self.text.len() > 1 {
            self.text.push(',');
        }
        write_string(&mut self.text, key);
        self.text.push(':');
        self
    }

    pub fn text(self, key: &str, value: &str) -> ObjectWriter {
        let mut writer = self.key(key);
        write_string(&mut writer.text, value);
        writer
    }

    pub fn whole(self, key: &str, value: u64) -> ObjectWriter {
        let mut writer = self.key(key);
        writer.text.push_str(&value.to_string());
        writer
    }

    /// An amount as a JSON number: `10`, `12.5`.
    pub fn money(self, key: &str, value: Money) -> ObjectWriter {
        let mut writer = self.key(key);
        writer.text.push_str(&value.to_json_number());
        writer
    }

    pub fn object(self, key: &str, value: ObjectWriter) -> ObjectWriter {
        let mut writer = self.key(key);
        writer.text.push_str(&value.finish());
        writer
    }

    pub fn finish(mut self) -> String {
        self.text.push('}');
        self.text
    }
}

/// `text` as a JSON string: quotes, backslashes and control characters escaped.
fn write_string(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let code = u32::from(c) as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[code >> 4]));
                out.push(char::from(HEX[code & 0xf]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    // proptest is a native dev-dependency; the wasm test build leaves this out.
    #[cfg(not(target_arch = "wasm32"))]
    mod property {
        use proptest::prelude::*;

        use super::ObjectWriter;

        proptest! {
            /// Any text, written as a JSON string, reads back as itself.
            #[test]
            fn any_text_survives_writing(text in any::<String>(), key in "\\PC*") {
                let written = ObjectWriter::new().text(&key, &text).finish();
                let value: serde_json::Value = serde_json::from_str(&written).unwrap();
                prop_assert_eq!(value[key.as_str()].as_str(), Some(text.as_str()));
            }
        }
    }

    #[test]
    fn writes_what_a_json_parser_reads_back() {
        let text = ObjectWriter::new()
            .text("quote", "a \"b\" \\ c\n\u{1}é")
            .whole("id", 34173)
            .object("params", ObjectWriter::new().money("amount", Money(1250)))
            .finish();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"quote": "a \"b\" \\ c\n\u{1}é", "id": 34173,
                               "params": {"amount": 12.5}})
        );
        assert_eq!(ObjectWriter::new().finish(), "{}");
    }

    #[test]
    fn null_fields_read_as_missing() {
        let value = Json::parse(r#"{"a": null, "b": "x", "b": "y"}"#).unwrap();
        let fields = value.fields().unwrap();
        assert_eq!(fields.get("a"), None);
        assert_eq!(fields.text_or_empty("a").unwrap(), "");
        assert_eq!(fields.required("a", Json::text).unwrap_err(), "a: missing");
        assert_eq!(fields.required("b", Json::text).unwrap(), "y");
    }

    #[test]
    fn errors_say_where_and_what() {
        let value = Json::parse(r#"{"items": [1, "two"]}"#).unwrap();
        let err = value.fields().unwrap().list::<String>("items").unwrap_err();
        assert_eq!(err, "items: [0]: expected a string, found a number");
        assert_eq!(
            Json::parse("[]").unwrap().fields().err().unwrap(),
            "expected an object, found an array"
        );
        assert_eq!(Json::parse("{").unwrap_err(), "not JSON");
    }
}
