//! Controls and handlers the views share: one markup and one class list for each control, and
//! one closure type for each kind of handler (each type costs the bundle its own code).

use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;

/// A secondary button (`myq-topup__button--secondary`; `modifier` adds a class of the view's)
/// that calls `on_click`.
pub(crate) fn secondary_button(
    modifier: &'static str,
    label: &'static str,
    on_click: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    secondary_button_of(modifier, label, Arc::new(on_click))
}

/// [`secondary_button`]'s one view type: built here, not in a generic function, which would
/// build it once per caller.
fn secondary_button_of(
    modifier: &'static str,
    label: &'static str,
    on_click: Arc<dyn Fn() + Send + Sync>,
) -> impl IntoView {
    view! {
        <button
            class=format!("myq-topup__button myq-topup__button--secondary {modifier}")
            part="button"
            type="button"
            on:click=clicking_of(on_click)
        >
            {label}
        </button>
    }
}

/// A one-line field `id` of `kind` (`text`, `date`) holding `text`, with `node_ref` to focus
/// it: no autocomplete or spell check (usernames, card numbers, short reasons, days), and at
/// most the 255 characters MyQ X and the gateway keep of a text.
pub(crate) fn input_field(
    id: &'static str,
    kind: &'static str,
    text: RwSignal<String>,
    node_ref: NodeRef<html::Input>,
) -> impl IntoView {
    view! {
        <input
            id=id
            class="myq-topup__input"
            part="input"
            type=kind
            maxlength="255"
            autocomplete="off"
            spellcheck="false"
            node_ref=node_ref
            prop:value=move || text.get()
            on:input=move |event| text.set(event_target_value(&event))
        />
    }
}

/// An ARIA true/false attribute from `value`: one closure type for all of them (each type costs
/// the bundle its own render effect).
pub(crate) fn aria_flag(
    value: impl Fn() -> bool + Send + Sync + 'static,
) -> impl Fn() -> String + Clone + Send + Sync {
    aria_flag_of(Arc::new(value))
}

/// A reactive true/false (a class, `hidden`, `disabled`): one closure type for all of them
/// (each type costs the bundle its own render effect).
pub(crate) fn flag(
    value: impl Fn() -> bool + Send + Sync + 'static,
) -> impl Fn() -> bool + Clone + Send + Sync {
    flag_of(Arc::new(value))
}

/// [`flag`]'s one closure type (a closure in a generic function would be one per caller).
fn flag_of(value: Arc<dyn Fn() -> bool + Send + Sync>) -> impl Fn() -> bool + Clone + Send + Sync {
    move || value()
}

/// [`aria_flag`]'s one closure type (a closure in a generic function would be one per caller).
fn aria_flag_of(
    value: Arc<dyn Fn() -> bool + Send + Sync>,
) -> impl Fn() -> String + Clone + Send + Sync {
    move || value().to_string()
}

/// A click handler that runs `then`: one handler type for every button (each type costs the
/// bundle its own code).
pub(crate) fn clicking(
    then: impl Fn() + Send + Sync + 'static,
) -> impl Fn(leptos::ev::MouseEvent) + Clone {
    clicking_of(Arc::new(then))
}

/// [`clicking`]'s one handler type (a closure in a generic function would be one per caller).
fn clicking_of(then: Arc<dyn Fn() + Send + Sync>) -> impl Fn(leptos::ev::MouseEvent) + Clone {
    move |_| then()
}

/// Focuses what `target` finds once the next frame is drawn (the element is not there before).
/// One closure type for every such focus: each costs the bundle its own glue.
pub(crate) fn focus_next_frame(target: Box<dyn Fn() -> Option<web_sys::HtmlElement>>) {
    request_animation_frame(move || {
        if let Some(element) = target() {
            let _ = element.focus();
        }
    });
}

/// A region built anew whenever `key` changes, never diffed against what it showed.
///
/// It shows `view(key)` inside an element of its own (`myq-topup__slot`, laid out as its
/// parent's own children: `display: contents`); when the key changes, what showed is unmounted,
/// the effects and signals it made are disposed of, and `view(key)` is built in its place. A
/// closure returning a view does the same, but diffs each new view against the last, and that
/// diffing is compiled in for every view type the closure can return (for the widget's parts,
/// 3 KB gzip of a student's bundle and 5.7 KB of a desk's). Where the key changes seldom,
/// building anew costs less code and no time that shows. The first view is built with the
/// region, and only `key` is tracked: `view` reads what changes inside it in closures of its
/// own.
///
/// ```ignore
/// let part = region(phase, move |phase| part_view(phase, shared.clone()));
/// view! { <section class="myq-topup">{part}</section> }
/// ```
pub(crate) fn region<K, V, F>(key: Memo<K>, view: F) -> impl IntoView
where
    K: Clone + PartialEq + Send + Sync + 'static,
    V: Render + 'static,
    F: Fn(K) -> V + Clone + 'static,
{
    view! { <div class="myq-topup__slot" use:rebuilt=(key, view)></div> }
}

/// The directive behind [`region`] (a directive runs as its element is built).
fn rebuilt<K, V, F>(slot: web_sys::Element, (key, view): (Memo<K>, F))
where
    K: Clone + PartialEq + Send + Sync + 'static,
    V: Render + 'static,
    F: Fn(K) -> V + 'static,
{
    let shown = RenderEffect::new(move |before: Option<V::State>| {
        let key = key.get();
        if let Some(mut before) = before {
            before.unmount();
        }
        let mut state = untrack(|| view(key).build());
        state.mount(&slot, None);
        state
    });
    // What shows goes with the element's view: its effects must not outlive the signals they
    // read, which go with it.
    let shown = send_wrapper::SendWrapper::new(shown);
    on_cleanup(move || drop(shown.take_value()));
}
