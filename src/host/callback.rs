//! Calling the page's functions (`tokenProvider`, `approve`) with a time limit: a promise that
//! never settles must not keep the widget busy forever.

use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// How a call into the page ended.
pub enum Answer {
    /// Returned, or its promise resolved, with this value.
    Resolved(JsValue),
    /// Threw, or its promise rejected, with this value.
    Rejected(JsValue),
    /// Did not settle within the limit; a late answer is ignored.
    TimedOut,
}

/// Calls `function` on `this` with `args`, waiting at most `limit_ms` for its promise.
pub async fn call(function: &Function, this: &JsValue, args: &[JsValue], limit_ms: u32) -> Answer {
    let args: Array = args.iter().collect();
    match function.apply(this, &args) {
        Ok(returned) => settle(returned, limit_ms).await,
        Err(thrown) => Answer::Rejected(thrown),
    }
}

/// Waits at most `limit_ms` for `returned` to settle, if it is a promise.
///
/// The race runs in JavaScript (`Promise.race` with a timer that resolves to a marker): no
/// Rust timer and future combinator to carry in the bundle.
pub async fn settle(returned: JsValue, limit_ms: u32) -> Answer {
    let marker: JsValue = Object::new().into();
    let timer = Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let limit = i32::try_from(limit_ms).unwrap_or(i32::MAX);
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_1(&resolve, limit, &marker);
        }
    });
    let first = Promise::race(&Array::of2(&Promise::resolve(&returned), &timer));
    match JsFuture::from(first).await {
        Ok(value) if Object::is(&value, &marker) => Answer::TimedOut,
        Ok(value) => Answer::Resolved(value),
        Err(reason) => Answer::Rejected(reason),
    }
}

/// A thrown value's message: an `Error`'s message, or the value as text; `None` when it says
/// nothing (`reject()`, `throw {}`), so that no made-up words reach the reader.
pub fn message_of(err: &JsValue) -> Option<String> {
    let text = err
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| err.as_string())?;
    (!text.trim().is_empty()).then_some(text)
}
