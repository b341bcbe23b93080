//! One `<myq-topup>` on the page: its configuration, the top-up session, its state as a signal
//! for the UI, and the events it dispatches.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::JsValue;
use web_sys::HtmlElement;

use super::approval::ElementApproval;
use super::config::Config;
use super::events::{self, Detail, PaymentDetail, Settled, emit, emit_js};
use super::token::ElementTokens;
use crate::api::{ApiError, DEFAULT_TIMEOUT_MS, Money, MyqClient, Operation, Payment, Provider};
use crate::topup::{
    self, Account, Claims, Intent, IntentKey, Outcome, Progress, Session, StartError,
    amount_from_number, parse_decimal,
};

/// The reason MyQ X keeps when the user cancels an unfinished payment.
pub const CANCELED_BY_USER: &str = "Canceled by user";

/// Where the widget is.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Phase {
    #[default]
    Starting,
    Ready,
    /// The widget cannot go on until the problem is fixed or retried.
    Failed {
        kind: ProblemKind,
        error: events::Error,
    },
}

/// Why a flow did not end as the user wanted, as the UI words it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// External Payment Providers is switched off in MyQ X.
    ProviderDisabled,
    /// No answer, or a server error: nothing changed, trying again is safe.
    Unavailable,
    /// The server refused; its message says why.
    Refused,
    /// A payment exists but could not be finished; it is listed as unfinished.
    Unfinished,
    /// The amount is not one the widget tops up.
    Input,
    /// No token: the host's token endpoint or `tokenProvider` failed.
    SignIn,
}

/// The result of the last flow, shown until the next one starts.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    Committed {
        payment_no: Option<String>,
        /// MyQ's id, shown when the number is not known (it comes with the list of payments
        /// read after the create, which may have failed).
        payment_id: String,
        credited: Money,
        balance: Option<Money>,
    },
    RolledBack {
        reason: String,
    },
    Problem {
        kind: ProblemKind,
        error: events::Error,
    },
}

impl Notice {
    /// Whether the same action may simply be tried again.
    pub fn can_retry(&self) -> bool {
        matches!(
            self,
            Notice::Problem {
                kind: ProblemKind::Unavailable,
                ..
            }
        )
    }
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
}

/// The controller of one element. Cheap to clone: clones share everything.
#[derive(Clone)]
pub struct Widget {
    inner: Rc<Inner>,
}

struct Inner {
    element: HtmlElement,
    view: RwSignal<View>,
    session: RefCell<Option<Rc<Session<MyqClient>>>>,
    /// The payments this widget's flows hold, across restarts.
    claims: Claims,
    /// Bumped by every start: a start overtaken by a newer one changes nothing.
    generation: Cell<u32>,
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
        let generation = self.inner.generation.get() + 1;
        self.inner.generation.set(generation);
        self.inner.session.replace(None);
        self.inner.view.set(View::default());
        let widget = self.clone();
        leptos::task::spawn_local(async move {
            let result = widget.connect().await;
            if widget.inner.generation.get() != generation {
                return;
            }
            match result {
                Ok((config, account, session)) => {
                    let pending = session.pending().len();
                    emit(
                        &widget.inner.element,
                        "ready",
                        &events::Ready::new(&account, pending),
                    );
                    widget.inner.view.set(View {
                        phase: Phase::Ready,
                        config: Some(config),
                        providers: account.providers.clone(),
                        balance: session.balance(),
                        payments: session.payments(),
                        pending: session.pending(),
                        ..View::default()
                    });
                    widget.inner.session.replace(Some(Rc::new(session)));
                }
                Err((kind, error)) => {
                    emit(&widget.inner.element, "error", &error);
                    widget
                        .inner
                        .view
                        .update(|v| v.phase = Phase::Failed { kind, error });
                }
            }
        });
    }

    async fn connect(
        &self,
    ) -> Result<(Config, Account, Session<MyqClient>), (ProblemKind, events::Error)> {
        let config = self
            .config()
            .map_err(|err| (ProblemKind::Refused, events::Error::about("config", &err)))?;
        let tokens = Rc::new(ElementTokens {
            element: self.inner.element.clone(),
            token_url: config.token_url.clone(),
            callback_timeout_ms: config.callback_timeout_ms,
        });
        let myq = MyqClient::new(&config.base_url, tokens, DEFAULT_TIMEOUT_MS);
        let account = topup::start(&myq, &config.who, &config.provider)
            .await
            .map_err(|err| {
                let kind = match &err {
                    StartError::Api(error) => kind_of(error),
                    StartError::ProviderInactive(_) => ProblemKind::ProviderDisabled,
                    StartError::UnknownUser(_) | StartError::AmbiguousUser(_) => {
                        ProblemKind::Refused
                    }
                };
                (kind, events::Error::from(&err))
            })?;
        let session = Session::open(myq, &account, self.inner.claims.clone())
            .await
            .map_err(|err| (kind_of(&err), events::Error::from(&err)))?;
        Ok((config, account, session))
    }

    fn config(&self) -> Result<Config, super::ConfigError> {
        let element = &self.inner.element;
        let page = element
            .owner_document()
            .and_then(|d| d.url().ok())
            .unwrap_or_default();
        Config::read(|name| element.get_attribute(name), &page)
    }

    /// Tops up `amount`. `None` when the widget is not ready or a flow is already running: the
    /// trigger is ignored, as a double click must be.
    pub async fn top_up(&self, amount: Money) -> Option<Result<Outcome, events::Error>> {
        let session = self.session()?;
        let config = self.inner.view.with_untracked(|v| v.config.clone())?;
        if let Err(err) = config.rules.check(amount) {
            let error = events::Error::about("input", &err);
            return Some(Err(self.refuse_input(error)));
        }
        let intent = Intent {
            amount,
            description: config.description.clone(),
            key: IntentKey::from_random(random_bits()),
        };
        self.inner.view.update(|v| v.last_amount = Some(amount));
        let approval = self.approval(&config);
        let outcome = session
            .top_up(&intent, &approval, &mut self.progress(&session))
            .await
            .ok()?;
        Some(self.settle(&session, outcome))
    }

    /// Finishes an unfinished payment: approval (when set), then commit.
    pub async fn finish(&self, payment_id: &str) -> Option<Result<Outcome, events::Error>> {
        let session = self.session()?;
        let config = self.inner.view.with_untracked(|v| v.config.clone())?;
        let approval = self.approval(&config);
        let outcome = session
            .finish(payment_id, &approval, &mut self.progress(&session))
            .await
            .ok()??;
        Some(self.settle(&session, outcome))
    }

    /// Cancels an unfinished payment.
    pub async fn cancel(&self, payment_id: &str) -> Option<Result<Outcome, events::Error>> {
        let session = self.session()?;
        let outcome = session
            .cancel(payment_id, CANCELED_BY_USER, &mut self.progress(&session))
            .await
            .ok()??;
        Some(self.settle(&session, outcome))
    }

    fn approval(&self, config: &Config) -> ElementApproval {
        ElementApproval {
            element: self.inner.element.clone(),
            rules: config.rules.clone(),
            callback_timeout_ms: config.callback_timeout_ms,
        }
    }

    fn session(&self) -> Option<Rc<Session<MyqClient>>> {
        self.inner.session.borrow().clone()
    }

    /// Whether `session` is still the one shown: a restart (an attribute changed) mid-flow
    /// starts another, and the old flow's steps and result must not show in the new one.
    fn shows(&self, session: &Rc<Session<MyqClient>>) -> bool {
        self.inner
            .session
            .borrow()
            .as_ref()
            .is_some_and(|current| Rc::ptr_eq(current, session))
    }

    /// Shows each step; dispatches `myq-topup-created` when the payment exists.
    fn progress(&self, session: &Rc<Session<MyqClient>>) -> impl FnMut(Progress) + use<> {
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
    fn settle(
        &self,
        session: &Rc<Session<MyqClient>>,
        outcome: Outcome,
    ) -> Result<Outcome, events::Error> {
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
            Outcome::Unresolved { payment, error } => Notice::Problem {
                kind: ProblemKind::Unfinished,
                error: events::Error {
                    payment_id: Some(payment.id.clone()),
                    ..events::Error::from(error)
                },
            },
            Outcome::Failed { error } => Notice::Problem {
                kind: kind_of(error),
                error: error.into(),
            },
        };
        let result = match (&notice, Settled::of(&outcome)) {
            (Notice::Problem { error, .. }, _) => {
                emit(&self.inner.element, "error", error);
                Err(error.clone())
            }
            (_, settled) => {
                if let Some(settled) = settled {
                    emit_js(&self.inner.element, settled.event(), &settled.detail());
                }
                Ok(())
            }
        };
        if self.shows(session) {
            self.inner.view.update(|v| {
                v.busy = None;
                v.notice = Some(notice);
                v.balance = session.balance();
                v.payments = session.payments();
                v.pending = session.pending();
            });
        }
        result.map(|()| outcome)
    }

    /// `element.topUp(amount)`: `amount` is a number or a decimal string. Resolves with the
    /// [`Settled`] detail; rejects with an error detail (`operation: "input"` for an amount the
    /// widget refuses, or when it is not ready or already topping up).
    pub async fn top_up_for_page(&self, amount: JsValue) -> Result<JsValue, JsValue> {
        let amount = match amount.as_f64() {
            Some(number) => amount_from_number(number),
            None => parse_decimal(&amount.as_string().unwrap_or_default()),
        };
        let amount = amount.map_err(|err| {
            self.refuse_input(events::Error::about("input", &err))
                .to_js()
        })?;
        let outcome = self.top_up(amount).await.ok_or_else(|| {
            let busy = "the widget is not ready, or a top-up is already running";
            events::Error::about("input", &busy).to_js()
        })?;
        let outcome = outcome.map_err(|error| error.to_js())?;
        Ok(Settled::of(&outcome)
            .map(|s| s.to_js())
            .unwrap_or(JsValue::UNDEFINED))
    }

    /// Shows a problem with the amount and dispatches `myq-topup-error`.
    fn refuse_input(&self, error: events::Error) -> events::Error {
        emit(&self.inner.element, "error", &error);
        let notice = Notice::Problem {
            kind: ProblemKind::Input,
            error: error.clone(),
        };
        self.inner.view.update(|v| v.notice = Some(notice));
        error
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

    /// The page's language when the `locale` attribute names none.
    pub fn page_language(&self) -> String {
        let element = &self.inner.element;
        let from_page = element
            .owner_document()
            .and_then(|d| d.document_element())
            .and_then(|root| root.get_attribute("lang"))
            .filter(|lang| !lang.is_empty());
        from_page
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

/// How the UI words a failed call.
fn kind_of(error: &ApiError) -> ProblemKind {
    if error.operation == Operation::Token {
        return ProblemKind::SignIn;
    }
    if error.provider_disabled() {
        return ProblemKind::ProviderDisabled;
    }
    match error.status() {
        Some(status) if status < 500 => ProblemKind::Refused,
        _ => ProblemKind::Unavailable,
    }
}
