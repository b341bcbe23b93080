//! JSON in and out. In the browser, the browser's own `JSON.parse` and `JSON.stringify` do the
//! text work (no JSON parser compiled into the wasm); natively, `serde_json` stands in so the same
//! readers run in `cargo test`.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Reads `text` as `T`; the error says what did not fit.
#[cfg(target_arch = "wasm32")]
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let value = js_sys::JSON::parse(text).map_err(|_| "not JSON".to_string())?;
    serde_wasm_bindgen::from_value(value).map_err(|err| err.to_string())
}

/// Writes `value` as JSON text.
#[cfg(target_arch = "wasm32")]
pub fn to_string<T: Serialize>(value: &T) -> String {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .ok()
        .and_then(|js| js_sys::JSON::stringify(&js).ok())
        .and_then(|text| text.as_string())
        .expect("request bodies are plain structs of strings and numbers")
}

#[cfg(not(target_arch = "wasm32"))]
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|err| err.to_string())
}

#[cfg(not(target_arch = "wasm32"))]
pub fn to_string<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("request bodies are plain structs of strings and numbers")
}
