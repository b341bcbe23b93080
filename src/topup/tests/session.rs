//! Every transition of the flow, each checked on the server's state as well as the outcome.

use std::sync::atomic::{AtomicU64, Ordering};

use futures::executor::block_on;
use serde_json::json;

use super::local::{Fault, JNOVAK, LocalMyq, open_session as open};
use crate::api::{Failure, Money, Operation, PaymentId, PaymentState};
use crate::topup::*;

/// A new intent: each with its own key.
fn intent(amount: i64) -> Intent {
    static KEYS: AtomicU64 = AtomicU64::new(1);
    Intent {
        amount: Money(amount),
        description: String::new(),
        key: IntentKey::from_random(KEYS.fetch_add(1, Ordering::Relaxed)),
    }
}

/// Runs a top-up and collects its progress.
fn top_up(
    session: &Session<LocalMyq>,
    amount: i64,
    approval: &impl Approval,
) -> (Outcome, Vec<Progress>) {
    let mut steps = Vec::new();
    let outcome = block_on(session.top_up(&intent(amount), approval, &mut |p| steps.push(p)));
    (outcome.expect("not busy"), steps)
}

/// An approval step that answers the same every time.
struct Answer(Approved);

impl Approval for Answer {
    async fn approve(&self, _: &PaymentRef) -> Approved {
        self.0.clone()
    }
}

#[track_caller]
fn committed(outcome: &Outcome) -> (&PaymentRef, Money, Option<Money>) {
    match outcome {
        Outcome::Committed {
            payment,
            credited,
            balance,
            ..
        } => (payment, *credited, *balance),
        other => panic!("expected Committed, got {other:?}"),
    }
}

#[test]
fn a_top_up_creates_and_commits_once() {
    let session = open(LocalMyq::new());
    let (outcome, steps) = top_up(&session, 1000, &NoApproval);
    let (payment, credited, balance) = committed(&outcome);
    assert_eq!((credited, balance), (Money(1000), Some(Money(13_000))));
    assert_eq!(session.myq().balance(JNOVAK), 13_000);
    assert_eq!(
        session.myq().server_payment(&payment.id).unwrap()["state"],
        "completed"
    );
    assert!(matches!(steps[0], Progress::Creating));
    assert!(matches!(&steps[1], Progress::Created(p) if p.id == payment.id));
    assert_eq!(session.myq().count(Operation::CreatePayment), 1);
    assert_eq!(session.myq().count(Operation::CommitPayment), 1);
    assert_eq!(session.payments()[0].state, PaymentState::Completed);
}

#[test]
fn a_second_top_up_makes_three_requests() {
    let session = open(LocalMyq::new());
    top_up(&session, 100, &NoApproval);
    let before = session.myq().calls.borrow().len();
    top_up(&session, 200, &NoApproval);
    let calls = session.myq().calls.borrow()[before..].to_vec();
    assert_eq!(
        calls,
        [
            Operation::CreatePayment,
            // A create may reach MyQ X twice: the one read that finds every copy.
            Operation::ListPayments,
            Operation::CommitPayment
        ]
    );
}

#[test]
fn a_rejected_approval_rolls_back_with_its_reason() {
    let session = open(LocalMyq::new());
    let (outcome, _) = top_up(
        &session,
        500,
        &Answer(Approved::Reject(Reason::Rejected("Card declined".into()))),
    );
    let Outcome::RolledBack {
        payment, reason, ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(reason, Reason::Rejected("Card declined".into()));
    let server = session.myq().server_payment(&payment.id).unwrap();
    assert_eq!(
        (server["state"].clone(), server["description"].clone()),
        (json!("canceled"), json!("Card declined"))
    );
    assert_eq!(session.myq().balance(JNOVAK), 12_000);
    assert_eq!(session.myq().count(Operation::CommitPayment), 0);
}

#[test]
fn an_approval_with_another_amount_updates_before_commit() {
    let session = open(LocalMyq::new());
    let (outcome, steps) = top_up(&session, 500, &Answer(Approved::CommitAmount(Money(700))));
    let (payment, credited, _) = committed(&outcome);
    assert_eq!((payment.amount, credited), (Money(700), Money(700)));
    assert_eq!(session.myq().balance(JNOVAK), 12_700);
    assert!(steps.iter().any(|s| matches!(s, Progress::Updating(_))));
    assert_eq!(session.myq().count(Operation::UpdatePayment), 1);
}

#[test]
fn a_failed_update_rolls_back_instead_of_committing_the_old_amount() {
    let myq = LocalMyq::new();
    myq.script(Operation::UpdatePayment, &[Fault::Refuse]);
    let session = open(myq);
    let (outcome, _) = top_up(&session, 500, &Answer(Approved::CommitAmount(Money(700))));
    let Outcome::RolledBack { payment, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        session.myq().server_payment(&payment.id).unwrap()["state"],
        "canceled"
    );
    assert_eq!(session.myq().balance(JNOVAK), 12_000);
}

#[test]
fn an_update_whose_answer_was_lost_is_read_back_and_committed() {
    let myq = LocalMyq::new();
    myq.script(Operation::UpdatePayment, &[Fault::Lose]);
    let session = open(myq);
    let (outcome, _) = top_up(&session, 500, &Answer(Approved::CommitAmount(Money(700))));
    assert_eq!(committed(&outcome).1, Money(700));
    assert_eq!(session.myq().balance(JNOVAK), 12_700);
}

#[test]
fn a_lost_commit_answer_is_read_back_and_never_committed_twice() {
    let myq = LocalMyq::new();
    myq.script(Operation::CommitPayment, &[Fault::Lose]);
    let session = open(myq);
    let (outcome, steps) = top_up(&session, 1000, &NoApproval);
    let (payment, credited, _) = committed(&outcome);
    assert_eq!(credited, Money(1000));
    assert_eq!(
        payment.payment_no.as_deref(),
        Some("1"),
        "known from the list"
    );
    assert_eq!(
        session.myq().count(Operation::CommitPayment),
        1,
        "no second commit"
    );
    assert_eq!(session.myq().blind_commits.get(), 0);
    assert_eq!(session.myq().balance(JNOVAK), 13_000);
    let verifying = steps
        .iter()
        .position(|s| matches!(s, Progress::Verifying(_)));
    assert!(
        verifying.is_some(),
        "read back before anything else: {steps:?}"
    );
}

#[test]
fn a_refused_commit_is_read_back_and_committed_again() {
    let myq = LocalMyq::new();
    myq.script(Operation::CommitPayment, &[Fault::Refuse]);
    let session = open(myq);
    let (outcome, _) = top_up(&session, 1000, &NoApproval);
    committed(&outcome);
    let calls = session.myq().calls.borrow().clone();
    let tail = &calls[calls.len() - 3..];
    assert_eq!(
        tail,
        [
            Operation::CommitPayment,
            Operation::ListPayments,
            Operation::CommitPayment
        ]
    );
    assert_eq!(session.myq().balance(JNOVAK), 13_000);
}

#[test]
fn a_payment_canceled_meanwhile_is_reported_not_committed() {
    let myq = LocalMyq::new();
    // The commit is refused; by the time the list is read the payment was canceled elsewhere.
    myq.always(Operation::CommitPayment, Fault::Refuse);
    let session = open(myq);
    struct CancelElsewhere<'a>(&'a LocalMyq);
    impl Approval for CancelElsewhere<'_> {
        async fn approve(&self, payment: &PaymentRef) -> Approved {
            let mut server = self.0.server.borrow_mut();
            server
                .rollback_payment("external", &payment.id, "Canceled by the operator")
                .unwrap();
            Approved::Commit
        }
    }
    let (outcome, _) = top_up(&session, 1000, &CancelElsewhere(session.myq()));
    let Outcome::RolledBack { reason, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(reason, Reason::Found("Canceled by the operator".into()));
    assert_eq!(session.myq().balance(JNOVAK), 12_000);
}

#[test]
fn a_commit_that_keeps_failing_ends_unresolved_and_pending() {
    let myq = LocalMyq::new();
    myq.always(Operation::CommitPayment, Fault::Refuse);
    let session = open(myq);
    let (outcome, _) = top_up(&session, 1000, &NoApproval);
    let Outcome::Unresolved { payment, error } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(error.operation, Operation::CommitPayment);
    assert_eq!(
        session.myq().count(Operation::CommitPayment),
        3,
        "bounded attempts"
    );
    assert_eq!(session.pending()[0].id, payment.id);
    assert_eq!(session.myq().balance(JNOVAK), 12_000);

    session.myq().set_policy(|_| Fault::None);
    let finished = block_on(session.finish(&payment.id, &NoApproval, &mut |_| {})).unwrap();
    assert_eq!(committed(&finished.unwrap()).1, Money(1000));
    assert!(session.pending().is_empty());
    assert_eq!(session.myq().balance(JNOVAK), 13_000);
}

#[test]
fn a_lost_commit_answer_with_the_list_down_ends_unresolved_without_a_blind_commit() {
    let session = open(LocalMyq::new());
    session.myq().set_policy(|op| match op {
        Operation::CommitPayment => Fault::Lose,
        Operation::ListPayments => Fault::Refuse,
        _ => Fault::None,
    });
    let (outcome, _) = top_up(&session, 1000, &NoApproval);
    let Outcome::Unresolved { payment, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        session.myq().count(Operation::CommitPayment),
        1,
        "never commit blind"
    );
    assert_eq!(
        session.myq().server_payment(&payment.id).unwrap()["state"],
        "completed"
    );

    // Once the list answers again, the payment's fate is known and nothing is credited twice.
    session.myq().set_policy(|_| Fault::None);
    block_on(session.reload()).unwrap();
    assert!(session.pending().is_empty());
    assert_eq!(session.balance(), Some(Money(13_000)));
    assert_eq!(session.myq().balance(JNOVAK), 13_000);
}

#[test]
fn a_refused_create_leaves_nothing_behind() {
    let myq = LocalMyq::new();
    myq.script(Operation::CreatePayment, &[Fault::Refuse]);
    let session = open(myq);
    let (outcome, _) = top_up(&session, 1000, &NoApproval);
    let Outcome::Failed { error } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(error.status(), Some(503));
    assert!(session.myq().server_payments().is_empty());
    assert!(session.pending().is_empty());
}

#[test]
fn a_lost_create_answer_finds_the_payment_and_carries_on() {
    let myq = LocalMyq::new();
    myq.script(Operation::CreatePayment, &[Fault::Lose]);
    let session = open(myq);
    let (outcome, _) = top_up(&session, 1000, &NoApproval);
    let (payment, _, _) = committed(&outcome);
    let server = session.myq().server_payments();
    assert_eq!(server.len(), 1, "one intent, one payment");
    assert_eq!(server[0]["id"], payment.id.as_str());
    assert_eq!(session.myq().balance(JNOVAK), 13_000);
}

#[test]
fn a_create_that_never_arrived_adopts_no_older_payment() {
    let myq = LocalMyq::new();
    myq.leave_payment(10.0);
    let session = open(myq);
    session
        .myq()
        .script(Operation::CreatePayment, &[Fault::Unreachable]);
    let (outcome, _) = top_up(&session, 1000, &NoApproval);
    assert!(matches!(outcome, Outcome::Failed { .. }), "{outcome:?}");
    assert_eq!(
        session.pending().len(),
        1,
        "the older payment stays pending, uncommitted"
    );
    assert_eq!(session.myq().balance(JNOVAK), 12_000);
}

#[test]
fn a_definite_refusal_of_create_is_reported_with_its_message() {
    let myq = LocalMyq::new();
    myq.server
        .borrow_mut()
        .set_provider_enabled("external", true);
    let session = open(myq);
    session
        .myq()
        .server
        .borrow_mut()
        .set_provider_enabled("external", false);
    let (outcome, _) = top_up(&session, 1000, &NoApproval);
    let Outcome::Failed { error } = outcome else {
        panic!("{outcome:?}")
    };
    let Failure::Refused {
        status, message, ..
    } = &error.failure
    else {
        panic!("{error:?}")
    };
    assert_eq!(*status, 400);
    assert!(
        message.ends_with("Payment provider is disabled."),
        "{message}"
    );
    assert_eq!(
        session.myq().count(Operation::ListPayments),
        2,
        "the one at start and the one after every create"
    );
    assert!(session.myq().server_payments().is_empty());
}

#[test]
fn a_concurrent_trigger_is_refused_while_a_flow_runs() {
    let session = open(LocalMyq::new());
    let click = intent(1000);
    let (mut ignore_first, mut ignore_second) = (|_| {}, |_| {});
    let (first, second) = block_on(async {
        futures::join!(
            session.top_up(&click, &NoApproval, &mut ignore_first),
            session.top_up(&click, &NoApproval, &mut ignore_second),
        )
    });
    committed(&first.unwrap());
    assert_eq!(second, Err(Busy));
    assert_eq!(session.myq().server_payments().len(), 1);
    assert_eq!(session.myq().balance(JNOVAK), 13_000);
    let (next, _) = top_up(&session, 100, &NoApproval);
    committed(&next); // the guard was released
}

#[test]
fn payments_left_created_by_an_earlier_page_are_pending_at_open() {
    let myq = LocalMyq::new();
    let left = myq.leave_payment(15.0);
    let session = open(myq);
    let pending = session.pending();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].id, left);
    assert_eq!(pending[0].amount, Money(1500));

    let canceled =
        block_on(session.cancel(&pending[0].id, Reason::CanceledByUser, &mut |_| {})).unwrap();
    assert!(
        matches!(canceled, Some(Outcome::RolledBack { ref reason, .. }) if *reason == Reason::CanceledByUser)
    );
    assert!(session.pending().is_empty());
    assert_eq!(
        session.myq().server_payment(&pending[0].id).unwrap()["state"],
        "canceled"
    );
    let again =
        block_on(session.cancel(&pending[0].id, Reason::CanceledByUser, &mut |_| {})).unwrap();
    assert_eq!(again, None, "only pending payments can be canceled");
}

#[test]
fn a_lost_rollback_answer_is_read_back() {
    let myq = LocalMyq::new();
    myq.script(Operation::RollbackPayment, &[Fault::Lose]);
    let session = open(myq);
    let (outcome, _) = top_up(
        &session,
        500,
        &Answer(Approved::Reject(Reason::RejectedSilently)),
    );
    assert!(matches!(outcome, Outcome::RolledBack { .. }), "{outcome:?}");
    assert!(session.pending().is_empty());
}

#[test]
fn a_long_lived_session_keeps_the_newest_payments_and_every_unfinished_one() {
    let myq = LocalMyq::new();
    let left = myq.leave_payment(1.0);
    let session = open(myq);
    for _ in 0..60 {
        top_up(&session, 100, &NoApproval);
    }
    let payments = session.payments();
    assert_eq!(payments.len(), 51, "50 finished and the unfinished one");
    assert!(payments.iter().any(|p| p.id == left));
    assert_eq!(session.pending().len(), 1);
    assert_eq!(session.myq().balance(JNOVAK), 12_000 + 60 * 100);
}

/// A payment as the server lists it.
fn server_state(session: &Session<LocalMyq>, id: &str) -> (String, String) {
    let payment = session.myq().server_payment(id).unwrap();
    let text = |field: &str| payment[field].as_str().unwrap_or_default().to_owned();
    (text("state"), text("description"))
}

#[test]
fn a_create_that_reached_myq_twice_keeps_one_payment_and_rolls_back_the_copy() {
    let myq = LocalMyq::new();
    myq.script(Operation::CreatePayment, &[Fault::Twice]);
    let session = open(myq);
    let (outcome, steps) = top_up(&session, 1000, &NoApproval);
    let Outcome::Committed {
        payment,
        duplicates,
        ..
    } = &outcome
    else {
        panic!("{outcome:?}")
    };
    let server = session.myq().server_payments();
    assert_eq!(server.len(), 2, "the server made two");
    let ids: Vec<&str> = server.iter().map(|p| p["id"].as_str().unwrap()).collect();
    let oldest = ids
        .iter()
        .min_by_key(|id| id.parse::<u64>().unwrap())
        .unwrap();
    assert_eq!(payment.id, *oldest, "the first one made is kept");
    assert_eq!(duplicates.len(), 1);
    let copy = &duplicates[0];
    assert_eq!(server_state(&session, &payment.id).0, "completed");
    assert_eq!(
        server_state(&session, &copy.id),
        (
            "canceled".to_owned(),
            format!(
                "Duplicate of payment {}: the same top-up reached MyQ X twice",
                payment.id
            )
        )
    );
    assert_eq!(session.myq().balance(JNOVAK), 13_000, "credited once");
    assert!(
        steps
            .iter()
            .any(|s| matches!(s, Progress::Created(p) if p.id == payment.id)),
        "the created event names the kept payment"
    );
    assert!(session.pending().is_empty());
    assert_eq!(session.myq().count(Operation::ListPayments), 2);
}

#[test]
fn a_lost_answer_of_a_create_that_reached_myq_twice_keeps_one() {
    let myq = LocalMyq::new();
    myq.script(Operation::CreatePayment, &[Fault::TwiceLost]);
    let session = open(myq);
    let (outcome, _) = top_up(&session, 700, &NoApproval);
    let Outcome::Committed { duplicates, .. } = &outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(duplicates.len(), 1);
    let states: Vec<String> = session
        .myq()
        .server_payments()
        .iter()
        .map(|p| p["state"].as_str().unwrap().to_owned())
        .collect();
    let completed = states.iter().filter(|s| *s == "completed").count();
    assert_eq!((states.len(), completed), (2, 1));
    assert_eq!(session.myq().balance(JNOVAK), 12_700);
}

#[test]
fn copies_left_by_an_earlier_page_are_rolled_back_at_open_and_never_offered() {
    let myq = LocalMyq::new();
    let finished = IntentKey::from_random(0xf1).tag("Kiosk");
    let unfinished = IntentKey::from_random(0xf2).tag("");
    let done = myq.leave_described_payment(10.0, &finished);
    myq.server
        .borrow_mut()
        .commit_payment("external", &done)
        .unwrap();
    let copy_of_done = myq.leave_described_payment(10.0, &finished);
    let first = myq.leave_described_payment(20.0, &unfinished);
    let copy_of_first = myq.leave_described_payment(20.0, &unfinished);
    myq.always(Operation::RollbackPayment, Fault::Refuse);
    let session = open(myq);
    let pending: Vec<PaymentId> = session.pending().into_iter().map(|p| p.id).collect();
    assert_eq!(
        pending,
        std::slice::from_ref(&first),
        "a copy is never offered to finish"
    );
    assert_eq!(
        server_state(&session, &copy_of_done).0,
        "created",
        "rollback refused"
    );

    session.myq().set_policy(|_| Fault::None);
    block_on(session.reload()).unwrap();
    for (copy, kept) in [(&copy_of_done, &done), (&copy_of_first, &first)] {
        let (state, reason) = server_state(&session, copy);
        assert_eq!(state, "canceled");
        assert!(reason.contains(kept.as_str()), "{reason}");
    }
    assert_eq!(server_state(&session, &first).0, "created");
    assert_eq!(session.myq().balance(JNOVAK), 13_000, "only the one commit");
}

#[test]
fn a_rollback_reason_is_cut_to_what_myq_keeps() {
    let session = open(LocalMyq::new());
    let long = "Declined: ".to_owned() + &"x".repeat(400);
    let (outcome, _) = top_up(
        &session,
        500,
        &Answer(Approved::Reject(Reason::Rejected(long))),
    );
    let Outcome::RolledBack {
        payment, reason, ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    let kept = reason.text();
    assert_eq!(kept.chars().count(), 255);
    assert_eq!(
        server_state(&session, &payment.id),
        ("canceled".into(), kept)
    );
}
