//! `ui`: Leptos components. They read the host's view and send actions; no HTTP, no events.
//!
//! [`mount`] is what the element's JavaScript (`www/myq-topup.js`) calls when `<myq-topup>` is
//! connected; the returned [`MountedWidget`] carries the element's methods.

// The student's build leaves the helpers only the desk's views use unused.
#![cfg_attr(not(feature = "desk"), allow(dead_code))]

mod controls;
#[cfg(feature = "desk")]
mod desk;
#[cfg(not(feature = "desk"))]
#[path = "without_desk.rs"]
mod desk;
mod format;
/// Public for the tests that hold the tables against the rendered widget.
pub mod i18n;
mod topup;

use std::any::Any;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, HtmlElement};

use crate::host::Widget;
use topup::STYLE;
pub use topup::TopUp;

/// A widget mounted into an element's shadow root; unmounts when freed.
#[wasm_bindgen]
pub struct MountedWidget {
    widget: Widget,
    // Keeps the view alive: dropping it removes the view and its reactive owner.
    _view: Box<dyn Any>,
}

#[wasm_bindgen]
impl MountedWidget {
    /// Reads the attributes again and reconnects.
    pub fn refresh(&self) {
        self.widget.start();
    }

    /// `element.topUp(amount)`: see [`Widget::top_up_for_page`].
    #[wasm_bindgen(js_name = topUp)]
    pub fn top_up(&self, amount: JsValue) -> js_sys::Promise {
        let widget = self.widget.clone();
        // Settled from a task on Leptos' executor rather than by `future_to_promise`, whose
        // task type of its own costs the bundle its code.
        let mut settle = None;
        let promise = js_sys::Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
        if let Some((resolve, reject)) = settle {
            leptos::task::spawn_local(async move {
                let (settle, value) = match widget.top_up_for_page(amount).await {
                    Ok(detail) => (resolve, detail),
                    Err(detail) => (reject, detail),
                };
                let _ = settle.call1(&JsValue::UNDEFINED, &value);
            });
        }
        promise
    }

    /// Removes the view from the shadow root.
    pub fn unmount(self) {}
}

/// Mounts the widget into `element`'s (open) shadow root and starts it.
#[wasm_bindgen]
pub fn mount(element: HtmlElement) -> MountedWidget {
    let widget = Widget::new(element);
    let root = widget.shadow_root();
    root.set_inner_html("");
    adopt_style(&root);
    let container: HtmlElement = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("div").ok())
        .and_then(|e| e.dyn_into().ok())
        .expect("a page can create a div");
    container.set_class_name("myq-topup__root");
    root.append_child(&container)
        .expect("a shadow root takes children");
    let view = leptos::mount::mount_to(container, {
        let widget = widget.clone();
        move || view! { <TopUp widget=widget /> }
    });
    widget.start();
    MountedWidget {
        widget,
        _view: Box::new(view),
    }
}

/// The widget's styles as a constructed style sheet: allowed under a CSP without
/// `'unsafe-inline'`, unlike a `<style>` element.
fn adopt_style(root: &web_sys::ShadowRoot) {
    let Ok(sheet) = CssStyleSheet::new() else {
        return;
    };
    let _ = sheet.replace_sync(STYLE);
    let sheets = js_sys::Array::of1(&sheet);
    let _ = js_sys::Reflect::set(root, &JsValue::from_str("adoptedStyleSheets"), &sheets);
}
