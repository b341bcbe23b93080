//! The HTTP face of the simulator: MyQ X's API under `/api`, the demo token endpoint, the
//! university's billing endpoint, the widget's files, and the control API under `/_sim`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Bytes, HttpBody};
use axum::extract::{MatchedPath, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http_body_util::LengthLimitError;
use serde_json::{Value, json};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::billing;
use crate::control::{self, Fault};
use crate::data::Right;
use crate::error::MyqError;
use crate::myq::{Scope, ServerState, UserFind, parse_id};
use crate::serve::ConnectionKill;
use crate::{Options, Sim};

/// The policy the demo pages must work under: no inline script, no eval.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

/// Where the widget's built files are served.
pub const WIDGET_PATH: &str = "/myq-topup";

/// The largest request body taken, in bytes: MyQ's request bodies are a few hundred.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The MyQ operations, by method and route: their names key faults and request counts, and are
/// the same vocabulary the widget's error events use.
const OPERATIONS: [(&str, &str, &str); 10] = [
    ("POST", "/api/auth/token", "token"),
    ("POST", "/demo/token", "demo.token"),
    ("GET", "/api/v3/rechargeProviders", "providers"),
    ("GET", "/api/v3/users/find", "users.find"),
    ("GET", "/api/v3/users/{id}/accounts", "users.accounts"),
    (
        "POST",
        "/api/v3/rechargeProviders/{reference}/payments",
        "payments.create",
    ),
    (
        "GET",
        "/api/v3/rechargeProviders/{reference}/payments",
        "payments.list",
    ),
    (
        "PATCH",
        "/api/v3/rechargeProviders/{reference}/payments/{id}",
        "payments.update",
    ),
    (
        "POST",
        "/api/v3/rechargeProviders/{reference}/payments/{id}/commit",
        "payments.commit",
    ),
    (
        "POST",
        "/api/v3/rechargeProviders/{reference}/payments/{id}/rollback",
        "payments.rollback",
    ),
];

/// The name of the MyQ operation a route serves.
fn operation(method: &Method, route: &str) -> Option<&'static str> {
    OPERATIONS
        .iter()
        .find(|(m, r, _)| *m == method.as_str() && *r == route)
        .map(|(_, _, name)| *name)
}

/// Every operation's name, for the control API to check fault requests against.
pub fn operation_names() -> impl Iterator<Item = &'static str> {
    OPERATIONS.iter().map(|(_, _, name)| *name)
}

pub fn router(sim: Arc<Sim>, options: &Options) -> Router {
    let mut app = Router::new()
        .route("/api/auth/token", post(issue_token))
        .route("/api/v3/rechargeProviders", get(providers))
        .route("/api/v3/users/find", get(find_users))
        .route("/api/v3/users/{id}/accounts", get(accounts))
        .route(
            "/api/v3/rechargeProviders/{reference}/payments",
            post(create_payment).get(list_payments),
        )
        .route(
            "/api/v3/rechargeProviders/{reference}/payments/{id}",
            axum::routing::patch(update_payment),
        )
        .route(
            "/api/v3/rechargeProviders/{reference}/payments/{id}/commit",
            post(commit_payment),
        )
        .route(
            "/api/v3/rechargeProviders/{reference}/payments/{id}/rollback",
            post(rollback_payment),
        );
    if options.demo_token {
        // POST only: minting a token is not a safe request, and no cache may keep one.
        app = app.route("/demo/token", post(demo_token));
    }
    if options.billing_key.is_some() {
        app = app.merge(billing::router());
    }
    if options.control {
        app = app.nest("/_sim", control::router());
    }
    app = app
        .layer(middleware::from_fn_with_state(sim.clone(), instrument))
        .layer(middleware::from_fn_with_state(
            options.body_timeout,
            read_body,
        ));
    if let Some(www) = &options.www {
        let files = Router::new().fallback_service(ServeDir::new(www)).layer(
            SetResponseHeaderLayer::overriding(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CONTENT_SECURITY_POLICY),
            ),
        );
        app = app.nest_service(WIDGET_PATH, files).route(
            "/",
            get(|| async { Redirect::temporary(&format!("{WIDGET_PATH}/")) }),
        );
    }
    let app = app
        .fallback(|| async { MyqError::not_found("No such endpoint.") })
        .layer(middleware::from_fn(myq_errors));
    let app = match cors(&options.allow_origins) {
        Some(cors) => app.layer(cors),
        None => app,
    };
    let app = app.with_state(sim.clone());
    if options.quiet {
        app
    } else {
        app.layer(middleware::from_fn(log))
    }
}

fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let origins: Vec<HeaderValue> = origins
        .iter()
        .map(|o| HeaderValue::from_str(o).expect("origins are checked when options are parsed"))
        .collect();
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .max_age(std::time::Duration::from_secs(600)),
    )
}

/// One line per request: method, path, status, time.
async fn log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let response = next.run(request).await;
    eprintln!(
        "{method} {path} {} {:.1}ms",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

/// Every refusal in MyQ's error body: axum's own (a path or query that does not decode, a
/// method the route does not take, a body it cannot buffer) and the file service's come as plain
/// text or empty. Their status and other headers (`Allow`) stay; their text becomes the message.
async fn myq_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // axum's rejection texts are a line; anything longer is cut rather than buffered.
    let text = axum::body::to_bytes(body, 1024).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let message = match text.trim() {
        "" => format!("{}.", status.canonical_reason().unwrap_or("Refused")),
        text => text.to_owned(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let body = MyqError::new(status, message).body().to_string();
    Response::from_parts(parts, body.into())
}

/// Reads the whole request body before anything else runs, so that a client that sends it
/// slowly or never is answered 408 instead of holding the connection, and one that sends too
/// much is answered 413 (at once when its Content-Length says so). The timeout is for the whole
/// body, not between its pieces as tower-http's `RequestBodyTimeoutLayer` has it, so a body
/// dribbled a byte at a time does not escape it.
async fn read_body(
    State(timeout): State<Duration>,
    request: Request,
    next: Next,
) -> Result<Response, MyqError> {
    let too_large = || {
        MyqError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("The request body is larger than {BODY_LIMIT} bytes."),
        )
    };
    let (parts, body) = request.into_parts();
    if body.size_hint().lower() > BODY_LIMIT as u64 {
        return Err(too_large());
    }
    let body = match tokio::time::timeout(timeout, axum::body::to_bytes(body, BODY_LIMIT)).await {
        Ok(Ok(body)) => body,
        Ok(Err(err))
            if std::error::Error::source(&err).is_some_and(|e| e.is::<LengthLimitError>()) =>
        {
            return Err(too_large());
        }
        Ok(Err(_)) => return Err(MyqError::bad_request("The request body was cut short.")),
        Err(_) => {
            return Err(MyqError::new(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "The request body did not arrive within {} ms.",
                    timeout.as_millis()
                ),
            ));
        }
    };
    Ok(next.run(Request::from_parts(parts, body.into())).await)
}

/// Counts MyQ operations and applies the faults the control API queued for them.
async fn instrument(
    State(sim): State<Arc<Sim>>,
    route: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let Some(op) = route.and_then(|r| operation(request.method(), r.as_str())) else {
        return next.run(request).await;
    };
    let started = Instant::now();
    let response = match sim.take_fault(op) {
        None => next.run(request).await,
        Some(Fault::Delay(delay)) => {
            tokio::time::sleep(delay).await;
            next.run(request).await
        }
        Some(Fault::Late(delay)) => {
            // On a task of its own, which the connection going away does not cancel: dropping
            // this future only detaches it.
            let sim = sim.clone();
            let late = tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let response = next.run(request).await;
                sim.record(op, response.status().as_u16(), started.elapsed());
                response
            });
            return late.await.unwrap_or_else(|_| {
                MyqError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The late request failed.",
                )
                .into_response()
            });
        }
        Some(Fault::Status(status)) => {
            MyqError::new(status, format!("Injected fault: {op} answered {status}."))
                .into_response()
        }
        Some(Fault::Drop) => {
            let kill = request.extensions().get::<ConnectionKill>().cloned();
            let applied = next.run(request).await;
            sim.record(op, applied.status().as_u16(), started.elapsed());
            eprintln!(
                "(fault) {op} applied with status {}, connection dropped",
                applied.status()
            );
            if let Some(kill) = kill {
                kill.kill();
            }
            return std::future::pending().await;
        }
    };
    sim.record(op, response.status().as_u16(), started.elapsed());
    response
}

/// The bearer token of a request, if it carries one. The scheme's name is case-insensitive
/// (RFC 9110, 11.1): `bearer` and `BEARER` are `Bearer`.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let (scheme, token) = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("Bearer")
        .then_some(token.trim())
}

/// A request body as MyQ X takes it: JSON, declared as `application/json`.
///
/// An empty body is `null`, for the calls whose body docs/myq-api.md describes as empty (commit).
fn json_body(headers: &HeaderMap, body: &Bytes) -> Result<Value, MyqError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    match content_type.as_deref() {
        Some("application/json") => {}
        None if body.is_empty() => return Ok(Value::Null),
        other => {
            return Err(MyqError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "Content-Type must be application/json, not {}.",
                    other.unwrap_or("missing")
                ),
            ));
        }
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(body)
        .map_err(|err| MyqError::bad_request(format!("The request body is not valid JSON: {err}.")))
}

/// A JSON object body; `null` (empty) counts as `{}`.
fn json_object(headers: &HeaderMap, body: &Bytes) -> Result<Value, MyqError> {
    match json_body(headers, body)? {
        Value::Null => Ok(json!({})),
        object @ Value::Object(_) => Ok(object),
        _ => Err(MyqError::bad_request(
            "The request body must be a JSON object.",
        )),
    }
}

impl Sim {
    /// Runs `call` on the server state once the request's token has `scope` and `right`.
    fn authorized<T>(
        &self,
        headers: &HeaderMap,
        scope: Scope,
        right: Right,
        call: impl FnOnce(&mut ServerState) -> Result<T, MyqError>,
    ) -> Result<T, MyqError> {
        let mut myq = self.myq();
        myq.authorize(bearer(headers), scope, right)?;
        call(&mut myq)
    }
}

type Answer = Result<Json<Value>, MyqError>;

/// The "empty" answer docs/myq-api.md describes for PATCH and rollback.
fn empty(result: Result<(), MyqError>) -> Result<StatusCode, MyqError> {
    result.map(|()| StatusCode::OK)
}

async fn issue_token(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Answer {
    let body = json_object(&headers, &body)?;
    sim.myq().issue_token(&body).map(Json)
}

/// The host backend's token endpoint in the demo: mints a token for the first API client, so
/// the client secret stays on the server.
async fn demo_token(State(sim): State<Arc<Sim>>) -> Answer {
    let client = sim.demo_client();
    let body = json!({
        "grant_type": "client_credentials",
        "client_id": client.id,
        "client_secret": client.secret,
        "scope": client.scopes.join(" "),
    });
    sim.myq().issue_token(&body).map(Json)
}

async fn providers(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Answer {
    sim.authorized(&headers, Scope::Credit, Right::ManagePayments, |myq| {
        Ok(Json(myq.providers()))
    })
}

async fn find_users(
    State(sim): State<Arc<Sim>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Answer {
    sim.authorized(&headers, Scope::Users, Right::ManageUsers, |myq| {
        let limit = match query.get("limit") {
            Some(limit) => Some(
                limit
                    .parse()
                    .map_err(|_| MyqError::bad_request("limit must be a non-negative integer."))?,
            ),
            None => None,
        };
        let given = |name: &str| query.get(name).map(String::as_str);
        let find = UserFind {
            username: given("username"),
            email: given("email"),
            card: given("card"),
            code: given("code"),
            limit,
        };
        Ok(Json(myq.find_users(&find)))
    })
}

async fn accounts(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    sim.authorized(&headers, Scope::Users, Right::ManageUsers, |myq| {
        let id =
            parse_id(&id).ok_or_else(|| MyqError::not_found(format!("User {id} not found.")))?;
        myq.accounts(id).map(Json)
    })
}

async fn create_payment(
    State(sim): State<Arc<Sim>>,
    Path(reference): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    sim.authorized(&headers, Scope::Credit, Right::ManagePayments, |myq| {
        let body = json_object(&headers, &body)?;
        myq.create_payment(&reference, &body).map(Json)
    })
}

async fn list_payments(
    State(sim): State<Arc<Sim>>,
    Path(reference): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Answer {
    sim.authorized(&headers, Scope::Credit, Right::ManagePayments, |myq| {
        let user_id = match query.get("userId") {
            Some(id) => Some(
                parse_id(id)
                    .ok_or_else(|| MyqError::bad_request("userId must be a positive integer."))?,
            ),
            None => None,
        };
        myq.list_payments(&reference, user_id).map(Json)
    })
}

async fn update_payment(
    State(sim): State<Arc<Sim>>,
    Path((reference, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, MyqError> {
    sim.authorized(&headers, Scope::Credit, Right::ManagePayments, |myq| {
        let body = json_object(&headers, &body)?;
        empty(myq.update_payment(&reference, &id, &body))
    })
}

async fn commit_payment(
    State(sim): State<Arc<Sim>>,
    Path((reference, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    sim.authorized(&headers, Scope::Credit, Right::ManagePayments, |myq| {
        json_object(&headers, &body)?;
        myq.commit_payment(&reference, &id).map(Json)
    })
}

async fn rollback_payment(
    State(sim): State<Arc<Sim>>,
    Path((reference, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, MyqError> {
    sim.authorized(&headers, Scope::Credit, Right::ManagePayments, |myq| {
        let body = json_object(&headers, &body)?;
        let reason = match body.get("reason") {
            None | Some(Value::Null) => "",
            Some(Value::String(reason)) => reason,
            Some(_) => return Err(MyqError::bad_request("reason must be a string.")),
        };
        empty(myq.rollback_payment(&reference, &id, reason))
    })
}
