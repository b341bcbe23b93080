//! The widget's face: balance, providers, the "Top up credit" button, errors.

use leptos::prelude::*;

use crate::api::Money;
use crate::host::{Status, Widget};

/// The widget's CSS: lives in the shadow root, BEM classes `myq-topup__*`, themed by
/// `--myq-topup-*` custom properties.
pub const STYLE: &str = include_str!("style.css");

#[component]
pub fn TopUp(widget: Widget) -> impl IntoView {
    let status = widget.status();
    let busy = move || matches!(status.get(), Status::Starting);
    view! {
        <section class="myq-topup" part="container" aria-busy=move || busy().to_string()>
            {move || match status.get() {
                Status::Starting => {
                    view! { <p class="myq-topup__status" role="status">"Loading…"</p> }.into_any()
                }
                Status::Ready(account) => {
                    let providers = account
                        .providers
                        .iter()
                        .map(|p| {
                            let selected = p.reference == account.provider;
                            view! {
                                <li
                                    class="myq-topup__provider"
                                    class:myq-topup__provider--selected=selected
                                    data-reference=p.reference.clone()
                                >
                                    {p.name.clone()}
                                </li>
                            }
                        })
                        .collect_view();
                    view! {
                        <p class="myq-topup__balance" part="balance">
                            {account.balance.map(|b| format!("Credit: {}", plain(b)))}
                        </p>
                        <button class="myq-topup__button" part="button" type="button">
                            "Top up credit"
                        </button>
                        <ul class="myq-topup__providers" aria-label="Recharge providers">
                            {providers}
                        </ul>
                    }
                        .into_any()
                }
                Status::Failed(error) => {
                    let retry = widget.clone();
                    view! {
                        <p class="myq-topup__error" part="error" role="alert">
                            {error.message}
                        </p>
                        <button
                            class="myq-topup__button myq-topup__button--secondary"
                            part="button"
                            type="button"
                            on:click=move |_| retry.start()
                        >
                            "Try again"
                        </button>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// `12.5` as `12.50`.
fn plain(amount: Money) -> String {
    let cents = amount.cents();
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}
