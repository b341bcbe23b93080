//! The simulator over real HTTP on loopback: every endpoint, every refusal, the faults.

use std::time::{Duration, Instant};

use myq_sim::Options;
use myq_sim::data::SimData;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const JNOVAK: u64 = 34173;
const PAYMENTS: &str = "/api/v3/rechargeProviders/external/payments";

struct Server {
    running: myq_sim::Running,
    http: reqwest::Client,
}

impl Server {
    async fn start() -> Server {
        Self::with(Options::default()).await
    }

    async fn with(options: Options) -> Server {
        let options = Options {
            control: true,
            quiet: true,
            ..options
        };
        Server {
            running: myq_sim::start(options).await.unwrap(),
            http: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.url())
    }

    /// A token for `demo-client` with the scopes asked for.
    async fn token(&self, scope: &str) -> String {
        let (status, body) = self
            .post_json(
                "/api/auth/token",
                None,
                json!({"grant_type": "client_credentials", "client_id": "demo-client",
                       "client_secret": "demo-secret", "scope": scope}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, String)>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some((content_type, body)) = body {
            request = request.header("Content-Type", content_type).body(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }

    async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.send(Method::GET, path, token, None).await
    }

    async fn post_json(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.send(
            Method::POST,
            path,
            token,
            Some(("application/json", body.to_string())),
        )
        .await
    }

    async fn create(&self, token: &str, amount: Value) -> (StatusCode, Value) {
        self.post_json(
            PAYMENTS,
            Some(token),
            json!({"userId": JNOVAK, "params": {"amount": amount}}),
        )
        .await
    }

    async fn created_id(&self, token: &str, amount: f64) -> String {
        let (status, body) = self.create(token, json!(amount)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    async fn commit(&self, token: &str, id: &str) -> (StatusCode, Value) {
        self.send(
            Method::POST,
            &format!("{PAYMENTS}/{id}/commit"),
            Some(token),
            None,
        )
        .await
    }

    async fn control(&self, path: &str, body: Value) {
        let (status, answer) = self.post_json(&format!("/_sim{path}"), None, body).await;
        assert!(status.is_success(), "{path}: {status} {answer}");
    }

    async fn state(&self) -> Value {
        self.get("/_sim/state", None).await.1
    }

    async fn balance(&self, user: u64) -> Value {
        let state = self.state().await;
        state["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == user)
            .unwrap()["credit"]
            .clone()
    }

    async fn payment(&self, token: &str, id: &str) -> Value {
        let (_, list) = self
            .get(&format!("{PAYMENTS}?userId={JNOVAK}"), Some(token))
            .await;
        list["payments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap()
            .clone()
    }
}

/// Writes `request` on a fresh connection and reads until the server closes it or `wait` has
/// passed without a byte: what came back, and whether the server closed the connection.
async fn raw(addr: std::net::SocketAddr, request: Vec<u8>, wait: Duration) -> (String, bool) {
    use std::io::{ErrorKind, Read, Write};
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream.write_all(&request).unwrap();
        stream.set_read_timeout(Some(wait)).unwrap();
        let mut answer = Vec::new();
        let closed = match stream.read_to_end(&mut answer) {
            Ok(_) => true,
            Err(err) => !matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        };
        (String::from_utf8_lossy(&answer).into_owned(), closed)
    })
    .await
    .unwrap()
}

/// A refusal in MyQ's error body with this status, whose message contains `needle`.
#[track_caller]
fn refused((status, body): (StatusCode, Value), expected: StatusCode, needle: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["code"], expected.as_u16(), "{body}");
    assert_eq!(body["data"], json!([]), "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains(needle),
        "'{message}' should contain '{needle}'"
    );
}

// ---- auth ----

#[tokio::test]
async fn client_credentials_grant_the_scopes_asked_for_and_allowed() {
    let sim = Server::start().await;
    let (status, body) = sim
        .post_json("/api/auth/token", None, json!({"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret", "scope": "credit printing"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 1800);
    assert_eq!(body["scope"], "credit", "never more than asked and allowed");
    assert_eq!(body["access_token"].as_str().unwrap().len(), 64);
    assert!(body["refresh_token"].is_string());
}

#[tokio::test]
async fn login_info_logs_in_a_user_with_that_users_rights() {
    let sim = Server::start().await;
    let login = |name: &str, pwd: &str| {
        json!({"grant_type": "login_info", "client_id": "demo-client", "client_secret": "demo-secret",
               "scope": "credit", "type": 3, "name": name, "pwd": pwd})
    };
    let (status, operator) = sim
        .post_json("/api/auth/token", None, login("helpdesk", "operator"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = sim
        .get(
            "/api/v3/rechargeProviders",
            operator["access_token"].as_str(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (_, student) = sim
        .post_json("/api/auth/token", None, login("jnovak", "student"))
        .await;
    let providers = sim
        .get(
            "/api/v3/rechargeProviders",
            student["access_token"].as_str(),
        )
        .await;
    refused(providers, StatusCode::FORBIDDEN, "Manage payments");

    refused(
        sim.post_json("/api/auth/token", None, login("jnovak", "wrong"))
            .await,
        StatusCode::UNAUTHORIZED,
        "password",
    );
    refused(
        sim.post_json("/api/auth/token", None, login("mdvorak", ""))
            .await,
        StatusCode::UNAUTHORIZED,
        "password",
    );
}

#[tokio::test]
async fn bad_token_requests_are_refused() {
    let sim = Server::start().await;
    let token = |body: Value| sim.post_json("/api/auth/token", None, body);
    refused(token(json!({"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "nope"})).await, StatusCode::UNAUTHORIZED, "client credentials");
    refused(token(json!({"grant_type": "password", "client_id": "demo-client", "client_secret": "demo-secret"})).await, StatusCode::BAD_REQUEST, "grant_type");
    refused(token(json!({"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret", "scope": "printing"})).await, StatusCode::BAD_REQUEST, "scope");
    let malformed = sim
        .send(
            Method::POST,
            "/api/auth/token",
            None,
            Some(("application/json", "{oops".into())),
        )
        .await;
    refused(malformed, StatusCode::BAD_REQUEST, "not valid JSON");
}

#[tokio::test]
async fn calls_without_a_valid_token_get_401() {
    let sim = Server::start().await;
    refused(
        sim.get("/api/v3/rechargeProviders", None).await,
        StatusCode::UNAUTHORIZED,
        "Authorization",
    );
    refused(
        sim.get("/api/v3/rechargeProviders", Some("forged")).await,
        StatusCode::UNAUTHORIZED,
        "invalid or expired",
    );
    let token = sim.token("credit users").await;
    // The control API lists the tokens MyQ X takes now, for tests that look for leaks.
    let listed = sim.get("/_sim/tokens", None).await.1;
    let listed = listed["tokens"].as_array().unwrap();
    assert!(listed.contains(&json!(token)), "{listed:?}");
    assert_eq!(listed.len(), 2, "the access token and its refresh token");
    sim.control("/tokens/expire", json!({})).await;
    assert_eq!(sim.get("/_sim/tokens", None).await.1, json!({"tokens": []}));
    refused(
        sim.get("/api/v3/rechargeProviders", Some(&token)).await,
        StatusCode::UNAUTHORIZED,
        "expired",
    );
}

#[tokio::test]
async fn tokens_expire_after_their_lifetime() {
    let sim = Server::with(Options {
        token_lifetime: Duration::from_millis(300),
        ..Options::default()
    })
    .await;
    let token = sim.token("credit").await;
    assert_eq!(
        sim.get("/api/v3/rechargeProviders", Some(&token)).await.0,
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        sim.get("/api/v3/rechargeProviders", Some(&token)).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_token_lifetime_past_ten_years_is_cut_to_ten_years() {
    let sim = Server::with(Options {
        token_lifetime: Duration::MAX,
        ..Options::default()
    })
    .await;
    let (status, body) = sim
        .post_json(
            "/api/auth/token",
            None,
            json!({"grant_type": "client_credentials", "client_id": "demo-client",
                   "client_secret": "demo-secret"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["expires_in"],
        myq_sim::myq::LONGEST_TOKEN_LIFETIME.as_secs()
    );
    let token = body["access_token"].as_str();
    assert_eq!(
        sim.get("/api/v3/rechargeProviders", token).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let sim = Server::start().await;
    let token = sim.token("credit").await;
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let response = sim
            .http
            .get(sim.url("/api/v3/rechargeProviders"))
            .header("Authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{scheme}");
    }
    let basic = sim
        .http
        .get(sim.url("/api/v3/rechargeProviders"))
        .header("Authorization", format!("Basic {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn scopes_are_enforced() {
    let sim = Server::start().await;
    let credit_only = sim.token("credit").await;
    refused(
        sim.get("/api/v3/users/find?username=jnovak", Some(&credit_only))
            .await,
        StatusCode::FORBIDDEN,
        "'users'",
    );
    let users_only = sim.token("users").await;
    refused(
        sim.get("/api/v3/rechargeProviders", Some(&users_only))
            .await,
        StatusCode::FORBIDDEN,
        "'credit'",
    );
    refused(
        sim.create(&users_only, json!(10)).await,
        StatusCode::FORBIDDEN,
        "'credit'",
    );
}

#[tokio::test]
async fn the_demo_token_endpoint_mints_on_post_only() {
    let sim = Server::with(Options {
        demo_token: true,
        ..Options::default()
    })
    .await;
    let (status, body) = sim.send(Method::POST, "/demo/token", None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["access_token"].as_str().unwrap().len(), 64);
    refused(
        sim.get("/demo/token", None).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "Method Not Allowed",
    );
}

// ---- providers and users ----

#[tokio::test]
async fn providers_lists_the_active_ones_as_the_seed_shows() {
    let sim = Server::start().await;
    let token = sim.token("credit").await;
    let (status, body) = sim.get("/api/v3/rechargeProviders", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["count"], 3);
    assert_eq!(
        body["providers"][0],
        json!({"name": "External Payment Providers", "reference": "external", "description": "", "params": []})
    );
    sim.control("/providers/paypal", json!({"enabled": false}))
        .await;
    let (_, body) = sim.get("/api/v3/rechargeProviders", Some(&token)).await;
    let references: Vec<&str> = body["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["reference"].as_str().unwrap())
        .collect();
    assert_eq!(references, ["external", "voucher"]);
}

#[tokio::test]
async fn users_find_matches_username_alias_and_email() {
    let sim = Server::start().await;
    let token = sim.token("users").await;
    let find = |query: &'static str| {
        let token = token.clone();
        let sim = &sim;
        async move {
            sim.get(&format!("/api/v3/users/find?{query}"), Some(&token))
                .await
        }
    };
    let (status, body) = find("username=jnovak").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["count"], 1);
    assert_eq!(body["users"][0]["id"], JNOVAK);
    assert_eq!(body["users"][0]["fullname"], "Jan Novák");
    assert_eq!(
        find("username=novak").await.1["users"][0]["username"],
        "jnovak"
    );
    let shared = find("username=jn").await.1;
    assert_eq!(
        shared["count"], 2,
        "jnovak and jnovakova share the alias jn"
    );
    assert_eq!(shared["users"][0]["username"], "jnovak");
    assert_eq!(shared["users"][1]["username"], "jnovakova");
    assert_eq!(
        find("email=psvobodova@example.edu").await.1["users"][0]["id"],
        34174
    );
    assert_eq!(
        find("username=nobody").await.1,
        json!({"count": 0, "users": []})
    );
    assert_eq!(find("limit=2").await.1["count"], 2);
    refused(find("limit=many").await, StatusCode::BAD_REQUEST, "limit");
}

#[tokio::test]
async fn users_find_matches_card_numbers_and_personal_codes() {
    let sim = Server::start().await;
    let token = sim.token("users").await;
    let found = |query: String| {
        let (sim, token) = (&sim, token.clone());
        async move {
            let (_, body) = sim
                .get(&format!("/api/v3/users/find?{query}"), Some(&token))
                .await;
            body["users"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["id"].as_u64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    // The built-in users carry card 04 + their id in hex, and personal code S + their id.
    let card = format!("04{JNOVAK:08X}");
    assert_eq!(found(format!("card={card}")).await, [JNOVAK]);
    assert_eq!(
        found(format!("card={}", card.to_lowercase())).await,
        [JNOVAK]
    );
    assert_eq!(found(format!("code=S{JNOVAK}")).await, [JNOVAK]);
    assert_eq!(
        found("code=s34173".into()).await,
        Vec::<u64>::new(),
        "codes are exact"
    );
    assert_eq!(found("card=0000".into()).await, Vec::<u64>::new());
}

#[tokio::test]
async fn accounts_show_the_credit_balance() {
    let sim = Server::start().await;
    let token = sim.token("users").await;
    let (status, body) = sim
        .get(&format!("/api/v3/users/{JNOVAK}/accounts"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    let account = &body["accounts"][0];
    assert_eq!(
        (
            account["reference"].as_str(),
            account["limits"]["price"].as_f64()
        ),
        (Some("internalaccount"), Some(120.0))
    );
    refused(
        sim.get("/api/v3/users/999/accounts", Some(&token)).await,
        StatusCode::NOT_FOUND,
        "999",
    );
}

// ---- payments ----

#[tokio::test]
async fn create_answers_as_the_seed_shows() {
    let sim = Server::start().await;
    let token = sim.token("credit").await;
    let (status, body) = sim.create(&token, json!(10)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"id": "34200", "userId": JNOVAK, "amount": 10, "description": "", "params": {"amount": 10, "createdBy": -2}})
    );
    let payment = sim.payment(&token, "34200").await;
    assert_eq!(payment["state"], "created");
    assert_eq!(payment["paymentNo"], "1");
    assert_eq!(payment["currency"], Value::Null);
    assert_eq!(payment["expires"], Value::Null);
    let created = payment["created"].as_str().unwrap();
    assert_eq!(
        created.len(),
        "2025-04-29T00:51:19+02:00".len(),
        "{created}"
    );
    assert!(
        created.ends_with("+00:00") && created.as_bytes()[10] == b'T',
        "{created}"
    );
    assert_eq!(
        sim.balance(JNOVAK).await,
        120,
        "created is not yet effective"
    );
}

#[tokio::test]
async fn create_refuses_bad_input_with_the_error_body() {
    let sim = Server::start().await;
    let token = sim.token("credit").await;
    let post = |body: Value| sim.post_json(PAYMENTS, Some(&token), body);
    refused(
        post(json!({"userId": JNOVAK})).await,
        StatusCode::BAD_REQUEST,
        "params is required",
    );
    refused(
        post(json!({"userId": JNOVAK, "params": {}})).await,
        StatusCode::BAD_REQUEST,
        "params.amount is required",
    );
    refused(
        sim.create(&token, json!(0)).await,
        StatusCode::BAD_REQUEST,
        "greater than zero",
    );
    refused(
        sim.create(&token, json!(-5)).await,
        StatusCode::BAD_REQUEST,
        "greater than zero",
    );
    refused(
        sim.create(&token, json!("10")).await,
        StatusCode::BAD_REQUEST,
        "must be a number",
    );
    refused(
        sim.create(&token, json!(1.005)).await,
        StatusCode::BAD_REQUEST,
        "two decimal places",
    );
    refused(
        post(json!({"params": {"amount": 5}})).await,
        StatusCode::BAD_REQUEST,
        "userId is required",
    );
    refused(
        post(json!({"userId": "x", "params": {"amount": 5}})).await,
        StatusCode::BAD_REQUEST,
        "userId must be",
    );
    refused(
        post(json!({"userId": 999, "params": {"amount": 5}})).await,
        StatusCode::NOT_FOUND,
        "User 999",
    );
    refused(
        post(json!([1, 2])).await,
        StatusCode::BAD_REQUEST,
        "JSON object",
    );
    let malformed = sim
        .send(
            Method::POST,
            PAYMENTS,
            Some(&token),
            Some(("application/json", "{\"userId\":".into())),
        )
        .await;
    refused(malformed, StatusCode::BAD_REQUEST, "not valid JSON");
    let form = sim
        .send(
            Method::POST,
            PAYMENTS,
            Some(&token),
            Some(("application/x-www-form-urlencoded", "userId=1".into())),
        )
        .await;
    refused(form, StatusCode::UNSUPPORTED_MEDIA_TYPE, "application/json");
    let body = json!({"userId": JNOVAK, "params": {"amount": 5}});
    refused(
        sim.post_json(
            "/api/v3/rechargeProviders/nope/payments",
            Some(&token),
            body.clone(),
        )
        .await,
        StatusCode::NOT_FOUND,
        "'nope' not found",
    );
    refused(
        sim.post_json(
            "/api/v3/rechargeProviders/paypal/payments",
            Some(&token),
            body,
        )
        .await,
        StatusCode::BAD_REQUEST,
        "use 'external'",
    );
    assert_eq!(
        sim.state().await["payments"],
        json!([]),
        "no refusal created a payment"
    );
}

#[tokio::test]
async fn descriptions_and_reasons_over_255_characters_are_refused() {
    let sim = Server::start().await;
    let token = sim.token("credit").await;
    let (longest, too_long) = ("č".repeat(255), "č".repeat(256));
    let create = |description: &str| {
        let body = json!({"userId": JNOVAK, "description": description, "params": {"amount": 5}});
        sim.post_json(PAYMENTS, Some(&token), body)
    };
    refused(
        create(&too_long).await,
        StatusCode::BAD_REQUEST,
        "at most 255 characters",
    );
    let (status, created) = create(&longest).await;
    assert_eq!(status, StatusCode::OK, "255 characters are fine");
    let id = created["id"].as_str().unwrap();
    let patch = sim
        .send(
            Method::PATCH,
            &format!("{PAYMENTS}/{id}"),
            Some(&token),
            Some((
                "application/json",
                json!({"description": too_long}).to_string(),
            )),
        )
        .await;
    refused(patch, StatusCode::BAD_REQUEST, "at most 255 characters");
    let rollback = sim
        .post_json(
            &format!("{PAYMENTS}/{id}/rollback"),
            Some(&token),
            json!({"reason": too_long}),
        )
        .await;
    refused(rollback, StatusCode::BAD_REQUEST, "at most 255 characters");
    let payment = sim.payment(&token, id).await;
    assert_eq!(
        (payment["state"].as_str(), payment["description"].as_str()),
        (Some("created"), Some(longest.as_str()))
    );
}

#[tokio::test]
async fn a_disabled_external_provider_answers_the_seed_message() {
    let sim = Server::start().await;
    let token = sim.token("credit").await;
    sim.control("/providers/external", json!({"enabled": false}))
        .await;
    let (status, body) = sim.create(&token, json!(10)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "Invalid operation: The operation cannot be performed in the current state. Payment provider is disabled."
    );
}

#[tokio::test]
async fn commit_credits_exactly_once() {
    let sim = Server::start().await;
    let token = sim.token("credit").await;
    let id = sim.created_id(&token, 12.5).await;
    let (status, body) = sim.commit(&token, &id).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"amount": 12.5})));
    assert_eq!(sim.balance(JNOVAK).await, 132.5);
    assert_eq!(sim.payment(&token, &id).await["state"], "completed");
    refused(
        sim.commit(&token, &id).await,
        StatusCode::BAD_REQUEST,
        "already completed",
    );
    assert_eq!(sim.balance(JNOVAK).await, 132.5);
    refused(
        sim.commit(&token, "99999").await,
        StatusCode::NOT_FOUND,
        "not found",
    );
}

#[tokio::test]
async fn a_commit_past_the_largest_balance_is_refused_before_anything_changes() {
    let mut data = SimData::default();
    data.users[0].credit = myq_sim::money::Cents(i64::MAX - 100);
    let sim = Server::with(Options {
        data,
        ..Options::default()
    })
    .await;
    let token = sim.token("credit").await;
    let id = sim.created_id(&token, 10.0).await;
    let before = sim.balance(JNOVAK).await;
    refused(
        sim.commit(&token, &id).await,
        StatusCode::BAD_REQUEST,
        "past the largest amount",
    );
    assert_eq!(sim.payment(&token, &id).await["state"], "created");
    assert_eq!(sim.balance(JNOVAK).await, before);
    let small = sim.created_id(&token, 1.0).await;
    assert_eq!(
        sim.commit(&token, &small).await.0,
        StatusCode::OK,
        "up to the limit is fine"
    );
}

#[tokio::test]
async fn ids_are_plain_decimal_digits() {
    let sim = Server::start().await;
    let token = sim.token("credit users").await;
    let id = sim.created_id(&token, 10.0).await;
    refused(
        sim.commit(&token, &format!("+{id}")).await,
        StatusCode::NOT_FOUND,
        "not found",
    );
    assert_eq!(sim.payment(&token, &id).await["state"], "created");
    refused(
        sim.get(&format!("/api/v3/users/+{JNOVAK}/accounts"), Some(&token))
            .await,
        StatusCode::NOT_FOUND,
        "not found",
    );
    refused(
        sim.get(&format!("{PAYMENTS}?userId=%2B{JNOVAK}"), Some(&token))
            .await,
        StatusCode::BAD_REQUEST,
        "userId",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_concurrent_commits_of_one_payment_credit_it_once() {
    let sim = Server::start().await;
    let token = sim.token("credit").await;
    let id = sim.created_id(&token, 10.0).await;
    let commits = (0..10).map(|_| sim.commit(&token, &id));
    let answers = futures::future::join_all(commits).await;
    let ok = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    let refused = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::BAD_REQUEST)
        .count();
    assert_eq!((ok, refused), (1, 9));
    assert_eq!(sim.balance(JNOVAK).await, 130);
}

#[tokio::test]
async fn update_changes_the_amount_before_commit_only() {
    let sim = Server::start().await;
    let token = sim.token("credit").await;
    let id = sim.created_id(&token, 10.0).await;
    let path = format!("{PAYMENTS}/{id}");
    let patch = |body: Value| {
        sim.send(
            Method::PATCH,
            &path,
            Some(&token),
            Some(("application/json", body.to_string())),
        )
    };
    let (status, body) =
        patch(json!({"description": "Payment from Acme app", "params": {"amount": 20}})).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, Value::Null),
        "the seed's empty answer"
    );
    let payment = sim.payment(&token, &id).await;
    assert_eq!(
        (payment["amount"].as_f64(), payment["description"].as_str()),
        (Some(20.0), Some("Payment from Acme app"))
    );
    refused(
        patch(json!({"params": {"amount": 0}})).await,
        StatusCode::BAD_REQUEST,
        "greater than zero",
    );
    assert_eq!(sim.commit(&token, &id).await.1, json!({"amount": 20}));
    refused(
        patch(json!({"params": {"amount": 30}})).await,
        StatusCode::BAD_REQUEST,
        "already completed",
    );
}

#[tokio::test]
async fn rollback_cancels_with_the_reason_as_description() {
    let sim = Server::start().await;
    let token = sim.token("credit").await;
    let id = sim.created_id(&token, 15.0).await;
    let (sim, token) = (&sim, &token);
    let rollback = |id: String| async move {
        let path = format!("{PAYMENTS}/{id}/rollback");
        let reason = json!({"reason": "Cancelled by user"});
        sim.post_json(&path, Some(token), reason).await
    };
    assert_eq!(rollback(id.clone()).await, (StatusCode::OK, Value::Null));
    let payment = sim.payment(token, &id).await;
    assert_eq!(
        (payment["state"].as_str(), payment["description"].as_str()),
        (Some("canceled"), Some("Cancelled by user"))
    );
    refused(
        sim.commit(token, &id).await,
        StatusCode::BAD_REQUEST,
        "already canceled",
    );
    refused(
        rollback(id).await,
        StatusCode::BAD_REQUEST,
        "already canceled",
    );
    let completed = sim.created_id(token, 5.0).await;
    sim.commit(token, &completed).await;
    refused(
        rollback(completed).await,
        StatusCode::BAD_REQUEST,
        "already completed",
    );
    assert_eq!(sim.balance(JNOVAK).await, 125);
}

#[tokio::test]
async fn list_shows_a_users_payments_newest_first() {
    let sim = Server::start().await;
    let token = sim.token("credit").await;
    let first = sim.created_id(&token, 10.0).await;
    sim.commit(&token, &first).await;
    let second = sim.created_id(&token, 15.0).await;
    sim.post_json(
        PAYMENTS,
        Some(&token),
        json!({"userId": 34174, "params": {"amount": 1}}),
    )
    .await;
    let (status, body) = sim
        .get(&format!("{PAYMENTS}?userId={JNOVAK}"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["count"], 2);
    let ids: Vec<&str> = body["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [second.as_str(), first.as_str()]);
    assert_eq!(body["payments"][0]["provider"], "external");
    refused(
        sim.get(&format!("{PAYMENTS}?userId=abc"), Some(&token))
            .await,
        StatusCode::BAD_REQUEST,
        "userId",
    );
}

#[tokio::test]
async fn axums_own_refusals_come_in_myqs_error_body() {
    let sim = Server::start().await;
    let token = sim.token("credit users").await;
    refused(
        sim.get("/api/v3/users/%FF/accounts", Some(&token)).await,
        StatusCode::BAD_REQUEST,
        "Invalid URL",
    );
    let wrong_method = sim
        .send(
            Method::DELETE,
            "/api/v3/rechargeProviders",
            Some(&token),
            None,
        )
        .await;
    refused(
        wrong_method,
        StatusCode::METHOD_NOT_ALLOWED,
        "Method Not Allowed",
    );
    refused(
        sim.get("/nowhere", None).await,
        StatusCode::NOT_FOUND,
        "No such endpoint",
    );
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let sim = Server::with(Options {
        header_timeout: Duration::from_millis(200),
        ..Options::default()
    })
    .await;
    let started = Instant::now();
    let half = b"GET /api/v3/rechargeProviders HT".to_vec();
    let (answer, closed) = raw(sim.running.addr(), half, Duration::from_secs(3)).await;
    assert!(closed, "still open after 3 s: '{answer}'");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

/// A POST to the token endpoint whose headers promise `length` bytes, followed by `sent`.
fn token_request(length: usize, sent: &str) -> Vec<u8> {
    format!(
        "POST /api/auth/token HTTP/1.1\r\nHost: sim\r\nContent-Type: application/json\r\n\
         Content-Length: {length}\r\n\r\n{sent}"
    )
    .into_bytes()
}

/// The status line's code and the JSON body of a raw HTTP answer.
fn status_and_body(answer: &str) -> (u16, Value) {
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((answer, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_body_that_never_arrives_is_answered_408() {
    let sim = Server::with(Options {
        body_timeout: Duration::from_millis(200),
        ..Options::default()
    })
    .await;
    let started = Instant::now();
    let slow = token_request(50, "{\"grant");
    let (answer, _) = raw(sim.running.addr(), slow, Duration::from_secs(3)).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let (status, body) = status_and_body(&answer);
    assert_eq!(
        (status, body["code"].clone()),
        (408, json!(408)),
        "{answer}"
    );
    assert_eq!(body["data"], json!([]));
}

#[tokio::test]
async fn a_body_over_the_limit_is_answered_413() {
    let sim = Server::start().await;
    let promised = myq_sim::http::BODY_LIMIT + 1;
    let (answer, _) = raw(
        sim.running.addr(),
        token_request(promised, ""),
        Duration::from_secs(3),
    )
    .await;
    let (status, body) = status_and_body(&answer);
    assert_eq!(
        (status, body["code"].clone()),
        (413, json!(413)),
        "{answer}"
    );
    let chunked = "x".repeat(promised);
    refused(
        sim.send(
            Method::POST,
            "/api/auth/token",
            None,
            Some(("application/json", chunked)),
        )
        .await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "larger than",
    );
}

/// Out of file descriptors, the listener stays ready and accept keeps failing: the loop must
/// wait rather than spin. The binary runs with a small descriptor limit and more connections
/// than it can take; its CPU time over a second shows whether it spins.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn out_of_file_descriptors_the_accept_loop_waits_instead_of_spinning() {
    use std::io::BufRead;
    let mut child = std::process::Command::new("sh")
        .args(["-c", "ulimit -n 24 && exec \"$0\" --port 0 --quiet"])
        .arg(env!("CARGO_BIN_EXE_myq-sim"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line.trim().rsplit("http://").next().unwrap().to_owned();
    let connections: Vec<_> = (0..40)
        .map(|_| std::net::TcpStream::connect(&addr).unwrap())
        .collect();
    let cpu_ticks = || {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", child.id())).unwrap();
        // After the name in parentheses, the state is field 3 of the line: utime and stime,
        // fields 14 and 15, come 11 and 12 places after it.
        let fields: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap()
            .split_whitespace()
            .collect();
        let ticks = |i: usize| fields[i].parse::<u64>().unwrap();
        ticks(11) + ticks(12)
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = cpu_ticks();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let used = cpu_ticks() - before;
    child.kill().unwrap();
    child.wait().unwrap();
    drop(connections);
    assert!(
        used < 20,
        "{used} ticks of CPU in one second while out of descriptors"
    );
}

// ---- faults and control ----

#[tokio::test]
async fn a_status_fault_answers_5xx_and_changes_nothing() {
    let sim = Server::start().await;
    let token = sim.token("credit").await;
    sim.control(
        "/faults",
        json!({"operation": "payments.create", "kind": "status", "status": 503, "count": 2}),
    )
    .await;
    refused(
        sim.create(&token, json!(10)).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "Injected fault",
    );
    refused(
        sim.create(&token, json!(10)).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "Injected fault",
    );
    assert_eq!(sim.state().await["payments"], json!([]));
    assert_eq!(
        sim.create(&token, json!(10)).await.0,
        StatusCode::OK,
        "the fault was used up"
    );
}

#[tokio::test]
async fn a_delay_fault_slows_the_answer() {
    let sim = Server::start().await;
    let token = sim.token("credit").await;
    sim.control(
        "/faults",
        json!({"operation": "providers", "kind": "delay", "delayMs": 300}),
    )
    .await;
    let started = Instant::now();
    assert_eq!(
        sim.get("/api/v3/rechargeProviders", Some(&token)).await.0,
        StatusCode::OK
    );
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn a_late_fault_applies_the_request_after_the_client_gave_up() {
    let sim = Server::start().await;
    let token = sim.token("credit").await;
    sim.control(
        "/faults",
        json!({"operation": "payments.create", "kind": "late", "delayMs": 500}),
    )
    .await;
    let gave_up = sim
        .http
        .post(sim.url(PAYMENTS))
        .bearer_auth(&token)
        .json(&json!({"userId": JNOVAK, "params": {"amount": 10}}))
        .timeout(Duration::from_millis(100))
        .send()
        .await;
    assert!(
        gave_up.is_err_and(|e| e.is_timeout()),
        "the client timed out"
    );
    assert_eq!(sim.state().await["payments"], json!([]), "not yet applied");
    tokio::time::sleep(Duration::from_millis(700)).await;
    let state = sim.state().await;
    assert_eq!(state["payments"][0]["state"], "created", "{state}");
    assert_eq!(state["requests"]["payments.create"]["count"], 1, "{state}");
}

#[tokio::test]
async fn a_drop_fault_applies_the_commit_and_loses_the_answer() {
    let sim = Server::start().await;
    let token = sim.token("credit").await;
    let id = sim.created_id(&token, 10.0).await;
    sim.control(
        "/faults",
        json!({"operation": "payments.commit", "kind": "drop"}),
    )
    .await;
    let lost = sim
        .http
        .post(sim.url(&format!("{PAYMENTS}/{id}/commit")))
        .bearer_auth(&token)
        .send()
        .await;
    assert!(lost.is_err(), "no answer came: {lost:?}");
    assert_eq!(sim.payment(&token, &id).await["state"], "completed");
    assert_eq!(sim.balance(JNOVAK).await, 130);
}

#[tokio::test]
async fn control_refuses_bad_fault_specs() {
    let sim = Server::start().await;
    for (spec, why) in [
        (
            json!({"operation": "providers", "kind": "explode"}),
            "unknown fault kind",
        ),
        (
            json!({"operation": "providers", "kind": "status", "status": 200}),
            "400 to 599",
        ),
        // A misspelled operation is named with the known ones, never queued to fire never.
        (
            json!({"operation": "payment.commit", "kind": "drop"}),
            "payments.commit",
        ),
        (
            json!({"operation": "payments.commit", "kind": "drop", "count": 0}),
            "at least 1",
        ),
    ] {
        let answer = sim.post_json("/_sim/faults", None, spec).await;
        refused(answer, StatusCode::BAD_REQUEST, why);
    }
    refused(
        sim.post_json("/_sim/providers/nope", None, json!({"enabled": true}))
            .await,
        StatusCode::NOT_FOUND,
        "nope",
    );
}

#[tokio::test]
async fn state_counts_requests_per_operation_and_reset_clears_everything() {
    let sim = Server::start().await;
    let token = sim.token("credit").await;
    let id = sim.created_id(&token, 10.0).await;
    sim.commit(&token, &id).await;
    sim.get("/api/v3/rechargeProviders", Some(&token)).await;
    let state = sim.state().await;
    for (operation, count) in [
        ("token", 1),
        ("payments.create", 1),
        ("payments.commit", 1),
        ("providers", 1),
    ] {
        assert_eq!(
            state["requests"][operation]["count"], count,
            "{operation}: {state}"
        );
    }
    sim.control("/reset", json!({})).await;
    let state = sim.state().await;
    assert_eq!(
        (state["payments"].clone(), state["requests"].clone()),
        (json!([]), json!({}))
    );
    assert_eq!(sim.balance(JNOVAK).await, 120);
    assert_eq!(
        sim.get("/api/v3/rechargeProviders", Some(&token)).await.0,
        StatusCode::UNAUTHORIZED,
        "tokens are gone"
    );
}

#[tokio::test]
async fn the_control_api_is_off_unless_asked_for() {
    let running = myq_sim::start(Options {
        quiet: true,
        ..Options::default()
    })
    .await
    .unwrap();
    let response = reqwest::get(format!("{}/_sim/state", running.url()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = reqwest::get(format!("{}/demo/token", running.url()))
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::NOT_FOUND,
        "the demo token endpoint is off too"
    );
}

#[tokio::test]
async fn cors_answers_only_the_allowed_origins() {
    let sim = Server::with(Options {
        allow_origins: vec!["http://127.0.0.1:9999".into()],
        ..Options::default()
    })
    .await;
    let preflight = |origin: &str| {
        sim.http
            .request(Method::OPTIONS, sim.url("/api/v3/rechargeProviders"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "authorization")
            .send()
    };
    let allowed = preflight("http://127.0.0.1:9999").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "http://127.0.0.1:9999"
    );
    assert!(
        allowed.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("authorization")
    );
    let other = preflight("http://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn serves_the_widget_files_under_a_strict_csp() {
    let www = std::env::temp_dir().join(format!("myq-sim-www-{}", std::process::id()));
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), "<myq-topup></myq-topup>").unwrap();
    let sim = Server::with(Options {
        www: Some(www.clone()),
        ..Options::default()
    })
    .await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let root = client.get(sim.url("/")).send().await.unwrap();
    assert_eq!(root.headers()["location"], "/myq-topup/");
    let page = client.get(sim.url("/myq-topup/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(
        page.headers()["content-security-policy"],
        myq_sim::http::CONTENT_SECURITY_POLICY
    );
    assert_eq!(page.text().await.unwrap(), "<myq-topup></myq-topup>");
    std::fs::remove_dir_all(www).unwrap();
}

#[tokio::test]
async fn other_data_can_be_loaded_and_bad_files_are_explained() {
    let dir = std::env::temp_dir().join(format!("myq-sim-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.json");
    std::fs::write(&good, r#"{"clients": [{"id": "c", "secret": "s", "scopes": ["credit"], "rights": ["manage-payments"]}],
        "users": [{"id": 1, "username": "u", "credit": 2.5}],
        "providers": [{"name": "External", "reference": "external"}]}"#).unwrap();
    let data = SimData::load(&good).unwrap();
    assert_eq!(
        (data.users[0].credit.0, data.providers[0].enabled),
        (250, true)
    );
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"clients": [], "users": [{"id": 1, "username": "u"}, {"id": 1, "username": "v"}], "providers": []}"#).unwrap();
    assert!(
        SimData::load(&bad)
            .unwrap_err()
            .contains("user id 1 appears twice")
    );
    std::fs::write(
        &bad,
        r#"{"clients": [], "users": [], "providers": [], "extra": 1}"#,
    )
    .unwrap();
    assert!(
        SimData::load(&bad)
            .unwrap_err()
            .contains("unknown field `extra`")
    );
    assert!(
        SimData::load(&dir.join("missing.json"))
            .unwrap_err()
            .contains("cannot read")
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// MyQ X's documented example of a recharge (docs/myq-api.md, "A top-up, call by call"):
/// find the user, create a payment, commit it.
#[tokio::test]
async fn the_seeds_practical_example_end_to_end() {
    let sim = Server::start().await;
    let token = sim.token("users credit").await;
    let (_, found) = sim
        .get("/api/v3/users/find?username=helpdesk", Some(&token))
        .await;
    let user_id = found["users"][0]["id"].as_u64().unwrap();
    assert_eq!(user_id, 1176);
    let (status, created) = sim
        .post_json(
            PAYMENTS,
            Some(&token),
            json!({"userId": user_id, "params": {"amount": 13}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let id = created["id"].as_str().unwrap();
    let (status, committed) = sim.commit(&token, id).await;
    assert_eq!((status, committed), (StatusCode::OK, json!({"amount": 13})));
    assert_eq!(sim.balance(1176).await, 13);
}

#[tokio::test]
async fn payment_ids_go_on_counting_across_a_reset() {
    let sim = Server::start().await;
    let path = "/api/v3/rechargeProviders/external/payments";
    let body = json!({"userId": JNOVAK, "params": {"amount": 10}});
    let token = sim.token("credit").await;
    let first = sim.post_json(path, Some(&token), body.clone()).await.1;
    sim.control("/reset", json!({})).await;
    let token = sim.token("credit").await;
    let second = sim.post_json(path, Some(&token), body).await.1;
    let number = |payment: &Value| payment["id"].as_str().unwrap().parse::<u64>().unwrap();
    assert_eq!(number(&second), number(&first) + 1, "{first} then {second}");
}
