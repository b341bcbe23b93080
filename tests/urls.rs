//! The hostile URL table, judged by the browser's own `URL` in headless Chromium: the same
//! verdicts as the native test, which judges it with the `url` crate.

#![cfg(target_arch = "wasm32")]

#[path = "../src/host/url_cases.rs"]
mod url_cases;

use myq_topup::host::Config;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn judges_urls_as_the_browser_parses_them() {
    let misses = url_cases::misses(|url, page| {
        let attribute = |name: &str| match name {
            "base-url" => Some(url.to_owned()),
            "user-id" => Some("1".to_owned()),
            _ => None,
        };
        Config::read(attribute, page)
            .map(|config| config.base_url)
            .map_err(|err| err.to_string())
    });
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}
