//! Random interleavings of answers, refusals, lost answers and requests that reached the server
//! twice: whatever the network does, the credit equals the committed intents, no payment is
//! committed blind or twice, copies of an intent's payment are rolled back, and none is left
//! `created` without the session knowing.

use std::cell::Cell;
use std::collections::HashSet;
use std::rc::Rc;

use futures::executor::block_on;
use proptest::prelude::*;

use super::local::{Fault, JNOVAK, LocalMyq, open_session};
use crate::api::{Money, PaymentId};
use crate::topup::*;

/// How one intent is approved.
#[derive(Clone, Debug)]
enum Step {
    Commit,
    Reject,
    ChangeAmount(i64),
}

impl Approval for Step {
    async fn approve(&self, _: &PaymentRef) -> Approved {
        match self {
            Step::Commit => Approved::Commit,
            Step::Reject => Approved::Reject(Reason::Rejected("Declined".into())),
            Step::ChangeAmount(cents) => Approved::CommitAmount(Money(*cents)),
        }
    }
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => Just(Step::Commit),
        2 => Just(Step::Reject),
        2 => (1i64..50_000).prop_map(Step::ChangeAmount),
    ]
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        6 => Just(Fault::None),
        2 => Just(Fault::Refuse),
        2 => Just(Fault::Lose),
        1 => Just(Fault::Unreachable),
        1 => Just(Fault::Twice),
        1 => Just(Fault::TwiceLost),
    ]
}

/// Runs the session through `intents` with faults drawn from `faults` (cycled), and checks the
/// money rules once the network is healthy again.
fn run(intents: &[(i64, Step, bool)], faults: &[Fault]) -> Result<(), TestCaseError> {
    let session = open_session(LocalMyq::new());
    let draws = Rc::new(Cell::new(0usize));
    let (script, counter) = (faults.to_vec(), draws.clone());
    session.myq().set_policy(move |_| {
        counter.set(counter.get() + 1);
        script[counter.get() % script.len()]
    });
    let start_balance = session.myq().balance(JNOVAK);

    let mut outcomes = Vec::new();
    for (n, (cents, step, double_click)) in intents.iter().enumerate() {
        let intent = Intent {
            amount: Money(*cents),
            description: String::new(),
            key: IntentKey::from_random(n as u64),
        };
        let (mut first_steps, mut second_steps) = (|_| {}, |_| {});
        let (first, second) = block_on(async {
            let first = session.top_up(&intent, step, &mut first_steps);
            if *double_click {
                let second = session.top_up(&intent, step, &mut second_steps);
                let (first, second) = futures::join!(first, second);
                (first, Some(second))
            } else {
                (first.await, None)
            }
        });
        if let Some(second) = second {
            prop_assert_eq!(second, Err(Busy), "a double click starts nothing");
        }
        outcomes.push(first.expect("the first trigger runs"));
    }

    // The network heals; the session reads the truth.
    session.myq().set_policy(|_| Fault::None);
    block_on(session.reload()).unwrap();
    let server = session.myq().server_payments();
    let state_of = |id: &str| {
        let payment = server.iter().find(|p| p["id"] == id);
        payment.map_or("missing".to_owned(), |p| {
            p["state"].as_str().unwrap().to_owned()
        })
    };

    prop_assert_eq!(
        session.myq().blind_commits.get(),
        0,
        "no commit of a completed payment"
    );

    let mut reported = HashSet::new();
    let mut expected_credit = 0;
    for outcome in &outcomes {
        match outcome {
            Outcome::Committed {
                payment,
                credited,
                duplicates,
                ..
            } => {
                for copy in duplicates {
                    prop_assert_eq!(state_of(&copy.id), "canceled", "a copy is rolled back");
                }
                prop_assert_eq!(state_of(&payment.id), "completed");
                prop_assert_eq!(*credited, payment.amount);
                expected_credit += credited.cents();
                prop_assert!(
                    reported.insert(payment.id.clone()),
                    "one payment, one intent"
                );
            }
            Outcome::RolledBack { payment, .. } => {
                prop_assert_eq!(state_of(&payment.id), "canceled");
                prop_assert!(reported.insert(payment.id.clone()));
            }
            Outcome::Unresolved { payment, .. } => {
                // Its fate is known now: completed counts, created is pending, canceled is not.
                if state_of(&payment.id) == "completed" {
                    expected_credit += payment.amount.cents();
                }
                prop_assert!(reported.insert(payment.id.clone()));
            }
            Outcome::Failed { .. } => {}
        }
    }
    let credited = session.myq().balance(JNOVAK) - start_balance;
    prop_assert_eq!(
        credited,
        expected_credit,
        "credit equals the committed intents"
    );

    let completed: Vec<_> = server
        .iter()
        .filter(|p| p["state"] == "completed")
        .collect();
    for payment in &completed {
        let id = payment["id"].as_str().unwrap();
        prop_assert!(
            reported.contains(id),
            "completed payment {} belongs to an intent",
            id
        );
    }
    // Copies of an intent's payment were rolled back by the healing read, so every payment left
    // `created` is one the user can finish or cancel.
    let server = session.myq().server_payments();
    let pending: HashSet<PaymentId> = session.pending().into_iter().map(|p| p.id).collect();
    for payment in server.iter().filter(|p| p["state"] == "created") {
        prop_assert!(
            pending.contains(payment["id"].as_str().unwrap()),
            "created payments are pending"
        );
    }
    prop_assert_eq!(session.balance(), Some(Money(start_balance + credited)));
    Ok(())
}

/// Randomized runs per `cargo test`; each drives up to five intents through the faults.
const RUNS: u32 = 2000;

proptest! {
    #![proptest_config(ProptestConfig { cases: RUNS, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_faults_never_break_the_money_rules(
        intents in prop::collection::vec((1i64..100_000, step(), any::<bool>()), 1..6),
        faults in prop::collection::vec(fault(), 1..24),
    ) {
        run(&intents, &faults)?;
    }
}

/// A fixed mix: a double click, a lost create answer, a rejected approval, an amount change.
#[test]
fn a_fixed_mix_of_faults_keeps_the_money_rules() {
    let intents = [
        (1000, Step::Commit, true),
        (500, Step::Reject, false),
        (700, Step::ChangeAmount(900), false),
    ];
    let faults = [
        Fault::Lose,
        Fault::None,
        Fault::Refuse,
        Fault::None,
        Fault::None,
    ];
    run(&intents, &faults).unwrap();
}
