//! Saving text the widget fetched as a file: the shift's CSV. The gateway's download needs the
//! session token, which only the widget holds, so a plain link cannot fetch it.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, HtmlElement, Url};

/// Offers `text` to the reader as a download named `file_name`, through an object URL that is
/// released a minute later.
pub fn save_text(element: &HtmlElement, file_name: &str, mime: &str, text: &str) -> Option<()> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    let url = Url::create_object_url_with_blob(&blob).ok()?;
    // In the element's document, not its shadow root: a detached link downloads alike.
    let link: HtmlAnchorElement = element
        .owner_document()?
        .create_element("a")
        .ok()?
        .dyn_into()
        .ok()?;
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    // Released a while later: some browsers read the blob after `click` returns.
    let release = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = Url::revoke_object_url(&url);
    });
    web_sys::window()?
        .set_timeout_with_callback_and_timeout_and_arguments_0(release.unchecked_ref(), 60_000)
        .ok()?;
    Some(())
}
