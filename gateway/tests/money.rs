//! Money through the gateway, over HTTP on loopback against the simulator and its billing
//! stand-in: a commit is charged, then credited, exactly once; a declined or unanswered charge
//! credits nothing; amounts and caps hold; a repeated intent answers its first payment; and
//! neither MyQ X's token nor the secrets show in any answer, log line or audit line.

#[macro_use]
mod support;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use myq_gateway::ledger::RecordState;
use myq_sim::data::{SimData, User};
use serde_json::{Value, json};
use support::gateway::*;

on_sqlite_and_postgres!(
    a_top_up_is_charged_then_credited,
    a_declined_charge_rolls_back_and_credits_nothing,
    no_commit_without_an_answered_charge,
    a_lost_billing_answer_is_asked_again_and_charged_once,
    a_lost_commit_answer_is_read_back_and_credited_once,
    amounts_are_bounded,
    caps_hold,
    ten_concurrent_commits_charge_and_credit_once,
    a_hundred_students_at_once,
    a_repeated_intent_answers_the_first_payment,
    secrets_show_nowhere,
);

async fn state(h: &Harness, id: &str) -> RecordState {
    h.app().ledger.get(id).await.unwrap().state
}

/// How many requests of `operation` MyQ X served.
async fn served(h: &Harness, operation: &str) -> u64 {
    h.sim_state().await["requests"][operation]["count"]
        .as_u64()
        .unwrap_or(0)
}

async fn a_top_up_is_charged_then_credited(db: &str) {
    let h = Harness::start(db).await;
    let jnovak = h.student("jnovak").await;
    let id = h.created(&jnovak, JNOVAK, 20.5).await;
    let payment = h.sim_payment(&id).await;
    assert_eq!(payment["state"], "created");
    let description = payment["description"].as_str().unwrap();
    assert!(
        description.starts_with("Self-service top-up [myq-topup "),
        "{description}"
    );
    assert_eq!(state(&h, &id).await, RecordState::Created);

    let committed = h.commit(&jnovak, &id).await;
    assert_eq!(committed.expect(200), &json!({"amount": 20.5}));
    assert_eq!(h.balance(JNOVAK).await, 12000 + 2050);
    assert_eq!(h.sim_payment(&id).await["state"], "completed");
    let charges = h.charges_of(&id).await;
    assert_eq!(charges.len(), 1);
    assert_eq!(
        (
            &charges[0]["status"],
            &charges[0]["account"],
            &charges[0]["amountCents"],
            &charges[0]["userId"]
        ),
        (
            &json!("approved"),
            &json!("jnovak"),
            &json!(2050),
            &json!(JNOVAK)
        )
    );
    let record = h.app().ledger.get(&id).await.unwrap();
    assert_eq!(record.state, RecordState::Credited);
    assert_eq!(
        record.charge_id.as_ref(),
        charges[0]["chargeId"].as_str().map(String::from).as_ref()
    );

    // The commit sent again (its answer lost on the way) answers the same, and changes nothing.
    assert_eq!(
        h.commit(&jnovak, &id).await.expect(200),
        &json!({"amount": 20.5})
    );
    assert_eq!(h.balance(JNOVAK).await, 12000 + 2050);
    assert_eq!(h.charges().await.len(), 1);
    // A committed payment cannot be rolled back.
    h.rollback(&jnovak, &id, "too late").await.refused(409);
    assert_eq!(h.sim_payment(&id).await["state"], "completed");

    // The balance read through the gateway shows it.
    let accounts = h
        .get(&format!("/v3/users/{JNOVAK}/accounts"), &jnovak)
        .await;
    assert_eq!(
        accounts.expect(200)["accounts"][0]["limits"]["price"],
        140.5
    );
    let audit = h.audit_lines();
    let outcomes: Vec<(&str, &str)> = audit
        .iter()
        .map(|l| {
            (
                l["operation"].as_str().unwrap(),
                l["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("payments.create", "created"),
            ("payments.commit", "credited")
        ]
    );
}

async fn a_declined_charge_rolls_back_and_credits_nothing(db: &str) {
    let h = Harness::start(db).await;
    let jnovak = h.student("jnovak").await;
    let id = h.created(&jnovak, JNOVAK, 30.0).await;
    h.billing(json!({"kind": "decline", "reason": "Insufficient funds on the campus card."}))
        .await;

    let answer = h.commit(&jnovak, &id).await;
    let message = answer.refused(402);
    assert!(
        message.contains("Insufficient funds on the campus card.")
            && message.contains("Nothing was charged or credited"),
        "{message}"
    );
    let payment = h.sim_payment(&id).await;
    assert_eq!(payment["state"], "canceled");
    assert!(
        payment["description"]
            .as_str()
            .unwrap()
            .contains("Insufficient funds on the campus card."),
        "{payment}"
    );
    let charges = h.charges_of(&id).await;
    assert_eq!(charges.len(), 1);
    assert_eq!(charges[0]["status"], "declined");
    assert_eq!(
        charges[0]["reason"],
        "Insufficient funds on the campus card."
    );
    assert_eq!(
        served(&h, "payments.commit").await,
        0,
        "never committed at MyQ X"
    );
    assert_eq!(h.balance(JNOVAK).await, 12000);
    assert_eq!(state(&h, &id).await, RecordState::RolledBack);

    // Asked again, it stays declined, and says why.
    let again = h.commit(&jnovak, &id).await;
    let message = again.refused(409);
    assert!(
        message.contains("Insufficient funds on the campus card."),
        "{message}"
    );
    assert_eq!(h.charges_of(&id).await[0]["asked"], 1);
    assert_eq!(h.balance(JNOVAK).await, 12000);
}

async fn no_commit_without_an_answered_charge(db: &str) {
    let h = Harness::start(db).await;
    let jnovak = h.student("jnovak").await;
    let id = h.created(&jnovak, JNOVAK, 10.0).await;
    // The billing endpoint fails: nothing charged, and nothing committed at MyQ X.
    h.billing(json!({"kind": "status", "status": 503})).await;
    h.commit(&jnovak, &id).await.refused(502);
    assert_eq!(served(&h, "payments.commit").await, 0);
    assert_eq!(h.sim_payment(&id).await["state"], "created");
    assert_eq!(h.balance(JNOVAK).await, 12000);
    assert_eq!(state(&h, &id).await, RecordState::Charging);
    // A second commit meanwhile is told it is under way, and does not charge.
    let again = h.commit(&jnovak, &id).await;
    again.refused(409);
    assert!(h.charges().await.is_empty());

    // Right away the reconciler leaves it to the request that may still be charging it.
    let at_once = myq_gateway::reconcile::pass(h.app()).await.unwrap();
    assert_eq!(
        (at_once.credited, at_once.still_open),
        (0, 1),
        "{at_once:?}"
    );
    assert!(h.charges().await.is_empty());

    // The reconciler asks again, and once charged, credits.
    let pass = h.reconcile().await;
    assert_eq!(pass.credited, 1, "{pass:?}");
    assert_eq!(h.balance(JNOVAK).await, 13000);
    assert_eq!(h.charges_of(&id).await.len(), 1);
    assert_eq!(state(&h, &id).await, RecordState::Credited);
    assert_eq!(h.commit(&jnovak, &id).await.expect(200)["amount"], 10);
}

async fn a_lost_billing_answer_is_asked_again_and_charged_once(db: &str) {
    let h = Harness::start(db).await;
    let jnovak = h.student("jnovak").await;
    let id = h.created(&jnovak, JNOVAK, 15.0).await;
    // Charged at the billing endpoint, but its answer never arrives.
    h.billing(json!({"kind": "lost"})).await;
    h.commit(&jnovak, &id).await.refused(502);
    assert_eq!(h.charges_of(&id).await.len(), 1);
    assert_eq!(served(&h, "payments.commit").await, 0);
    assert_eq!(h.balance(JNOVAK).await, 12000);

    let pass = h.reconcile().await;
    assert_eq!(pass.credited, 1, "{pass:?}");
    let charges = h.charges_of(&id).await;
    assert_eq!((charges.len(), &charges[0]["asked"]), (1, &json!(2)));
    assert_eq!(h.balance(JNOVAK).await, 13500);
    assert_eq!(h.sim_payment(&id).await["state"], "completed");
    // Another pass finds nothing to do.
    let pass = h.reconcile().await;
    assert_eq!(pass, Default::default());
    assert_eq!(h.balance(JNOVAK).await, 13500);
}

async fn a_lost_commit_answer_is_read_back_and_credited_once(db: &str) {
    let h = Harness::start(db).await;
    let jnovak = h.student("jnovak").await;
    let id = h.created(&jnovak, JNOVAK, 25.0).await;
    // MyQ X commits, and the answer is lost.
    h.fault(json!({"operation": "payments.commit", "kind": "drop"}))
        .await;
    h.commit(&jnovak, &id).await.refused(502);
    assert_eq!(h.balance(JNOVAK).await, 14500);
    assert_eq!(state(&h, &id).await, RecordState::Charged);

    let pass = h.reconcile().await;
    assert_eq!(pass.credited, 1, "{pass:?}");
    assert_eq!(state(&h, &id).await, RecordState::Credited);
    assert_eq!(
        served(&h, "payments.commit").await,
        1,
        "read back, not committed again"
    );
    assert_eq!(h.balance(JNOVAK).await, 14500);
    assert_eq!(h.charges().await.len(), 1);
    assert_eq!(h.commit(&jnovak, &id).await.expect(200)["amount"], 25);
}

async fn amounts_are_bounded(db: &str) {
    let h = Harness::start(db).await;
    let jnovak = h.student("jnovak").await;
    let desk = h.operator("helpdesk").await;
    for (amount, message) in [
        (4.5, "The top-up must be at least 5.00"),
        (100.5, "The top-up must be at most 100.00"),
        (5.25, "The top-up must be a multiple of 0.50"),
        (0.0, "The top-up must be more than zero"),
        (-5.0, "The top-up must be more than zero"),
    ] {
        for token in [&jnovak, &desk] {
            let answer = h.create(token, JNOVAK, amount).await;
            assert_eq!(answer.refused(400), message, "{amount}");
        }
    }
    assert!(h.sim_payments().await.is_empty());
    for amount in [5.0, 5.5, 100.0] {
        h.create(&jnovak, JNOVAK, amount).await.expect(200);
    }
    // The amount cannot change once created.
    let id = h.created(&jnovak, JNOVAK, 5.0).await;
    let patch = h
        .call(
            reqwest::Method::PATCH,
            &format!("{PAYMENTS}/{id}"),
            &jnovak,
            Some(json!({"params": {"amount": 100}})),
        )
        .await;
    patch.refused(409);
    assert_eq!(h.sim_payment(&id).await["amount"], 5);
    // The student's own open payment can be rolled back, with the reason, and then not paid.
    h.rollback(&jnovak, &id, "Changed my mind")
        .await
        .expect(200);
    let payment = h.sim_payment(&id).await;
    assert_eq!(
        (&payment["state"], &payment["description"]),
        (&json!("canceled"), &json!("Changed my mind"))
    );
    assert_eq!(state(&h, &id).await, RecordState::RolledBack);
    h.commit(&jnovak, &id).await.refused(409);
    assert!(h.charges().await.is_empty());
}

async fn caps_hold(db: &str) {
    let h = Harness::start(db).await;
    let jnovak = h.student("jnovak").await;
    // Today's cap is 200: two top-ups of 100 reach it.
    h.top_up(&jnovak, JNOVAK, 100.0).await.expect(200);
    h.top_up(&jnovak, JNOVAK, 100.0).await.expect(200);
    let answer = h.create(&jnovak, JNOVAK, 5.0).await;
    assert_eq!(
        answer.refused(403),
        "Today's limit of 200.00 is used up; try again tomorrow"
    );
    assert_eq!(h.balance(JNOVAK).await, 32000);

    // Payments created while under the cap cannot be committed past it together.
    let petra = h.student("psvobodova").await;
    let first = h.created(&petra, PSVOBODOVA, 100.0).await;
    let second = h.created(&petra, PSVOBODOVA, 100.0).await;
    let third = h.created(&petra, PSVOBODOVA, 100.0).await;
    h.commit(&petra, &first).await.expect(200);
    h.commit(&petra, &second).await.expect(200);
    let past = h.commit(&petra, &third).await;
    assert!(
        past.refused(403).contains("Today's limit of 200.00"),
        "{}",
        past.body
    );
    assert_eq!(h.balance(PSVOBODOVA).await, 4550 + 20000);
    assert_eq!(h.charges().await.len(), 4, "the third was never charged");
    assert_ne!(h.sim_payment(&third).await["state"], "completed");

    // Nor committed past it all at once: whichever commits pass, the credit stays within it,
    // and nothing is charged that is not credited.
    let h = Arc::new(h);
    let racer = h.student("helpdesk").await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(h.created(&racer, 1176, 100.0).await);
    }
    h.billing(json!({"kind": "slow", "delayMs": 300, "count": 3}))
        .await;
    let mut commits = tokio::task::JoinSet::new();
    for id in ids.clone() {
        let (h, racer) = (h.clone(), racer.clone());
        commits.spawn(async move { h.commit(&racer, &id).await });
    }
    for answer in commits.join_all().await {
        assert!(
            answer.status == 200 || answer.status == 403,
            "{}",
            answer.body
        );
    }
    let mut completed = 0;
    for id in &ids {
        if h.sim_payment(id).await["state"] == "completed" {
            completed += 1;
            assert_eq!(h.charges_of(id).await.len(), 1);
        } else {
            assert!(
                h.charges_of(id).await.is_empty(),
                "{id} charged, not credited"
            );
        }
    }
    assert!(
        completed <= 2,
        "{completed} top-ups of 100 past a cap of 200"
    );
    assert_eq!(h.balance(1176).await, completed * 10000);

    // Operators are not held to the caps.
    let desk = h.operator("helpdesk").await;
    h.top_up(&desk, JNOVAK, 50.0).await.expect(200);
    assert_eq!(h.balance(JNOVAK).await, 37000);

    // This month's cap (500) counts earlier days: charged payments recorded at the month's
    // start stand for them.
    let app = h.app();
    let offset = app.config.policy.utc_offset;
    let now = time::OffsetDateTime::now_utc();
    let month_start = myq_gateway::policy::unix_ms(myq_gateway::policy::month_start(now, offset));
    let day_start = myq_gateway::policy::unix_ms(myq_gateway::policy::day_start(now, offset));
    let earlier = app.ledger.clone().with_clock(move || month_start);
    let mdvorak = h.student("mdvorak").await;
    for n in 0..4 {
        let id = format!("earlier-{n}");
        earlier
            .record_created(&myq_gateway::ledger::NewRecord {
                payment_id: id.clone(),
                intent_key: format!("{n:016x}"),
                user_id: MDVORAK as i64,
                username: "mdvorak".into(),
                amount: myq_gateway::policy::Money(10000),
                role: myq_gateway::identity::Role::Student,
                actor: "mdvorak".into(),
            })
            .await
            .unwrap();
        assert!(earlier.begin_charge(&id).await.unwrap());
        earlier.charged(&id, "ch").await.unwrap();
        earlier.credited(&id).await.unwrap();
    }
    let answer = h.create(&mdvorak, MDVORAK, 5.0).await;
    if month_start == day_start {
        // The 1st of the month: the earlier payments are today's too.
        answer.refused(403);
    } else {
        h.top_up(&mdvorak, MDVORAK, 100.0).await.expect(200);
        let answer = h.create(&mdvorak, MDVORAK, 5.0).await;
        assert_eq!(
            answer.refused(403),
            "This month's limit of 500.00 is used up"
        );
    }
}

async fn ten_concurrent_commits_charge_and_credit_once(db: &str) {
    let h = Arc::new(Harness::start(db).await);
    let jnovak = h.student("jnovak").await;
    let id = h.created(&jnovak, JNOVAK, 40.0).await;
    // A slow charge, so that every commit arrives while the first is under way.
    h.billing(json!({"kind": "slow", "delayMs": 700})).await;
    let mut commits = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (h, jnovak, id) = (h.clone(), jnovak.clone(), id.clone());
        commits.spawn(async move { h.commit(&jnovak, &id).await });
    }
    let answers = commits.join_all().await;
    let ok: Vec<_> = answers.iter().filter(|a| a.status == 200).collect();
    let conflicts: Vec<_> = answers.iter().filter(|a| a.status == 409).collect();
    assert_eq!((ok.len(), conflicts.len()), (1, 9), "{answers:?}");
    for conflict in conflicts {
        assert_eq!(
            conflict.refused(409),
            "This payment is being committed already; its result shows in a moment"
        );
    }
    assert_eq!(ok[0].body, json!({"amount": 40}));
    assert_eq!(h.balance(JNOVAK).await, 16000);
    let charges = h.charges_of(&id).await;
    assert_eq!((charges.len(), &charges[0]["asked"]), (1, &json!(1)));
    assert_eq!(served(&h, "payments.commit").await, 1);
}

async fn a_hundred_students_at_once(db: &str) {
    let mut data = SimData::default();
    let students: Vec<(u64, String, i64)> = (0..100u64)
        .map(|n| (50_000 + n, format!("student{n:03}"), (n as i64 % 7) * 1000))
        .collect();
    for (id, username, credit) in &students {
        data.users.push(User {
            id: *id,
            username: username.clone(),
            fullname: format!("Student {id}"),
            email: format!("{username}@example.edu"),
            credit: myq_sim::money::Cents(*credit),
            ..User::default()
        });
    }
    let h = Arc::new(
        Harness::start_with(Setup {
            data,
            ..Setup::new(db)
        })
        .await,
    );
    let mut top_ups = tokio::task::JoinSet::new();
    for (n, (id, username, _)) in students.iter().enumerate() {
        let (h, id, username) = (h.clone(), *id, username.clone());
        // 5.00 to 14.50 by 0.50.
        let amount = 5.0 + (n % 20) as f64 * 0.5;
        top_ups.spawn(async move {
            let token = h.student(&username).await;
            // Each finds themselves first, as the widget does.
            let found = h
                .get(&format!("/v3/users/find?username={username}"), &token)
                .await;
            assert_eq!(
                id_text(&found.expect(200)["users"][0]["id"]),
                id.to_string()
            );
            let answer = h.top_up(&token, id, amount).await;
            (id, amount, answer)
        });
    }
    let results = top_ups.join_all().await;
    let state = h.sim_state().await;
    let balances: std::collections::HashMap<u64, i64> = state["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["id"].as_u64().unwrap(), cents(&u["credit"])))
        .collect();
    for (id, amount, answer) in &results {
        assert_eq!(answer.status, 200, "{id}: {}", answer.body);
        let start = students.iter().find(|s| s.0 == *id).unwrap().2;
        assert_eq!(balances[id], start + (amount * 100.0) as i64, "{id}");
    }
    assert_eq!(h.charges().await.len(), 100);
    let completed = state["payments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["state"] == "completed")
        .count();
    assert_eq!(completed, 100);
    // The built-in users are untouched.
    assert_eq!(balances[&JNOVAK], 12000);
}

async fn a_repeated_intent_answers_the_first_payment(db: &str) {
    let h = Arc::new(Harness::start(db).await);
    let jnovak = h.student("jnovak").await;
    let intent = random_intent();
    let first = h.create_with_intent(&jnovak, JNOVAK, 20.0, &intent).await;
    let id = id_text(&first.expect(200)["id"]);
    let again = h.create_with_intent(&jnovak, JNOVAK, 20.0, &intent).await;
    assert_eq!(id_text(&again.expect(200)["id"]), id);
    assert_eq!(
        h.sim_payments().await.len(),
        1,
        "no second payment at MyQ X"
    );

    // Sent several times at once: one payment stays open at MyQ X, and every answer names it.
    let racing = random_intent();
    let mut creates = tokio::task::JoinSet::new();
    for _ in 0..5 {
        let (h, jnovak, racing) = (h.clone(), jnovak.clone(), racing.clone());
        creates.spawn(async move { h.create_with_intent(&jnovak, JNOVAK, 10.0, &racing).await });
    }
    let answers = creates.join_all().await;
    let ids: std::collections::BTreeSet<String> = answers
        .iter()
        .map(|a| id_text(&a.expect(200)["id"]))
        .collect();
    assert_eq!(ids.len(), 1, "{answers:?}");
    let open: Vec<Value> = h
        .sim_payments()
        .await
        .into_iter()
        .filter(|p| p["description"].as_str().unwrap().contains(&racing))
        .filter(|p| p["state"] != "canceled")
        .collect();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(id_text(&open[0]["id"]), *ids.iter().next().unwrap());

    // Committed, then the create sent again: still the first payment, nothing new.
    h.commit(&jnovak, &id).await.expect(200);
    let before = h.sim_payments().await.len();
    let late = h.create_with_intent(&jnovak, JNOVAK, 20.0, &intent).await;
    assert_eq!(id_text(&late.expect(200)["id"]), id);
    assert_eq!(h.sim_payments().await.len(), before);

    // At the cap, the repeated create still answers the first payment.
    h.top_up(&jnovak, JNOVAK, 100.0).await.expect(200);
    let near_cap = random_intent();
    let last = h.create_with_intent(&jnovak, JNOVAK, 80.0, &near_cap).await;
    let last_id = id_text(&last.expect(200)["id"]);
    h.commit(&jnovak, &last_id).await.expect(200);
    let repeated = h.create_with_intent(&jnovak, JNOVAK, 80.0, &near_cap).await;
    assert_eq!(id_text(&repeated.expect(200)["id"]), last_id);

    // Another student's intent key does not reach the payment it made.
    let petra = h.student("psvobodova").await;
    let before = h.sim_payments().await.len();
    let stolen = h
        .create_with_intent(&petra, PSVOBODOVA, 20.0, &intent)
        .await;
    assert_eq!(
        stolen.refused(409),
        "This top-up's key belongs to another top-up: start the top-up again"
    );
    assert_eq!(h.sim_payments().await.len(), before);
}

/// Every log line the gateway writes in this test binary, from the first harness on.
fn captured_log() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        tracing_subscriber::fmt()
            .with_env_filter("debug,myq_gateway=trace,myq_api=trace")
            .with_ansi(false)
            .with_writer(move || Sink(sink.clone()))
            .try_init()
            .expect("the only subscriber");
        log
    })
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn secrets_show_nowhere(db: &str) {
    let log = captured_log();
    let h = Harness::start_with(Setup {
        myq_timeout_seconds: 1,
        ..Setup::new(db)
    })
    .await;
    let jnovak = h.student("jnovak").await;
    let desk = h.operator("helpdesk").await;
    // A top-up, a decline, a lost answer, MyQ X's refusals, a failing MyQ X.
    h.top_up(&jnovak, JNOVAK, 10.0).await.expect(200);
    let declined = h.created(&jnovak, JNOVAK, 10.0).await;
    h.billing(json!({"kind": "decline", "reason": "No."})).await;
    h.commit(&jnovak, &declined).await.refused(402);
    let lost = h.created(&jnovak, JNOVAK, 10.0).await;
    h.fault(json!({"operation": "payments.commit", "kind": "drop"}))
        .await;
    h.commit(&jnovak, &lost).await.refused(502);
    h.reconcile().await;
    h.fault(json!({"operation": "users.accounts", "kind": "status", "status": 500}))
        .await;
    h.get(&format!("/v3/users/{JNOVAK}/accounts"), &jnovak)
        .await
        .refused(502);
    h.fault(json!({"operation": "users.accounts", "kind": "delay", "delayMs": 1500}))
        .await;
    h.get(&format!("/v3/users/{JNOVAK}/accounts"), &desk)
        .await
        .refused(504);
    h.get("/v3/rechargeProviders", &jnovak).await.expect(200);
    let mut tokens = h.sim.sim.myq().issued_tokens();
    assert!(!tokens.is_empty(), "the gateway holds a MyQ X token");

    // MyQ X forgets its tokens: the gateway gets a new one, and that one stays hidden too.
    h.sim_control("tokens/expire", json!({})).await;
    h.top_up(&desk, MDVORAK, 20.0).await.expect(200);
    tokens.extend(h.sim.sim.myq().issued_tokens());
    assert!(tokens.len() >= 4, "{tokens:?}");

    let seen = h.seen.lock().unwrap().clone();
    let audit = h.audit();
    // Give the last log lines a moment.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let logged = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    assert!(logged.contains("myq_gateway"), "the log is captured");
    assert!(audit.lines().count() >= 6, "{audit}");
    for secret in tokens
        .iter()
        .map(String::as_str)
        .chain([CLIENT_SECRET, BILLING_KEY, SESSION_KEY])
    {
        for (place, text) in [
            ("an answer", &seen),
            ("the audit log", &audit),
            ("the log", &logged),
        ] {
            assert!(!text.contains(secret), "{secret} shows in {place}");
        }
    }
}
