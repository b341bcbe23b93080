//! The top-up flow: from "amount chosen" to exactly one terminal [`Outcome`].
//!
//! The rules it keeps (README.md, "The top-up flow and its rules"):
//! - one intent, one payment: while a flow runs, further triggers are refused with [`Busy`];
//!   a create is never sent twice, and if it reached MyQ X twice anyway, the payments it made are
//!   found by the intent's key and all but one rolled back ([`intent`](super::intent));
//! - a payment a flow holds is offered by no session of the widget ([`Claims`]);
//! - a commit whose answer is lost or refused is resolved by reading the user's payments before
//!   anything else: `completed` is done, `created` is committed again, `canceled` is reported;
//! - a create whose answer is lost is resolved the same way: the payment it made, if any, is
//!   found and carried on with, so none is left behind unknown;
//! - payments left `created` (by an earlier page, or by a flow that could not finish) are kept in
//!   [`Session::pending`], to be finished or canceled by the user.

use std::cell::{Cell, RefCell};

use crate::api::{
    ApiError, CreatedPayment, KEPT_FINISHED_PAYMENTS, Money, Myq, NewPayment, Operation, Payment,
    PaymentChange, PaymentId, PaymentParams, PaymentState, UserId,
};

use super::claims::{Claim, Claims};
use super::intent::{Intent, IntentKey, duplicate_reason, duplicates};
use super::reason::Reason;
use super::start::Started;

/// How many commits one flow sends at most, each after the previous one's fate was read back.
const COMMIT_ATTEMPTS: usize = 3;

/// A payment as the flow knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct PaymentRef {
    pub id: PaymentId,
    pub user_id: UserId,
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
        /// Copies of an intent's payment this flow rolled back.
        duplicates: Vec<PaymentRef>,
    },
    /// The payment was canceled: by the approval step, the user, or the server.
    RolledBack {
        payment: PaymentRef,
        reason: Reason,
        /// Copies of an intent's payment this flow rolled back.
        duplicates: Vec<PaymentRef>,
    },
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

impl Outcome {
    /// Whether the payment reached a final state (completed or canceled).
    fn is_settled(&self) -> bool {
        matches!(self, Outcome::Committed { .. } | Outcome::RolledBack { .. })
    }

    /// Reports the duplicates a flow rolled back. A flow that failed or could not finish
    /// reports none: its error is the news; the duplicates' reasons stay in MyQ X.
    fn with_duplicates(mut self, rolled_back: Vec<PaymentRef>) -> Outcome {
        if let Outcome::Committed { duplicates, .. } | Outcome::RolledBack { duplicates, .. } =
            &mut self
        {
            *duplicates = rolled_back;
        }
        self
    }
}

/// The approval step's answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Approved {
    Commit,
    /// Commit this amount instead (the host's payment step charged another one): PATCH first.
    CommitAmount(Money),
    /// Roll back with this reason.
    Reject(Reason),
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
    user_id: UserId,
    provider: String,
    ledger: RefCell<Ledger>,
    busy: Cell<bool>,
    claims: Claims,
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

    /// Keeps every unfinished payment and the newest finished ones, as a list does: the UI
    /// lists a few, and keeping all would grow memory with every top-up on a long-lived page.
    fn trim(&mut self) {
        let mut finished = 0;
        self.payments.retain(|p| {
            finished += usize::from(p.state != PaymentState::Created);
            p.state == PaymentState::Created || finished <= KEPT_FINISHED_PAYMENTS
        });
    }

    /// Payments left `created` that are neither held by a flow nor copies of another.
    fn pending<'a>(&'a self, claims: &'a Claims) -> impl Iterator<Item = &'a Payment> {
        let copies = duplicates(&self.payments);
        self.payments.iter().filter(move |p| {
            p.state == PaymentState::Created
                && !claims.holds(&p.id)
                && !copies.iter().any(|d| d.payment.id == p.id)
        })
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

/// A create's payment, and copies of it the same request made.
struct Made {
    payment: PaymentRef,
    copies: Vec<PaymentRef>,
}

/// Marks the session busy until dropped.
struct BusyGuard<'a>(&'a Cell<bool>);

impl Drop for BusyGuard<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

impl<M: Myq> Session<M> {
    /// Opens a session for a started account: takes the user's payments [`start`](super::start)
    /// read, so that ones left `created` by an earlier page show up in
    /// [`pending`](Self::pending), and rolls back copies of an intent's payment. `claims` are the
    /// widget's, shared by its sessions. A copy whose rollback fails stays hidden and is tried
    /// again by the next flow.
    pub async fn open(myq: M, account: &Started, claims: Claims) -> Session<M> {
        let payments = account.payments.clone();
        let session = Session {
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
            claims,
        };
        session.roll_back_duplicates().await;
        session
    }

    pub fn myq(&self) -> &M {
        &self.myq
    }

    /// The user's payments with this provider, newest first.
    pub fn payments(&self) -> Vec<Payment> {
        self.ledger.borrow().payments.clone()
    }

    /// Payments in state `created` to be finished or canceled: not those a flow holds, nor
    /// copies of another payment's intent (those are rolled back).
    pub fn pending(&self) -> Vec<Payment> {
        let ledger = self.ledger.borrow();
        ledger.pending(&self.claims).cloned().collect()
    }

    pub fn balance(&self) -> Option<Money> {
        self.ledger.borrow().balance
    }

    /// Marks the session busy for one flow, after catching up with a create that may have
    /// landed late; answers the copies of intents' payments it rolled back meanwhile.
    async fn claim(&self) -> Result<(BusyGuard<'_>, Vec<PaymentRef>), Busy> {
        if self.busy.replace(true) {
            return Err(Busy);
        }
        let guard = BusyGuard(&self.busy);
        if self.ledger.borrow().unsettled_create && self.reload().await.is_ok() {
            self.ledger.borrow_mut().unsettled_create = false;
        }
        Ok((guard, self.roll_back_duplicates().await))
    }

    /// Rolls back every known copy of an intent's payment that no flow holds; answers those
    /// rolled back. One that fails stays a known copy (never offered) and is tried again by
    /// the next flow.
    async fn roll_back_duplicates(&self) -> Vec<PaymentRef> {
        let copies: Vec<(PaymentRef, PaymentId)> = {
            let ledger = self.ledger.borrow();
            duplicates(&ledger.payments)
                .into_iter()
                .map(|d| (self.reference(d.payment), d.kept.id.clone()))
                .collect()
        };
        let mut rolled_back = Vec::new();
        for (copy, kept_id) in copies {
            if self.roll_back_copy(&copy, &kept_id).await {
                rolled_back.push(copy);
            }
        }
        rolled_back
    }

    /// Rolls back one copy of the payment `kept_id`, naming it in the reason; `false` when a
    /// flow holds the copy or the rollback failed.
    async fn roll_back_copy(&self, copy: &PaymentRef, kept_id: &PaymentId) -> bool {
        let Some(claim) = self.claims.take(&copy.id) else {
            return false;
        };
        let reason = duplicate_reason(kept_id);
        let result = self
            .myq
            .rollback_payment(&self.provider, &copy.id, &reason)
            .await;
        if result.is_err() {
            return false;
        }
        self.ledger
            .borrow_mut()
            .set_state(copy, PaymentState::Canceled, Some(&reason));
        claim.settled();
        true
    }

    /// Ends a flow on a payment it claimed: a settled payment stays held, an unfinished one is
    /// offered again.
    fn release(claim: Claim, outcome: Outcome) -> Outcome {
        if outcome.is_settled() {
            claim.settled();
        }
        outcome
    }

    /// Tops up: create, approve, (update,) commit.
    pub async fn top_up(
        &self,
        intent: &Intent,
        approval: &impl Approval,
        progress: &mut impl FnMut(Progress),
    ) -> Result<Outcome, Busy> {
        let (_busy, mut rolled_back) = self.claim().await?;
        progress(Progress::Creating);
        let made = match self.create(intent).await {
            Ok(made) => made,
            Err(error) => return Ok(Outcome::Failed { error }),
        };
        let payment = made.payment;
        // A fresh intent key: no other flow can hold its payment.
        let Some(claim) = self.claims.take(&payment.id) else {
            let error = ApiError::contract(Operation::CreatePayment, "the payment is in use");
            return Ok(Outcome::Unresolved { payment, error });
        };
        progress(Progress::Created(payment.clone()));
        for copy in made.copies {
            if self.roll_back_copy(&copy, &payment.id).await {
                rolled_back.push(copy);
            }
        }
        let outcome = self.approve_and_commit(payment, approval, progress).await;
        Ok(Self::release(claim, outcome.with_duplicates(rolled_back)))
    }

    /// Finishes a pending payment: approval (when set), then commit.
    pub async fn finish(
        &self,
        payment_id: &str,
        approval: &impl Approval,
        progress: &mut impl FnMut(Progress),
    ) -> Result<Option<Outcome>, Busy> {
        let (_busy, rolled_back) = self.claim().await?;
        let Some((payment, claim)) = self.pending_ref(payment_id) else {
            return Ok(None);
        };
        let outcome = self.approve_and_commit(payment, approval, progress).await;
        Ok(Some(Self::release(
            claim,
            outcome.with_duplicates(rolled_back),
        )))
    }

    /// Cancels a pending payment with `reason`.
    pub async fn cancel(
        &self,
        payment_id: &str,
        reason: Reason,
        progress: &mut impl FnMut(Progress),
    ) -> Result<Option<Outcome>, Busy> {
        let (_busy, rolled_back) = self.claim().await?;
        let Some((payment, claim)) = self.pending_ref(payment_id) else {
            return Ok(None);
        };
        let outcome = self.roll_back(payment, reason, progress).await;
        Ok(Some(Self::release(
            claim,
            outcome.with_duplicates(rolled_back),
        )))
    }

    /// Reads the payments and the balance again, and rolls back copies of an intent's payment
    /// it finds.
    pub async fn reload(&self) -> Result<(), ApiError> {
        let payments = self.myq.payments(&self.provider, self.user_id).await?;
        let balance = self.myq.balance(self.user_id).await.ok().flatten();
        {
            let mut ledger = self.ledger.borrow_mut();
            ledger.payments = payments;
            ledger.trim();
            if balance.is_some() {
                ledger.balance = balance;
            }
        }
        self.roll_back_duplicates().await;
        Ok(())
    }

    /// A pending payment, claimed for a flow.
    fn pending_ref(&self, payment_id: &str) -> Option<(PaymentRef, Claim)> {
        let payment = {
            let ledger = self.ledger.borrow();
            let mut pending = ledger.pending(&self.claims);
            self.reference(pending.find(|p| p.id == payment_id)?)
        };
        let claim = self.claims.take(&payment.id)?;
        Some((payment, claim))
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

    /// Creates the payment, its description tagged with the intent's key, then reads the
    /// user's payments once to find every payment the intent made: the request may have
    /// reached MyQ X twice, or its answer may be lost. The oldest is kept, the others are
    /// copies. When nothing of the intent is listed, the create's own answer decides; a
    /// payment a slow server makes later is found by the next flow's read.
    async fn create(&self, intent: &Intent) -> Result<Made, ApiError> {
        let request = NewPayment {
            user_id: self.user_id,
            description: intent.key.tag(&intent.description),
            params: PaymentParams {
                amount: intent.amount,
            },
        };
        let answered = match self.myq.create_payment(&self.provider, &request).await {
            // No token, so the request was never sent.
            Err(error) if error.operation == Operation::Token => return Err(error),
            answered => answered,
        };
        let listed = self.myq.payments(&self.provider, self.user_id).await;
        let mut ledger = self.ledger.borrow_mut();
        if let Ok(listed) = listed {
            ledger.record_all(listed);
        }
        let mut made: Vec<PaymentRef> = ledger
            .payments
            .iter()
            .filter(|p| {
                p.state == PaymentState::Created
                    && IntentKey::of(&p.description).as_ref() == Some(&intent.key)
            })
            .map(|p| self.reference(p))
            .collect();
        let answered_listed = match &answered {
            Ok(created) => made.iter().any(|p| p.id == created.id),
            Err(_) => !made.is_empty(),
        };
        // Not listed (the list failed or lags): a copy may still show up; read first next time.
        ledger.unsettled_create = !answered_listed;
        let payment = match (made.pop(), answered) {
            (Some(oldest), _) => oldest,
            (None, Ok(created)) => {
                let payment = self.created_ref(created);
                ledger.set_state(&payment, PaymentState::Created, None);
                payment
            }
            (None, Err(error)) => return Err(error),
        };
        Ok(Made {
            payment,
            copies: made,
        })
    }

    fn created_ref(&self, created: CreatedPayment) -> PaymentRef {
        PaymentRef {
            id: created.id,
            user_id: self.user_id,
            amount: created.amount,
            provider: self.provider.clone(),
            payment_no: None,
        }
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
            Approved::Reject(reason) => return self.roll_back(payment, reason, progress).await,
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
        let reason = Reason::AmountNotChanged;
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
                            return self.canceled(payment, Reason::Found(listed.description));
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

    /// Rolls back with `reason`, cut to what MyQ X keeps of it.
    async fn roll_back(
        &self,
        payment: PaymentRef,
        reason: Reason,
        progress: &mut impl FnMut(Progress),
    ) -> Outcome {
        let reason = reason.fitted();
        progress(Progress::RollingBack(payment.clone()));
        let error = match self
            .myq
            .rollback_payment(&self.provider, &payment.id, &reason.text())
            .await
        {
            Ok(()) => return self.canceled(payment, reason),
            Err(error) => error,
        };
        progress(Progress::Verifying(payment.clone()));
        match self.read_back(&payment).await {
            Ok(Some(listed)) if listed.state == PaymentState::Canceled => {
                self.canceled(payment, Reason::Found(listed.description))
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
        ledger.balance = ledger.balance.map(|b| b + credited);
        Outcome::Committed {
            payment,
            credited,
            balance: ledger.balance,
            duplicates: Vec::new(),
        }
    }

    fn canceled(&self, payment: PaymentRef, reason: Reason) -> Outcome {
        self.ledger
            .borrow_mut()
            .set_state(&payment, PaymentState::Canceled, Some(&reason.text()));
        Outcome::RolledBack {
            payment,
            reason,
            duplicates: Vec::new(),
        }
    }
}
