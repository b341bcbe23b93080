//! A desk's shift: the operator's cash credits since a day (today unless chosen), their count
//! and total, "Download CSV", and a flag on a credit that was a mistake (MyQ X cannot take
//! credit back, so an administrator corrects it there).

use leptos::either::Either;
use leptos::html;
use leptos::prelude::*;

use super::super::controls::{aria_flag, focus_next_frame, input_field, secondary_button};
use super::super::format::{rfc3339_date_time, today};
use super::super::topup::{Action, DeskAction, Shared, notice};
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
            shared.act(Action::Desk(DeskAction::ShowShift(since.get_untracked())));
        }
    };
    let back = shared.clone();
    let download = shared.clone();
    // Keyboard first: the day has the focus; Enter shows it, Tab reaches the credits.
    let day = NodeRef::<html::Input>::new();
    focus_next_frame(Box::new(move || day.try_get_untracked()?.map(Into::into)));
    view! {
        <section class="myq-topup__shift" part="shift" aria-label=texts.desk.shift>
            <h3 class="myq-topup__heading">{texts.desk.shift}</h3>
            <form class="myq-topup__shift-since" on:submit=show novalidate>
                <label class="myq-topup__shift-day">
                    {texts.desk.since} " "
                    {input_field("myq-topup-since", "date", since, day)}
                </label>
                <button
                    class="myq-topup__button myq-topup__button--secondary"
                    part="button"
                    type="submit"
                    aria-busy=aria_flag(busy)
                >
                    {texts.desk.show}
                </button>
            </form>
            {credits(shared.clone())}
            <div class="myq-topup__actions">
                <button
                    class="myq-topup__button"
                    part="button"
                    type="button"
                    on:click=move |_| download.act(Action::Desk(DeskAction::DownloadShift))
                >
                    {texts.desk.download_csv}
                </button>
                {secondary_button("", texts.desk.back_to_find, move || back.widget().close_shift())}
            </div>
        </section>
        {notice(shared)}
    }
}

/// The summary and the credits of the shift the gateway last answered, and the flag form of
/// the credit being flagged. Built anew when either changes: rows hold no signals of their own.
fn credits(shared: Shared) -> impl IntoView {
    // The credit whose flag form is open, and the reason typed.
    let flagging = RwSignal::new(None::<PaymentId>);
    let reason = RwSignal::new(String::new());
    move || {
        // Read from the view without a memo of its own (each memo type costs the bundle); the
        // shift phase's view changes only with a shift call, which shows its answer anyway.
        let shift = shared.view.with(|v| v.shift.shift.clone())?;
        let texts = shared.texts();
        // Counted from the lines, so a flag given here counts at once.
        let flagged = shift
            .lines
            .iter()
            .filter(|line| line.flag.is_some())
            .count();
        let summary = format!(
            "{} · {}: {} · {}: {}",
            texts.credits(shift.count, &shared.plural(shift.count)),
            texts.desk.total,
            shared.money(shift.total),
            texts.desk.flagged,
            flagged
        );
        // A flagged credit's form closes.
        let open = flagging.get().filter(|id| {
            let line = shift.lines.iter().find(|line| &line.payment_id == id);
            line.is_some_and(|line| line.flag.is_none())
        });
        let rows = shift
            .lines
            .into_iter()
            .map(|line| row(&shared, line, flagging, reason))
            .collect_view();
        let table = (shift.count > 0).then(|| {
            view! {
                <table class="myq-topup__shift-lines" part="shift-lines">
                    <thead><tr>
                        <th scope="col">{texts.desk.time}</th>
                        <th scope="col">{texts.desk.receipt_payment}</th>
                        <th scope="col">{texts.desk.user}</th>
                        <th scope="col">{texts.amount}</th>
                        <th scope="col">{texts.desk.flagged}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }
        });
        let empty = (shift.count == 0)
            .then(|| view! { <p class="myq-topup__status">{texts.desk.no_credits}</p> });
        Some(view! {
            <p class="myq-topup__shift-summary" part="shift-summary" role="status">{summary}</p>
            {table}
            {empty}
            {open.map(|id| flag_form(&shared, id, flagging, reason))}
        })
    }
}

/// One credit: when, which payment, whom, how much, and its flag or a way to flag it.
fn row(
    shared: &Shared,
    line: ShiftLine,
    flagging: RwSignal<Option<PaymentId>>,
    reason: RwSignal<String>,
) -> impl IntoView + use<> {
    let user = line
        .username
        .clone()
        .unwrap_or_else(|| line.user_id.to_string());
    let id = line.payment_id.clone();
    let flag = match line.flag {
        Some(flag) => Either::Left(format!("{} ({})", flag.reason, flag.by)),
        None => Either::Right(secondary_button(
            "",
            shared.texts().desk.flag_mistake,
            move || {
                reason.set(String::new());
                flagging.set(Some(id.clone()));
            },
        )),
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

/// Why the credit `id` is a mistake: the reason, "Flag" and "Cancel"; focused when it opens.
fn flag_form(
    shared: &Shared,
    id: PaymentId,
    flagging: RwSignal<Option<PaymentId>>,
    reason: RwSignal<String>,
) -> impl IntoView + use<> {
    let texts = shared.texts();
    let input = NodeRef::<html::Input>::new();
    focus_next_frame(Box::new(move || input.try_get_untracked()?.map(Into::into)));
    let label = format!(
        "{} ({} {id})",
        texts.desk.flag_reason, texts.desk.receipt_payment
    );
    let submit = {
        let shared = shared.clone();
        move |event: leptos::ev::SubmitEvent| {
            event.prevent_default();
            shared.act(Action::Desk(DeskAction::FlagCredit(
                id.clone(),
                reason.get_untracked(),
            )));
        }
    };
    view! {
        <form class="myq-topup__flag" on:submit=submit novalidate>
            <label class="myq-topup__label" for="myq-topup-flag-reason">{label}</label>
            {input_field("myq-topup-flag-reason", "text", reason, input)}
            <div class="myq-topup__actions">
                <button class="myq-topup__button" part="button" type="submit">{texts.desk.flag}</button>
                {secondary_button("", texts.desk.cancel, move || flagging.set(None))}
            </div>
        </form>
    }
}
