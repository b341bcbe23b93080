//! Who may do what through the gateway, over HTTP on loopback against the simulator: a student
//! reaches only their own account, a session token must be the gateway's own and current, the
//! sign-in header counts only from a trusted proxy, and only the page's origin may call.

#[macro_use]
mod support;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::json;
use support::gateway::*;

on_sqlite_and_postgres!(
    a_student_reaches_only_their_own_account,
    another_students_payment_is_out_of_reach,
    operators_reach_anyone,
    session_tokens_must_be_the_gateways_own_and_current,
    only_the_page_may_call,
);

async fn a_student_reaches_only_their_own_account(db: &str) {
    let h = Harness::start(db).await;
    let jnovak = h.student("jnovak").await;

    // Their own: the balance, the payments, finding themselves.
    let own = h
        .get(&format!("/v3/users/{JNOVAK}/accounts"), &jnovak)
        .await;
    assert_eq!(own.expect(200)["accounts"][0]["limits"]["price"], 120);
    h.get(&format!("{PAYMENTS}?userId={JNOVAK}"), &jnovak)
        .await
        .expect(200);
    let found = h.get("/v3/users/find?username=jnovak", &jnovak).await;
    assert_eq!(
        id_text(&found.expect(200)["users"][0]["id"]),
        JNOVAK.to_string()
    );

    // Someone else's, by id and by username: refused, and nothing read.
    for path in [
        format!("/v3/users/{PSVOBODOVA}/accounts"),
        format!("{PAYMENTS}?userId={PSVOBODOVA}"),
        "/v3/users/find?username=psvobodova".to_owned(),
        "/v3/users/find?username=PSVOBODOVA".to_owned(),
        // Finding by email, card or code is the desk's, even for oneself.
        "/v3/users/find?email=jnovak@example.edu".to_owned(),
        format!("/v3/users/find?card=04{JNOVAK:08X}"),
        format!("/v3/users/find?code=S{PSVOBODOVA}"),
    ] {
        let answer = h.get(&path, &jnovak).await;
        assert_eq!(
            answer.refused(403),
            "Students can top up only their own account",
            "{path}"
        );
        assert!(!answer.body.to_string().contains("45.5"), "{path}");
    }

    // A payment for someone else: refused, nothing created at MyQ X.
    let answer = h.create(&jnovak, PSVOBODOVA, 20.0).await;
    answer.refused(403);
    assert!(h.sim_payments().await.is_empty());
    assert!(h.charges().await.is_empty());
    assert_eq!(h.balance(PSVOBODOVA).await, 4550);
}

async fn another_students_payment_is_out_of_reach(db: &str) {
    let h = Harness::start(db).await;
    let jnovak = h.student("jnovak").await;
    let petra = h.student("psvobodova").await;
    let hers = h.created(&petra, PSVOBODOVA, 20.0).await;

    let commit = h.commit(&jnovak, &hers).await;
    commit.refused(404);
    let rollback = h.rollback(&jnovak, &hers, "not mine").await;
    rollback.refused(404);
    let patch = h
        .call(
            Method::PATCH,
            &format!("{PAYMENTS}/{hers}"),
            &jnovak,
            Some(json!({"params": {"amount": 5}})),
        )
        .await;
    patch.refused(404);
    assert_eq!(
        commit.message(),
        rollback.message(),
        "the same answer as for a payment that does not exist"
    );
    let none = h.commit(&jnovak, "999999").await;
    assert_eq!(none.refused(404), commit.message().replace(&hers, "999999"));

    // Nothing changed at MyQ X nor at the billing endpoint.
    let payment = h.sim_payment(&hers).await;
    assert_eq!(payment["state"], "created");
    assert_eq!(payment["amount"], 20);
    assert!(h.charges().await.is_empty());
    assert_eq!(h.balance(PSVOBODOVA).await, 4550);
    assert_eq!(h.balance(JNOVAK).await, 12000);

    // Her own commit still works.
    h.commit(&petra, &hers).await.expect(200);
    assert_eq!(h.balance(PSVOBODOVA).await, 6550);
}

async fn operators_reach_anyone(db: &str) {
    let h = Harness::start(db).await;
    let desk = h.operator("helpdesk").await;
    let accounts = h
        .get(&format!("/v3/users/{PSVOBODOVA}/accounts"), &desk)
        .await;
    assert_eq!(accounts.expect(200)["accounts"][0]["limits"]["price"], 45.5);
    // By username, email, card number or personal code: what a desk types or scans.
    for query in [
        "username=psvobodova".to_owned(),
        "email=psvobodova@example.edu".to_owned(),
        format!("card=04{PSVOBODOVA:08X}"),
        format!("code=S{PSVOBODOVA}"),
    ] {
        let found = h.get(&format!("/v3/users/find?{query}"), &desk).await;
        assert_eq!(
            id_text(&found.expect(200)["users"][0]["id"]),
            PSVOBODOVA.to_string(),
            "{query}"
        );
    }
    // One criterion at a time.
    h.get("/v3/users/find?username=a&email=b", &desk)
        .await
        .refused(400);
    // Cash at the desk: no billing charge, the credit added.
    assert_eq!(
        h.top_up(&desk, MDVORAK, 50.0).await.expect(200)["amount"],
        50
    );
    assert_eq!(h.balance(MDVORAK).await, 5000);
    assert!(h.charges().await.is_empty());
    let audit = h.audit_lines();
    let commit = audit
        .iter()
        .find(|line| line["operation"] == "payments.commit")
        .unwrap();
    assert_eq!(
        (&commit["identity"], &commit["role"], &commit["user"]),
        (&json!("helpdesk"), &json!("operator"), &json!(MDVORAK))
    );
}

#[derive(serde::Serialize)]
struct Claims<'a> {
    sub: &'a str,
    role: &'a str,
    admin: bool,
    aud: &'a str,
    iss: &'a str,
    iat: u64,
    exp: u64,
}

fn sign(key: &str, claims: &Claims) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(key.as_bytes()),
    )
    .unwrap()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

async fn session_tokens_must_be_the_gateways_own_and_current(db: &str) {
    let h = Harness::start(db).await;
    let accounts = format!("/v3/users/{JNOVAK}/accounts");
    let claims = |sub, role, exp| Claims {
        sub,
        role,
        admin: false,
        aud: "myq-gateway-session",
        iss: "myq-gateway-session",
        iat: now() - 60,
        exp,
    };

    // The genuine token works; the same claims signed with another key, or expired, do not.
    let genuine = sign(SESSION_KEY, &claims("jnovak", "student", now() + 300));
    h.get(&accounts, &genuine).await.expect(200);
    let forged = sign(
        "another key, another key, another key!",
        &claims("jnovak", "operator", now() + 300),
    );
    h.get(&accounts, &forged).await.refused(401);
    let expired = sign(SESSION_KEY, &claims("jnovak", "student", now() - 5));
    assert_eq!(
        h.get(&accounts, &expired).await.refused(401),
        "The top-up session has expired"
    );
    for token in ["", "abc", "a.b.c", &genuine[..genuine.len() - 2]] {
        h.get(&accounts, token).await.refused(401);
    }
    // No token at all.
    let bare = h
        .send(h.http.get(h.api(&accounts)).header("Origin", ORIGIN))
        .await;
    bare.refused(401);

    // Another person's token is that person: Petra's token does not reach Jan's account, nor
    // top it up.
    let petra = h.student("psvobodova").await;
    h.get(&accounts, &petra).await.refused(403);
    h.create(&petra, JNOVAK, 20.0).await.refused(403);

    // No sign-in: no session.
    let anonymous = h
        .send(
            h.http
                .post(format!("{}/myq-session", h.gateway_url))
                .header("Origin", ORIGIN),
        )
        .await;
    anonymous.refused(401);
    let blank = h.session("  ", &[]).await;
    blank.refused(401);
    assert!(h.sim_payments().await.is_empty());

    // The sign-in header from a peer that is not a trusted proxy is refused: here the gateway
    // trusts only 10.9.9.9, and the test calls from 127.0.0.1.
    let untrusting = Harness::start_with(Setup {
        identity_proxies: vec!["10.9.9.9".into()],
        ..Setup::new(db)
    })
    .await;
    let answer = untrusting.session("jnovak", &[OPERATORS]).await;
    assert!(
        answer.refused(401).contains("not a trusted proxy"),
        "{}",
        answer.body
    );
}

async fn only_the_page_may_call(db: &str) {
    let h = Harness::start(db).await;
    let jnovak = h.student("jnovak").await;
    let session = |origin: Option<&str>| {
        let mut request = h
            .http
            .post(format!("{}/myq-session", h.gateway_url))
            .header("X-Auth-Request-User", "jnovak");
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        request
    };
    for origin in [
        None,
        Some("https://evil.example"),
        Some("null"),
        Some("https://intranet.example.edu.evil.example"),
    ] {
        h.send(session(origin)).await.refused(403);
    }
    h.send(session(Some(ORIGIN)).header("Sec-Fetch-Site", "cross-site"))
        .await
        .refused(403);

    // A top-up from another origin, or without one: refused before anything reaches MyQ X.
    let body = json!({"userId": JNOVAK, "params": {"amount": 20}}).to_string();
    let create = |origin: Option<&str>| {
        let mut request = h
            .http
            .post(h.api(PAYMENTS))
            .bearer_auth(&jnovak)
            .header("Content-Type", "application/json")
            .body(body.clone());
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        request
    };
    h.send(create(Some("https://evil.example")))
        .await
        .refused(403);
    h.send(create(None)).await.refused(403);
    // A read from another origin too.
    h.send(
        h.http
            .get(h.api(&format!("/v3/users/{JNOVAK}/accounts")))
            .bearer_auth(&jnovak)
            .header("Origin", "https://evil.example"),
    )
    .await
    .refused(403);
    assert!(h.sim_payments().await.is_empty());
    // The same from the page works.
    h.send(create(Some(ORIGIN))).await.expect(200);
}
