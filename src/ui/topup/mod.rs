//! The widget's face: balance, "Top up credit", the amount form, results, unfinished and recent
//! payments. It reads the host's [`View`] and sends actions to the [`Widget`].

mod form;
mod payments;

use leptos::either::{Either, EitherOf5};
use leptos::prelude::*;
use send_wrapper::SendWrapper;

use crate::host::{FindBy, Money, Notice, PaymentId, Phase, Problem, Provider, View, Widget};
use crate::ui::controls::{aria_flag, clicking, flag, region, secondary_button};
use crate::ui::desk;
use crate::ui::format::{money, plural_category};
use crate::ui::i18n::Texts;

/// What every part of the widget reads: the view, the language, the money format. The root
/// provides it as Leptos context; the parts take it with [`Shared::from_context`].
#[derive(Clone)]
pub(crate) struct Shared {
    widget: SendWrapper<Widget>,
    pub view: ReadSignal<View>,
    /// The locale's tag; its words are looked up from it (a lookup costs less than a memo of
    /// its own: each memo type costs the bundle its code).
    locale: Memo<String>,
}

impl Shared {
    /// The widget's shared state, as the root [`TopUp`] provided it.
    pub fn from_context() -> Shared {
        expect_context::<Shared>()
    }

    /// The words of the language `locale` names.
    pub fn texts(&self) -> &'static Texts {
        self.locale.with(|tag| Texts::of(tag))
    }

    /// The words as they are now, without subscribing. The starting and ready views are built
    /// anew on every (re)start, the only time the language and the configuration change, so
    /// what they show once needs no reactive update: each one costs the bundle code.
    pub fn texts_now(&self) -> &'static Texts {
        self.locale.with_untracked(|tag| Texts::of(tag))
    }

    /// `amount` in the locale's format, with the configured currency. The currency is read
    /// without subscribing: it changes only with the configuration, which restarts the widget and
    /// builds its parts anew (a memo of it would cost the bundle its code).
    pub fn money(&self, amount: Money) -> String {
        let currency = self
            .view
            .with_untracked(|v| v.config.as_ref().and_then(|c| c.currency.clone()));
        money(&self.locale.get(), currency.as_deref(), amount)
    }

    /// `Intl.PluralRules`' category for `count` in the widget's locale.
    pub fn plural(&self, count: usize) -> String {
        plural_category(&self.locale.get(), count)
    }

    /// A problem in the widget's language, amounts formatted for the reader.
    pub fn problem(&self, problem: &Problem) -> String {
        self.texts().problem(problem, |amount| self.money(amount))
    }

    /// The locale's tag, as `Intl` takes it.
    pub fn locale(&self) -> String {
        self.locale.get()
    }

    /// The widget, for a desk's synchronous actions (pick, next user, print).
    pub fn widget(&self) -> &Widget {
        &self.widget
    }

    /// Whether this is a desk (`desk`).
    pub fn desk(&self) -> bool {
        self.view
            .with_untracked(|v| v.config.as_ref().is_some_and(|c| c.desk()))
    }

    pub fn busy(&self) -> bool {
        self.view.with(|v| v.busy.is_some())
    }

    /// Runs an action in the background; its result shows through the view.
    pub fn act(&self, action: Action) {
        let widget = Widget::clone(&self.widget);
        // One task type for every action: each spawned future type costs the bundle its own code.
        leptos::task::spawn_local(async move {
            match action {
                Action::TopUp(amount) => drop(widget.top_up(amount).await),
                Action::Finish(id) => drop(widget.finish(&id).await),
                Action::Cancel(id) => drop(widget.cancel(&id).await),
                Action::Desk(action) => desk::act(&widget, action).await,
            }
        });
    }
}

/// What a click asks of the widget.
#[derive(Clone)]
pub(crate) enum Action {
    TopUp(Money),
    /// Commit an unfinished payment, by id.
    Finish(PaymentId),
    /// Roll an unfinished payment back, by id.
    Cancel(PaymentId),
    /// At a desk: run by the desk's module, so that a build without it has none of its flows.
    Desk(DeskAction),
}

/// What a click at a help desk asks of the widget.
#[derive(Clone)]
pub(crate) enum DeskAction {
    /// Find users by what the operator typed or scanned.
    Find(String, FindBy),
    /// The operator's shift since a day (`YYYY-MM-DD`).
    ShowShift(String),
    /// Flag a credit as a mistake, with the operator's reason.
    FlagCredit(PaymentId, String),
    /// The shown shift as a CSV file.
    DownloadShift,
}

#[component]
pub fn TopUp(widget: Widget) -> impl IntoView {
    let view = widget.view();
    let locale = {
        let widget = SendWrapper::new(widget.clone());
        // Read again at every (re)start, when the view is new.
        Memo::new(move |_| view.with(|_| widget.language()))
    };
    let shared = Shared {
        widget: SendWrapper::new(widget),
        view,
        locale,
    };
    provide_context(shared.clone());
    // Which part shows; a memo, so the part is built anew only when the phase changes.
    let phase = Memo::new(move |_| view.with(|v| v.phase.clone()));
    let busy = {
        let shared = shared.clone();
        aria_flag(move || phase.with(|p| *p == Phase::Starting) || shared.busy())
    };
    let live = live_text(shared.clone());
    // Each part built anew when the phase changes, never diffed (see `region`).
    let part = region(phase, move |phase| part_view(phase, shared.clone()));
    view! {
        <section
            class="myq-topup"
            part="container"
            lang=move || locale.get()
            aria-busy=busy
        >
            {part}
            <p class="myq-topup__live" role="status" aria-live="polite">{live}</p>
        </section>
    }
}

fn part_view(phase: Phase, shared: Shared) -> impl IntoView {
    match phase {
        Phase::Starting => EitherOf5::A(view! {
            <p class="myq-topup__status">{shared.texts_now().loading}</p>
        }),
        Phase::Failed(problem) => EitherOf5::B(start_failure(shared, problem)),
        Phase::Ready => EitherOf5::C(ready_view(shared)),
        Phase::Find => EitherOf5::D(desk::find_view(shared)),
        Phase::Shift => EitherOf5::E(desk::shift_view(shared)),
    }
}

/// The widget could not start: why, and a way to try again.
fn start_failure(shared: Shared, problem: Problem) -> impl IntoView {
    let texts = shared.texts_now();
    let message = shared.problem(&problem);
    let restart = shared.clone();
    view! {
        {alert(format!("{} {message}", texts.cannot_start))}
        {secondary_button("", texts.try_again, move || restart.widget.start())}
    }
}

fn ready_view(shared: Shared) -> impl IntoView {
    // One paragraph whose amount changes, hidden while MyQ X has told no balance: a paragraph
    // shown or not by a closure would compile in its diffing against itself.
    let balance = {
        let view = shared.view;
        let untold = flag(move || view.with(|v| v.balance.is_none()));
        let money = shared.clone();
        let amount = move || view.with(|v| v.balance).map(|b| money.money(b));
        view! {
            <p class="myq-topup__balance" part="balance" hidden=untold>
                {shared.texts_now().credit} ": "
                <strong class="myq-topup__balance-value">{amount}</strong>
            </p>
        }
    };
    // Fixed while the ready view lives (see `Shared::texts_now`). The part keeps its name from
    // when it listed every provider, so hosts' `::part(providers)` styles still apply.
    let paid_via = shared.view.with_untracked(|v| {
        let label = provider_label(&v.providers, &v.config.as_ref()?.provider)?.to_owned();
        Some(view! {
            <p class="myq-topup__provider" part="providers">
                {shared.texts_now().paid_via} ": " {label}
            </p>
        })
    });
    let desk = shared.desk();
    view! {
        {desk::student(&shared)}
        {balance}
        <form::AmountForm desk=desk />
        {paid_via}
        {notice(shared.clone())}
        <payments::Unfinished />
        <payments::Recent />
        {desk::receipt(&shared)}
    }
}

/// What the student's payment goes through, in the administrator's words: the configured
/// provider's description, else its name. The other providers are no choice a student can make
/// here (the `provider` attribute picks one), so they are not shown.
fn provider_label<'a>(providers: &'a [Provider], reference: &str) -> Option<&'a str> {
    let provider = providers.iter().find(|p| p.reference == reference)?;
    [&provider.description, &provider.name]
        .into_iter()
        .map(|text| text.trim())
        .find(|text| !text.is_empty())
}

/// A click handler that asks `action` of the widget, as [`clicking`].
pub(crate) fn acting(shared: Shared, action: Action) -> impl Fn(leptos::ev::MouseEvent) + Clone {
    clicking(move || shared.act(action.clone()))
}

/// The last flow's result; problems are alerts, with a retry where it makes sense.
pub(crate) fn notice(shared: Shared) -> impl IntoView {
    let notice = Memo::new(move |_| shared.view.with(|v| v.notice.clone()));
    let shown = move |notice: Option<Notice>| {
        let notice = notice?;
        let Notice::Problem(problem) = &notice else {
            let text = result_text(&shared, &notice);
            return Some(Either::Left(
                view! { <p class="myq-topup__result" part="result">{text}</p> },
            ));
        };
        let retry = problem
            .can_retry()
            .then(|| shared.view.with_untracked(|v| v.last_amount))
            .flatten()
            .map(|amount| {
                let shared = shared.clone();
                secondary_button("", shared.texts_now().try_again, move || {
                    shared.act(Action::TopUp(amount))
                })
            });
        Some(Either::Right(
            view! { {alert(shared.problem(problem))} {retry} },
        ))
    };
    region(notice, shown)
}

/// A problem, announced at once (`role="alert"`).
fn alert(message: String) -> impl IntoView {
    view! {
        <div class="myq-topup__problem" part="error" role="alert">
            <p class="myq-topup__error">{message}</p>
        </div>
    }
}

/// What the live region announces: the running step, then the result.
fn live_text(shared: Shared) -> impl Fn() -> String {
    move || {
        shared.view.with(|v| match (&v.busy, &v.notice) {
            (Some(step), _) => shared.texts().progress(step).to_owned(),
            (None, Some(notice)) => result_text(&shared, notice).unwrap_or_default(),
            (None, None) => String::new(),
        })
    }
}

/// The words of a committed or rolled-back notice; problems are worded where they show.
fn result_text(shared: &Shared, notice: &Notice) -> Option<String> {
    let texts = shared.texts();
    match notice {
        Notice::Committed {
            payment_no,
            payment_id,
            credited,
            balance,
        } => Some(texts.committed(
            &shared.money(*credited),
            (payment_no.as_deref(), payment_id),
            balance.map(|b| shared.money(b)).as_deref(),
        )),
        Notice::RolledBack { reason } => Some(texts.rolled_back(reason, |m| shared.money(m))),
        Notice::Problem { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(reference: &str, name: &str, description: &str) -> Provider {
        Provider {
            name: name.into(),
            reference: reference.into(),
            description: description.into(),
        }
    }

    #[test]
    fn names_the_configured_provider_by_its_description_then_its_name() {
        let providers = [
            provider("external", "External Payment Providers", ""),
            provider("paypal", "PayPal", "Pay with your PayPal account"),
            provider("voucher", "", " "),
        ];
        let label = |reference| provider_label(&providers, reference);
        assert_eq!(label("external"), Some("External Payment Providers"));
        assert_eq!(label("paypal"), Some("Pay with your PayPal account"));
        assert_eq!(label("voucher"), None, "no words to show");
        assert_eq!(label("card"), None, "not an active provider");
    }
}
