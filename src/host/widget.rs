//! One `<myq-topup>` on the page: its configuration, the top-up session, its state as a signal
//! for the UI, and the events it dispatches.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::JsValue;
use web_sys::HtmlElement;

use super::approval::ElementApproval;
use super::config::{Config, ConfigError};
use super::events::{self, Detail, PaymentDetail, Settled, emit, emit_js};
use super::token::ElementTokens;
use crate::api::desk::Shift;
use crate::api::{
    ApiError, DEFAULT_TIMEOUT_MS, Fetch, Money, Myq, MyqClient, Operation, Payment, PaymentId,
    Provider, User,
};
use crate::topup::{
    self, AmountError, Busy, Claims, FOUND_PAGE, FindBy, FlagReasonError, Intent, IntentKey,
    Outcome, Progress, Reason, Session, StartError, Started, Who, amount_from_number, flag_reason,
    parse_decimal,
};

/// The widget's MyQ X client: the browser's fetch, tokens from the element.
type WidgetClient = MyqClient<Fetch, ElementTokens>;

/// Where the widget is.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Phase {
    #[default]
    Starting,
    Ready,
    /// A desk waits for the operator to find a user.
    Find,
    /// A desk shows the operator's shift (from the find view, and back to it).
    Shift,
    /// The widget cannot go on until the problem is fixed or retried.
    Failed(Problem),
}

/// Why something did not work, kept typed until the view words it in the reader's language;
/// the English `myq-topup-error` detail is made from it only when the event is sent.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// An attribute the widget cannot work with.
    Config(ConfigError),
    /// The amount is not one the widget tops up.
    Amount(AmountError),
    /// The user or the provider is not one the widget can top up (never [`StartError::Api`]:
    /// a failed call is [`Problem::Api`]).
    Start(StartError),
    /// A call failed, or the token source gave no token; nothing changed.
    Api(ApiError),
    /// At a desk: a flag's reason the gateway would refuse; nothing was sent.
    FlagReason(FlagReasonError),
    /// A payment exists but could not be finished; it is listed as unfinished.
    Unfinished {
        payment_id: PaymentId,
        error: ApiError,
    },
}

impl From<StartError> for Problem {
    fn from(err: StartError) -> Self {
        match err {
            StartError::Api(err) => Problem::Api(err),
            other => Problem::Start(other),
        }
    }
}

impl Problem {
    /// Whether the same action may simply be tried again: no answer, or a server error.
    pub fn can_retry(&self) -> bool {
        match self {
            Problem::Api(error) => {
                error.operation != Operation::Token
                    && !error.provider_disabled()
                    && error.status().is_none_or(|status| status >= 500)
            }
            _ => false,
        }
    }

    /// The `myq-topup-error` detail, in English for the page's developers.
    pub fn detail(&self) -> events::Error {
        match self {
            Problem::Config(err) => events::Error::about("config", err),
            Problem::Amount(err) => events::Error::about("input", err),
            Problem::FlagReason(err) => events::Error::about("input", err),
            Problem::Start(err) => err.into(),
            Problem::Api(err) => err.into(),
            Problem::Unfinished { payment_id, error } => events::Error {
                payment_id: Some(payment_id.clone()),
                ..error.into()
            },
        }
    }
}

/// What became of a trigger: a click, `topUp()`.
#[derive(Debug)]
pub enum Triggered {
    /// Not ready, a flow already running, or the payment no longer pending: nothing was done,
    /// as a double click must be.
    Ignored,
    /// The flow ended as asked, committed or rolled back; its event went out.
    Settled(Outcome),
    /// Refused or failed; `myq-topup-error` went out with this detail.
    Failed(events::Error),
}

/// The result of the last flow, shown until the next one starts.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    Committed {
        payment_no: Option<String>,
        /// MyQ's id, shown when the number is not known (it comes with the list of payments
        /// read after the create, which may have failed).
        payment_id: PaymentId,
        credited: Money,
        balance: Option<Money>,
    },
    RolledBack {
        /// Worded by the view in the reader's language (the host's or server's words as
        /// they are).
        reason: Reason,
    },
    Problem(Problem),
}

/// Everything the UI shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct View {
    pub phase: Phase,
    pub config: Option<Config>,
    /// The active recharge providers; the configured one is `config.provider`.
    pub providers: Vec<Provider>,
    pub balance: Option<Money>,
    /// The user's payments with the provider, newest first.
    pub payments: Vec<Payment>,
    /// Those left `created` that the user may finish or cancel (none a flow holds).
    pub pending: Vec<Payment>,
    /// The running flow's step.
    pub busy: Option<Progress>,
    pub notice: Option<Notice>,
    /// The last amount asked for, for a retry.
    pub last_amount: Option<Money>,
    /// At a desk: the user the operator picked (or the one the attributes name).
    pub student: Option<User>,
    /// At a desk: what the last find answered.
    pub found: Option<Found>,
    /// At a desk: a find is running.
    pub finding: bool,
    /// At a desk: the last credit's receipt, shown until the next user is picked.
    pub receipt: Option<Receipt>,
    /// At a desk: the operator's shift, while [`Phase::Shift`].
    pub shift: ShiftView,
}

/// A desk's shift view: what the gateway last answered, and whether a call is running.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ShiftView {
    /// The day asked for (`YYYY-MM-DD`); empty for the gateway's today.
    pub since: String,
    pub shift: Option<Shift>,
    /// A read, a flag or a download is running: the click guard of the shift's buttons.
    pub busy: bool,
}

/// What a desk's find answered: a page of users at most.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// What was looked for, as typed.
    pub text: String,
    pub users: Vec<User>,
    /// More users matched than are listed.
    pub more: bool,
}

/// A desk's proof of a cash credit.
#[derive(Clone, Debug, PartialEq)]
pub struct Receipt {
    pub institution: Option<String>,
    /// When the credit was committed, in milliseconds since 1970 (the view formats it).
    pub at_ms: f64,
    pub operator: Option<String>,
    pub student: User,
    pub payment_no: Option<String>,
    pub payment_id: PaymentId,
    pub amount: Money,
    pub balance: Option<Money>,
}

/// What [`Widget::connect`] reached.
enum Connected {
    Ready(Config, Started, Box<Session<WidgetClient>>),
    /// A desk with nobody picked yet.
    Find(Config),
}

impl View {
    /// Shows what the session knows of the user's money: balance, payments, pending ones.
    fn show_ledger(&mut self, session: &Session<WidgetClient>) {
        self.balance = session.balance();
        self.payments = session.payments();
        self.pending = session.pending();
    }
}

/// The controller of one element. Cheap to clone: clones share everything.
#[derive(Clone)]
pub struct Widget {
    inner: Rc<Inner>,
}

struct Inner {
    element: HtmlElement,
    view: RwSignal<View>,
    session: RefCell<Option<Rc<Session<WidgetClient>>>>,
    /// The payments this widget's flows hold, across restarts.
    claims: Claims,
    /// Bumped by every start: a start overtaken by a newer one changes nothing.
    generation: Cell<u32>,
    /// At a desk: the user the operator picked.
    picked: RefCell<Option<User>>,
    /// At a desk: the client finds go through.
    client: RefCell<Option<WidgetClient>>,
    /// At a desk: the operator's last "Find by" choice.
    find_by: Cell<FindBy>,
    /// The resolve functions of [`Widget::settled_within`]'s promises, called when the running
    /// start settles.
    settle_waiters: RefCell<Vec<js_sys::Function>>,
}

impl Widget {
    pub fn new(element: HtmlElement) -> Widget {
        Widget {
            inner: Rc::new(Inner {
                element,
                view: RwSignal::new(View::default()),
                session: RefCell::new(None),
                claims: Claims::default(),
                generation: Cell::new(0),
                picked: RefCell::new(None),
                client: RefCell::new(None),
                find_by: Cell::new(FindBy::Auto),
                settle_waiters: RefCell::new(Vec::new()),
            }),
        }
    }

    pub fn view(&self) -> ReadSignal<View> {
        self.inner.view.read_only()
    }

    /// Reads the attributes and connects: user, providers, balance, payments; then
    /// `myq-topup-ready`, or `myq-topup-error` and a message in the widget.
    ///
    /// Everything happens after this returns, so a listener added right after mounting hears
    /// every event, a configuration error included.
    pub fn start(&self) {
        self.begin(None, None);
    }

    /// [`Widget::start`], the view keeping a desk's receipt and the result announced with it.
    fn begin(&self, receipt: Option<Receipt>, notice: Option<Notice>) {
        let generation = self.inner.generation.get() + 1;
        self.inner.generation.set(generation);
        self.inner.session.replace(None);
        // The element carries the print mark while the view shows a receipt: a start touches
        // it only when that changes (every call into the page costs the first start its time).
        let marked = receipt.is_some();
        if self.inner.view.with_untracked(|v| v.receipt.is_some()) != marked {
            super::print::mark_receipt(&self.inner.element, marked);
        }
        self.inner.view.set(View {
            receipt,
            notice,
            ..View::default()
        });
        let widget = self.clone();
        leptos::task::spawn_local(async move {
            let result = widget.connect().await;
            if widget.inner.generation.get() != generation {
                return;
            }
            let (receipt, notice) = widget
                .inner
                .view
                .with_untracked(|v| (v.receipt.clone(), v.notice.clone()));
            match result {
                Ok(Connected::Find(config)) => widget.inner.view.update(|v| {
                    v.phase = Phase::Find;
                    v.config = Some(config);
                }),
                Ok(Connected::Ready(config, account, session)) => {
                    let desk = config.desk();
                    let mut view = View {
                        phase: Phase::Ready,
                        config: Some(config),
                        providers: account.providers.clone(),
                        student: account.user.clone().filter(|_| desk),
                        receipt,
                        notice,
                        ..View::default()
                    };
                    view.show_ledger(&session);
                    let pending = view.pending.len();
                    emit(
                        &widget.inner.element,
                        "ready",
                        &events::Ready::new(&account, pending),
                    );
                    widget.inner.view.set(view);
                    widget.inner.session.replace(Some(Rc::from(session)));
                }
                Err(problem) => {
                    emit(&widget.inner.element, "error", &problem.detail());
                    widget
                        .inner
                        .view
                        .update(|v| v.phase = Phase::Failed(problem));
                }
            }
            for resolve in widget.inner.settle_waiters.take() {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
        });
    }

    /// Waits until the running start has settled (ready, failed, or a desk's find view), at
    /// most `limit_ms`.
    pub async fn settled_within(&self, limit_ms: u32) {
        if self
            .inner
            .view
            .with_untracked(|v| v.phase != Phase::Starting)
        {
            return;
        }
        let settled = js_sys::Promise::new(&mut |resolve, _| {
            self.inner.settle_waiters.borrow_mut().push(resolve);
        });
        let _ = super::callback::settle(settled.into(), limit_ms).await;
    }

    async fn connect(&self) -> Result<Connected, Problem> {
        let config = self.config().map_err(Problem::Config)?;
        let tokens = ElementTokens {
            element: self.inner.element.clone(),
            token_url: config.token_url.clone(),
            callback_timeout_ms: config.callback_timeout_ms,
        };
        let myq = MyqClient::new(&config.base_url, Fetch, tokens, DEFAULT_TIMEOUT_MS);
        let picked = config
            .desk()
            .then(|| self.inner.picked.borrow().clone())
            .flatten();
        let who = match (&picked, &config.who) {
            (Some(user), _) => Who::Id(user.id),
            (None, Some(who)) => who.clone(),
            (None, None) => {
                self.inner.client.replace(Some(myq));
                return Ok(Connected::Find(config));
            }
        };
        let mut account = topup::start(&myq, &who, &config.provider).await?;
        account.user = account.user.or(picked);
        self.inner.client.replace(Some(myq.clone()));
        let session = Session::open(myq, &account, self.inner.claims.clone()).await;
        Ok(Connected::Ready(config, account, Box::new(session)))
    }

    /// At a desk: finds users by what the operator typed or scanned. One match is picked at
    /// once; several are listed (a page at most) for the operator to pick; none says so.
    pub async fn find(&self, text: &str, by: FindBy) {
        self.inner.find_by.set(by);
        let queries = by.queries(text);
        let client = self.inner.client.borrow().clone();
        let Some(client) = client.filter(|_| !queries.is_empty()) else {
            return;
        };
        if self.inner.view.with_untracked(|v| v.finding) {
            return;
        }
        let generation = self.inner.generation.get();
        self.inner.view.update(|v| {
            v.finding = true;
            v.found = None;
            v.notice = None;
        });
        let mut result = Ok(Vec::new());
        for query in queries {
            result = client.find_users(query).await;
            if !matches!(&result, Ok(users) if users.is_empty()) {
                break;
            }
        }
        if self.inner.generation.get() != generation {
            return;
        }
        match result {
            Ok(mut users) if users.len() == 1 => {
                self.inner.view.update(|v| v.finding = false);
                self.pick(users.remove(0));
            }
            Ok(mut users) => {
                let more = users.len() > FOUND_PAGE;
                users.truncate(FOUND_PAGE);
                let text = text.trim().to_owned();
                self.inner.view.update(|v| {
                    v.finding = false;
                    v.found = Some(Found { text, users, more });
                });
            }
            Err(error) => {
                self.inner.view.update(|v| v.finding = false);
                self.report(Problem::Api(error));
            }
        }
    }

    /// At a desk: the operator's last "Find by" choice, kept for the next user.
    pub fn find_by(&self) -> FindBy {
        self.inner.find_by.get()
    }

    /// At a desk: tops up `user` from now on; dispatches `myq-topup-picked`, then starts with
    /// that user (`myq-topup-ready` follows).
    pub fn pick(&self, user: User) {
        emit(&self.inner.element, "picked", &events::Picked(&user));
        self.inner.picked.replace(Some(user));
        self.start();
    }

    /// At a desk: back to the find field, nobody picked.
    pub fn next_user(&self) {
        self.inner.picked.replace(None);
        self.start();
    }

    /// Prints the receipt alone (see `host/print.rs`).
    pub fn print_receipt(&self) {
        super::print::print();
    }

    /// At a desk: shows the operator's shift since `since` (a date; the gateway's today when
    /// empty), from the find view.
    pub async fn show_shift(&self, since: String) {
        let Some(client) = self.shift_call() else {
            return;
        };
        self.inner.view.update(|v| {
            v.phase = Phase::Shift;
            v.shift.since = since.clone();
        });
        let result = client.shift(Some(&since)).await;
        self.end_shift_call(result.map(|shift| {
            self.inner.view.update(|v| v.shift.shift = Some(shift));
        }));
    }

    /// At a desk: flags a credit of the shift as a mistake, with the operator's reason. A
    /// reason the gateway would refuse is refused here, and nothing is sent.
    pub async fn flag_credit(&self, payment_id: PaymentId, reason: String) {
        let reason = match flag_reason(&reason) {
            Ok(reason) => reason,
            Err(error) => {
                self.report(Problem::FlagReason(error));
                return;
            }
        };
        let Some(client) = self.shift_call() else {
            return;
        };
        let result = client.flag_credit(&payment_id, reason).await;
        self.end_shift_call(result.map(|flag| {
            self.inner.view.update(|v| {
                let mut lines = v.shift.shift.iter_mut().flat_map(|s| s.lines.iter_mut());
                if let Some(line) = lines.find(|l| l.payment_id == payment_id) {
                    line.flag = Some(flag);
                }
            })
        }));
    }

    /// At a desk: downloads the shown shift as the gateway's CSV file.
    pub async fn download_shift(&self) {
        let Some(client) = self.shift_call() else {
            return;
        };
        let since = self.inner.view.with_untracked(|v| v.shift.since.clone());
        let result = client.shift_csv(Some(&since)).await;
        self.end_shift_call(result.map(|csv| {
            let day = self.inner.view.with_untracked(|v| {
                let shift = v.shift.shift.as_ref();
                shift
                    .and_then(|s| s.since.get(..10))
                    .unwrap_or("today")
                    .to_owned()
            });
            let name = format!("shift-{day}.csv");
            super::download::save_text(&self.inner.element, &name, "text/csv", &csv);
        }));
    }

    /// At a desk: back from the shift to the find field.
    pub fn close_shift(&self) {
        self.inner.view.update(|v| {
            v.phase = Phase::Find;
            v.notice = None;
        });
    }

    /// The client for a shift call, the shift marked busy; `None` while another runs (the
    /// click guard) or before the desk has connected.
    fn shift_call(&self) -> Option<WidgetClient> {
        let client = self.inner.client.borrow().clone()?;
        if self.inner.view.with_untracked(|v| v.shift.busy) {
            return None;
        }
        self.inner.view.update(|v| {
            v.shift.busy = true;
            v.notice = None;
        });
        Some(client)
    }

    /// Ends a shift call: not busy, and a failure shown and dispatched.
    fn end_shift_call(&self, result: Result<(), ApiError>) {
        self.inner.view.update(|v| v.shift.busy = false);
        if let Err(error) = result {
            self.report(Problem::Api(error));
        }
    }

    fn config(&self) -> Result<Config, super::ConfigError> {
        let element = &self.inner.element;
        let page = element
            .owner_document()
            .and_then(|d| d.url().ok())
            .unwrap_or_default();
        Config::read(|name| element.get_attribute(name), &page)
    }

    /// Tops up `amount`; ignored when the widget is not ready or a flow is already running, as
    /// a double click must be.
    pub async fn top_up(&self, amount: Money) -> Triggered {
        let (Some(session), Some((approval, description))) = (self.session(), self.terms()) else {
            return Triggered::Ignored;
        };
        if let Err(err) = approval.rules.check(amount) {
            return Triggered::Failed(self.refuse_input(err));
        }
        let intent = Intent {
            amount,
            description,
            key: IntentKey::from_random(random_bits()),
        };
        self.inner.view.update(|v| v.last_amount = Some(amount));
        let mut progress = self.progress(&session);
        match session.top_up(&intent, &approval, &mut progress).await {
            Ok(outcome) => self.settle(&session, outcome),
            Err(Busy) => Triggered::Ignored,
        }
    }

    /// Finishes an unfinished payment: approval (when set), then commit.
    pub async fn finish(&self, payment_id: &str) -> Triggered {
        let (Some(session), Some((approval, _))) = (self.session(), self.terms()) else {
            return Triggered::Ignored;
        };
        let mut progress = self.progress(&session);
        match session.finish(payment_id, &approval, &mut progress).await {
            Ok(Some(outcome)) => self.settle(&session, outcome),
            Ok(None) | Err(Busy) => Triggered::Ignored,
        }
    }

    /// Cancels an unfinished payment.
    pub async fn cancel(&self, payment_id: &str) -> Triggered {
        let Some(session) = self.session() else {
            return Triggered::Ignored;
        };
        let mut progress = self.progress(&session);
        match session
            .cancel(payment_id, Reason::CanceledByUser, &mut progress)
            .await
        {
            Ok(Some(outcome)) => self.settle(&session, outcome),
            Ok(None) | Err(Busy) => Triggered::Ignored,
        }
    }

    /// What the ready widget's flows run with: the approval step (with the amount rules) and the
    /// description a payment carries. Read from the configuration in place: a clone of all of
    /// it costs the bundle its code.
    fn terms(&self) -> Option<(ElementApproval, String)> {
        self.inner.view.with_untracked(|v| {
            let config = v.config.as_ref()?;
            let approval = ElementApproval {
                element: self.inner.element.clone(),
                rules: config.rules.clone(),
                callback_timeout_ms: config.callback_timeout_ms,
            };
            Some((approval, config.description.clone()))
        })
    }

    fn session(&self) -> Option<Rc<Session<WidgetClient>>> {
        self.inner.session.borrow().clone()
    }

    /// Whether `session` is still the one shown: a restart (an attribute changed) mid-flow
    /// starts another, and the old flow's steps and result must not show in the new one.
    fn shows(&self, session: &Rc<Session<WidgetClient>>) -> bool {
        self.inner
            .session
            .borrow()
            .as_ref()
            .is_some_and(|current| Rc::ptr_eq(current, session))
    }

    /// Shows each step; dispatches `myq-topup-created` when the payment exists.
    fn progress(&self, session: &Rc<Session<WidgetClient>>) -> impl FnMut(Progress) + use<> {
        let (widget, session) = (self.clone(), session.clone());
        move |step| {
            if let Progress::Created(payment) = &step {
                emit(
                    &widget.inner.element,
                    "created",
                    &PaymentDetail::from(payment),
                );
            }
            if widget.shows(&session) {
                widget.inner.view.update(|v| {
                    v.notice = None;
                    v.busy = Some(step);
                });
            }
        }
    }

    /// Shows a flow's outcome and dispatches its event.
    ///
    /// The events go out whatever happened meanwhile (money moved); the view changes only if
    /// the flow's session is still the one shown.
    fn settle(&self, session: &Rc<Session<WidgetClient>>, outcome: Outcome) -> Triggered {
        let notice = match &outcome {
            Outcome::Committed {
                payment,
                credited,
                balance,
                ..
            } => Notice::Committed {
                payment_no: payment.payment_no.clone(),
                payment_id: payment.id.clone(),
                credited: *credited,
                balance: *balance,
            },
            Outcome::RolledBack { reason, .. } => Notice::RolledBack {
                reason: reason.clone(),
            },
            Outcome::Unresolved { payment, error } => Notice::Problem(Problem::Unfinished {
                payment_id: payment.id.clone(),
                error: error.clone(),
            }),
            Outcome::Failed { error } => Notice::Problem(Problem::Api(error.clone())),
        };
        let receipt = match &outcome {
            Outcome::Committed {
                payment,
                credited,
                balance,
                ..
            } => self.receipt(payment.payment_no.clone(), &payment.id, *credited, *balance),
            _ => None,
        };
        let triggered = match (&notice, Settled::of(&outcome)) {
            (Notice::Problem(problem), _) => {
                let error = problem.detail();
                emit(&self.inner.element, "error", &error);
                Triggered::Failed(error)
            }
            (_, settled) => {
                if let Some(settled) = settled {
                    emit_js(&self.inner.element, settled.event(), &settled.detail());
                }
                Triggered::Settled(outcome)
            }
        };
        if !self.shows(session) {
            return triggered;
        }
        match receipt {
            // A desk goes back to the find field for the next user, the receipt shown.
            Some(receipt) => {
                self.inner.picked.replace(None);
                self.begin(Some(receipt), Some(notice));
            }
            None => self.inner.view.update(|v| {
                v.busy = None;
                v.notice = Some(notice);
                v.show_ledger(session);
            }),
        }
        triggered
    }

    /// At a desk, the receipt of a credit to the user shown.
    fn receipt(
        &self,
        payment_no: Option<String>,
        payment_id: &PaymentId,
        amount: Money,
        balance: Option<Money>,
    ) -> Option<Receipt> {
        self.inner.view.with_untracked(|v| {
            let config = v.config.as_ref().filter(|c| c.desk())?;
            Some(Receipt {
                institution: config.institution.clone(),
                at_ms: js_sys::Date::now(),
                operator: config.operator.clone(),
                student: v.student.clone()?,
                payment_no,
                payment_id: payment_id.clone(),
                amount,
                balance,
            })
        })
    }

    /// `element.topUp(amount)`: `amount` is a number or a decimal string. Resolves with the
    /// [`Settled`] detail; rejects with an error detail (`operation: "input"` for an amount the
    /// widget refuses, or when it is not ready or already topping up).
    pub async fn top_up_for_page(&self, amount: JsValue) -> Result<JsValue, JsValue> {
        let amount = match amount.as_f64() {
            Some(number) => amount_from_number(number),
            None => parse_decimal(&amount.as_string().unwrap_or_default()),
        };
        let amount = amount.map_err(|err| self.refuse_input(err).to_js())?;
        match self.top_up(amount).await {
            Triggered::Settled(outcome) => Ok(Settled::of(&outcome)
                .map(|s| s.to_js())
                .unwrap_or(JsValue::UNDEFINED)),
            Triggered::Failed(error) => Err(error.to_js()),
            Triggered::Ignored => {
                let busy = "the widget is not ready, or a top-up is already running";
                Err(events::Error::about("input", &busy).to_js())
            }
        }
    }

    /// Shows a problem with the amount and dispatches `myq-topup-error`.
    fn refuse_input(&self, error: AmountError) -> events::Error {
        self.report(Problem::Amount(error))
    }

    /// Shows `problem` and dispatches `myq-topup-error` with its detail.
    fn report(&self, problem: Problem) -> events::Error {
        let detail = problem.detail();
        emit(&self.inner.element, "error", &detail);
        self.inner
            .view
            .update(|v| v.notice = Some(Notice::Problem(problem)));
        detail
    }

    /// The element's shadow root, made on first use and reused after the element moves.
    pub fn shadow_root(&self) -> web_sys::ShadowRoot {
        let element = &self.inner.element;
        element.shadow_root().unwrap_or_else(|| {
            let init = web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open);
            element
                .attach_shadow(&init)
                .expect("a custom element can hold a shadow root")
        })
    }

    /// The reader's language: the `locale` attribute, read even when another attribute keeps
    /// the widget from starting (its message is in that language too), else the page's.
    pub fn language(&self) -> String {
        let element = &self.inner.element;
        let named = |element: Option<web_sys::Element>, attribute: &str| {
            element?
                .get_attribute(attribute)
                .map(|tag| tag.trim().to_owned())
                .filter(|tag| !tag.is_empty())
        };
        let page = element.owner_document().and_then(|d| d.document_element());
        named(Some(element.clone().into()), "locale")
            .or_else(|| named(page, "lang"))
            .or_else(|| web_sys::window()?.navigator().language())
            .unwrap_or_else(|| "en".into())
    }
}

/// 64 random bits from the browser's `crypto` (an intent's key: unique, not secret). Without
/// `crypto` (no browser has lacked it for a decade) the clock and `Math.random` stand in.
fn random_bits() -> u64 {
    let mut bytes = [0u8; 8];
    let drawn = web_sys::window()
        .and_then(|window| window.crypto().ok())
        .is_some_and(|crypto| crypto.get_random_values_with_u8_array(&mut bytes).is_ok());
    if drawn {
        return u64::from_le_bytes(bytes);
    }
    let now = js_sys::Date::now() as u64;
    let noise = (js_sys::Math::random() * (1u64 << 32) as f64) as u64;
    (now << 32) ^ noise
}
