//! Unfinished payments (to finish or cancel) and the recent ones with their states.

use leptos::prelude::*;

use crate::ui::controls::{region, secondary_button};

use super::{Action, Shared, acting};
use crate::host::{Payment, PaymentState};

/// How many recent payments are listed.
const RECENT: usize = 5;

/// Payments left `created`: by an earlier page, or by a flow that could not finish.
#[component]
pub(super) fn Unfinished() -> impl IntoView {
    let shared = Shared::from_context();
    let pending = Memo::new(move |_| shared.view.with(|v| v.pending.clone()));
    let list = move |pending: Vec<Payment>| {
        if pending.is_empty() {
            return None;
        }
        let texts = shared.texts();
        let heading = texts.unfinished(pending.len(), &shared.plural(pending.len()));
        let items = pending
            .into_iter()
            .map(|payment| {
                let id = payment.id.clone();
                view! {
                    <li class="myq-topup__unfinished-item">
                        <span>{payment_text(&shared, &payment)}</span>
                        <button
                            class="myq-topup__button"
                            part="button"
                            type="button"
                            on:click=acting(shared.clone(), Action::Finish(id.clone()))
                        >
                            {texts.finish}
                        </button>
                        {secondary_button("", texts.cancel_payment, {
                            let shared = shared.clone();
                            move || shared.act(Action::Cancel(id.clone()))
                        })}
                    </li>
                }
            })
            .collect_view();
        let label = heading.clone();
        Some(view! {
            <section class="myq-topup__unfinished" part="unfinished" aria-label=label>
                <h3 class="myq-topup__heading">{heading}</h3>
                <ul class="myq-topup__list">{items}</ul>
            </section>
        })
    };
    region(pending, list)
}

/// The latest payments, newest first, with their states.
#[component]
pub(super) fn Recent() -> impl IntoView {
    let shared = Shared::from_context();
    let recent = Memo::new(move |_| {
        shared
            .view
            .with(|v| v.payments.iter().take(RECENT).cloned().collect::<Vec<_>>())
    });
    let list = move |recent: Vec<Payment>| {
        if recent.is_empty() {
            return None;
        }
        let texts = shared.texts();
        let items = recent
            .iter()
            .map(|payment| {
                let state = match payment.state {
                    PaymentState::Created => "created",
                    PaymentState::Completed => "completed",
                    PaymentState::Canceled => "canceled",
                };
                view! {
                    <li class=format!("myq-topup__payment myq-topup__payment--{state}")>
                        {payment_text(&shared, payment)} " · " {texts.state(&payment.state)}
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <section class="myq-topup__recent" part="payments" aria-label=texts.recent>
                <h3 class="myq-topup__heading">{texts.recent}</h3>
                <ul class="myq-topup__list">{items}</ul>
            </section>
        })
    };
    region(recent, list)
}

/// "No. 5 · 15,00 Kč".
fn payment_text(shared: &Shared, payment: &Payment) -> String {
    let amount = shared.money(payment.amount);
    match &payment.payment_no {
        Some(number) => format!("{} {number} · {amount}", shared.texts().number),
        None => amount,
    }
}
