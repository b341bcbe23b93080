//! JSON in and out through serde: answers read into the wire types' `Deserialize`, request
//! bodies written from their `Serialize`.
//!
//! In the browser the browser does the text work: `JSON.parse` into a JavaScript value that
//! `serde_wasm_bindgen` reads, and `JSON.stringify` of what it writes, so the wasm carries no
//! JSON text parser or float printer. Natively (`cargo test`, tools) `serde_json` does the same
//! job, so the same types are tested by `cargo test`.
//!
//! ```
//! use myq_api::json;
//!
//! #[derive(serde::Deserialize, serde::Serialize)]
//! struct Greeting { name: String }
//!
//! let greeting: Greeting = json::parse(r#"{"name": "Jana"}"#).unwrap();
//! assert_eq!(greeting.name, "Jana");
//! assert_eq!(json::write(&greeting), r#"{"name":"Jana"}"#);
//! ```

use serde::Serialize;
use serde::de::DeserializeOwned;

/// How deep an answer may nest. MyQ X's answers nest three levels; reading is recursive, and a
/// hostile answer nested 200,000 levels deep would overflow the stack and kill the widget.
pub const MAX_DEPTH: usize = 32;

fn too_deep() -> String {
    format!("the answer nests deeper than {MAX_DEPTH} levels")
}

/// Reads JSON `text` as `T`; the error says what did not fit.
#[cfg(target_arch = "wasm32")]
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    // The browser's parser is not recursive: any depth parses, and is refused here.
    let value = js_sys::JSON::parse(text).map_err(|_| "not JSON".to_owned())?;
    if !within_depth(&value, 0) {
        return Err(too_deep());
    }
    serde_wasm_bindgen::from_value(value).map_err(|err| err.to_string())
}

/// Whether no array or object of a parsed value sits more than [`MAX_DEPTH`] levels below the
/// root; the walk stops at the limit.
#[cfg(target_arch = "wasm32")]
fn within_depth(value: &wasm_bindgen::JsValue, depth: usize) -> bool {
    use wasm_bindgen::JsCast;
    if !value.is_object() {
        return true;
    }
    if depth > MAX_DEPTH {
        return false;
    }
    // JSON.parse makes only arrays and plain objects: `Object.values` covers both.
    let items = js_sys::Object::values(value.unchecked_ref());
    items.iter().all(|item| within_depth(&item, depth + 1))
}

/// Reads JSON `text` as `T` with `serde_json` (native builds: tests and tools).
#[cfg(not(target_arch = "wasm32"))]
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    // serde_json refuses more than 128 levels itself; the limit here is the browser's.
    let value: serde_json::Value = serde_json::from_str(text).map_err(|_| "not JSON")?;
    if !within_depth(&value, 0) {
        return Err(too_deep());
    }
    serde_json::from_value(value).map_err(|err| err.to_string())
}

#[cfg(not(target_arch = "wasm32"))]
fn within_depth(value: &serde_json::Value, depth: usize) -> bool {
    use serde_json::Value;
    let inner: Box<dyn Iterator<Item = &Value>> = match value {
        Value::Array(items) => Box::new(items.iter()),
        Value::Object(fields) => Box::new(fields.values()),
        _ => return true,
    };
    depth <= MAX_DEPTH && inner.into_iter().all(|item| within_depth(item, depth + 1))
}

/// Writes `value` as JSON text: a request body.
#[cfg(target_arch = "wasm32")]
pub fn write<T: Serialize>(value: &T) -> String {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .ok()
        .and_then(|value| js_sys::JSON::stringify(&value).ok())
        .and_then(|text| text.as_string())
        // The widget's bodies are plain structs of text and numbers: they always serialise.
        .unwrap_or_default()
}

/// Writes `value` as JSON text with `serde_json` (native builds).
#[cfg(not(target_arch = "wasm32"))]
pub fn write<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_text_as_itself() {
        let text = "a \"b\" \\ c\n\u{1}é";
        let written = write(&text);
        assert_eq!(parse::<String>(&written).unwrap(), text);
        assert_eq!(parse::<String>("{").unwrap_err(), "not JSON");
    }

    #[test]
    fn refuses_answers_deeper_than_the_limit() {
        let nested = |levels: usize| format!("{}{}", "[".repeat(levels), "]".repeat(levels));
        assert!(parse::<serde_json::Value>(&nested(MAX_DEPTH + 1)).is_ok());
        assert_eq!(
            parse::<serde_json::Value>(&nested(MAX_DEPTH + 2)).unwrap_err(),
            too_deep()
        );
    }
}
