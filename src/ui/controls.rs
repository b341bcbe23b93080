//! Controls the views share, so that each has one markup and one class list.

use leptos::html;
use leptos::prelude::*;

use super::topup::clicking;

/// A secondary button (`myq-topup__button--secondary`; `modifier` adds a class of the view's)
/// that calls `on_click`.
pub(crate) fn secondary_button(
    modifier: &'static str,
    label: &'static str,
    on_click: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <button
            class=format!("myq-topup__button myq-topup__button--secondary {modifier}")
            part="button"
            type="button"
            on:click=clicking(on_click)
        >
            {label}
        </button>
    }
}

/// A one-line text field `id` holding `text`, with `node_ref` to focus it: no autocomplete or
/// spell check (usernames, card numbers and short reasons), and at most the 255 characters
/// MyQ X and the gateway keep of a text.
pub(crate) fn text_field(
    id: &'static str,
    text: RwSignal<String>,
    node_ref: NodeRef<html::Input>,
) -> impl IntoView {
    view! {
        <input
            id=id
            class="myq-topup__input"
            part="input"
            type="text"
            maxlength="255"
            autocomplete="off"
            spellcheck="false"
            node_ref=node_ref
            prop:value=move || text.get()
            on:input=move |event| text.set(event_target_value(&event))
        />
    }
}
