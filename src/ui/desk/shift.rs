//! A desk's shift: the operator's cash credits since a day (today unless chosen), their count
//! and total, "Download CSV", and a flag on a credit that was a mistake (MyQ X cannot take
//! credit back, so an administrator corrects it there).

use leptos::either::Either;
use leptos::prelude::*;

use super::super::format::{rfc3339_date_time, today};
use super::super::topup::{Action, Shared, notice};
use crate::host::{PaymentId, ShiftLine};

/// The shift view: the day, the summary, the credits, and the way back to finding users.
pub(crate) fn shift_view(shared: Shared) -> impl IntoView {
    let texts = shared.texts_now();
    let asked = shared.view.with_untracked(|v| v.shift.since.clone());
    let since = RwSignal::new(if asked.is_empty() { today() } else { asked });
    let busy = {
        let shared = shared.clone();
        move || shared.view.with(|v| v.shift.busy)
    };
    // The host ignores a shift call while another runs: the click guard.
    let show = {
        let shared = shared.clone();
        move |event: leptos::ev::SubmitEvent| {
            event.prevent_default();
            shared.act(Action::ShowShift(since.get_untracked()));
        }
    };
    let back = shared.clone();
    let download = shared.clone();
    view! {
        <section class="myq-topup__shift" part="shift" aria-label=texts.shift>
            <h3 class="myq-topup__heading">{texts.shift}</h3>
            <form class="myq-topup__shift-since" on:submit=show novalidate>
                <label class="myq-topup__find-by">
                    {texts.since} " "
                    <input
                        class="myq-topup__input"
                        part="input"
                        type="date"
                        prop:value=move || since.get()
                        on:change=move |event| since.set(event_target_value(&event))
                    />
                </label>
                <button
                    class="myq-topup__button myq-topup__button--secondary"
                    part="button"
                    type="submit"
                    aria-busy=move || busy().to_string()
                >
                    {texts.show}
                </button>
            </form>
            {credits(shared.clone())}
            <div class="myq-topup__actions">
                <button
                    class="myq-topup__button"
                    part="button"
                    type="button"
                    on:click=move |_| download.act(Action::DownloadShift)
                >
                    {texts.download_csv}
                </button>
                <button
                    class="myq-topup__button myq-topup__button--secondary"
                    part="button"
                    type="button"
                    on:click=move |_| back.widget().close_shift()
                >
                    {texts.back_to_find}
                </button>
            </div>
        </section>
        {notice(shared)}
    }
}

/// The summary and the credits of the shift the gateway last answered.
fn credits(shared: Shared) -> impl IntoView {
    let shift = Memo::new({
        let shared = shared.clone();
        move |_| shared.view.with(|v| v.shift.shift.clone())
    });
    // The credit whose flag form is open.
    let flagging = RwSignal::new(None::<PaymentId>);
    move || {
        let shift = shift.get()?;
        let texts = shared.texts();
        let summary = format!(
            "{} · {}: {} · {}: {}",
            texts.credits(shift.count, &shared.plural(shift.count)),
            texts.total,
            shared.money(shift.total),
            texts.flagged,
            shift.flagged
        );
        let lines = if shift.lines.is_empty() {
            view! { <p class="myq-topup__status">{texts.no_credits}</p> }.into_any()
        } else {
            let rows = shift
                .lines
                .into_iter()
                .map(|line| row(&shared, line, flagging))
                .collect_view();
            view! {
                <table class="myq-topup__shift-lines" part="shift-lines">
                    <thead><tr>
                        <th scope="col">{texts.time}</th>
                        <th scope="col">{texts.receipt_payment}</th>
                        <th scope="col">{texts.user}</th>
                        <th scope="col">{texts.amount}</th>
                        <th scope="col">{texts.flagged}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }
            .into_any()
        };
        Some(view! {
            <p class="myq-topup__shift-summary" part="shift-summary" role="status">{summary}</p>
            {lines}
        })
    }
}

/// One credit: when, which payment, whom, how much, and its flag or a way to flag it.
fn row(
    shared: &Shared,
    line: ShiftLine,
    flagging: RwSignal<Option<PaymentId>>,
) -> impl IntoView + use<> {
    let user = line
        .username
        .clone()
        .unwrap_or_else(|| line.user_id.to_string());
    let flag = match line.flag {
        Some(flag) => format!("{} ({})", flag.reason, flag.by).into_any(),
        None => flag_cell(shared.clone(), line.payment_id.clone(), flagging).into_any(),
    };
    view! {
        <tr>
            <td>{rfc3339_date_time(&shared.locale(), &line.credited_at)}</td>
            <td>{line.payment_id.to_string()}</td>
            <td>{user}</td>
            <td class="myq-topup__shift-amount">{shared.money(line.amount)}</td>
            <td>{flag}</td>
        </tr>
    }
}

/// "Flag as a mistake", or the open form that asks why.
fn flag_cell(
    shared: Shared,
    id: PaymentId,
    flagging: RwSignal<Option<PaymentId>>,
) -> impl IntoView {
    let texts = shared.texts_now();
    let reason = RwSignal::new(String::new());
    move || {
        let id = id.clone();
        if flagging.with(|f| f.as_ref() != Some(&id)) {
            return Either::Left(view! {
                <button
                    class="myq-topup__button myq-topup__button--secondary"
                    part="button"
                    type="button"
                    on:click=move |_| flagging.set(Some(id.clone()))
                >
                    {texts.flag_mistake}
                </button>
            });
        }
        let shared = shared.clone();
        let submit = move |event: leptos::ev::SubmitEvent| {
            event.prevent_default();
            shared.act(Action::FlagCredit(id.clone(), reason.get_untracked()));
        };
        Either::Right(view! {
            <form class="myq-topup__flag" on:submit=submit novalidate>
                <label class="myq-topup__label">
                    {texts.flag_reason}
                    <input
                        class="myq-topup__input"
                        part="input"
                        type="text"
                        maxlength="255"
                        autocomplete="off"
                        prop:value=move || reason.get()
                        on:input=move |event| reason.set(event_target_value(&event))
                    />
                </label>
                <button class="myq-topup__button" part="button" type="submit">
                    {texts.flag}
                </button>
                <button
                    class="myq-topup__button myq-topup__button--secondary"
                    part="button"
                    type="button"
                    on:click=move |_| flagging.set(None)
                >
                    {texts.cancel}
                </button>
            </form>
        })
    }
}
