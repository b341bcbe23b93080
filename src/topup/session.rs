//! The top-up flow: from "amount chosen" to exactly one terminal [`Outcome`].
//!
//! The rules it keeps (DESIGN.md, "Rules that no change may break"):
//! - one intent, one payment: while a flow runs, further triggers are refused with [`Busy`];
//!   a create is never sent twice;
//! - a commit whose answer is lost or refused is resolved by reading the user's payments before
//!   anything else: `completed` is done, `created` is committed again, `canceled` is reported;
//! - a create whose answer is lost is resolved the same way: the payment it made, if any, is
//!   found and carried on with, so none is left behind unknown;
//! - payments left `created` (by an earlier page, or by a flow that could not finish) are kept in
//!   [`Session::pending`], to be finished or canceled by the user.

use std::cell::{Cell, RefCell};

use crate::api::{
    ApiError, Money, Myq, NewPayment, Payment, PaymentChange, PaymentParams, PaymentState,
};

use super::start::Account;

/// Finished payments the session keeps (newest first); unfinished ones are always kept. The UI
/// lists a few; keeping all would grow memory with every top-up on a long-lived page.
const KEPT_PAYMENTS: usize = 50;

/// How many commits one flow sends at most, each after the previous one's fate was read back.
const COMMIT_ATTEMPTS: usize = 3;

/// What the user asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct Intent {
    pub amount: Money,
    pub description: String,
}

/// A payment as the flow knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct PaymentRef {
    pub id: String,
    pub user_id: u64,
    pub amount: Money,
    pub provider: String,
    /// MyQ's running number, once the payment was seen in a list.
    pub payment_no: Option<String>,
}

/// Where a running flow is, for progress display and the `created` event.
#[derive(Clone, Debug, PartialEq)]
pub enum Progress {
    Creating,
    Created(PaymentRef),
    Approving(PaymentRef),
    Updating(PaymentRef),
    Committing(PaymentRef),
    /// An answer was lost or refused: reading the payment's state back.
    Verifying(PaymentRef),
    RollingBack(PaymentRef),
}

/// How a flow ended. Every flow ends in exactly one of these.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The credit was added, once.
    Committed {
        payment: PaymentRef,
        credited: Money,
        /// The balance before plus the credit, when the balance was known.
        balance: Option<Money>,
    },
    /// The payment was canceled: by the approval step, the user, or the server.
    RolledBack { payment: PaymentRef, reason: String },
    /// Nothing was created; trying again is safe.
    Failed { error: ApiError },
    /// A payment exists but could not be finished: it is kept in [`Session::pending`].
    Unresolved {
        payment: PaymentRef,
        error: ApiError,
    },
}

/// The host's payment step, asked between create and commit.
// The widget runs on the browser's one thread: its futures need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait Approval {
    async fn approve(&self, payment: &PaymentRef) -> Approved;
}

/// The approval step's answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Approved {
    Commit,
    /// Commit this amount instead (the host's payment step charged another one): PATCH first.
    CommitAmount(Money),
    /// Roll back with this reason.
    Reject(String),
}

/// No approval step: commit right away.
pub struct NoApproval;

impl Approval for NoApproval {
    async fn approve(&self, _: &PaymentRef) -> Approved {
        Approved::Commit
    }
}

/// Another flow of this session is running; the trigger was ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy;

/// One user's top-ups with one provider.
pub struct Session<M> {
    myq: M,
    user_id: u64,
    provider: String,
    ledger: RefCell<Ledger>,
    busy: Cell<bool>,
}

/// What the session knows of the user's payments.
#[derive(Default)]
struct Ledger {
    /// Newest first, as MyQ lists them.
    payments: Vec<Payment>,
    balance: Option<Money>,
    /// A create's answer was lost and its payment not found (yet): a slow server may still
    /// make it, so the next flow reads the payments first and lists it as pending.
    unsettled_create: bool,
}

impl Ledger {
    fn knows(&self, id: &str) -> bool {
        self.payments.iter().any(|p| p.id == id)
    }

    /// Records a payment's latest known state.
    fn record(&mut self, payment: Payment) {
        match self.payments.iter_mut().find(|p| p.id == payment.id) {
            Some(known) => *known = payment,
            None => self.payments.insert(0, payment),
        }
        self.trim();
    }

    /// Records a list as MyQ sends it, newest first.
    fn record_all(&mut self, listed: Vec<Payment>) {
        for payment in listed.into_iter().rev() {
            self.record(payment);
        }
    }

    /// Keeps every unfinished payment and the newest finished ones.
    fn trim(&mut self) {
        let mut finished = 0;
        self.payments.retain(|p| {
            finished += usize::from(p.state != PaymentState::Created);
            p.state == PaymentState::Created || finished <= KEPT_PAYMENTS
        });
    }

    fn set_state(&mut self, payment: &PaymentRef, state: PaymentState, description: Option<&str>) {
        let mut entry = self
            .payments
            .iter()
            .find(|p| p.id == payment.id)
            .cloned()
            .unwrap_or_else(|| unlisted(payment));
        entry.state = state;
        entry.amount = payment.amount;
        if let Some(description) = description {
            entry.description = description.to_owned();
        }
        self.record(entry);
    }
}

/// A payment the flow made but has not seen in a list yet.
fn unlisted(payment: &PaymentRef) -> Payment {
    Payment {
        id: payment.id.clone(),
        user_id: payment.user_id,
        amount: payment.amount,
        currency: None,
        state: PaymentState::Created,
        created: String::new(),
        updated: String::new(),
        expires: None,
        payment_no: payment.payment_no.clone(),
        provider: payment.provider.clone(),
        description: String::new(),
    }
}

/// Marks the session busy until dropped.
struct BusyGuard<'a>(&'a Cell<bool>);

impl Drop for BusyGuard<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

impl<M: Myq> Session<M> {
    /// Opens a session for a started account: reads the user's payments, so that ones left
    /// `created` by an earlier page show up in [`pending`](Self::pending).
    pub async fn open(myq: M, account: &Account) -> Result<Session<M>, ApiError> {
        let payments = myq.payments(&account.provider, account.user_id).await?;
        Ok(Session {
            myq,
            user_id: account.user_id,
            provider: account.provider.clone(),
            ledger: RefCell::new({
                let mut ledger = Ledger {
                    payments,
                    balance: account.balance,
                    unsettled_create: false,
                };
                ledger.trim();
                ledger
            }),
            busy: Cell::new(false),
        })
    }

    pub fn myq(&self) -> &M {
        &self.myq
    }

    /// The user's payments with this provider, newest first.
    pub fn payments(&self) -> Vec<Payment> {
        self.ledger.borrow().payments.clone()
    }

    /// Payments in state `created`: to be finished or canceled.
    pub fn pending(&self) -> Vec<Payment> {
        let ledger = self.ledger.borrow();
        let pending = ledger
            .payments
            .iter()
            .filter(|p| p.state == PaymentState::Created);
        pending.cloned().collect()
    }

    pub fn balance(&self) -> Option<Money> {
        self.ledger.borrow().balance
    }

    pub fn is_busy(&self) -> bool {
        self.busy.get()
    }

    /// Marks the session busy for one flow, after catching up with a create that may have
    /// landed late.
    async fn claim(&self) -> Result<BusyGuard<'_>, Busy> {
        if self.busy.replace(true) {
            return Err(Busy);
        }
        let guard = BusyGuard(&self.busy);
        if self.ledger.borrow().unsettled_create && self.reload().await.is_ok() {
            self.ledger.borrow_mut().unsettled_create = false;
        }
        Ok(guard)
    }

    /// Tops up: create, approve, (update,) commit.
    pub async fn top_up(
        &self,
        intent: &Intent,
        approval: &impl Approval,
        progress: &mut impl FnMut(Progress),
    ) -> Result<Outcome, Busy> {
        let _busy = self.claim().await?;
        progress(Progress::Creating);
        let payment = match self.create(intent).await {
            Ok(payment) => payment,
            Err(error) => return Ok(Outcome::Failed { error }),
        };
        progress(Progress::Created(payment.clone()));
        Ok(self.approve_and_commit(payment, approval, progress).await)
    }

    /// Finishes a pending payment: approval (when set), then commit.
    pub async fn finish(
        &self,
        payment_id: &str,
        approval: &impl Approval,
        progress: &mut impl FnMut(Progress),
    ) -> Result<Option<Outcome>, Busy> {
        let _busy = self.claim().await?;
        let Some(payment) = self.pending_ref(payment_id) else {
            return Ok(None);
        };
        Ok(Some(
            self.approve_and_commit(payment, approval, progress).await,
        ))
    }

    /// Cancels a pending payment with `reason`.
    pub async fn cancel(
        &self,
        payment_id: &str,
        reason: &str,
        progress: &mut impl FnMut(Progress),
    ) -> Result<Option<Outcome>, Busy> {
        let _busy = self.claim().await?;
        let Some(payment) = self.pending_ref(payment_id) else {
            return Ok(None);
        };
        Ok(Some(self.roll_back(payment, reason, progress).await))
    }

    /// Reads the payments and the balance again.
    pub async fn reload(&self) -> Result<(), ApiError> {
        let payments = self.myq.payments(&self.provider, self.user_id).await?;
        let balance = self.myq.balance(self.user_id).await.ok().flatten();
        let mut ledger = self.ledger.borrow_mut();
        ledger.payments = payments;
        ledger.trim();
        if balance.is_some() {
            ledger.balance = balance;
        }
        Ok(())
    }

    fn pending_ref(&self, payment_id: &str) -> Option<PaymentRef> {
        let ledger = self.ledger.borrow();
        let payment = ledger
            .payments
            .iter()
            .find(|p| p.id == payment_id && p.state == PaymentState::Created)?;
        Some(self.reference(payment))
    }

    fn reference(&self, payment: &Payment) -> PaymentRef {
        PaymentRef {
            id: payment.id.clone(),
            user_id: payment.user_id,
            amount: payment.amount,
            provider: self.provider.clone(),
            payment_no: payment.payment_no.clone(),
        }
    }

    /// Creates the payment. A lost answer is resolved by finding the payment it made: a
    /// `created` one of this amount that the session did not know before.
    async fn create(&self, intent: &Intent) -> Result<PaymentRef, ApiError> {
        let request = NewPayment {
            user_id: self.user_id,
            description: intent.description.clone(),
            params: PaymentParams {
                amount: intent.amount,
            },
        };
        let error = match self.myq.create_payment(&self.provider, &request).await {
            Ok(created) => {
                let payment = PaymentRef {
                    id: created.id,
                    user_id: self.user_id,
                    amount: created.amount,
                    provider: self.provider.clone(),
                    payment_no: None,
                };
                self.ledger
                    .borrow_mut()
                    .set_state(&payment, PaymentState::Created, None);
                return Ok(payment);
            }
            Err(error) if error.outcome_unknown() => error,
            Err(error) => return Err(error),
        };
        let listed = self.myq.payments(&self.provider, self.user_id).await;
        let mut ledger = self.ledger.borrow_mut();
        let Ok(listed) = listed else {
            ledger.unsettled_create = true;
            return Err(error);
        };
        let made = listed.iter().find(|p| {
            p.state == PaymentState::Created && p.amount == intent.amount && !ledger.knows(&p.id)
        });
        let found = made.map(|p| self.reference(p));
        ledger.record_all(listed);
        ledger.unsettled_create = found.is_none();
        found.ok_or(error)
    }

    async fn approve_and_commit(
        &self,
        mut payment: PaymentRef,
        approval: &impl Approval,
        progress: &mut impl FnMut(Progress),
    ) -> Outcome {
        progress(Progress::Approving(payment.clone()));
        match approval.approve(&payment).await {
            Approved::Commit => {}
            Approved::CommitAmount(amount) if amount == payment.amount => {}
            Approved::CommitAmount(amount) => {
                progress(Progress::Updating(payment.clone()));
                if let Err(outcome) = self.update(&mut payment, amount, progress).await {
                    return outcome;
                }
            }
            Approved::Reject(reason) => return self.roll_back(payment, &reason, progress).await,
        }
        self.commit(payment, progress).await
    }

    /// PATCHes the amount; when that fails, the payment is read back: updated or not, a payment
    /// whose amount is not the approved one is rolled back rather than committed.
    async fn update(
        &self,
        payment: &mut PaymentRef,
        amount: Money,
        progress: &mut impl FnMut(Progress),
    ) -> Result<(), Outcome> {
        let change = PaymentChange {
            description: None,
            params: PaymentParams { amount },
        };
        let result = self
            .myq
            .update_payment(&self.provider, &payment.id, &change)
            .await;
        let updated = match result {
            Ok(()) => true,
            Err(_) => {
                progress(Progress::Verifying(payment.clone()));
                matches!(self.read_back(payment).await, Ok(Some(p)) if p.amount == amount && p.state == PaymentState::Created)
            }
        };
        if updated {
            payment.amount = amount;
            return Ok(());
        }
        let reason = "The amount could not be changed to the approved one.";
        Err(self.roll_back(payment.clone(), reason, progress).await)
    }

    /// Commits; any failure is resolved by reading the payment back before anything else.
    async fn commit(
        &self,
        mut payment: PaymentRef,
        progress: &mut impl FnMut(Progress),
    ) -> Outcome {
        let mut last_error = None;
        for _ in 0..COMMIT_ATTEMPTS {
            progress(Progress::Committing(payment.clone()));
            match self.myq.commit_payment(&self.provider, &payment.id).await {
                Ok(credited) => return self.committed(payment, credited),
                Err(error) => last_error = Some(error),
            }
            progress(Progress::Verifying(payment.clone()));
            match self.read_back(&payment).await {
                Ok(Some(listed)) => {
                    payment.payment_no = listed.payment_no.clone();
                    match listed.state {
                        PaymentState::Completed => return self.committed(payment, listed.amount),
                        PaymentState::Canceled => {
                            return self.canceled(payment, &listed.description);
                        }
                        // Not committed: committing again cannot credit twice.
                        PaymentState::Created => payment.amount = listed.amount,
                    }
                }
                // Gone from the list, or the list failed: its fate is unknown; never commit blind.
                Ok(None) | Err(_) => break,
            }
        }
        let error = last_error.expect("at least one commit was sent");
        Outcome::Unresolved { payment, error }
    }

    async fn roll_back(
        &self,
        payment: PaymentRef,
        reason: &str,
        progress: &mut impl FnMut(Progress),
    ) -> Outcome {
        progress(Progress::RollingBack(payment.clone()));
        let error = match self
            .myq
            .rollback_payment(&self.provider, &payment.id, reason)
            .await
        {
            Ok(()) => return self.canceled(payment, reason),
            Err(error) => error,
        };
        progress(Progress::Verifying(payment.clone()));
        match self.read_back(&payment).await {
            Ok(Some(listed)) if listed.state == PaymentState::Canceled => {
                self.canceled(payment, &listed.description)
            }
            Ok(Some(listed)) if listed.state == PaymentState::Completed => {
                self.committed(payment, listed.amount)
            }
            _ => Outcome::Unresolved { payment, error },
        }
    }

    /// The payment as the server lists it now; `None` when it is not listed.
    async fn read_back(&self, payment: &PaymentRef) -> Result<Option<Payment>, ApiError> {
        let listed = self.myq.payments(&self.provider, self.user_id).await?;
        let found = listed.iter().find(|p| p.id == payment.id).cloned();
        let mut ledger = self.ledger.borrow_mut();
        ledger.record_all(listed);
        Ok(found)
    }

    fn committed(&self, payment: PaymentRef, credited: Money) -> Outcome {
        let mut ledger = self.ledger.borrow_mut();
        ledger.set_state(&payment, PaymentState::Completed, None);
        ledger.balance = ledger.balance.map(|b| Money(b.cents() + credited.cents()));
        Outcome::Committed {
            payment,
            credited,
            balance: ledger.balance,
        }
    }

    fn canceled(&self, payment: PaymentRef, reason: &str) -> Outcome {
        self.ledger
            .borrow_mut()
            .set_state(&payment, PaymentState::Canceled, Some(reason));
        Outcome::RolledBack {
            payment,
            reason: reason.to_owned(),
        }
    }
}
