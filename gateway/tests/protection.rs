//! What keeps the gateway from being worn down or misused: per-person rate limits, a body
//! limit, security headers on every answer, every refusal in MyQ's error shape, and TLS to MyQ X
//! trusting only the system's roots and a configured CA.

#[macro_use]
mod support;

use std::path::Path;
use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use support::gateway::*;

fn sqlite(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("ledger.sqlite3").display())
}

#[tokio::test]
async fn a_person_past_the_rate_limit_is_refused_others_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup {
        requests_per_minute: 60,
        burst: 4,
        ..Setup::new(&sqlite(&dir))
    };
    let h = Harness::start_with(setup).await;
    // The session counts too: one request of the burst.
    let jnovak = h.student("jnovak").await;
    for _ in 0..3 {
        h.get("/v3/rechargeProviders", &jnovak).await.expect(200);
    }
    let refused = h.get("/v3/rechargeProviders", &jnovak).await;
    assert_eq!(
        refused.refused(429),
        "Too many requests: wait a minute and try again"
    );
    assert_eq!(refused.body["data"], json!([]), "MyQ's error shape");
    // Another person has their own allowance.
    let psvobodova = h.student("psvobodova").await;
    h.get("/v3/rechargeProviders", &psvobodova)
        .await
        .expect(200);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::start(&sqlite(&dir)).await;
    let jnovak = h.student("jnovak").await;
    h.get("/v3/rechargeProviders", &jnovak).await.expect(200);
    h.get("/v3/nothing-here", &jnovak).await.refused(404);
    let seen = h.seen.lock().unwrap().clone();
    let answers: Vec<&str> = seen
        .lines()
        .filter(|l| l.starts_with(char::is_numeric))
        .collect();
    assert_eq!(answers.len(), 3, "{seen}");
    for answer in answers {
        for header in [
            "\"x-content-type-options\": \"nosniff\"",
            "\"x-frame-options\": \"DENY\"",
            "\"referrer-policy\": \"no-referrer\"",
            "\"content-security-policy\":",
        ] {
            assert!(answer.contains(header), "{header} missing in {answer}");
        }
    }
}

#[tokio::test]
async fn refusals_of_the_request_itself_are_in_myqs_shape() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::start(&sqlite(&dir)).await;
    let jnovak = h.student("jnovak").await;
    // A body past the limit (16 KiB by default).
    let huge =
        json!({"userId": JNOVAK, "description": "x".repeat(20_000), "params": {"amount": 10}});
    let answer = h.post(PAYMENTS, &jnovak, Some(huge)).await;
    answer.refused(413);
    assert_eq!(answer.body["code"], 413);
    // A query that does not parse, and a method the path does not take.
    let answer = h.get(&format!("{PAYMENTS}?user=1"), &jnovak).await;
    answer.refused(400);
    assert_eq!(answer.body["data"], json!([]));
    let answer = h
        .call(Method::DELETE, "/v3/rechargeProviders", &jnovak, None)
        .await;
    answer.refused(405);
    assert_eq!(answer.body["data"], json!([]));
    assert!(h.sim_payments().await.is_empty());
}

#[test]
fn myq_x_is_trusted_through_the_system_roots_and_a_configured_ca_only() {
    use myq_gateway::upstream::http_client;
    let timeout = Duration::from_secs(5);
    let keys = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keys");
    assert!(http_client(None, timeout).is_ok());
    assert!(http_client(Some(&keys.join("test-ca.pem")), timeout).is_ok());
    let missing = http_client(Some(&keys.join("nothing.pem")), timeout).unwrap_err();
    assert!(missing.contains("cannot be read"), "{missing}");
    let not_pem = http_client(Some(&keys.join("README.md")), timeout).unwrap_err();
    assert!(not_pem.contains("holds no PEM certificate"), "{not_pem}");
}
