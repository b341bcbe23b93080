//! "Top up credit", then the amount: presets, a typed amount checked as it is typed, and a
//! confirm button that names the amount and guards against double clicks.
//!
//! At a desk the form is open from the start, its field focused, and the button asks twice:
//! "Credit cash 100 Kč" (Enter in the field), then "Confirm: 100 Kč in cash" (Enter again).

use leptos::html;
use leptos::prelude::*;

use super::{Action, Shared};
use crate::ui::controls::{aria_flag, clicking, flag, focus_next_frame, secondary_button};

#[component]
pub(super) fn AmountForm(desk: bool) -> impl IntoView {
    let shared = Shared::from_context();
    let open = RwSignal::new(desk);
    // At a desk: the amount the operator pressed "Credit cash" for, to confirm.
    let confirming = RwSignal::new(None);
    let confirm = NodeRef::<html::Button>::new();
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

    let focus_input =
        move || focus_next_frame(Box::new(move || input.try_get_untracked()?.map(Into::into)));
    let show_form = move || {
        open.set(true);
        focus_input();
    };
    if desk {
        focus_input();
    }
    let hide_form = move || {
        open.set(false);
        focus_next_frame(Box::new(move || {
            opener.try_get_untracked()?.map(Into::into)
        }));
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
            let Ok(amount) = amount.get_untracked() else {
                return;
            };
            if desk && confirming.get_untracked() != Some(amount) {
                confirming.set(Some(amount));
                if let Some(button) = confirm.get_untracked() {
                    let _ = button.focus();
                }
                return;
            }
            shared.act(Action::TopUp(amount));
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
    let invalid = aria_flag(move || touched.get() && amount.with(Result::is_err));
    let presets = amounts
        .into_iter()
        .map(|preset| {
            let label = shared.money(preset);
            let chosen = move || amount.get() == Ok(preset);
            view! {
                <button
                    class="myq-topup__preset"
                    class:myq-topup__preset--chosen=flag(chosen)
                    part="preset"
                    type="button"
                    aria-pressed=aria_flag(chosen)
                    on:click=clicking(move || {
                        text.set(texts.decimal(preset));
                        touched.set(true);
                        confirming.set(None);
                    })
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
                Ok(amount) if desk => {
                    texts.credit_cash(&shared.money(amount), confirming.get() == Some(amount))
                }
                Ok(amount) => texts.confirm(&shared.money(amount)),
                Err(_) if desk => texts
                    .credit_cash("", false)
                    .trim_end_matches([' ', ':'])
                    .to_owned(),
                Err(_) => texts.top_up_credit.to_owned(),
            }
        }
    };
    let busy = {
        let shared = shared.clone();
        move || shared.busy()
    };
    let next = shared.clone();

    view! {
        // A closure, not `<Show>`: Show keeps a memo of its condition, a type that costs the
        // bundle its code, and `open` changes only to flip it.
        {move || (!open.get() && !desk).then(|| view! {
            <button
                class="myq-topup__button"
                part="button"
                type="button"
                node_ref=opener
                on:click=clicking(show_form)
            >
                {texts.top_up_credit}
            </button>
        })}
        <form class="myq-topup__form" part="form" hidden=flag(move || !open.get()) on:submit=submit novalidate>
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
                    confirming.set(None);
                }
            />
            <p id="myq-topup-amount-message" class="myq-topup__field-message" aria-live="polite">
                {message}
            </p>
            <div class="myq-topup__actions">
                <button
                    class="myq-topup__button"
                    class:myq-topup__button--busy=flag(busy.clone())
                    part="button confirm"
                    type="submit"
                    node_ref=confirm
                    disabled=flag(move || amount.with(Result::is_err))
                    aria-disabled=aria_flag(busy.clone())
                    aria-busy=aria_flag(busy)
                >
                    {confirm_label}
                </button>
                {secondary_button(
                    "",
                    if desk { texts.desk.next_user } else { texts.close },
                    move || {
                        if desk {
                            next.widget().next_user();
                        } else {
                            hide_form();
                        }
                    },
                )}
            </div>
        </form>
    }
}
