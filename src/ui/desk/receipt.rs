//! A desk's receipt of a cash credit: its own `::part(receipt)`, and in print the only thing
//! on the page (`host/print.rs`, and the print rules in `style.css`).

use leptos::prelude::*;

use super::super::controls::secondary_button;
use super::super::format::date_time;
use super::super::topup::Shared;

/// The last credit's receipt, with "Print receipt".
pub(crate) fn receipt(shared: &Shared) -> Option<impl IntoView + use<>> {
    let receipt = shared.view.with_untracked(|v| v.receipt.clone())?;
    let texts = shared.texts_now();
    let line = |term: &'static str, value: String| {
        view! {
            <dt>{term}</dt>
            <dd>{value}</dd>
        }
    };
    // MyQ's running number; its id when the number is not known.
    let payment = receipt
        .payment_no
        .clone()
        .unwrap_or_else(|| receipt.payment_id.to_string());
    let student = &receipt.student;
    let student = match student.fullname.trim() {
        "" => student.username.clone(),
        name => format!("{name} ({})", student.username),
    };
    let operator = receipt
        .operator
        .clone()
        .map(|operator| line(texts.desk.operator, operator));
    let balance = receipt
        .balance
        .map(|balance| line(texts.new_credit, shared.money(balance)));
    let institution = receipt
        .institution
        .clone()
        .map(|name| view! { <p class="myq-topup__receipt-institution">{name}</p> });
    let printer = shared.clone();
    Some(view! {
        <section class="myq-topup__receipt" part="receipt" aria-label=texts.desk.receipt>
            {institution}
            <h3 class="myq-topup__heading">{texts.desk.receipt}</h3>
            <dl class="myq-topup__receipt-lines">
                {line(texts.desk.date_time, date_time(&shared.locale(), receipt.at_ms))}
                {operator}
                {line(texts.desk.user, student)}
                {line(texts.desk.receipt_payment, payment)}
                {line(texts.amount, shared.money(receipt.amount))}
                {balance}
            </dl>
            {secondary_button("myq-topup__print", texts.desk.print_receipt, move || {
                printer.widget().print_receipt()
            })}
        </section>
    })
}
