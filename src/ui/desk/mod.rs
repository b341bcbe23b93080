//! The help desk (`<myq-topup desk>`): find a user by what the operator types or scans, pick
//! one, then the amount form credits cash; a receipt after each credit.

mod receipt;
mod shift;

use leptos::either::Either;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::controls::{aria_flag, clicking, focus_next_frame, input_field, secondary_button};
use super::format::today;
use super::topup::{Action, DeskAction, Shared, notice};
use crate::host::{FindBy, User, Widget};

pub(crate) use receipt::receipt;
pub(crate) use shift::shift_view;

/// The find form, what it found, and the last credit's result and receipt.
pub(crate) fn find_view(shared: Shared) -> impl IntoView {
    let texts = shared.texts_now();
    let text = RwSignal::new(String::new());
    // The operator's choice stays from one user to the next.
    let chosen = shared.widget().find_by();
    let by = RwSignal::new(chosen);
    let input = NodeRef::<html::Input>::new();
    // Keyboard first: the field is focused for the next scan (unless the view is gone by then:
    // a scan found someone at once).
    focus_next_frame(Box::new(move || input.try_get_untracked()?.map(Into::into)));
    let submit = {
        let shared = shared.clone();
        move |event: leptos::ev::SubmitEvent| {
            event.prevent_default();
            // The click guard: a find at a time, nothing while a credit settles.
            if shared.view.with_untracked(|v| v.finding) || shared.busy() {
                return;
            }
            shared.act(Action::Desk(DeskAction::Find(
                text.get_untracked(),
                by.get_untracked(),
            )));
        }
    };
    let shift = shared.clone();
    let finding = {
        let shared = shared.clone();
        aria_flag(move || shared.view.with(|v| v.finding))
    };
    let choices = FindBy::ALL
        .into_iter()
        .map(|choice| {
            view! {
                <option value=choice.key() selected=choice == chosen>
                    {texts.find_by_choice(choice)}
                </option>
            }
        })
        .collect_view();
    view! {
        <form class="myq-topup__find" part="find" role="search" on:submit=submit novalidate>
            <label class="myq-topup__label" for="myq-topup-find">{texts.desk.find_label}</label>
            <div class="myq-topup__find-row">
                {input_field("myq-topup-find", "text", text, input)}
                <label class="myq-topup__find-by">
                    {texts.desk.find_by} " "
                    <select
                        class="myq-topup__input"
                        part="input"
                        on:change=move |event| by.set(FindBy::from_key(&event_target_value(&event)))
                    >
                        {choices}
                    </select>
                </label>
                <button
                    class="myq-topup__button"
                    part="button"
                    type="submit"
                    aria-busy=finding
                >
                    {texts.desk.find}
                </button>
            </div>
        </form>
        {found(shared.clone())}
        {notice(shared.clone())}
        {receipt(&shared)}
        {secondary_button("myq-topup__shift-open", texts.desk.shift, move || {
            shift.act(Action::Desk(DeskAction::ShowShift(today())))
        })}
    }
}

/// The users the last find answered, each a button that picks them; or that nobody matched.
fn found(shared: Shared) -> impl IntoView {
    move || {
        // Read from the view without a memo of its own (each memo type costs the bundle): in the
        // find view the view changes only with a find, which replaces the list anyway.
        let found = shared.view.with(|v| v.found.clone())?;
        let texts = shared.texts();
        if found.users.is_empty() {
            return Some(Either::Left(
                view! { <p class="myq-topup__status" role="status">{texts.no_match(&found.text)}</p> },
            ));
        }
        // Keyboard first: the first match takes the focus; Tab to the others, Enter picks.
        let list = NodeRef::<html::Ul>::new();
        focus_next_frame(Box::new(move || {
            let first = list.try_get_untracked()??.query_selector("button").ok()??;
            first.dyn_into().ok()
        }));
        let heading = texts.found(found.users.len());
        let label = heading.clone();
        let items = found
            .users
            .into_iter()
            .map(|user| {
                let label = user_text(&user);
                let shared = shared.clone();
                view! {
                    <li><button
                        class="myq-topup__match"
                        part="match"
                        type="button"
                        on:click=clicking(move || shared.widget().pick(user.clone()))
                    >
                        {label}
                    </button></li>
                }
            })
            .collect_view();
        let more = found
            .more
            .then(|| view! { <p class="myq-topup__status">{texts.desk.more_found}</p> });
        Some(Either::Right(view! {
            <section class="myq-topup__found" part="found" aria-label=label>
                <h3 class="myq-topup__heading">{heading}</h3>
                <ul class="myq-topup__list myq-topup__matches" node_ref=list>{items}</ul>
                {more}
            </section>
        }))
    }
}

/// "Jan Novák · jnovak · jnovak@example.edu", leaving out what MyQ X does not know.
fn user_text(user: &User) -> String {
    [&user.fullname, &user.username, &user.email]
        .into_iter()
        .map(|part| part.trim())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Runs a desk's action (for [`Shared::act`]).
pub(crate) async fn act(widget: &Widget, action: DeskAction) {
    match action {
        DeskAction::Find(text, by) => widget.find(&text, by).await,
        DeskAction::ShowShift(since) => widget.show_shift(since).await,
        DeskAction::FlagCredit(id, reason) => widget.flag_credit(id, reason).await,
        DeskAction::DownloadShift => widget.download_shift().await,
    }
}

/// At a desk, whom the credit goes to.
pub(crate) fn student(shared: &Shared) -> Option<impl IntoView + use<>> {
    let user = shared.view.with_untracked(|v| v.student.clone())?;
    Some(view! {
        <p class="myq-topup__student" part="student">
            {shared.texts_now().desk.user} ": " <strong>{user_text(&user)}</strong>
        </p>
    })
}
