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
use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, HtmlElement};

use crate::host::Widget;
pub use topup::TopUp;

/// The widget's CSS: lives in the shadow root, BEM classes `myq-topup__*`, themed by
/// `--myq-topup-*` custom properties and `::part()`. A student's build leaves the desk's
/// rules out.
#[cfg(feature = "desk")]
const STYLE: &str = concat!(
    include_str!("topup/style.css"),
    include_str!("desk/style.css")
);
#[cfg(not(feature = "desk"))]
const STYLE: &str = include_str!("topup/style.css");

/// A widget mounted into an element's shadow root; unmounts when freed.
#[wasm_bindgen]
pub struct MountedWidget {
    widget: Widget,
    // Keeps the view alive once rendered: dropping it removes the view and its reactive owner.
    _view: Rc<RefCell<Option<Box<dyn Any>>>>,
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

/// How long the first render waits for the start to settle. A start that takes longer shows
/// "Loading…" until it settles; a quicker one (three round trips on a fast network) is first
/// rendered as it ended: no flash of "Loading…", and the page's one thread stays free for the
/// start's requests and answers (README, "Benchmarks").
pub const FIRST_RENDER_WAIT_MS: u32 = 100;

/// Mounts the widget into `element`'s (open) shadow root and starts it.
///
/// The start goes first; the first render follows once the start has settled, or after
/// [`FIRST_RENDER_WAIT_MS`], whichever comes first. Until then the element is empty.
#[wasm_bindgen]
pub fn mount(element: HtmlElement) -> MountedWidget {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let widget = Widget::new(element);
    let root = widget.shadow_root();
    root.set_inner_html("");
    let container: HtmlElement = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("div").ok())
        .and_then(|e| e.dyn_into().ok())
        .expect("a page can create a div");
    container.set_class_name("myq-topup__root");
    root.append_child(&container)
        .expect("a shadow root takes children");
    widget.start();
    let view: Rc<RefCell<Option<Box<dyn Any>>>> = Rc::default();
    let slot = Rc::downgrade(&view);
    let rendered = widget.clone();
    leptos::task::spawn_local(async move {
        rendered.settled_within(FIRST_RENDER_WAIT_MS).await;
        // Unmounted before its first render: nothing to show.
        let Some(slot) = slot.upgrade() else {
            return;
        };
        // Parsed when first needed, not before the start's first requests.
        adopt_style(&root);
        let handle = leptos::mount::mount_to(container, move || {
            view! { <TopUp widget=rendered /> }
        });
        slot.replace(Some(Box::new(handle)));
    });
    MountedWidget {
        widget,
        _view: view,
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
