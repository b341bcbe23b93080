//! The help desk through the gateway, over HTTP on loopback against the simulator: an
//! operator's shift adds up to what MyQ X completed for that operator, an operator sees only
//! their own credits and an administrator anyone's, students have no shift, the CSV is the
//! shift and is safe to open in a spreadsheet, and a flag shows in the shift, the CSV and the
//! report.

#[macro_use]
mod support;

use std::collections::BTreeSet;
use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::gateway::*;

on_sqlite_and_postgres!(
    a_shift_adds_up_to_what_myq_completed_for_the_operator,
    an_operator_sees_their_own_shift_an_administrator_anyones,
    students_have_no_shift_and_flag_nothing,
    the_csv_is_the_shift_and_safe_in_a_spreadsheet,
    flags_show_in_the_shift_the_csv_and_the_report,
    a_flag_is_checked,
);

const SHIFT: &str = "/desk/shift";
const ADMINS: &str = "print-admins";

/// A minute ago, as RFC 3339 in UTC: a shift's `since` that takes in everything a test does.
fn a_minute_ago() -> String {
    (time::OffsetDateTime::now_utc() - time::Duration::minutes(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

async fn shift(h: &Harness, token: &str, query: &str) -> Value {
    let since = a_minute_ago();
    let path = format!("{SHIFT}?since={since}{query}");
    h.get(&path, token).await.expect(200).clone()
}

/// A desk credit: the student found (as the widget does first), a payment made and committed.
async fn credit(h: &Harness, token: &str, username: &str, user: u64, amount: f64) -> String {
    h.get(&format!("/v3/users/find?username={username}"), token)
        .await
        .expect(200);
    let id = h.created(token, user, amount).await;
    h.commit(token, &id).await.expect(200);
    id
}

async fn flag(h: &Harness, token: &str, id: &str, reason: Value) -> Answer {
    h.post(
        &format!("/desk/credits/{id}/flag"),
        token,
        Some(json!({ "reason": reason })),
    )
    .await
}

/// The CSV: status, content type, content disposition, body.
async fn csv(h: &Harness, token: &str, query: &str) -> (StatusCode, String, String, String) {
    let since = a_minute_ago();
    let response = h
        .http
        .get(h.api(&format!("{SHIFT}.csv?since={since}{query}")))
        .header("Origin", ORIGIN)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (status, kind, disposition) = (
        response.status(),
        header("content-type"),
        header("content-disposition"),
    );
    (status, kind, disposition, response.text().await.unwrap())
}

fn ids(shift: &Value) -> BTreeSet<String> {
    shift["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line["paymentId"].as_str().unwrap().to_owned())
        .collect()
}

/// The payments among `ids` MyQ X completed: their ids and total in cents.
async fn completed_at_myq(h: &Harness, ids: &[String]) -> (BTreeSet<String>, i64) {
    let completed: Vec<Value> = h
        .sim_payments()
        .await
        .into_iter()
        .filter(|p| p["state"] == "completed" && ids.contains(&id_text(&p["id"])))
        .collect();
    (
        completed.iter().map(|p| id_text(&p["id"])).collect(),
        completed.iter().map(|p| cents(&p["amount"])).sum(),
    )
}

async fn a_shift_adds_up_to_what_myq_completed_for_the_operator(db: &str) {
    let h = Harness::start(db).await;
    let desk1 = h.operator("desk1").await;
    let desk2 = h.operator("desk2").await;
    let jnovak = h.student("jnovak").await;
    let mut made: [Vec<String>; 2] = Default::default();
    let unfound = h.created(&desk2, MDVORAK, 5.0).await;
    h.commit(&desk2, &unfound).await.expect(200);
    made[1].push(unfound);
    for (i, (token, username, user, amount)) in [
        (&desk1, "jnovak", JNOVAK, 20.5),
        (&desk2, "psvobodova", PSVOBODOVA, 10.0),
        (&desk1, "mdvorak", MDVORAK, 100.0),
        (&desk1, "psvobodova", PSVOBODOVA, 5.0),
        (&desk2, "jnovak", JNOVAK, 7.5),
    ]
    .into_iter()
    .enumerate()
    {
        let which = usize::from(*token == desk2);
        made[which].push(credit(&h, token, username, user, amount).await);
        if i == 2 {
            // A student's own top-up meanwhile: not the desk's.
            h.top_up(&jnovak, JNOVAK, 10.0).await.expect(200);
        }
    }
    // Made and not credited: open, and rolled back. Neither is in a shift.
    made[0].push(h.created(&desk1, JNOVAK, 50.0).await);
    let undone = h.created(&desk1, JNOVAK, 60.0).await;
    h.rollback(&desk1, &undone, "wrong student")
        .await
        .expect(200);
    made[0].push(undone);

    for (token, made, count, total) in [(&desk1, &made[0], 3, 125.5), (&desk2, &made[1], 3, 22.5)] {
        let shift = shift(&h, token, "").await;
        let (at_myq, cents_at_myq) = completed_at_myq(&h, made).await;
        assert_eq!(ids(&shift), at_myq, "{shift}");
        assert_eq!(shift["count"], at_myq.len(), "{shift}");
        assert_eq!(cents(&shift["total"]), cents_at_myq, "{shift}");
        assert_eq!(
            (shift["count"].clone(), shift["total"].as_f64()),
            (json!(count), Some(total))
        );
        assert_eq!(shift["flagged"], 0);
        for line in shift["lines"].as_array().unwrap() {
            assert_eq!(&line["operator"], &shift["operator"], "{line}");
            assert_eq!(line["flag"], Value::Null, "{line}");
        }
    }

    // Each line as the receipt needs it: the user found at MyQ X, by id and username.
    let shift = shift(&h, &desk1, "").await;
    let first = &shift["lines"][0];
    assert_eq!(first["paymentId"], made[0][0].as_str());
    assert_eq!(first["userId"], JNOVAK);
    assert_eq!(first["username"], "jnovak");
    assert_eq!(first["amount"], 20.5);
    assert_eq!(first["operator"], "desk1");
    let credited_at = first["creditedAt"].as_str().unwrap();
    time::OffsetDateTime::parse(credited_at, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| panic!("RFC 3339: {credited_at}"));
    assert_eq!(
        shift["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["username"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["jnovak", "mdvorak", "psvobodova"]
    );

    // The payment made first, for a user no one had found through the gateway: MyQ X cannot
    // say their username by id.
    let line = shift_since_default(&h, &desk2).await["lines"][0].clone();
    assert_eq!(line["paymentId"], made[1][0].as_str());
    assert_eq!(line["username"], Value::Null);
    assert_eq!(line["userId"], MDVORAK);
}

/// The shift with no `since`: today, at the configured offset (UTC here).
async fn shift_since_default(h: &Harness, token: &str) -> Value {
    let shift = h.get(SHIFT, token).await.expect(200).clone();
    let today = time::OffsetDateTime::now_utc().date();
    assert_eq!(shift["since"], format!("{today}T00:00:00Z"), "{shift}");
    shift
}

async fn an_operator_sees_their_own_shift_an_administrator_anyones(db: &str) {
    let h = Harness::start(db).await;
    let desk1 = h.operator("desk1").await;
    let desk2 = h.operator("desk2").await;
    let boss = h.session_token("boss", &[OPERATORS, ADMINS]).await;
    let one = credit(&h, &desk1, "jnovak", JNOVAK, 20.0).await;
    let two = credit(&h, &desk2, "jnovak", JNOVAK, 30.0).await;
    let own = credit(&h, &boss, "mdvorak", MDVORAK, 40.0).await;

    // Their own, whatever they ask for besides.
    assert_eq!(
        ids(&shift(&h, &desk1, "").await),
        BTreeSet::from([one.clone()])
    );
    assert_eq!(shift(&h, &desk1, "").await["operator"], "desk1");
    assert_eq!(
        ids(&shift(&h, &desk1, "&operator=DESK1").await),
        BTreeSet::from([one.clone()])
    );
    for other in ["desk2", "*", "%2A", "boss"] {
        let answer = h.get(&format!("{SHIFT}?operator={other}"), &desk1).await;
        assert_eq!(
            answer.refused(403),
            "Only an administrator sees another operator's credits",
            "{other}"
        );
        let (status, _, _, body) = csv(&h, &desk1, &format!("&operator={other}")).await;
        assert_eq!(status, 403, "{body}");
        assert!(!body.contains(&two), "{body}");
    }

    // An administrator: their own by default, anyone's by name, everyone's with `*`.
    let boss_own = shift(&h, &boss, "").await;
    assert_eq!(ids(&boss_own), BTreeSet::from([own.clone()]));
    let of_desk2 = shift(&h, &boss, "&operator=desk2").await;
    assert_eq!(
        (ids(&of_desk2), &of_desk2["operator"]),
        (BTreeSet::from([two.clone()]), &json!("desk2"))
    );
    let everyone = shift(&h, &boss, "&operator=*").await;
    assert_eq!(everyone["operator"], Value::Null);
    assert_eq!(ids(&everyone), BTreeSet::from([one, two, own]));
    assert_eq!(
        (everyone["count"].clone(), cents(&everyone["total"])),
        (json!(3), 9000)
    );
    assert!(
        shift(&h, &boss, "&operator=nobody").await["lines"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // A `since` with an offset, its `+` encoded or not; answered at the configured offset.
    for plus in ["+", "%2B"] {
        let path = format!("{SHIFT}?since=2000-01-01T00:00:00{plus}01:00");
        let answer = h.get(&path, &desk1).await;
        assert_eq!(
            answer.expect(200)["since"],
            "1999-12-31T23:00:00Z",
            "{path}"
        );
        assert_eq!(answer.body["count"], 1);
    }

    // A `since` that is not a time.
    let bad = h.get(&format!("{SHIFT}?since=yesterday"), &desk1).await;
    bad.refused(400);
}

async fn students_have_no_shift_and_flag_nothing(db: &str) {
    let h = Harness::start(db).await;
    let desk = h.operator("desk1").await;
    let id = credit(&h, &desk, "jnovak", JNOVAK, 20.0).await;
    // A student, even one in the administrators' group.
    for student in [
        h.student("jnovak").await,
        h.session_token("auditor", &[ADMINS]).await,
    ] {
        for path in [
            SHIFT.to_owned(),
            format!("{SHIFT}?operator=desk1"),
            format!("{SHIFT}.csv"),
        ] {
            let answer = h.get(&path, &student).await;
            assert_eq!(
                answer.refused(403),
                "Only the help desk's operators have a shift",
                "{path}"
            );
            assert!(!answer.body.to_string().contains(&id));
        }
        flag(&h, &student, &id, json!("mine")).await.refused(403);
    }
    assert!(h.app().ledger.flag_of(&id).await.unwrap().is_none());

    // The API's rules: a session token, from the page's origin.
    let anonymous = h
        .send(h.http.get(h.api(SHIFT)).header("Origin", ORIGIN))
        .await;
    anonymous.refused(401);
    let elsewhere = h
        .send(
            h.http
                .get(h.api(SHIFT))
                .header("Origin", "https://evil.example")
                .bearer_auth(&desk),
        )
        .await;
    elsewhere.refused(403);
}

async fn the_csv_is_the_shift_and_safe_in_a_spreadsheet(db: &str) {
    let h = Harness::start(db).await;
    // A username a spreadsheet would take for a formula, as the sign-in may send it.
    let desk = h.operator("=desk").await;
    let a = credit(&h, &desk, "jnovak", JNOVAK, 20.5).await;
    let b = credit(&h, &desk, "psvobodova", PSVOBODOVA, 100.0).await;
    flag(&h, &desk, &b, json!("@SUM(1+1), \"typed 100 for 10\""))
        .await
        .expect(200);

    let shift = shift(&h, &desk, "").await;
    let (status, kind, disposition, body) = csv(&h, &desk, "").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(kind, "text/csv; charset=utf-8");
    let today = &shift["since"].as_str().unwrap()[..10];
    assert_eq!(
        disposition,
        format!("attachment; filename=\"shift-_desk-{today}.csv\"")
    );
    let rows: Vec<&str> = body.split_terminator("\r\n").collect();
    assert_eq!(
        rows[0],
        "credited at,payment,user id,username,amount,operator,flag reason,flagged by,flagged at"
    );
    let line = |i: usize, field: &str| shift["lines"][i][field].as_str().unwrap().to_owned();
    assert_eq!(
        rows[1],
        format!(
            "{},{a},{JNOVAK},jnovak,20.50,'=desk,,,",
            line(0, "creditedAt")
        )
    );
    let flag_at = shift["lines"][1]["flag"]["at"].as_str().unwrap();
    assert_eq!(
        rows[2],
        format!(
            "{},{b},{PSVOBODOVA},psvobodova,100.00,'=desk,\"'@SUM(1+1), \"\"typed 100 for 10\"\"\",'=desk,{flag_at}",
            line(1, "creditedAt")
        )
    );
    assert_eq!(rows.len(), 3);
    // No cell begins with a formula's character.
    for row in &rows {
        for cell in row.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(!cell.starts_with(['=', '+', '-', '@']), "{row}");
        }
    }
}

async fn flags_show_in_the_shift_the_csv_and_the_report(db: &str) {
    let h = Harness::start(db).await;
    let desk = h.operator("desk1").await;
    let boss = h.session_token("boss", &[OPERATORS, ADMINS]).await;
    let right = credit(&h, &desk, "jnovak", JNOVAK, 10.0).await;
    let wrong = credit(&h, &desk, "psvobodova", PSVOBODOVA, 50.0).await;
    let balance = h.balance(PSVOBODOVA).await;

    let flagged = flag(&h, &desk, &wrong, json!("  typed 50 for 5 ")).await;
    let flagged = flagged.expect(200).clone();
    assert_eq!(flagged["reason"], "typed 50 for 5");
    assert_eq!(flagged["by"], "desk1");
    assert!(flagged["at"].as_str().unwrap().ends_with('Z'), "{flagged}");
    // Nothing undone at MyQ X: the administrator corrects it there.
    assert_eq!(h.balance(PSVOBODOVA).await, balance);
    assert_eq!(h.sim_payment(&wrong).await["state"], "completed");

    // Once: a second flag, by anyone, is refused with the first.
    let again = flag(&h, &boss, &wrong, json!("another reason")).await;
    assert!(
        again.refused(409).contains("typed 50 for 5"),
        "{}",
        again.body
    );

    // The shift: the flag on its line, counted, the total unchanged.
    let shift = shift(&h, &desk, "").await;
    assert_eq!(
        (
            shift["count"].clone(),
            cents(&shift["total"]),
            shift["flagged"].clone()
        ),
        (json!(2), 6000, json!(1))
    );
    assert_eq!(shift["lines"][0]["paymentId"], right.as_str());
    assert_eq!(shift["lines"][0]["flag"], Value::Null);
    assert_eq!(shift["lines"][1]["flag"], flagged);

    // The CSV.
    let (_, _, _, body) = csv(&h, &desk, "").await;
    assert!(
        body.contains(&format!(
            ",typed 50 for 5,desk1,{}\r\n",
            flagged["at"].as_str().unwrap()
        )),
        "{body}"
    );

    // The audit log.
    let audit = h.audit_lines();
    let line = audit
        .iter()
        .find(|l| l["operation"] == "credits.flag")
        .unwrap();
    assert_eq!(
        (&line["identity"], &line["payment"], &line["outcome"]),
        (&json!("desk1"), &json!(wrong), &json!("flagged"))
    );
    assert_eq!(line["amount"], 50.0);
    assert!(
        !h.audit().contains("typed 50 for 5"),
        "the audit line has no free text"
    );

    // The report, from the real binary on the same ledger.
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let report = Command::new(env!("CARGO_BIN_EXE_myq-gateway"))
        .args(["report", "--config"])
        .arg(&h.config_path)
        .args(["--from", &today, "--to", &today])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&report.stdout);
    assert!(
        report.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&report.stderr)
    );
    let desk_row = text
        .lines()
        .find(|l| l.starts_with(&today) && l.contains("desk1"))
        .unwrap_or_else(|| panic!("{text}"));
    let cells: Vec<&str> = desk_row.split_whitespace().collect();
    assert_eq!(
        cells,
        [today.as_str(), "desk1", "2", "/", "60.00", "1"],
        "{text}"
    );
    assert!(
        text.contains("1 flagged credits (50.00), to correct in MyQ X:"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "payment {wrong} of psvobodova (user {PSVOBODOVA}): 50.00 credited by desk1 at "
        )),
        "{text}"
    );
    assert!(text.contains("flagged by desk1 at "), "{text}");
    assert!(text.contains(": typed 50 for 5\n"), "{text}");
}

async fn a_flag_is_checked(db: &str) {
    let h = Harness::start(db).await;
    let desk1 = h.operator("desk1").await;
    let desk2 = h.operator("desk2").await;
    let boss = h.session_token("boss", &[OPERATORS, ADMINS]).await;
    let jnovak = h.student("jnovak").await;
    let id = credit(&h, &desk1, "jnovak", JNOVAK, 10.0).await;

    // The reason: one line, 1 to 255 characters.
    for (reason, status) in [
        (json!(""), 400),
        (json!("   "), 400),
        (json!("x".repeat(256)), 400),
        (json!("two\nlines"), 400),
        (json!(5), 400),
        (Value::Null, 400),
    ] {
        flag(&h, &desk1, &id, reason.clone()).await.refused(status);
    }
    let no_body = h
        .post(&format!("/desk/credits/{id}/flag"), &desk1, None)
        .await;
    no_body.refused(400);
    assert!(h.app().ledger.flag_of(&id).await.unwrap().is_none());

    // Only a desk credit: not a student's own, not one still open or rolled back.
    let students = h.created(&jnovak, JNOVAK, 10.0).await;
    h.commit(&jnovak, &students).await.expect(200);
    let open = h.created(&desk1, JNOVAK, 10.0).await;
    let undone = h.created(&desk1, JNOVAK, 10.0).await;
    h.rollback(&desk1, &undone, "wrong amount")
        .await
        .expect(200);
    for other in [&students, &open, &undone] {
        let answer = flag(&h, &boss, other, json!("wrong")).await;
        assert_eq!(
            answer.refused(409),
            "Only a credit given at the help desk can be flagged"
        );
    }
    flag(&h, &desk1, "999999", json!("wrong"))
        .await
        .refused(404);

    // Another operator's credit: an administrator's to flag, not theirs.
    let answer = flag(&h, &desk2, &id, json!("wrong")).await;
    assert_eq!(
        answer.refused(403),
        "Only the operator who took the cash, or an administrator, can flag this credit"
    );
    let by_boss = flag(&h, &boss, &id, json!("x".repeat(255))).await;
    assert_eq!(by_boss.expect(200)["by"], "boss");
    let flagged = h.app().ledger.flag_of(&id).await.unwrap().unwrap();
    assert_eq!((flagged.by.as_str(), flagged.reason.len()), ("boss", 255));
}
