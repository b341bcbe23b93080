//! The sign-in proxy stand-in: what a university's single sign-on reverse proxy (oauth2-proxy
//! and the like) does in front of myq-gateway, for the demo and the end-to-end tests.
//!
//! It listens on a port of its own and reverse-proxies every request to the gateway, after
//! removing any sign-in headers the browser sent (`X-Auth-Request-User`,
//! `X-Auth-Request-Groups`) and adding the user and their groups from its own cookie: no cookie,
//! no header, and the gateway answers 401. A few pages are its own, under `/demo/`: a sign-in form
//! (a username, optional groups such as `print-desk`, and no password: whoever signs in here is
//! believed, so it is for demos only), sign-out, and `whoami`, which tells a page who is signed in
//! (as oauth2-proxy's `/oauth2/userinfo` does).
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
/// The header with the groups (its default `groups_header`), comma-separated: set only when the
/// sign-in form named some (`print-desk` makes an operator behind the demo's gateway).
pub const GROUPS_HEADER: &str = "x-auth-request-groups";
/// The cookie that holds who signed in: the username, then each group after a `:`
/// (`helpdesk:print-desk`).
pub const COOKIE: &str = "demo-sso-user";
/// At most this many groups are taken from the form.
pub const MAX_GROUPS: usize = 16;
/// Who the form offers to sign in as: the simulator's first student.
pub const DEFAULT_USER: &str = "jnovak";
/// Where signing in leads: the student portal page in the widget's bundle, which the gateway
/// serves.
pub const PORTAL_PATH: &str = "/myq-topup/portal.html";
/// Where signing in with groups leads: the help desk page in the widget's bundle.
pub const DESK_PATH: &str = "/myq-topup/desk.html";
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

/// Who signed in, and their groups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedIn {
    pub username: String,
    pub groups: Vec<String>,
}

impl SignedIn {
    /// The cookie's value: `username`, then `:group` for each group.
    pub fn cookie_value(&self) -> String {
        std::iter::once(self.username.as_str())
            .chain(self.groups.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(":")
    }

    /// From the cookie's value; `None` unless the username and every group are valid.
    pub fn from_cookie_value(value: &str) -> Option<SignedIn> {
        let mut parts = value.split(':');
        let username = parts.next().filter(|name| valid_username(name))?.to_owned();
        let groups: Vec<String> = parts.map(str::to_owned).collect();
        if groups.len() > MAX_GROUPS || !groups.iter().all(|group| valid_username(group)) {
            return None;
        }
        Some(SignedIn { username, groups })
    }
}

/// Who signed in, from the stand-in's cookie; `None` when nobody did (or the cookie is not one
/// the stand-in set).
pub fn signed_in(headers: &HeaderMap) -> Option<SignedIn> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .and_then(|(_, value)| SignedIn::from_cookie_value(value))
}

/// The form's groups field: names separated by commas and/or spaces, each valid as a username
/// is, at most [`MAX_GROUPS`], duplicates dropped; `None` when one is not.
pub fn parse_groups(text: &str) -> Option<Vec<String>> {
    let mut groups: Vec<String> = Vec::new();
    for group in text
        .split([',', ' ', '\t'])
        .filter(|group| !group.is_empty())
    {
        if !valid_username(group) {
            return None;
        }
        if !groups.iter().any(|seen| seen == group) {
            groups.push(group.to_owned());
        }
    }
    (groups.len() <= MAX_GROUPS).then_some(groups)
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
        let value =
            HeaderValue::from_str(&user.username).expect("a valid username is a header value");
        parts.headers.insert(USER_HEADER, value);
        if !user.groups.is_empty() {
            let value = HeaderValue::from_str(&user.groups.join(","))
                .expect("valid group names are a header value");
            parts.headers.insert(GROUPS_HEADER, value);
        }
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
        Html(page(signed_in(&headers).as_ref(), None)),
    )
}

#[derive(Deserialize)]
struct SignIn {
    username: String,
    #[serde(default)]
    groups: String,
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
    let Some(groups) = parse_groups(&form.groups) else {
        let problem = "Groups are separated by commas, each 1 to 64 letters, digits, '.', '_', \
                       '-' or '@', at most 16.";
        return own_page(StatusCode::BAD_REQUEST, Html(page(None, Some(problem))));
    };
    // With groups, the help desk page (an operator's); without, the student portal.
    let next = if groups.is_empty() {
        PORTAL_PATH
    } else {
        DESK_PATH
    };
    let user = SignedIn {
        username: username.to_owned(),
        groups,
    };
    let value = user.cookie_value();
    let cookie = format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict");
    ([(header::SET_COOKIE, cookie)], Redirect::to(next)).into_response()
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

/// `GET /demo/whoami`: `{"username": "helpdesk", "groups": ["print-desk"]}`, or 401 with
/// `{"username": null, "groups": []}`.
async fn whoami(headers: HeaderMap) -> Response {
    match signed_in(&headers) {
        Some(user) => own_page(
            StatusCode::OK,
            axum::Json(json!({ "username": user.username, "groups": user.groups })),
        ),
        None => own_page(
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({ "username": null, "groups": [] })),
        ),
    }
}

/// The sign-in page. Usernames and groups shown are valid ones (no markup characters); the
/// problem texts are the stand-in's own.
fn page(user: Option<&SignedIn>, problem: Option<&str>) -> String {
    let status = match user {
        Some(user) => format!(
            "<p>Signed in as <strong>{name}</strong>{groups}. \
             <a href=\"{PORTAL_PATH}\">Go to the student portal</a> or \
             <a href=\"{DESK_PATH}\">the help desk</a>.</p>\n\
             <form method=\"post\" action=\"/demo/sign-out\">\
             <button type=\"submit\">Sign out</button></form>\n",
            name = user.username,
            groups = if user.groups.is_empty() {
                String::new()
            } else {
                format!(" (groups: {})", user.groups.join(", "))
            },
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
    <link rel=\"icon\" href=\"/myq-topup/favicon.png\" type=\"image/png\" />
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
        <label for=\"groups\">Groups (optional, comma-separated)</label>
        <input id=\"groups\" name=\"groups\" value=\"\" aria-describedby=\"groups-hint\"
               maxlength=\"1024\" />
        <p id=\"groups-hint\">Empty: a student. <code>print-desk</code>: an
          operator at the help desk (the demo gateway's <code>operator_group</code>).</p>
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
            signed_in(&cookies("a=b; demo-sso-user=jnovak")),
            Some(SignedIn {
                username: "jnovak".into(),
                groups: vec![]
            })
        );
        assert_eq!(
            signed_in(&cookies("demo-sso-user=helpdesk:print-desk:print-admins")),
            Some(SignedIn {
                username: "helpdesk".into(),
                groups: vec!["print-desk".into(), "print-admins".into()]
            })
        );
        assert_eq!(signed_in(&cookies("demo-sso-user=helpdesk:")), None);
        assert_eq!(signed_in(&cookies("demo-sso-user=:print-desk")), None);
        assert_eq!(signed_in(&cookies("demo-sso-user=helpdesk:<b>")), None);
        assert_eq!(signed_in(&cookies("demo-sso-user=")), None);
        assert_eq!(signed_in(&cookies("demo-sso-user=<b>")), None);
        assert_eq!(signed_in(&cookies("other-demo-sso-user=jnovak")), None);
        assert_eq!(signed_in(&HeaderMap::new()), None);
    }

    #[test]
    fn groups_are_plain_names_separated_by_commas() {
        assert_eq!(parse_groups(""), Some(vec![]));
        assert_eq!(parse_groups(" , "), Some(vec![]));
        assert_eq!(
            parse_groups("print-desk, print-admins,print-desk"),
            Some(vec!["print-desk".into(), "print-admins".into()])
        );
        assert_eq!(parse_groups("print-desk;x"), None);
        assert_eq!(parse_groups("a:b"), None);
        let many = (0..=MAX_GROUPS)
            .map(|n| format!("g{n}"))
            .collect::<Vec<_>>();
        assert_eq!(parse_groups(&many.join(",")), None);
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
