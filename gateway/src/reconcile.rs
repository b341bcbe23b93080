//! The reconciler finishes what a crash or a lost answer left half done, at start and every
//! `[reconcile] interval_seconds` (a minute by default): a charge whose outcome is unknown is asked again by its idempotency key (the
//! payment id), a charged payment is credited after MyQ's state is read back, and a payment
//! created but never committed is rolled back after the configured time. Every step goes through
//! the same settlement functions a commit uses, so nothing is charged or credited twice. A
//! charge or credit is left alone for twice the longest outside call's time limit after its last
//! step, since a request may still be making it.

use std::sync::Arc;
use std::time::Duration;

use myq_api::PaymentState;

use crate::app::App;
use crate::ledger::{Record, RecordState};
use crate::settle::Settled;

/// What one pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub credited: usize,
    pub declined: usize,
    pub rolled_back: usize,
    pub still_open: usize,
}

/// Runs passes until the task is dropped.
pub async fn run(app: Arc<App>) {
    let mut ticks = tokio::time::interval(app.config.reconcile.every);
    // A pass that ran long is not made up for with a burst of passes.
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match pass(&app).await {
            Ok(pass) if pass != Pass::default() => tracing::info!(?pass, "reconciled"),
            Ok(_) => {}
            Err(err) => tracing::error!(error = %err, "the reconciler cannot read the ledger"),
        }
    }
}

/// One pass over the unfinished payments, now.
pub async fn pass(app: &App) -> Result<Pass, crate::ledger::LedgerError> {
    pass_at(app, now_ms()).await
}

/// How long after its last step a charge or credit may still be under way in a request: twice
/// the longest outside call's time limit.
pub fn in_flight_for(app: &App) -> Duration {
    2 * app.config.myq.timeout.max(app.config.billing.timeout)
}

/// One pass as at `now_ms` (Unix milliseconds): tests look past [`in_flight_for`] with it.
pub async fn pass_at(app: &App, now_ms: i64) -> Result<Pass, crate::ledger::LedgerError> {
    let millis = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    let abandoned_before = now_ms - millis(app.config.policy.abandoned_after);
    // A charge or credit younger than this may still be under way in a request: left to it.
    let in_flight_since = now_ms - millis(in_flight_for(app));
    let mut done = Pass::default();
    for record in app.ledger.unfinished(abandoned_before).await? {
        let settling = matches!(record.state, RecordState::Charging | RecordState::Charged);
        if settling && record.updated_at > in_flight_since {
            done.still_open += 1;
            continue;
        }
        let finished = match finish(app, &record).await {
            Ok(finished) => finished,
            Err(err) => {
                // One payment's trouble does not hold up the others.
                tracing::error!(payment = %record.payment_id, error = %err, "not reconciled");
                done.still_open += 1;
                continue;
            }
        };
        match finished {
            Some(Settled::Credited(_)) => done.credited += 1,
            Some(Settled::Declined(_)) => done.declined += 1,
            None if record.state == RecordState::Created => done.rolled_back += 1,
            _ => done.still_open += 1,
        }
    }
    Ok(done)
}

async fn finish(app: &App, record: &Record) -> Result<Option<Settled>, crate::ledger::LedgerError> {
    let settlement = app.settlement();
    match record.state {
        RecordState::Charging => {
            let step = app.payment_step(record.role, &record.actor);
            settlement
                .charge_and_credit(step.as_ref(), record)
                .await
                .map(Some)
        }
        RecordState::Charged => match settlement.state_at_myq(record).await {
            Some(PaymentState::Completed) => {
                app.ledger.credited(&record.payment_id).await?;
                Ok(Some(Settled::Credited(record.amount)))
            }
            Some(PaymentState::Created) => settlement.credit(record).await.map(Some),
            Some(PaymentState::Canceled) | None => settlement.credit(record).await.map(Some),
        },
        RecordState::Created => {
            let minutes = app.config.policy.abandoned_after.as_secs() / 60;
            let reason = format!("Abandoned: not committed within {minutes} minutes");
            settlement.roll_back(record, &reason).await?;
            Ok(None)
        }
        RecordState::Declined => {
            let reason = record.reason.clone().unwrap_or_default();
            settlement
                .roll_back(record, &format!("Declined: {reason}"))
                .await?;
            Ok(Some(Settled::Declined(reason)))
        }
        // Settled already: `unfinished` does not list these.
        RecordState::Credited | RecordState::RolledBack => Ok(None),
    }
}

fn now_ms() -> i64 {
    crate::policy::unix_ms(time::OffsetDateTime::now_utc())
}
