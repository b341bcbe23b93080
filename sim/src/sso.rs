//! The sign-in proxy stand-in: what a university's single sign-on reverse proxy (oauth2-proxy
//! and the like) does in front of myq-gateway, for the demo and the end-to-end tests.
//!
//! It listens on a port of its own and reverse-proxies every request to the gateway, after
//! removing any sign-in headers the browser sent (`X-Auth-Request-User`,
//! `X-Auth-Request-Groups`) and adding the user from its own cookie: no cookie, no header, and the
//! gateway answers 401. A few pages are its own, under `/demo/`: a sign-in form (a username and
//! no password: whoever signs in here is believed, so it is for demos only), sign-out, and
//! `whoami`, which tells a page who is signed in (as oauth2-proxy's `/oauth2/userinfo` does).
//!
//! Bodies stream through both ways; status and headers pass unchanged, apart from hop-by-hop
//! headers, which belong to each connection.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Form, Request, State};
use axum::http::uri::{Authority, PathAndQuery, Scheme};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri, Version, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use serde_json::json;

/// The header the gateway reads the signed-in username from (its default `user_header`).
pub const USER_HEADER: &str = "x-auth-request-user";
/// The header with the groups (its default `groups_header`); never set here: everyone who signs
/// in through the stand-in is a student.
pub const GROUPS_HEADER: &str = "x-auth-request-groups";
/// The cookie that holds who signed in.
pub const COOKIE: &str = "demo-sso-user";
/// Who the form offers to sign in as: the simulator's first student.
pub const DEFAULT_USER: &str = "jnovak";
/// Where signing in leads: the student portal page in the widget's bundle, which the gateway
/// serves.
pub const PORTAL_PATH: &str = "/myq-topup/portal.html";
/// The policy of the stand-in's own pages: no script at all.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'none'";

/// Where the stand-in listens and what it stands in front of.
#[derive(Clone, Debug)]
pub struct SsoOptions {
    pub bind: SocketAddr,
    /// The gateway: `http://host:port`, no path.
    pub proxy_to: Uri,
}

/// The gateway's address, `http://host:port` (no path, no query: every path is passed as asked).
pub fn parse_upstream(text: &str) -> Result<Uri, String> {
    let refused =
        || format!("expected the gateway's address like http://127.0.0.1:8090, not '{text}'");
    let uri: Uri = text.trim_end_matches('/').parse().map_err(|_| refused())?;
    let plain = uri.scheme() == Some(&Scheme::HTTP)
        && uri.authority().is_some()
        && uri
            .path_and_query()
            .is_none_or(|p| p.as_str() == "/" || p.as_str().is_empty());
    if !plain {
        return Err(refused());
    }
    Ok(uri)
}

struct Proxy {
    client: Client<HttpConnector, Body>,
    authority: Authority,
}

/// The stand-in's routes: its own pages under `/demo/`, everything else to the gateway.
pub fn router(options: &SsoOptions) -> Router {
    let authority = options
        .proxy_to
        .authority()
        .expect("parse_upstream checks the authority")
        .clone();
    let proxy = Arc::new(Proxy {
        client: Client::builder(TokioExecutor::new()).build_http(),
        authority,
    });
    Router::new()
        .route("/demo/sign-in", get(sign_in_page).post(sign_in))
        .route("/demo/sign-out", post(sign_out))
        .route("/demo/whoami", get(whoami))
        .fallback(forward)
        .with_state(proxy)
}

/// A running stand-in.
pub struct RunningSso {
    pub addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningSso {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections and waits for the server to end.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Binds and starts serving in the background.
pub async fn start(options: &SsoOptions) -> std::io::Result<RunningSso> {
    let listener = tokio::net::TcpListener::bind(options.bind).await?;
    let addr = listener.local_addr()?;
    let app = router(options);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = stopped.await;
        });
        if let Err(err) = served.await {
            eprintln!("sign-in proxy stand-in stopped: {err}");
        }
    });
    Ok(RunningSso { addr, stop, task })
}

/// Who signed in, from the stand-in's cookie; `None` when nobody did (or the cookie is not one
/// the stand-in set).
pub fn signed_in(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|value| valid_username(value))
}

/// A username the stand-in takes: 1 to 64 letters, digits, `.`, `_`, `-` or `@`, so it is safe in
/// a cookie, a header and HTML alike.
pub fn valid_username(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'))
}

/// Headers that belong to one connection, not to the message (RFC 9110, 7.6.1), and those the
/// `Connection` header names.
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in [
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    ] {
        headers.remove(name);
    }
}

/// Every other request: to the gateway, with the sign-in headers the stand-in vouches for and no
/// others.
async fn forward(State(proxy): State<Arc<Proxy>>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    let user = signed_in(&parts.headers);
    strip_hop_by_hop(&mut parts.headers);
    // Whatever the browser claims about itself is not believed: only the cookie counts.
    parts.headers.remove(USER_HEADER);
    parts.headers.remove(GROUPS_HEADER);
    if let Some(user) = user {
        let value = HeaderValue::from_str(&user).expect("a valid username is a header value");
        parts.headers.insert(USER_HEADER, value);
    }
    let path = parts
        .uri
        .path_and_query()
        .cloned()
        .unwrap_or_else(|| PathAndQuery::from_static("/"));
    parts.uri = Uri::builder()
        .scheme(Scheme::HTTP)
        .authority(proxy.authority.clone())
        .path_and_query(path)
        .build()
        .expect("a scheme, an authority and a path make a URI");
    parts.version = Version::HTTP_11;
    match proxy.client.request(Request::from_parts(parts, body)).await {
        Ok(answer) => {
            let (mut parts, body) = answer.into_parts();
            strip_hop_by_hop(&mut parts.headers);
            Response::from_parts(parts, Body::new(body))
        }
        Err(err) => {
            eprintln!("sign-in proxy stand-in: the gateway did not answer: {err}");
            (
                StatusCode::BAD_GATEWAY,
                format!(
                    "The gateway at http://{} cannot be reached.",
                    proxy.authority
                ),
            )
                .into_response()
        }
    }
}

/// The stand-in's own answers: never cached, no script.
fn own_page(status: StatusCode, body: impl IntoResponse) -> Response {
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::X_FRAME_OPTIONS, "DENY"),
        ],
        body,
    )
        .into_response()
}

/// A form post that names another site is refused (a demo, but not a login-CSRF one).
fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    match (text(header::ORIGIN), text(header::HOST)) {
        (None, _) => true,
        (Some(origin), Some(host)) => origin == format!("http://{host}"),
        (Some(_), None) => false,
    }
}

async fn sign_in_page(headers: HeaderMap) -> Response {
    own_page(
        StatusCode::OK,
        Html(page(signed_in(&headers).as_deref(), None)),
    )
}

#[derive(Deserialize)]
struct SignIn {
    username: String,
}

async fn sign_in(headers: HeaderMap, Form(form): Form<SignIn>) -> Response {
    let username = form.username.trim();
    if !same_origin(&headers) {
        let problem = "Sign in from this page only.";
        return own_page(StatusCode::FORBIDDEN, Html(page(None, Some(problem))));
    }
    if !valid_username(username) {
        let problem = "A username is 1 to 64 letters, digits, '.', '_', '-' or '@'.";
        return own_page(StatusCode::BAD_REQUEST, Html(page(None, Some(problem))));
    }
    let cookie = format!("{COOKIE}={username}; Path=/; HttpOnly; SameSite=Strict");
    ([(header::SET_COOKIE, cookie)], Redirect::to(PORTAL_PATH)).into_response()
}

async fn sign_out(headers: HeaderMap) -> Response {
    if !same_origin(&headers) {
        let problem = "Sign out from this page only.";
        return own_page(StatusCode::FORBIDDEN, Html(page(None, Some(problem))));
    }
    let cookie = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    (
        [(header::SET_COOKIE, cookie)],
        Redirect::to("/demo/sign-in"),
    )
        .into_response()
}

/// `GET /demo/whoami`: `{"username": "jnovak"}`, or 401 with `{"username": null}`.
async fn whoami(headers: HeaderMap) -> Response {
    match signed_in(&headers) {
        Some(user) => own_page(StatusCode::OK, axum::Json(json!({ "username": user }))),
        None => own_page(
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({ "username": null })),
        ),
    }
}

/// The sign-in page. Usernames shown are valid ones (no markup characters); the problem texts
/// are the stand-in's own.
fn page(user: Option<&str>, problem: Option<&str>) -> String {
    let status = match user {
        Some(user) => format!(
            "<p>Signed in as <strong>{user}</strong>. \
             <a href=\"{PORTAL_PATH}\">Go to the student portal</a>.</p>\n\
             <form method=\"post\" action=\"/demo/sign-out\">\
             <button type=\"submit\">Sign out</button></form>\n"
        ),
        None => "<p>Nobody is signed in.</p>\n".to_owned(),
    };
    let problem = problem
        .map(|text| format!("<p role=\"alert\"><strong>{text}</strong></p>\n"))
        .unwrap_or_default();
    format!(
        "<!doctype html>
<html lang=\"en\">
  <head>
    <meta charset=\"utf-8\" />
    <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />
    <title>Demo sign-in</title>
    <link rel=\"icon\" href=\"/myq-topup/favicon.svg\" type=\"image/svg+xml\" />
    <link rel=\"stylesheet\" href=\"/myq-topup/page.css\" />
  </head>
  <body>
    <main class=\"page\">
      <h1>Demo sign-in</h1>
      <p class=\"demo-notice\"><strong>Demo sign-in — stands in for your university's single
        sign-on.</strong> There is no password: whoever signs in here is believed. In a real
        deployment the university's sign-in proxy sits here, in front of the gateway.</p>
      {status}{problem}<form method=\"post\" action=\"/demo/sign-in\">
        <label for=\"username\">Username</label>
        <input id=\"username\" name=\"username\" value=\"{DEFAULT_USER}\" autocomplete=\"username\"
               required maxlength=\"64\" />
        <button type=\"submit\">Sign in</button>
      </form>
    </main>
  </body>
</html>
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookies(line: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(line).unwrap());
        headers
    }

    #[test]
    fn only_the_stand_ins_cookie_with_a_plain_username_signs_in() {
        assert_eq!(
            signed_in(&cookies("a=b; demo-sso-user=jnovak")).as_deref(),
            Some("jnovak")
        );
        assert_eq!(signed_in(&cookies("demo-sso-user=")), None);
        assert_eq!(signed_in(&cookies("demo-sso-user=<b>")), None);
        assert_eq!(signed_in(&cookies("other-demo-sso-user=jnovak")), None);
        assert_eq!(signed_in(&HeaderMap::new()), None);
    }

    #[test]
    fn the_upstream_is_an_http_origin() {
        assert!(parse_upstream("http://127.0.0.1:8090").is_ok());
        assert!(parse_upstream("http://127.0.0.1:8090/").is_ok());
        assert!(parse_upstream("http://127.0.0.1:8090/api").is_err());
        assert!(parse_upstream("https://127.0.0.1:8090").is_err());
        assert!(parse_upstream("127.0.0.1:8090").is_err());
    }

    #[test]
    fn hop_by_hop_headers_stay_behind() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONNECTION,
            HeaderValue::from_static("keep-alive, x-private"),
        );
        headers.insert("x-private", HeaderValue::from_static("1"));
        headers.insert(
            header::TRANSFER_ENCODING,
            HeaderValue::from_static("chunked"),
        );
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        strip_hop_by_hop(&mut headers);
        let left: Vec<&str> = headers.keys().map(HeaderName::as_str).collect();
        assert_eq!(left, ["content-type"]);
    }
}
