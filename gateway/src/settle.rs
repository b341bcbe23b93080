//! Commit means charge, then credit: a payment is charged through its payment step, and only an
//! approved charge is committed at MyQ X. Each step is written to the ledger before the next
//! outside call, so a crash or a lost answer leaves a record the reconciler can finish from
//! (`reconcile.rs` calls the same functions).
//!
//! ```text
//! created ──begin_charge──▶ charging ──approved──▶ charged ──commit at MyQ──▶ credited
//!                               └────declined───▶ declined ──rollback at MyQ─▶ rolled_back
//! ```

use myq_api::{ApiError, Money, Myq, PaymentState};

use crate::billing::{Charge, ChargeError, ChargeOutcome, PaymentStep};
use crate::error::GatewayError;
use crate::ledger::{Ledger, LedgerError, Record};
use crate::upstream::Upstream;

/// Where a payment stands after a settlement step.
#[derive(Clone, Debug, PartialEq)]
pub enum Settled {
    /// Charged and credited: the credit MyQ X added.
    Credited(Money),
    /// The payment step declined; the payment is rolled back at MyQ X with this reason.
    Declined(String),
    /// An outside call gave no definite answer; the reconciler finishes it. Says which step.
    Pending(Pending),
    /// Charged, but MyQ X refuses to credit it (the payment was canceled there): a mismatch
    /// for the report, to be refunded or credited by hand.
    Stuck(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pending {
    /// The charge's outcome is unknown: it will be asked again by its idempotency key.
    Charge,
    /// Charged; the credit at MyQ X did not answer: MyQ's state will be read back.
    Credit,
}

impl Settled {
    /// The answer to the commit that asked for it: the credit added, or why there is none, in
    /// words a student can act on.
    pub fn answer(self) -> Result<Money, GatewayError> {
        Err(match self {
            Settled::Credited(amount) => return Ok(amount),
            Settled::Declined(reason) => GatewayError::new(
                axum::http::StatusCode::PAYMENT_REQUIRED,
                format!("The payment was declined: {reason}. Nothing was charged or credited."),
            ),
            Settled::Pending(Pending::Charge) => GatewayError::bad_gateway(
                "The payment service did not answer in time. The payment is settled within \
                 minutes, and never charged twice.",
            ),
            Settled::Pending(Pending::Credit) => GatewayError::bad_gateway(
                "The payment was charged; the credit is added within minutes.",
            ),
            Settled::Stuck(_) => GatewayError::bad_gateway(
                "The payment was charged but MyQ X could not credit it: the help desk will put it \
                 right.",
            ),
        })
    }
}

/// What settling needs: MyQ X, the ledger and the provider the gateway uses.
pub struct Settlement<'a> {
    pub upstream: &'a Upstream,
    pub ledger: &'a Ledger,
    pub provider: &'a str,
}

impl Settlement<'_> {
    /// Charges a payment the caller moved to `charging`, then credits it.
    pub async fn charge_and_credit(
        &self,
        step: &dyn PaymentStep,
        record: &Record,
    ) -> Result<Settled, LedgerError> {
        let charge = Charge::top_up(
            &record.payment_id,
            &record.username,
            record.user().0,
            record.amount.cents(),
        );
        match step.charge(&charge).await {
            Ok(ChargeOutcome::Approved { charge_id }) => {
                recorded(self.ledger.charged(&record.payment_id, &charge_id).await)?;
                self.credit(record).await
            }
            Ok(ChargeOutcome::Declined { reason }) => {
                recorded(self.ledger.declined(&record.payment_id, &reason).await)?;
                self.roll_back(record, &format!("Declined by {}: {reason}", step.name()))
                    .await?;
                Ok(Settled::Declined(reason))
            }
            Err(ChargeError::Unknown(detail)) => {
                tracing::warn!(payment = %record.payment_id, %detail, "charge outcome unknown");
                Ok(Settled::Pending(Pending::Charge))
            }
            Err(ChargeError::Refused { status, message }) => {
                // The billing endpoint refused the request itself (a signature, a key): no charge
                // was made. Kept as charging, so it is asked again once the set-up is fixed.
                tracing::error!(payment = %record.payment_id, status, %message,
                    "the payment step refused the charge request");
                Ok(Settled::Pending(Pending::Charge))
            }
        }
    }

    /// Commits a charged payment at MyQ X. A refusal is checked against MyQ's state: a payment
    /// already completed there (an earlier commit whose answer was lost) counts as credited.
    pub async fn credit(&self, record: &Record) -> Result<Settled, LedgerError> {
        match self
            .upstream
            .commit_payment(self.provider, &record.payment())
            .await
        {
            Ok(amount) => {
                recorded(self.ledger.credited(&record.payment_id).await)?;
                if amount != record.amount {
                    // The payment was changed at MyQ X behind the gateway's back.
                    tracing::error!(payment = %record.payment_id, charged = %record.amount,
                        credited = %amount, "mismatch: credited another amount than charged");
                }
                Ok(Settled::Credited(amount))
            }
            Err(err) if err.outcome_unknown() => {
                tracing::warn!(payment = %record.payment_id, error = %err, "credit outcome unknown");
                Ok(Settled::Pending(Pending::Credit))
            }
            Err(err) => self.after_refused_credit(record, &err).await,
        }
    }

    async fn after_refused_credit(
        &self,
        record: &Record,
        refusal: &ApiError,
    ) -> Result<Settled, LedgerError> {
        match self.state_at_myq(record).await {
            Some(PaymentState::Completed) => {
                recorded(self.ledger.credited(&record.payment_id).await)?;
                Ok(Settled::Credited(record.amount))
            }
            Some(PaymentState::Canceled) => {
                // Stays `charged`: the report lists it as charged and not credited.
                let why = format!("charged, but MyQ X canceled the payment: {refusal}");
                tracing::error!(payment = %record.payment_id, %why, "mismatch");
                Ok(Settled::Stuck(why))
            }
            Some(PaymentState::Created) | None => {
                tracing::warn!(payment = %record.payment_id, error = %refusal, "credit refused");
                Ok(Settled::Pending(Pending::Credit))
            }
        }
    }

    /// Ends a payment whose charge was claimed without charging it: declined for `reason`, and
    /// rolled back at MyQ X.
    pub async fn refuse(&self, record: &Record, reason: &str) -> Result<(), LedgerError> {
        self.ledger.declined(&record.payment_id, reason).await?;
        self.roll_back(record, reason).await
    }

    /// Rolls a payment back at MyQ X and records it; a refusal leaves it for the reconciler.
    pub async fn roll_back(&self, record: &Record, reason: &str) -> Result<(), LedgerError> {
        let reason = myq_api::fit_description(reason);
        match self
            .upstream
            .rollback_payment(self.provider, &record.payment(), reason)
            .await
        {
            Ok(()) => recorded(self.ledger.rolled_back(&record.payment_id, reason).await),
            Err(err) => {
                if self.state_at_myq(record).await == Some(PaymentState::Canceled) {
                    return recorded(self.ledger.rolled_back(&record.payment_id, reason).await);
                }
                tracing::warn!(payment = %record.payment_id, error = %err, "rollback failed");
                Ok(())
            }
        }
    }

    /// The payment's state as MyQ X lists it now; `None` when it cannot be read or is not
    /// listed.
    pub async fn state_at_myq(&self, record: &Record) -> Option<PaymentState> {
        let payments = self
            .upstream
            .payments(self.provider, record.user())
            .await
            .ok()?;
        payments
            .iter()
            .find(|p| p.id == record.payment_id.as_str())
            .map(|p| p.state)
    }
}

/// A step another request or gateway instance recorded first is done all the same: the ledger
/// refused only the repeat.
fn recorded(result: Result<(), LedgerError>) -> Result<(), LedgerError> {
    match result {
        Err(LedgerError::AlreadyRecorded { .. }) => Ok(()),
        other => other,
    }
}
