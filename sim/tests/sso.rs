//! The sign-in proxy stand-in over real HTTP on loopback, in front of an echo server standing in
//! for the gateway: the sign-in headers come from its cookie only, and everything else passes.

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use myq_sim::Options;
use myq_sim::sso::{self, SsoOptions};
use serde_json::{Value, json};

/// An upstream that answers 207 with what it was sent, and a header of its own.
async fn echo_upstream() -> String {
    let app = Router::new().fallback(
        |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| async move {
            let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned());
            let answer = json!({
                "method": method.as_str(),
                "uri": uri.to_string(),
                "user": header("x-auth-request-user"),
                "groups": header("x-auth-request-groups"),
                "origin": header("origin"),
                "body": String::from_utf8_lossy(&body),
            });
            (
                StatusCode::MULTI_STATUS,
                [("x-upstream", "echo")],
                axum::Json(answer),
            )
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

async fn start(upstream: &str) -> (myq_sim::Running, String) {
    let running = myq_sim::start(Options {
        quiet: true,
        sso: Some(SsoOptions {
            bind: "127.0.0.1:0".parse().unwrap(),
            proxy_to: sso::parse_upstream(upstream).unwrap(),
        }),
        ..Options::default()
    })
    .await
    .unwrap();
    let url = running.sso_url().unwrap();
    (running, url)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A GET through the stand-in with `cookie` (if any) and the headers a page might forge; the
/// answer as JSON.
async fn get_json(
    http: &reqwest::Client,
    url: String,
    cookie: Option<&str>,
    forged: &[(&str, &str)],
) -> Value {
    let mut request = http.get(url);
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    for (name, value) in forged {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap().json().await.unwrap()
}

/// The sign-in page's text, as whoever `cookie` signs in sees it.
async fn sign_in_page(http: &reqwest::Client, url: &str, cookie: Option<&str>) -> String {
    let mut request = http.get(format!("{url}/demo/sign-in"));
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    request.send().await.unwrap().text().await.unwrap()
}

/// Posts the sign-in form.
async fn sign_in(http: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
    http.post(format!("{url}/demo/sign-in"))
        .form(form)
        .send()
        .await
        .unwrap()
}

/// The whole `Set-Cookie` of an answer.
fn set_cookie(answer: &reqwest::Response) -> String {
    answer.headers()["set-cookie"].to_str().unwrap().to_owned()
}

/// The cookie as the browser sends it back: the `name=value` of a `Set-Cookie`.
fn sent_back(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn signed_in_requests_carry_the_user_from_the_cookie_and_nothing_else() {
    let (running, url) = start(&echo_upstream().await).await;
    let http = client();

    // Nobody signed in: forged headers are dropped, none is added.
    let forged = http
        .post(format!("{url}/myq-session?x=1"))
        .header("X-Auth-Request-User", "helpdesk")
        .header("X-Auth-Request-Groups", "print-desk")
        .header("Origin", &url)
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::MULTI_STATUS, "status passes");
    assert_eq!(forged.headers()["x-upstream"], "echo", "headers pass");
    let seen: Value = forged.json().await.unwrap();
    assert_eq!(seen["method"], "POST");
    assert_eq!(seen["uri"], "/myq-session?x=1");
    assert_eq!(seen["user"], Value::Null);
    assert_eq!(seen["groups"], Value::Null);
    assert_eq!(seen["origin"], json!(url), "the browser's Origin passes");
    assert_eq!(seen["body"], "hello");

    let who = http.get(format!("{url}/demo/whoami")).send().await.unwrap();
    assert_eq!(who.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        who.json::<Value>().await.unwrap(),
        json!({"username": null, "groups": []})
    );

    // The page offers jnovak and says it is a demo.
    let page = http
        .get(format!("{url}/demo/sign-in"))
        .send()
        .await
        .unwrap();
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'none'")
    );
    let page = page.text().await.unwrap();
    assert!(page.contains("Demo sign-in — stands in for your university's single"));
    assert!(page.contains("value=\"jnovak\""));

    // Signing in sets an HttpOnly, SameSite=Strict cookie and leads to the portal.
    let signed = sign_in(&http, &url, &[("username", "jnovak")]).await;
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed.headers()["location"], sso::PORTAL_PATH);
    let cookie = set_cookie(&signed);
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let cookie = sent_back(&cookie);

    let forged = [
        ("X-Auth-Request-User", "helpdesk"),
        ("X-Auth-Request-Groups", "print-desk"),
    ];
    let providers = format!("{url}/myq-api/v3/rechargeProviders");
    let seen = get_json(&http, providers, Some(&cookie), &forged).await;
    assert_eq!(seen["user"], "jnovak");
    assert_eq!(seen["groups"], Value::Null);

    let who = get_json(&http, format!("{url}/demo/whoami"), Some(&cookie), &[]).await;
    assert_eq!(who, json!({"username": "jnovak", "groups": []}));

    // A username that is not plain text, or a form from another site, is refused.
    let odd = sign_in(&http, &url, &[("username", "<script>")]).await;
    assert_eq!(odd.status(), StatusCode::BAD_REQUEST);
    let cross = http
        .post(format!("{url}/demo/sign-in"))
        .header("Origin", "http://evil.example")
        .form(&[("username", "jnovak")])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);

    // Signing out clears the cookie.
    let out = http
        .post(format!("{url}/demo/sign-out"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    running.stop().await;
}

#[tokio::test]
async fn groups_from_the_form_go_with_the_user_and_the_browsers_own_are_dropped() {
    let (running, url) = start(&echo_upstream().await).await;
    let http = client();

    // The form offers the groups field, empty.
    let page = sign_in_page(&http, &url, None).await;
    assert!(page.contains("name=\"groups\" value=\"\""), "{page}");

    // Signing in with groups leads to the help desk page; the cookie holds the groups beside
    // the username.
    let form = [
        ("username", "helpdesk"),
        ("groups", " print-desk, print-admins "),
    ];
    let signed = sign_in(&http, &url, &form).await;
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed.headers()["location"], sso::DESK_PATH);
    let cookie = set_cookie(&signed);
    assert!(
        cookie.starts_with("demo-sso-user=helpdesk:print-desk:print-admins;")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let cookie = sent_back(&cookie);

    // Passed on as X-Auth-Request-Groups, whatever the browser sent instead.
    let find = format!("{url}/myq-api/v3/users/find?username=jnovak");
    let forged = [
        ("X-Auth-Request-User", "jnovak"),
        ("X-Auth-Request-Groups", "print-admins-forged"),
    ];
    let seen = get_json(&http, find.clone(), Some(&cookie), &forged).await;
    assert_eq!(seen["user"], "helpdesk");
    assert_eq!(seen["groups"], "print-desk,print-admins");

    let who = get_json(&http, format!("{url}/demo/whoami"), Some(&cookie), &[]).await;
    assert_eq!(
        who,
        json!({"username": "helpdesk", "groups": ["print-desk", "print-admins"]})
    );
    let page = sign_in_page(&http, &url, Some(&cookie)).await;
    assert!(
        page.contains("Signed in as <strong>helpdesk</strong> (groups: print-desk, print-admins)"),
        "{page}"
    );

    // A student: no groups, no groups header, even when the browser sends one.
    let student = sign_in(&http, &url, &[("username", "jnovak"), ("groups", "")]).await;
    assert_eq!(student.headers()["location"], sso::PORTAL_PATH);
    let cookie = sent_back(&set_cookie(&student));
    assert_eq!(cookie, "demo-sso-user=jnovak");
    let forged = [("X-Auth-Request-Groups", "print-desk")];
    let seen = get_json(&http, find, Some(&cookie), &forged).await;
    assert_eq!(seen["user"], "jnovak");
    assert_eq!(seen["groups"], Value::Null);

    // A group that is not a plain name is refused, and nobody is signed in.
    let odd = sign_in(
        &http,
        &url,
        &[("username", "helpdesk"), ("groups", "print-desk;admin")],
    )
    .await;
    assert_eq!(odd.status(), StatusCode::BAD_REQUEST);
    assert!(odd.headers().get("set-cookie").is_none());
    running.stop().await;
}

#[tokio::test]
async fn a_gateway_that_is_not_there_is_a_502() {
    // A port nobody listens on: bound, read, released.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let upstream = format!("http://{}", free.local_addr().unwrap());
    drop(free);
    let (running, url) = start(&upstream).await;
    let answer = client()
        .get(format!("{url}/myq-topup/portal.html"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_GATEWAY);
    running.stop().await;
}
