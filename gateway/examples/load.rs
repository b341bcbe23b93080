//! What the gateway costs a top-up, on loopback: the same client (myq-api over reqwest) tops up
//! through the gateway and straight at the simulator, interleaved; then concurrent students top
//! up through the gateway (create, charge at the billing stand-in, commit) for a fixed time, on
//! SQLite and, when PostgreSQL is installed, on a throwaway PostgreSQL. Prints one JSON object.
//!
//! `cargo run --release -p myq-gateway --example load -- [top-ups] [seconds] [students]`
//! (defaults 100, 3 and 8). `cargo xtask bench` runs it.

#[path = "../tests/support/postgres.rs"]
mod postgres;

use std::time::{Duration, Instant};

use myq_api::{
    ClientCredentials, IntentKey, Money, Myq, MyqClient, NewPayment, PaymentParams, Reqwest,
    TokenSource, TokenUrl, Transport, UserId,
};
use myq_gateway::config::Config;
use myq_sim::data::{SimData, User};
use serde_json::json;

/// The portal's origin: every call to the gateway names it, as a browser would.
const ORIGIN: &str = "http://portal.test";
const BILLING_KEY: &str = "bench-billing-key";
const FIRST_STUDENT: u64 = 500_000;

fn main() {
    // The gateway's secrets come from the environment, never written into its file; set before
    // any thread starts, as `set_var` requires.
    // SAFETY: the process has one thread here.
    unsafe {
        std::env::set_var("BENCH_MYQ_SECRET", "demo-secret");
        std::env::set_var("BENCH_SESSION_KEY", "bench-session-key-0123456789abcdef");
        std::env::set_var("BENCH_BILLING_KEY", BILLING_KEY);
    }
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(run());
}

async fn run() {
    let mut args = std::env::args().skip(1);
    let topups: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let students: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(8);

    let mut data = SimData::default();
    data.users
        .extend((0..students).map(|n| student(FIRST_STUDENT + n)));
    let sim = myq_sim::start(myq_sim::Options {
        data,
        quiet: true,
        billing_key: Some(BILLING_KEY.into()),
        ..myq_sim::Options::default()
    })
    .await
    .expect("the simulator starts");
    let dir = tempfile::tempdir().expect("a temporary directory");

    let sqlite = format!("sqlite://{}", dir.path().join("ledger.sqlite3").display());
    let gateway = start_gateway(&sim.url(), &sqlite, dir.path()).await;
    let latency = latency(&sim.url(), &gateway.url(), topups).await;
    let sqlite_rate = throughput(&gateway.url(), students, seconds).await;
    gateway.stop().await;

    let postgres = postgres::Postgres::start();
    let postgres_rate = match &postgres {
        Some(cluster) => {
            let url = cluster.database("bench").await;
            let gateway = start_gateway(&sim.url(), &url, dir.path()).await;
            let rate = throughput(&gateway.url(), students, seconds).await;
            gateway.stop().await;
            Some(rate)
        }
        None => None,
    };
    sim.stop().await;
    let figures = json!({
        "topups": topups,
        "direct_ms": latency.0,
        "gateway_ms": latency.1,
        "added_ms": latency.1 - latency.0,
        "students": students,
        "seconds": seconds,
        "sqlite_topups_per_s": sqlite_rate,
        "postgres_topups_per_s": postgres_rate,
    });
    println!("{figures}");
}

fn student(id: u64) -> User {
    User {
        id,
        username: format!("s{id}"),
        fullname: format!("Student {id}"),
        email: format!("s{id}@example.edu"),
        ..User::default()
    }
}

async fn start_gateway(
    sim: &str,
    database_url: &str,
    dir: &std::path::Path,
) -> myq_gateway::serve::Running {
    let text = format!(
        r#"
listen = "127.0.0.1:0"
public_origin = "{ORIGIN}"
database_url = "{database_url}"

[myq]
url = "{sim}/api"
client_id = "demo-client"
client_secret = {{ env = "BENCH_MYQ_SECRET" }}

[identity]
mode = "header"
trusted_proxies = ["127.0.0.1"]

[session]
key = {{ env = "BENCH_SESSION_KEY" }}

[policy]
min = 1
max = 100
step = 1

[billing]
url = "{sim}/billing"
key = {{ env = "BENCH_BILLING_KEY" }}

[limits]
requests_per_minute = 1000000
burst = 1000000

[audit]
path = "{}"
"#,
        dir.join("audit.jsonl").display()
    );
    let path = dir.join("bench.toml");
    let config = Config::parse(&path, &text).expect("the bench configuration is valid");
    myq_gateway::serve::start(config)
        .await
        .expect("the gateway starts")
}

/// A client of the gateway signed in as `username`: the identity header stands in for the
/// sign-in proxy, and every request names the portal's origin.
fn through_gateway(gateway: &str, username: &str) -> MyqClient<Reqwest, TokenUrl<Reqwest>> {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-auth-request-user",
        username.parse().expect("a header value"),
    );
    headers.insert("origin", ORIGIN.parse().expect("a header value"));
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("an HTTP client");
    let transport = Reqwest(http);
    let tokens = TokenUrl {
        transport: transport.clone(),
        url: format!("{gateway}/myq-session"),
        timeout_ms: 15_000,
    };
    MyqClient::new(&format!("{gateway}/myq-api"), transport, tokens, 15_000)
}

fn straight_at_myq(sim: &str) -> MyqClient<Reqwest, ClientCredentials<Reqwest>> {
    let transport = Reqwest(reqwest::Client::new());
    let tokens = ClientCredentials {
        transport: transport.clone(),
        base: format!("{sim}/api"),
        client_id: "demo-client".into(),
        client_secret: "demo-secret".into(),
        scope: "credit users".into(),
        timeout_ms: 15_000,
    };
    MyqClient::new(&format!("{sim}/api"), transport, tokens, 15_000)
}

/// One top-up as the widget makes it: create (with an intent key), read the list, commit.
async fn top_up<T: Transport, S: TokenSource>(
    myq: &MyqClient<T, S>,
    user: UserId,
    n: u64,
) -> Duration {
    let started = Instant::now();
    let payment = NewPayment {
        user_id: user,
        description: IntentKey::from_random(n).tag(""),
        params: PaymentParams { amount: Money(100) },
    };
    let created = myq
        .create_payment("external", &payment)
        .await
        .expect("created");
    myq.payments("external", user).await.expect("listed");
    myq.commit_payment("external", &created.id)
        .await
        .expect("committed");
    started.elapsed()
}

/// Median milliseconds of a top-up straight at the simulator and through the gateway,
/// interleaved so both see the same machine.
async fn latency(sim: &str, gateway: &str, topups: usize) -> (f64, f64) {
    let user = UserId(FIRST_STUDENT);
    let direct = straight_at_myq(sim);
    let through = through_gateway(gateway, &format!("s{FIRST_STUDENT}"));
    // Warm both: tokens, connections, the gateway's user lookup.
    top_up(&direct, user, 1).await;
    top_up(&through, user, 2).await;
    let (mut straight, mut gated) = (Vec::new(), Vec::new());
    for n in 0..topups as u64 {
        straight.push(top_up(&direct, user, 1_000 + 2 * n).await);
        gated.push(top_up(&through, user, 1_001 + 2 * n).await);
    }
    (median_ms(&mut straight), median_ms(&mut gated))
}

fn median_ms(times: &mut [Duration]) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

/// Top-ups per second with `students` topping up at once through the gateway for `seconds`.
async fn throughput(gateway: &str, students: u64, seconds: u64) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..students)
        .map(|n| {
            let myq = through_gateway(gateway, &format!("s{}", FIRST_STUDENT + n));
            tokio::spawn(async move {
                let user = UserId(FIRST_STUDENT + n);
                let mut done = 0u64;
                while Instant::now() < deadline {
                    top_up(&myq, user, (n << 32) + done + 10_000_000).await;
                    done += 1;
                }
                done
            })
        })
        .collect();
    let started = Instant::now();
    let mut total = 0;
    for task in tasks {
        total += task.await.expect("a student's task");
    }
    total as f64 / started.elapsed().as_secs_f64()
}
