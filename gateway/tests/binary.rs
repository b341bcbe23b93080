//! The real `myq-gateway` binary: killed (SIGKILL) between a payment's charge and its commit at
//! MyQ X, then started again, its reconciler credits the payment exactly once; and
//! `check-config` says whether a file is right.

#[macro_use]
mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use myq_gateway::ledger::{Ledger, RecordState};
use serde_json::json;
use support::gateway::*;

on_sqlite_and_postgres!(
    killed_while_myq_commits_late_then_restarted_credits_once,
    killed_before_myq_commits_then_restarted_credits_once,
);

async fn killed_while_myq_commits_late_then_restarted_credits_once(db: &str) {
    killed_between_charge_and_commit(db, "late").await;
}

async fn killed_before_myq_commits_then_restarted_credits_once(db: &str) {
    killed_between_charge_and_commit(db, "delay").await;
}

/// `late`: MyQ X applies the commit after the gateway is gone, and the restarted gateway reads
/// it back. `delay`: MyQ X never applies it (its client went away), and the restarted gateway
/// commits it.
async fn killed_between_charge_and_commit(db: &str, fault: &str) {
    let mut h = Harness::prepare(Setup::new(db)).await;
    h.spawn();
    let jnovak = h.student("jnovak").await;
    let id = h.created(&jnovak, JNOVAK, 35.0).await;
    h.fault(json!({"operation": "payments.commit", "kind": fault, "delayMs": 1500}))
        .await;

    // The commit, which will never be answered.
    let commit = h
        .http
        .post(h.api(&format!("{PAYMENTS}/{id}/commit")))
        .header("Origin", ORIGIN)
        .bearer_auth(&jnovak)
        .send();
    let commit = tokio::spawn(commit);
    let ledger = Ledger::connect(db).await.unwrap();
    h.wait_for("the charge", Duration::from_secs(10), async || {
        ledger.get(&id).await.unwrap().state == RecordState::Charged
    })
    .await;
    // The commit is on its way to MyQ X, held there by the fault.
    tokio::time::sleep(Duration::from_millis(300)).await;
    h.kill();
    assert!(
        commit.await.unwrap().is_err(),
        "no answer from a killed gateway"
    );
    assert_eq!(h.charges_of(&id).await.len(), 1);

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let at_myq = h.sim_payment(&id).await["state"].clone();
    match fault {
        "late" => assert_eq!(at_myq, "completed"),
        _ => assert_eq!(at_myq, "created", "the commit's client went away first"),
    }

    // Started again: its reconciler's first pass finishes the payment.
    h.spawn();
    h.wait_for("the credit", Duration::from_secs(10), async || {
        ledger.get(&id).await.unwrap().state == RecordState::Credited
    })
    .await;
    assert_eq!(h.balance(JNOVAK).await, 12000 + 3500, "credited once");
    assert_eq!(h.sim_payment(&id).await["state"], "completed");
    let charges = h.charges_of(&id).await;
    assert_eq!((charges.len(), &charges[0]["asked"]), (1, &json!(1)));
    assert_eq!(h.charges().await.len(), 1, "charged once");
    // The session outlives the restart; the commit sent again answers the credit.
    assert_eq!(h.commit(&jnovak, &id).await.expect(200)["amount"], 35);
    assert_eq!(h.balance(JNOVAK).await, 15500);

    // Neither run's log, answers nor audit lines hold MyQ X's token or a secret.
    let tokens = h.sim.sim.myq().issued_tokens();
    assert!(!tokens.is_empty());
    h.kill();
    let logs = h.process_logs.lock().unwrap().clone();
    assert!(logs.contains("myq_gateway"), "{logs}");
    let (seen, audit) = (h.seen.lock().unwrap().clone(), h.audit());
    for secret in tokens
        .iter()
        .map(String::as_str)
        .chain([CLIENT_SECRET, BILLING_KEY, SESSION_KEY])
    {
        for (place, text) in [
            ("the log", &logs),
            ("an answer", &seen),
            ("the audit", &audit),
        ] {
            assert!(!text.contains(secret), "{secret} shows in {place}");
        }
    }
}

fn check_config(file: &Path) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_myq-gateway"))
        .arg("check-config")
        .arg(file)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The annotated example, with its secret files made in `dir`.
fn example_in(dir: &Path) -> String {
    let example = include_str!("../myq-gateway.example.toml");
    for (name, value) in [
        ("myq-client-secret", "secret"),
        ("session-key", SESSION_KEY),
        ("billing-key", BILLING_KEY),
    ] {
        std::fs::write(dir.join(name), value).unwrap();
    }
    example.replace("/etc/myq-gateway/", &format!("{}/", dir.display()))
}

#[test]
fn check_config_passes_the_example_and_names_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let good = example_in(dir.path());
    let file = dir.path().join("myq-gateway.toml");
    std::fs::write(&file, &good).unwrap();
    let (ok, stdout, stderr) = check_config(&file);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("the configuration is complete"), "{stdout}");

    let broken = [
        (
            good.replace("step = 0.5", "step = 3"),
            "[policy] min",
            "multiple of step",
        ),
        (
            good.replace("client_id = ", "clientid = "),
            "clientid",
            "unknown field",
        ),
        (
            good.replace(
                &format!("{{ file = \"{}/billing-key\" }}", dir.path().display()),
                "\"hunter2-inline\"",
            ),
            "line ",
            "secrets are not written in the configuration file",
        ),
        (
            good.replace("trusted_proxies = [\"127.0.0.1\", \"::1\"]", ""),
            "[identity] trusted_proxies",
            "sign-in proxies",
        ),
    ];
    for (text, key, problem) in broken {
        assert_ne!(text, good, "{key}: the case changes the file");
        std::fs::write(&file, &text).unwrap();
        let (ok, _, stderr) = check_config(&file);
        assert!(!ok, "{key}: accepted");
        assert!(
            stderr.contains(key) && stderr.contains(problem),
            "{key}: {stderr}"
        );
        assert!(!stderr.contains("hunter2"), "{stderr}");
    }
    std::fs::remove_file(dir.path().join("session-key")).unwrap();
    std::fs::write(&file, &good).unwrap();
    let (ok, _, stderr) = check_config(&file);
    assert!(!ok && stderr.contains("[session] key"), "{stderr}");
    let (ok, _, stderr) = check_config(&dir.path().join("missing.toml"));
    assert!(!ok && stderr.contains("missing.toml"), "{stderr}");
}
