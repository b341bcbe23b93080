//! The payment ledger, on SQLite always and on PostgreSQL when it is installed: the same
//! scenarios against both backends.

mod support;

use myq_gateway::identity::Role;
use myq_gateway::ledger::{
    DayFigures, Figure, Ledger, LedgerError, NewRecord, RecordState, Recorded,
};
use myq_gateway::policy::Money;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use support::postgres::Postgres;
use time::macros::{date, datetime, offset};

/// 2025-03-10 12:00 UTC.
const NOON: i64 = 1_741_608_000_000;
const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

/// The ledger's clock, set by the test.
#[derive(Clone)]
struct TestClock(Arc<AtomicI64>);

impl TestClock {
    fn set(&self, ms: i64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

async fn with_clock(url: &str) -> (Ledger, TestClock) {
    let clock = TestClock(Arc::new(AtomicI64::new(NOON)));
    let ticking = clock.clone();
    let ledger = Ledger::connect(url)
        .await
        .unwrap_or_else(|error| panic!("{url}: {error}"))
        .with_clock(move || ticking.0.load(Ordering::SeqCst));
    (ledger, clock)
}

fn payment(id: &str, intent: &str, user_id: i64, cents: i64) -> NewRecord {
    NewRecord {
        payment_id: id.into(),
        intent_key: intent.into(),
        user_id,
        username: format!("user{user_id}"),
        amount: Money(cents),
        role: Role::Student,
        actor: format!("user{user_id}"),
    }
}

async fn created(ledger: &Ledger, id: &str, user_id: i64, cents: i64) {
    let recorded = ledger
        .record_created(&payment(id, &format!("intent-{id}"), user_id, cents))
        .await
        .unwrap();
    assert!(matches!(recorded, Recorded::New(_)), "{id}: {recorded:?}");
}

async fn charged(ledger: &Ledger, id: &str) {
    assert!(ledger.begin_charge(id).await.unwrap(), "{id}");
    ledger.charged(id, &format!("charge-{id}")).await.unwrap();
}

/// A payment created and taken through the steps that lead to `state`.
async fn in_state(ledger: &Ledger, id: &str, user_id: i64, cents: i64, state: RecordState) {
    created(ledger, id, user_id, cents).await;
    match state {
        RecordState::Created => {}
        RecordState::Charging => assert!(ledger.begin_charge(id).await.unwrap(), "{id}"),
        RecordState::Charged => charged(ledger, id).await,
        RecordState::Credited => {
            charged(ledger, id).await;
            ledger.credited(id).await.unwrap();
        }
        RecordState::Declined => {
            assert!(ledger.begin_charge(id).await.unwrap(), "{id}");
            ledger.declined(id, "no funds").await.unwrap();
        }
        RecordState::RolledBack => ledger.rolled_back(id, "Canceled by user").await.unwrap(),
    }
}

async fn duplicate_intent_answers_the_first(url: &str) {
    let (ledger, clock) = with_clock(url).await;
    let first = payment("34200", "00abcdef01234567", 34173, 1300);
    let Recorded::New(record) = ledger.record_created(&first).await.unwrap() else {
        panic!("new")
    };
    assert_eq!(
        (record.state, record.amount, record.role, record.created_at),
        (RecordState::Created, Money(1300), Role::Student, NOON)
    );
    clock.set(NOON + MINUTE);
    // The same intent again, reaching MyQ X as a second payment.
    let again = payment("34201", "00abcdef01234567", 34173, 1300);
    assert_eq!(
        ledger.record_created(&again).await.unwrap(),
        Recorded::Existing(record.clone())
    );
    assert_eq!(
        ledger.by_intent("00abcdef01234567").await.unwrap(),
        Some(record)
    );
    assert!(matches!(
        ledger.get("34201").await,
        Err(LedgerError::NotFound { .. })
    ));
    // MyQ X's payment id under another intent is an inconsistency, not a repeat.
    let taken = payment("34200", "ffffffffffffffff", 34173, 1300);
    assert!(matches!(
        ledger.record_created(&taken).await,
        Err(LedgerError::PaymentIdTaken { .. })
    ));
}

async fn one_of_many_concurrent_charges_wins(url: &str) {
    let (ledger, _) = with_clock(url).await;
    created(&ledger, "1", 7, 2000).await;
    let attempts: Vec<_> = (0..10)
        .map(|_| {
            let ledger = ledger.clone();
            tokio::spawn(async move { ledger.begin_charge("1").await.unwrap() })
        })
        .collect();
    let mut winners = 0;
    for attempt in attempts {
        winners += usize::from(attempt.await.unwrap());
    }
    assert_eq!(winners, 1);
    assert_eq!(ledger.get("1").await.unwrap().state, RecordState::Charging);
    assert!(matches!(
        ledger.begin_charge("404").await,
        Err(LedgerError::NotFound { .. })
    ));
}

async fn each_step_happens_once_and_in_order(url: &str) {
    let (ledger, clock) = with_clock(url).await;
    created(&ledger, "1", 7, 2000).await;
    assert!(matches!(
        ledger.credited("1").await,
        Err(LedgerError::WrongState {
            state: RecordState::Created,
            step: RecordState::Credited,
            ..
        })
    ));
    assert!(matches!(
        ledger.charged("1", "c-1").await,
        Err(LedgerError::WrongState { .. })
    ));
    assert!(ledger.begin_charge("1").await.unwrap());
    assert!(!ledger.begin_charge("1").await.unwrap(), "a second claim");
    clock.set(NOON + MINUTE);
    ledger.charged("1", "c-1").await.unwrap();
    assert!(matches!(
        ledger.charged("1", "c-2").await,
        Err(LedgerError::AlreadyRecorded {
            step: RecordState::Charged,
            ..
        })
    ));
    ledger.credited("1").await.unwrap();
    assert!(matches!(
        ledger.credited("1").await,
        Err(LedgerError::AlreadyRecorded {
            step: RecordState::Credited,
            ..
        })
    ));
    assert!(matches!(
        ledger.rolled_back("1", "too late").await,
        Err(LedgerError::WrongState { .. })
    ));
    let record = ledger.get("1").await.unwrap();
    assert_eq!(
        (
            record.state,
            record.charge_id.as_deref(),
            record.reason,
            record.updated_at
        ),
        (RecordState::Credited, Some("c-1"), None, NOON + MINUTE)
    );

    created(&ledger, "2", 7, 2000).await;
    assert!(ledger.begin_charge("2").await.unwrap());
    ledger.declined("2", "card refused").await.unwrap();
    assert!(matches!(
        ledger.credited("2").await,
        Err(LedgerError::WrongState { .. })
    ));
    ledger.rolled_back("2", "Charge declined").await.unwrap();
    let record = ledger.get("2").await.unwrap();
    // The first reason given stays: the decline is why the payment ended.
    assert_eq!(
        (record.state, record.reason.as_deref()),
        (RecordState::RolledBack, Some("card refused"))
    );
}

async fn spent_sums_what_is_paid_or_being_paid(url: &str) {
    let (ledger, clock) = with_clock(url).await;
    clock.set(NOON - 2 * HOUR);
    created(&ledger, "early", 7, 10000).await;
    charged(&ledger, "early").await;
    clock.set(NOON);
    use RecordState::*;
    in_state(&ledger, "credited", 7, 2000, Credited).await;
    in_state(&ledger, "charging", 7, 300, Charging).await;
    in_state(&ledger, "charged", 7, 40, Charged).await;
    in_state(&ledger, "created", 7, 5, Created).await;
    in_state(&ledger, "declined", 7, 700, Declined).await;
    in_state(&ledger, "rolled-back", 7, 900, RolledBack).await;
    in_state(&ledger, "someone else", 8, 50000, Charged).await;

    assert_eq!(ledger.spent(7, NOON - HOUR).await.unwrap(), Money(2340));
    assert_eq!(
        ledger.spent(7, NOON - 3 * HOUR).await.unwrap(),
        Money(12340)
    );
    assert_eq!(ledger.spent(7, NOON + 1).await.unwrap(), Money(0));
    assert_eq!(ledger.spent(9, 0).await.unwrap(), Money(0));
}

async fn unfinished_lists_the_reconcilers_work(url: &str) {
    let (ledger, clock) = with_clock(url).await;
    use RecordState::*;
    clock.set(NOON - HOUR);
    in_state(&ledger, "abandoned", 7, 100, Created).await;
    in_state(&ledger, "charging", 7, 100, Charging).await;
    in_state(&ledger, "done", 7, 100, Credited).await;
    clock.set(NOON);
    in_state(&ledger, "fresh", 7, 100, Created).await;
    in_state(&ledger, "charged", 7, 100, Charged).await;
    in_state(&ledger, "declined", 7, 100, Declined).await;
    in_state(&ledger, "gone", 7, 100, RolledBack).await;

    let ids = |records: Vec<myq_gateway::ledger::Record>| {
        records
            .into_iter()
            .map(|r| r.payment_id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(ledger.unfinished(NOON - 30 * MINUTE).await.unwrap()),
        ["abandoned", "charging", "charged", "declined"]
    );
    assert_eq!(
        ids(ledger.unfinished(NOON + 1).await.unwrap()),
        ["abandoned", "charging", "charged", "declined", "fresh"]
    );
}

async fn report_counts_each_day_at_the_offset(url: &str) {
    let (ledger, clock) = with_clock(url).await;
    let at = |instant: time::OffsetDateTime| myq_gateway::policy::unix_ms(instant);
    // 10 March, +01:00: one credited, one declined and rolled back.
    clock.set(at(datetime!(2025-03-10 09:00 +01:00)));
    created(&ledger, "a", 7, 2000).await;
    charged(&ledger, "a").await;
    ledger.credited("a").await.unwrap();
    created(&ledger, "b", 7, 500).await;
    assert!(ledger.begin_charge("b").await.unwrap());
    ledger.declined("b", "no funds").await.unwrap();
    ledger.rolled_back("b", "Charge declined").await.unwrap();
    // 23:30 UTC on 10 March is 11 March at +01:00: charged there, credited the next minute.
    clock.set(at(datetime!(2025-03-10 23:30 UTC)));
    created(&ledger, "c", 8, 1000).await;
    charged(&ledger, "c").await;
    clock.set(at(datetime!(2025-03-10 23:31 UTC)));
    ledger.credited("c").await.unwrap();
    // Charged on 11 March and never credited: rolled back instead (money to refund), and one
    // charged and still waiting.
    clock.set(at(datetime!(2025-03-11 10:00 +01:00)));
    created(&ledger, "d", 9, 300).await;
    charged(&ledger, "d").await;
    ledger
        .rolled_back("d", "MyQ X refused the commit")
        .await
        .unwrap();
    created(&ledger, "e", 9, 40).await;
    charged(&ledger, "e").await;
    // Outside the window.
    clock.set(at(datetime!(2025-03-12 10:00 +01:00)));
    created(&ledger, "f", 9, 7).await;
    charged(&ledger, "f").await;

    let figure = |count, cents| Figure {
        count,
        sum: Money(cents),
    };
    let report = ledger
        .report(
            at(datetime!(2025-03-10 00:00 +01:00)),
            at(datetime!(2025-03-12 00:00 +01:00)),
            offset!(+01:00),
        )
        .await
        .unwrap();
    let expected = [
        (
            date!(2025 - 03 - 10),
            DayFigures {
                charged: figure(1, 2000),
                credited: figure(1, 2000),
                declined: figure(1, 500),
                rolled_back: figure(1, 500),
                charged_not_credited: Figure::default(),
            },
        ),
        (
            date!(2025 - 03 - 11),
            DayFigures {
                charged: figure(3, 1340),
                credited: figure(1, 1000),
                declined: Figure::default(),
                rolled_back: figure(1, 300),
                charged_not_credited: figure(2, 340),
            },
        ),
    ];
    assert_eq!(report.into_iter().collect::<Vec<_>>(), expected);

    // At UTC, payment c's steps fall on 10 March.
    let utc = ledger
        .report(
            at(datetime!(2025-03-10 00:00 UTC)),
            at(datetime!(2025-03-11 00:00 UTC)),
            offset!(UTC),
        )
        .await
        .unwrap();
    assert_eq!(utc[&date!(2025 - 03 - 10)].charged, figure(2, 3000));
}

async fn credits_by_lists_an_operators_credits(url: &str) {
    let (ledger, clock) = with_clock(url).await;
    for (id, actor, credit) in [
        ("1", "desk", true),
        ("2", "desk", false),
        ("3", "other", true),
        ("4", "desk", true),
    ] {
        clock.set(NOON + id.parse::<i64>().unwrap() * MINUTE);
        let new = NewRecord {
            role: Role::Operator,
            actor: actor.into(),
            ..payment(id, &format!("intent-{id}"), 7, 1000)
        };
        ledger.record_created(&new).await.unwrap();
        if credit {
            charged(&ledger, id).await;
            ledger.credited(id).await.unwrap();
        }
    }
    let ids = |records: Vec<myq_gateway::ledger::Record>| {
        records
            .into_iter()
            .map(|r| r.payment_id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(ledger.credits_by("desk", NOON).await.unwrap()),
        ["1", "4"]
    );
    assert_eq!(
        ids(ledger.credits_by("desk", NOON + 2 * MINUTE).await.unwrap()),
        ["4"]
    );
    assert!(ledger.credits_by("nobody", 0).await.unwrap().is_empty());
}

async fn the_shift_lists_desk_credits_by_when_credited_with_flags(url: &str) {
    let (ledger, clock) = with_clock(url).await;
    // Created before noon, credited after: in a shift since noon.
    clock.set(NOON - HOUR);
    for (id, actor, role) in [
        ("1", "desk", Role::Operator),
        ("2", "Desk", Role::Operator),
        ("3", "other", Role::Operator),
        ("4", "jnovak", Role::Student),
        ("5", "desk", Role::Operator),
    ] {
        let new = NewRecord {
            role,
            actor: actor.into(),
            ..payment(
                id,
                &format!("intent-{id}"),
                7,
                1000 * id.parse::<i64>().unwrap(),
            )
        };
        ledger.record_created(&new).await.unwrap();
    }
    for (id, at) in [
        ("2", NOON + MINUTE),
        ("1", NOON + 2 * MINUTE),
        ("3", NOON),
        ("4", NOON),
    ] {
        clock.set(at);
        charged(&ledger, id).await;
        ledger.credited(id).await.unwrap();
    }
    clock.set(NOON + HOUR);
    let flag = ledger.flag("1", "typed 10 for 1", "desk").await.unwrap();
    assert_eq!(flag.at, NOON + HOUR);
    assert!(matches!(
        ledger.flag("1", "again", "boss").await,
        Err(LedgerError::AlreadyFlagged { flag: ref first, .. }) if *first == flag
    ));
    assert!(matches!(
        ledger.flag("99", "none", "desk").await,
        Err(LedgerError::NotFound { .. })
    ));

    let shift = |lines: Vec<myq_gateway::ledger::DeskCredit>| {
        lines
            .into_iter()
            .map(|l| {
                (
                    l.payment_id,
                    l.amount.0,
                    l.credited_at,
                    l.flag.map(|f| f.reason),
                )
            })
            .collect::<Vec<_>>()
    };
    // The operator's (by name ignoring case), in the order credited; not the open one (5), not
    // the student's own (4).
    assert_eq!(
        shift(ledger.shift(Some("desk"), NOON).await.unwrap()),
        [
            ("2".to_owned(), 2000, NOON + MINUTE, None),
            (
                "1".to_owned(),
                1000,
                NOON + 2 * MINUTE,
                Some("typed 10 for 1".to_owned())
            ),
        ]
    );
    assert_eq!(
        shift(ledger.shift(Some("desk"), NOON + 2 * MINUTE).await.unwrap()).len(),
        1
    );
    assert_eq!(shift(ledger.shift(None, NOON).await.unwrap()).len(), 3);
    assert_eq!(
        shift(
            ledger
                .desk_credits(None, NOON, NOON + MINUTE)
                .await
                .unwrap()
        ),
        [("3".to_owned(), 3000, NOON, None)]
    );
    assert!(ledger.shift(Some("nobody"), 0).await.unwrap().is_empty());
}

/// Runs every scenario, each on a fresh database from `fresh_database`.
async fn every_scenario(fresh_database: impl AsyncFn(&str) -> String) {
    duplicate_intent_answers_the_first(&fresh_database("duplicate_intent").await).await;
    one_of_many_concurrent_charges_wins(&fresh_database("concurrent_charges").await).await;
    each_step_happens_once_and_in_order(&fresh_database("steps_once").await).await;
    spent_sums_what_is_paid_or_being_paid(&fresh_database("spent").await).await;
    unfinished_lists_the_reconcilers_work(&fresh_database("unfinished").await).await;
    report_counts_each_day_at_the_offset(&fresh_database("report").await).await;
    credits_by_lists_an_operators_credits(&fresh_database("credits_by").await).await;
    the_shift_lists_desk_credits_by_when_credited_with_flags(&fresh_database("shift").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ledger_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    every_scenario(async |name: &str| {
        format!(
            "sqlite://{}",
            dir.path().join(format!("{name}.sqlite3")).display()
        )
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ledger_on_postgres() {
    let Some(cluster) = Postgres::start() else {
        return;
    };
    every_scenario(async |name: &str| cluster.database(name).await).await;
}

#[tokio::test]
async fn sqlite_ledger_is_created_in_wal_mode_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite3");
    let url = format!("sqlite://{}", path.display());
    let ledger = Ledger::connect(&url).await.unwrap();
    created(&ledger, "1", 7, 100).await;
    drop(ledger);
    assert!(path.is_file());
    // Migrations already applied, the record kept.
    let ledger = Ledger::connect(&url).await.unwrap();
    assert_eq!(ledger.get("1").await.unwrap().amount, Money(100));
    let header = std::fs::read(&path).unwrap();
    // Bytes 18 and 19 of a SQLite file are 2 in WAL mode.
    assert_eq!((header[18], header[19]), (2, 2));
}
