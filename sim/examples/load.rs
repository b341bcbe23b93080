//! A short, bounded load run on loopback: concurrent clients each create and commit payments
//! against an in-process simulator for a fixed time; prints create+commit pairs per second.
//!
//! `cargo run --release -p myq-sim --example load -- [seconds] [clients]` (defaults 3 and 8).
//! `cargo xtask bench` runs it.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let clients: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(8);
    let options = myq_sim::Options {
        quiet: true,
        ..myq_sim::Options::default()
    };
    let sim = myq_sim::start(options).await.expect("the simulator starts");
    let base = format!("{}/api", sim.url());
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{base}/auth/token"))
        .json(
            &json!({"grant_type": "client_credentials", "client_id": "demo-client",
                      "client_secret": "demo-secret", "scope": "credit"}),
        )
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .expect("a token")
        .json()
        .await
        .expect("token JSON");
    let token = token["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let payments = format!("{base}/v3/rechargeProviders/external/payments");

    let workers = (0..clients).map(|_| {
        let (http, token, payments) = (http.clone(), token.clone(), payments.clone());
        tokio::spawn(async move {
            let mut pairs = 0u64;
            while Instant::now() < deadline {
                let created: Value = http
                    .post(&payments)
                    .bearer_auth(&token)
                    .json(&json!({"userId": 34173, "params": {"amount": 1}}))
                    .send()
                    .await
                    .and_then(|r| r.error_for_status())
                    .expect("create")
                    .json()
                    .await
                    .expect("created JSON");
                let id = created["id"].as_str().expect("an id");
                http.post(format!("{payments}/{id}/commit"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .and_then(|r| r.error_for_status())
                    .expect("commit");
                pairs += 1;
            }
            pairs
        })
    });
    let started = Instant::now();
    let mut pairs = 0;
    for worker in workers.collect::<Vec<_>>() {
        pairs += worker.await.expect("a worker");
    }
    let elapsed = started.elapsed().as_secs_f64();
    let credited = sim.sim.myq().balance(34173).expect("jnovak").0 - 12_000;
    assert_eq!(
        credited as u64,
        pairs * 100,
        "every pair credited exactly once"
    );
    println!(
        "{{\"seconds\": {elapsed:.2}, \"clients\": {clients}, \"pairs\": {pairs}, \"pairsPerSecond\": {:.0}, \"requestsPerSecond\": {:.0}}}",
        pairs as f64 / elapsed,
        2.0 * pairs as f64 / elapsed
    );
    sim.stop().await;
}
