//! "Top up credit", then the amount: presets, a typed amount checked as it is typed, and a
//! confirm button that names the amount and guards against double clicks.

use leptos::html;
use leptos::prelude::*;

use super::{Action, Shared};

#[component]
pub(super) fn AmountForm() -> impl IntoView {
    let shared = Shared::from_context();
    let open = RwSignal::new(false);
    let text = RwSignal::new(String::new());
    let touched = RwSignal::new(false);
    let input = NodeRef::<html::Input>::new();
    let opener = NodeRef::<html::Button>::new();
    // Fixed while the form lives (see `Shared::texts_now`).
    let (rules, amounts) = shared
        .view
        .with_untracked(|v| {
            let config = v.config.as_ref()?;
            Some((config.rules.clone(), config.amounts.clone()))
        })
        .unwrap_or_default();
    let texts = shared.texts_now();
    let amount = {
        let rules = rules.clone();
        Memo::new(move |_| rules.parse(&text.get()))
    };

    let show_form = move |_| {
        open.set(true);
        request_animation_frame(move || {
            if let Some(input) = input.get() {
                let _ = input.focus();
            }
        });
    };
    let hide_form = move |_| {
        open.set(false);
        request_animation_frame(move || {
            if let Some(button) = opener.get() {
                let _ = button.focus();
            }
        });
    };
    let submit = {
        let shared = shared.clone();
        move |event: leptos::ev::SubmitEvent| {
            event.prevent_default();
            touched.set(true);
            // The click guard: while a flow runs, further clicks and Enter presses do nothing.
            if shared.busy() {
                return;
            }
            if let Ok(amount) = amount.get_untracked() {
                shared.act(Action::TopUp(amount));
            }
        }
    };
    let message = {
        let shared = shared.clone();
        move || {
            let error = amount.get().err().filter(|_| touched.get())?;
            Some(
                shared
                    .texts()
                    .amount_error(&error, |limit| shared.money(limit)),
            )
        }
    };
    let invalid = move || (touched.get() && amount.with(Result::is_err)).to_string();
    let presets = amounts
        .into_iter()
        .map(|preset| {
            let label = shared.money(preset);
            let chosen = move || amount.get() == Ok(preset);
            view! {
                <button
                    class="myq-topup__preset"
                    class:myq-topup__preset--chosen=chosen
                    part="preset"
                    type="button"
                    aria-pressed=move || chosen().to_string()
                    on:click=move |_| {
                        text.set(texts.decimal(preset));
                        touched.set(true);
                    }
                >
                    {label}
                </button>
            }
        })
        .collect_view();
    let confirm_label = {
        let shared = shared.clone();
        move || {
            let texts = shared.texts();
            if let Some(step) = shared.view.with(|v| v.busy.clone()) {
                return texts.progress(&step).to_owned();
            }
            match amount.get() {
                Ok(amount) => texts.confirm(&shared.money(amount)),
                Err(_) => texts.top_up_credit.to_owned(),
            }
        }
    };
    let busy = {
        let shared = shared.clone();
        move || shared.busy()
    };

    view! {
        <Show when=move || !open.get()>
            <button
                class="myq-topup__button"
                part="button"
                type="button"
                node_ref=opener
                on:click=show_form
            >
                {texts.top_up_credit}
            </button>
        </Show>
        <form class="myq-topup__form" part="form" hidden=move || !open.get() on:submit=submit novalidate>
            <div class="myq-topup__presets" role="group" aria-label=texts.presets>
                {presets}
            </div>
            <label class="myq-topup__label" for="myq-topup-amount">{texts.amount}</label>
            <input
                id="myq-topup-amount"
                class="myq-topup__input"
                part="input"
                type="text"
                inputmode="decimal"
                autocomplete="off"
                node_ref=input
                aria-invalid=invalid
                aria-describedby="myq-topup-amount-message"
                prop:value=move || text.get()
                on:input=move |event| {
                    text.set(event_target_value(&event));
                    touched.set(true);
                }
            />
            <p id="myq-topup-amount-message" class="myq-topup__field-message" aria-live="polite">
                {message}
            </p>
            <div class="myq-topup__actions">
                <button
                    class="myq-topup__button"
                    class:myq-topup__button--busy=busy.clone()
                    part="button confirm"
                    type="submit"
                    disabled=move || amount.with(Result::is_err)
                    aria-disabled={
                        let busy = busy.clone();
                        move || busy().to_string()
                    }
                    aria-busy=move || busy().to_string()
                >
                    {confirm_label}
                </button>
                <button
                    class="myq-topup__button myq-topup__button--secondary"
                    part="button"
                    type="button"
                    on:click=hide_form
                >
                    {texts.close}
                </button>
            </div>
        </form>
    }
}
