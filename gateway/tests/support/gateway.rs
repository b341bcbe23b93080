//! The gateway and the simulator over real HTTP on loopback: myq-sim in-process (with its
//! control API and billing stand-in), the gateway in-process (`serve::start`) or as the real
//! binary, configured by a TOML file and secret files in a temporary directory read by the real
//! loader (`Config::load`).
//!
//! Every answer a test sees is kept ([`Harness::seen`]), so a test can look for secrets in all
//! of them.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use myq_gateway::config::Config;
use myq_sim::data::SimData;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The page that embeds the widget: the only origin allowed.
pub const ORIGIN: &str = "https://intranet.example.edu";
/// The simulator's API client.
pub const CLIENT_ID: &str = "demo-client";
pub const CLIENT_SECRET: &str = "demo-secret";
pub const BILLING_KEY: &str = "gateway-test-billing-key-7f3a9c";
pub const SESSION_KEY: &str = "gateway-test-session-key-0123456789abcdef";
pub const OPERATORS: &str = "print-desk";
pub const PAYMENTS: &str = "/v3/rechargeProviders/external/payments";

/// The simulator's built-in users.
pub const JNOVAK: u64 = 34173;
pub const PSVOBODOVA: u64 = 34174;
pub const MDVORAK: u64 = 34175;

/// How a harness is set up; [`Setup::new`] is the usual one.
#[derive(Clone, Debug)]
pub struct Setup {
    pub database_url: String,
    /// `[identity] trusted_proxies`.
    pub identity_proxies: Vec<String>,
    /// The simulator's data.
    pub data: SimData,
    /// `[myq] timeout_seconds`.
    pub myq_timeout_seconds: u64,
    /// `[billing] timeout_seconds`.
    pub billing_timeout_seconds: u64,
    /// `[limits] requests_per_minute` and `burst`.
    pub requests_per_minute: u32,
    pub burst: u32,
}

impl Setup {
    pub fn new(database_url: &str) -> Setup {
        Setup {
            database_url: database_url.to_owned(),
            identity_proxies: vec!["127.0.0.1".into(), "::1".into()],
            data: SimData::default(),
            myq_timeout_seconds: 5,
            billing_timeout_seconds: 5,
            requests_per_minute: 100_000,
            burst: 10_000,
        }
    }
}

/// An answer of the gateway.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    /// The message of MyQ's error body.
    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or_default()
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        &self.body
    }

    /// Asserts a refusal in MyQ's error body: `{"code": status, "message": …, "data": []}`.
    #[track_caller]
    pub fn refused(&self, status: u16) -> &str {
        self.expect(status);
        assert_eq!(self.body["code"], status, "{}", self.body);
        assert_eq!(self.body["data"], json!([]), "{}", self.body);
        assert!(!self.message().is_empty(), "{}", self.body);
        self.message()
    }
}

/// The gateway as a child process.
pub struct Process {
    pub child: Child,
    /// What it wrote on standard error (its log), as it goes.
    pub stderr: Arc<Mutex<String>>,
}

pub struct Harness {
    pub sim: myq_sim::Running,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
    pub config_path: PathBuf,
    /// The gateway in-process, when started so.
    pub gateway: Option<myq_gateway::serve::Running>,
    /// The gateway as the real binary, when started so.
    pub process: Option<Process>,
    /// `http://127.0.0.1:PORT` of whichever gateway runs.
    pub gateway_url: String,
    /// Every answer seen: status, headers and body, as text.
    pub seen: Arc<Mutex<String>>,
    /// Every log line of every binary run (their standard error).
    pub process_logs: Arc<Mutex<String>>,
}

impl Harness {
    /// The simulator and the gateway in-process, set up as usual on `database_url`.
    pub async fn start(database_url: &str) -> Harness {
        Harness::start_with(Setup::new(database_url)).await
    }

    pub async fn start_with(setup: Setup) -> Harness {
        let mut harness = Harness::prepare(setup).await;
        let config = Config::load(&harness.config_path)
            .unwrap_or_else(|error| panic!("the test configuration: {error}"));
        let running = myq_gateway::serve::start(config)
            .await
            .unwrap_or_else(|error| panic!("the gateway: {error}"));
        harness.gateway_url = running.url();
        harness.gateway = Some(running);
        harness
    }

    /// The simulator running and the configuration written; no gateway yet.
    pub async fn prepare(setup: Setup) -> Harness {
        let sim = myq_sim::start(myq_sim::Options {
            data: setup.data.clone(),
            control: true,
            quiet: true,
            billing_key: Some(BILLING_KEY.into()),
            ..myq_sim::Options::default()
        })
        .await
        .expect("the simulator starts");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let secret = |name: &str, value: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, format!("{value}\n")).unwrap();
            path
        };
        let client_secret = secret("myq-client-secret", CLIENT_SECRET);
        let billing_key = secret("billing-key", BILLING_KEY);
        let session_key = secret("session-key", SESSION_KEY);
        let proxies: Vec<String> = setup
            .identity_proxies
            .iter()
            .map(|p| format!("{p:?}"))
            .collect();
        let config = format!(
            r#"# Written by the gateway's integration tests.
listen = "127.0.0.1:0"
public_origin = "{ORIGIN}"
database_url = {database_url:?}

[myq]
url = "{sim}/api"
client_id = "{CLIENT_ID}"
client_secret = {{ file = {client_secret:?} }}
timeout_seconds = {myq_timeout}

[identity]
mode = "header"
trusted_proxies = [{proxies}]
operator_group = "{OPERATORS}"
admin_group = "print-admins"

[session]
key = {{ file = {session_key:?} }}
lifetime_minutes = 10

[policy]
min = 5
max = 100
step = 0.5
daily_cap = 200
monthly_cap = 500
description = "Self-service top-up"

[billing]
url = "{sim}/billing"
key = {{ file = {billing_key:?} }}
timeout_seconds = {billing_timeout}

[reconcile]
interval_seconds = 1

[limits]
requests_per_minute = {requests_per_minute}
burst = {burst}

[audit]
path = {audit:?}
"#,
            database_url = setup.database_url,
            sim = sim.url(),
            myq_timeout = setup.myq_timeout_seconds,
            billing_timeout = setup.billing_timeout_seconds,
            requests_per_minute = setup.requests_per_minute,
            burst = setup.burst,
            proxies = proxies.join(", "),
            audit = dir.path().join("audit.jsonl").display().to_string(),
        );
        let config_path = dir.path().join("myq-gateway.toml");
        std::fs::write(&config_path, config).unwrap();
        Harness {
            sim,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            dir,
            config_path,
            gateway: None,
            process: None,
            gateway_url: String::new(),
            seen: Arc::default(),
            process_logs: Arc::default(),
        }
    }

    /// Starts the real binary with the harness's configuration, and waits until it listens.
    pub fn spawn(&mut self) {
        assert!(self.process.is_none(), "one gateway process at a time");
        let mut child = Command::new(env!("CARGO_BIN_EXE_myq-gateway"))
            .arg("--config")
            .arg(&self.config_path)
            .env("RUST_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the gateway binary starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().unwrap();
        let (log, all) = (stderr.clone(), self.process_logs.clone());
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buffer[..n]);
                log.lock().unwrap().push_str(&text);
                all.lock().unwrap().push_str(&text);
            }
        });
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let Some(url) = line.trim().strip_prefix("myq-gateway at ") else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the gateway did not start: {line:?}\n{}",
                stderr.lock().unwrap()
            );
        };
        self.gateway_url = url.to_owned();
        // Keep reading stdout so the process never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        self.process = Some(Process { child, stderr });
    }

    /// SIGKILL: the process ends at once, whatever it was doing.
    pub fn kill(&mut self) {
        let mut process = self.process.take().expect("a gateway process");
        process.child.kill().unwrap();
        process.child.wait().unwrap();
    }

    /// The gateway in-process (panics if it runs as a binary).
    pub fn app(&self) -> &myq_gateway::app::App {
        &self.gateway.as_ref().expect("an in-process gateway").app
    }

    /// A reconciler pass as it will run once the charges and credits under way have had their
    /// time (the reconciler leaves younger ones to the requests making them).
    pub async fn reconcile(&self) -> myq_gateway::reconcile::Pass {
        let app = self.app();
        let later = myq_gateway::reconcile::in_flight_for(app) + Duration::from_secs(1);
        let now = myq_gateway::policy::unix_ms(time::OffsetDateTime::now_utc());
        myq_gateway::reconcile::pass_at(app, now + later.as_millis() as i64)
            .await
            .unwrap()
    }

    /// `{gateway}/myq-api{path}`.
    pub fn api(&self, path: &str) -> String {
        format!("{}/myq-api{path}", self.gateway_url)
    }

    /// Sends a request and keeps the answer in [`Harness::seen`].
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("the gateway answers");
        let status = response.status();
        let headers = format!("{:?}", response.headers());
        let text = response.text().await.unwrap();
        self.seen
            .lock()
            .unwrap()
            .push_str(&format!("{status} {headers}\n{text}\n"));
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Answer { status, body }
    }

    /// `POST /myq-session` as the sign-in proxy would pass it on: the username and groups
    /// headers, from the page's origin.
    pub async fn session(&self, user: &str, groups: &[&str]) -> Answer {
        let mut request = self
            .http
            .post(format!("{}/myq-session", self.gateway_url))
            .header("Origin", ORIGIN)
            .header("X-Auth-Request-User", user);
        if !groups.is_empty() {
            request = request.header("X-Auth-Request-Groups", groups.join(","));
        }
        self.send(request).await
    }

    /// A session token for `user` in `groups`.
    pub async fn session_token(&self, user: &str, groups: &[&str]) -> String {
        let answer = self.session(user, groups).await;
        answer.expect(200);
        answer.body["access_token"].as_str().unwrap().to_owned()
    }

    /// A student's session token.
    pub async fn student(&self, user: &str) -> String {
        self.session_token(user, &[]).await
    }

    /// An operator's session token.
    pub async fn operator(&self, user: &str) -> String {
        self.session_token(user, &[OPERATORS]).await
    }

    /// A call of the narrowed API, from the page's origin with the session token.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self
            .http
            .request(method, self.api(path))
            .header("Origin", ORIGIN)
            .bearer_auth(token);
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        self.send(request).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Option<Value>) -> Answer {
        self.call(Method::POST, path, token, body).await
    }

    /// Creates a payment for `user` of `amount`, with a fresh intent key, as the widget does.
    pub async fn create(&self, token: &str, user: u64, amount: f64) -> Answer {
        self.create_with_intent(token, user, amount, &random_intent())
            .await
    }

    pub async fn create_with_intent(
        &self,
        token: &str,
        user: u64,
        amount: f64,
        intent: &str,
    ) -> Answer {
        let body = json!({
            "userId": user,
            "description": format!("[myq-topup {intent}]"),
            "params": {"amount": amount},
        });
        self.post(PAYMENTS, token, Some(body)).await
    }

    /// The id of a payment created for `user` of `amount`.
    pub async fn created(&self, token: &str, user: u64, amount: f64) -> String {
        let answer = self.create(token, user, amount).await;
        answer.expect(200);
        answer.body["id"].as_str().unwrap().to_owned()
    }

    pub async fn commit(&self, token: &str, id: &str) -> Answer {
        self.post(&format!("{PAYMENTS}/{id}/commit"), token, None)
            .await
    }

    pub async fn rollback(&self, token: &str, id: &str, reason: &str) -> Answer {
        self.post(
            &format!("{PAYMENTS}/{id}/rollback"),
            token,
            Some(json!({ "reason": reason })),
        )
        .await
    }

    /// A payment created and committed: the credit added.
    pub async fn top_up(&self, token: &str, user: u64, amount: f64) -> Answer {
        let id = self.created(token, user, amount).await;
        self.commit(token, &id).await
    }

    // ---- the simulator's side, through its control API ----

    fn sim_url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.url())
    }

    /// `GET /_sim/state`.
    pub async fn sim_state(&self) -> Value {
        self.http
            .get(self.sim_url("/_sim/state"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// A user's balance at MyQ X, in cents.
    pub async fn balance(&self, user: u64) -> i64 {
        let state = self.sim_state().await;
        let found = state["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == user)
            .unwrap_or_else(|| panic!("user {user} at the simulator"))
            .clone();
        cents(&found["credit"])
    }

    /// Every payment at MyQ X.
    pub async fn sim_payments(&self) -> Vec<Value> {
        self.sim_state().await["payments"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// One payment at MyQ X.
    pub async fn sim_payment(&self, id: &str) -> Value {
        self.sim_payments()
            .await
            .into_iter()
            .find(|p| p["id"] == id)
            .unwrap_or_else(|| panic!("payment {id} at the simulator"))
    }

    /// Every charge the billing stand-in took.
    pub async fn charges(&self) -> Vec<Value> {
        let body: Value = self
            .http
            .get(self.sim_url("/_sim/billing/charges"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["charges"].as_array().unwrap().clone()
    }

    /// The charges of payment `id`.
    pub async fn charges_of(&self, id: &str) -> Vec<Value> {
        self.charges()
            .await
            .into_iter()
            .filter(|c| c["idempotencyKey"] == id)
            .collect()
    }

    /// `POST /_sim/{path}` with `body`.
    pub async fn sim_control(&self, path: &str, body: Value) {
        let response = self
            .http
            .post(self.sim_url(&format!("/_sim/{path}")))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{path} {body}");
    }

    /// Queues a fault for the next request of a MyQ X operation.
    pub async fn fault(&self, fault: Value) {
        self.sim_control("faults", fault).await;
    }

    /// Queues what the billing stand-in does next.
    pub async fn billing(&self, behaviour: Value) {
        self.sim_control("billing", behaviour).await;
    }

    /// The audit log as written so far.
    pub fn audit(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("audit.jsonl")).unwrap_or_default()
    }

    /// The audit log's lines, parsed.
    pub fn audit_lines(&self) -> Vec<Value> {
        self.audit()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    /// Waits up to `limit` for `done` to hold, asking every 50 ms.
    pub async fn wait_for(&self, what: &str, limit: Duration, mut done: impl AsyncFnMut() -> bool) {
        let start = Instant::now();
        while !done().await {
            assert!(start.elapsed() < limit, "waited {limit:?} for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = process.child.kill();
            let _ = process.child.wait();
        }
    }
}

/// An amount as MyQ X writes it (`133`, `12.5`) in cents.
pub fn cents(amount: &Value) -> i64 {
    (amount
        .as_f64()
        .unwrap_or_else(|| panic!("an amount: {amount}"))
        * 100.0)
        .round() as i64
}

/// Sixteen random hex digits, as the widget draws an intent key.
pub fn random_intent() -> String {
    let mut bits = [0u8; 8];
    getrandom::fill(&mut bits).unwrap();
    format!("{:016x}", u64::from_le_bytes(bits))
}

/// An id as text, whether the answer wrote it as a string (MyQ X) or a number.
pub fn id_text(id: &Value) -> String {
    match id {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}
