//! Calling the page's functions (`tokenProvider`, `approve`) with a time limit: a promise that
//! never settles must not keep the widget busy forever.

use futures::future::{Either, select};
use gloo_timers::future::TimeoutFuture;
use js_sys::{Function, Promise};
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
    let args: js_sys::Array = args.iter().collect();
    let returned = match function.apply(this, &args) {
        Ok(returned) => returned,
        Err(thrown) => return Answer::Rejected(thrown),
    };
    let settled = JsFuture::from(Promise::resolve(&returned));
    match select(settled, TimeoutFuture::new(limit_ms)).await {
        Either::Left((Ok(value), _)) => Answer::Resolved(value),
        Either::Left((Err(reason), _)) => Answer::Rejected(reason),
        Either::Right(_) => Answer::TimedOut,
    }
}

/// A thrown value as a message: an `Error`'s message, or the value as text.
pub fn message_of(err: &JsValue) -> String {
    err.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| err.as_string())
        .unwrap_or_else(|| "an unknown error".into())
}

/// `limit_ms` as people read it: `300 s`.
pub fn seconds(limit_ms: u32) -> String {
    format!("{} s", limit_ms / 1000)
}
