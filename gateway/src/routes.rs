//! The gateway's HTTP face: the widget's session endpoint, and MyQ X's API narrowed to the
//! signed-in person. Handlers are thin: they read the request, ask the policy
//! (`policy.rs`), call MyQ X or settle (`settle.rs`), and answer in MyQ's shapes.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use myq_api::{
    Account, AccountList, Committed, CreatedPayment, IntentKey, Limits, Myq, NewPayment,
    PaymentList, PaymentParams, ProviderList, UserId, UserList, UserQuery,
};
use serde::Deserialize;

use crate::app::App;
use crate::audit::AuditLine;
use crate::desk;
use crate::error::GatewayError;
use crate::identity::{Identity, Role};
use crate::ledger::{NewRecord, Record, RecordState, Recorded};
use crate::origin;
use crate::policy;
use crate::settle::{Pending, Settled};

/// The routes: the session endpoint and the narrowed API under the configured prefix. Every
/// other path is MyQ's 404.
pub fn router(app: Arc<App>) -> Router {
    let api = Router::new()
        .route("/v3/rechargeProviders", get(providers))
        .route("/v3/users/find", get(find_users))
        .route("/v3/users/{id}/accounts", get(accounts))
        .route(
            "/v3/rechargeProviders/{provider}/payments",
            post(create_payment).get(list_payments),
        )
        .route(
            "/v3/rechargeProviders/{provider}/payments/{id}",
            patch(update_payment),
        )
        .route(
            "/v3/rechargeProviders/{provider}/payments/{id}/commit",
            post(commit_payment),
        )
        .route(
            "/v3/rechargeProviders/{provider}/payments/{id}/rollback",
            post(rollback_payment),
        )
        .route("/desk/shift", get(shift))
        .route("/desk/shift.csv", get(shift_csv))
        .route("/desk/credits/{id}/flag", post(flag_credit))
        .fallback(not_found);
    Router::new()
        .route(&app.config.session_path, post(session))
        .nest(&app.config.api_prefix, api)
        // Bodies past the limit are refused while read (413), in MyQ's shape like the rest.
        .layer(axum::extract::DefaultBodyLimit::max(
            app.config.limits.body_limit_bytes,
        ))
        .layer(axum::middleware::from_fn(myq_error_bodies))
        .with_state(app)
}

/// axum's own refusals (a query or path that does not parse, a method not allowed, a body too
/// large) come as plain text; the widget reads MyQ's error body, so they are rewritten as one.
async fn myq_error_bodies(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    // Rejection texts are a line; anything longer is cut rather than buffered.
    let text = axum::body::to_bytes(body, 1024).await.unwrap_or_default();
    let message = match String::from_utf8_lossy(&text).trim() {
        "" => status.canonical_reason().unwrap_or("Refused").to_owned(),
        text => text.to_owned(),
    };
    let mut answer = GatewayError::new(status, message).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            answer.headers_mut().insert(name, value.clone());
        }
    }
    answer
}

/// MyQ's 404, for every path the gateway does not serve.
pub async fn not_found() -> GatewayError {
    GatewayError::not_found("No such path")
}

/// `POST {session_path}`: the widget's token-url. Answers a short-lived session token, in MyQ's
/// token shape, bound to whoever the single sign-on says is signed in.
async fn session(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, GatewayError> {
    origin::check(&method, &headers, &app.config.public_origin)?;
    let identity = app.authenticator.identify(&headers, peer.ip())?;
    app.limit(&identity)?;
    let answer = app.sessions.issue(&identity);
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(answer)).into_response())
}

/// A verified caller of the API: the session token's identity, from the allowed origin, within
/// its rate limit.
pub struct Caller(pub Identity);

impl FromRequestParts<Arc<App>> for Caller {
    type Rejection = GatewayError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, GatewayError> {
        origin::check(&parts.method, &parts.headers, &app.config.public_origin)?;
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or_else(|| GatewayError::unauthorized("Sign in to top up: no session token"))?;
        let identity = app.sessions.verify(token.trim())?;
        app.limit(&identity)?;
        Ok(Caller(identity))
    }
}

impl Caller {
    /// The MyQ X user the caller may act for: themselves, or anyone for an operator.
    async fn user_for(&self, app: &App, user_id: UserId) -> Result<UserId, GatewayError> {
        match self.0.role {
            Role::Operator => Ok(user_id),
            Role::Student => {
                let own = app.own_user_id(&self.0).await?;
                policy::only_own(own, user_id)?;
                Ok(own)
            }
        }
    }

    /// The ledger's record of a payment the caller may touch. Another student's payment is
    /// refused as if it did not exist.
    async fn payment(&self, app: &App, id: &str) -> Result<Record, GatewayError> {
        let record = app.ledger.get(id).await?;
        self.user_for(app, record.user())
            .await
            .map_err(|_| GatewayError::not_found(format!("payment {id} is not in the ledger")))?;
        Ok(record)
    }
}

async fn providers(
    State(app): State<Arc<App>>,
    _caller: Caller,
) -> Result<Json<ProviderList>, GatewayError> {
    let providers = app
        .upstream
        .providers()
        .await?
        .into_iter()
        .filter(|p| p.reference == app.config.myq.provider)
        .collect();
    Ok(Json(ProviderList { providers }))
}

/// `users/find`'s parameters: exactly one of them.
#[derive(Deserialize)]
struct FindQuery {
    username: Option<String>,
    email: Option<String>,
    card: Option<String>,
    code: Option<String>,
}

impl FindQuery {
    fn query(&self) -> Result<UserQuery<'_>, GatewayError> {
        fn given(value: &Option<String>) -> Option<&str> {
            value.as_deref().map(str::trim).filter(|v| !v.is_empty())
        }
        let asked = [
            given(&self.username).map(UserQuery::Username),
            given(&self.email).map(UserQuery::Email),
            given(&self.card).map(UserQuery::Card),
            given(&self.code).map(UserQuery::Code),
        ];
        let mut asked = asked.into_iter().flatten();
        match (asked.next(), asked.next()) {
            (Some(query), None) => Ok(query),
            _ => Err(GatewayError::bad_request(
                "Give one of username, email, card or code to find a user",
            )),
        }
    }
}

/// The most users one find answers: a desk picks from a page, never a directory.
const FOUND_USERS_PAGE: usize = 20;

async fn find_users(
    State(app): State<Arc<App>>,
    Caller(identity): Caller,
    Query(find): Query<FindQuery>,
) -> Result<Json<UserList>, GatewayError> {
    let query = find.query()?;
    if identity.role == Role::Student {
        policy::student_may_find(&identity, query)?;
    }
    let mut users = app.upstream.find_users(query).await?;
    if identity.role == Role::Student {
        // Only the student's own account, whatever else the name matched.
        let own = app.own_user_id(&identity).await?;
        users.retain(|u| u.id == own);
    }
    users.truncate(FOUND_USERS_PAGE);
    if identity.role == Role::Operator {
        app.found_for_desk(&users);
    }
    Ok(Json(UserList { users }))
}

async fn accounts(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AccountList>, GatewayError> {
    let user = caller.user_for(&app, parse_user_id(&id)?).await?;
    let price = app.upstream.balance(user).await?;
    // Only the account that holds the credit: the widget needs nothing else.
    let accounts = vec![Account {
        reference: myq_api::CREDIT_ACCOUNT.into(),
        limits: Some(Limits { price }),
    }];
    Ok(Json(AccountList { accounts }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    user_id: String,
}

async fn list_payments(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(provider): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Json<PaymentList>, GatewayError> {
    app.only_configured_provider(&provider)?;
    let user = caller
        .user_for(&app, parse_user_id(&query.user_id)?)
        .await?;
    let payments = app.upstream.payments(&provider, user).await?;
    Ok(Json(PaymentList { payments }))
}

async fn create_payment(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(provider): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<CreatedPayment>, GatewayError> {
    app.only_configured_provider(&provider)?;
    let asked: NewPayment = read_body(&body)?;
    let Caller(identity) = &caller;
    let user = caller.user_for(&app, asked.user_id).await?;
    let amount = asked.params.amount;
    // Every payment through the gateway carries an intent key: the widget's, or one drawn here
    // for a client that sent none.
    let key = IntentKey::of(&asked.description).unwrap_or_else(random_intent_key);
    if let Some(first) = app.ledger.by_intent(key.as_str()).await? {
        // The same intent again (a browser may re-send a POST): the first payment, not a new one,
        // even when the first payment has since used up the caps.
        policy::same_intent(first.user(), user)?;
        return Ok(Json(created_answer(&first)));
    }
    app.check_amount(identity, user, amount).await?;
    let description = key.tag(&app.config.policy.description);
    let payment = NewPayment {
        user_id: user,
        description,
        params: PaymentParams { amount },
    };
    let created = app.upstream.create_payment(&provider, &payment).await?;
    let record = NewRecord {
        payment_id: created.id.to_string(),
        intent_key: key.as_str().to_owned(),
        user_id: ledger_user_id(user),
        username: app.username_of(identity, user),
        amount: created.amount,
        role: identity.role,
        actor: identity.username.clone(),
    };
    let answer = match app.ledger.record_created(&record).await? {
        Recorded::New(_) => created,
        Recorded::Existing(first) => {
            // Another request of the same intent won the race: this copy goes.
            let same = policy::same_intent(first.user(), user);
            let reason = match same {
                Ok(()) => format!("Duplicate of payment {}", first.payment_id),
                Err(_) => "Duplicate of another top-up's key".to_owned(),
            };
            let _ = app
                .upstream
                .rollback_payment(&provider, &created.id, &reason)
                .await;
            same?;
            created_answer(&first)
        }
    };
    app.audit.record(AuditLine::new(
        identity,
        "payments.create",
        user,
        amount,
        &answer.id,
        "created",
    ));
    Ok(Json(answer))
}

/// MyQ X lets an open payment's amount change; the gateway does not: the amount a student is
/// charged must be the amount MyQ X credits, and a change racing a commit could split them.
/// Another amount is another top-up.
async fn update_payment(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((provider, id)): Path<(String, String)>,
) -> Result<Response, GatewayError> {
    app.only_configured_provider(&provider)?;
    caller.payment(&app, &id).await?;
    Err(GatewayError::conflict(
        "A payment's amount cannot change through the gateway: start a new top-up for another amount",
    ))
}

#[derive(Deserialize)]
struct RollbackBody {
    #[serde(default)]
    reason: String,
}

async fn rollback_payment(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((provider, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, GatewayError> {
    app.only_configured_provider(&provider)?;
    let asked: RollbackBody = if body.is_empty() {
        RollbackBody {
            reason: String::new(),
        }
    } else {
        read_body(&body)?
    };
    let record = caller.payment(&app, &id).await?;
    policy::may_settle(&caller.0, record.role, &record.actor)?;
    policy::still_open(record.state)?;
    let payment_id = record.payment();
    let reason = myq_api::fit_description(&asked.reason);
    app.upstream
        .rollback_payment(&provider, &payment_id, reason)
        .await?;
    app.ledger.rolled_back(&id, reason).await?;
    app.audit.record(AuditLine::new(
        &caller.0,
        "payments.rollback",
        record.user(),
        record.amount,
        &payment_id,
        "rolled back",
    ));
    Ok(Json(1).into_response())
}

async fn commit_payment(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((provider, id)): Path<(String, String)>,
) -> Result<Json<Committed>, GatewayError> {
    app.only_configured_provider(&provider)?;
    let record = caller.payment(&app, &id).await?;
    policy::may_settle(&caller.0, record.role, &record.actor)?;
    if record.state == RecordState::Created {
        app.check_caps_before_charge(&record).await?;
    }
    if !app.ledger.begin_charge(&id).await? {
        // Another commit got here first, or the payment is settled: say where it stands. A
        // credited payment answers as its commit did, so a commit whose answer was lost can be
        // sent again.
        let now = app.ledger.get(&id).await?;
        return match now.state {
            RecordState::Credited => Ok(Json(Committed { amount: now.amount })),
            state => Err(not_committable(state, now.reason.as_deref())),
        };
    }
    if let Err(refusal) = app.check_caps_after_claim(&record).await {
        // Another commit of the same student's passed the caps meanwhile: this one is not paid.
        app.settlement()
            .refuse(&record, &format!("Refused: {}", refusal.message))
            .await?;
        app.audit.record(AuditLine::new(
            &caller.0,
            "payments.commit",
            record.user(),
            record.amount,
            &record.payment(),
            "past the caps",
        ));
        return Err(refusal);
    }
    let step = app.payment_step(record.role, &record.actor);
    let settled = app
        .settlement()
        .charge_and_credit(step.as_ref(), &record)
        .await?;
    let payment_id = record.payment();
    let amount = record.amount;
    let user = record.user();
    let outcome = match &settled {
        Settled::Credited(_) => "credited",
        Settled::Declined(_) => "declined",
        Settled::Pending(Pending::Charge) => "charge pending",
        Settled::Pending(Pending::Credit) => "credit pending",
        Settled::Stuck(_) => "charged, not credited",
    };
    app.audit.record(AuditLine::new(
        &caller.0,
        "payments.commit",
        user,
        amount,
        &payment_id,
        outcome,
    ));
    Ok(Json(Committed {
        amount: settled.answer()?,
    }))
}

/// The shift's parameters: `since` (RFC 3339 or a date; today by default) and `operator`
/// (an administrator's choice: a username, or `*` for every operator).
#[derive(Deserialize)]
struct ShiftQuery {
    since: Option<String>,
    operator: Option<String>,
}

/// `GET {api_prefix}/desk/shift`: the help desk's credits since a time, with their flags.
async fn shift(
    State(app): State<Arc<App>>,
    Caller(identity): Caller,
    Query(query): Query<ShiftQuery>,
) -> Result<Response, GatewayError> {
    let shift = app
        .shift(&identity, query.since.as_deref(), query.operator.as_deref())
        .await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(shift)).into_response())
}

/// `GET {api_prefix}/desk/shift.csv`: the same shift, as a CSV file to download.
async fn shift_csv(
    State(app): State<Arc<App>>,
    Caller(identity): Caller,
    Query(query): Query<ShiftQuery>,
) -> Result<Response, GatewayError> {
    let shift = app
        .shift(&identity, query.since.as_deref(), query.operator.as_deref())
        .await?;
    let disposition = format!("attachment; filename=\"{}\"", desk::csv_file_name(&shift));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        desk::csv(&shift),
    )
        .into_response())
}

#[derive(Deserialize)]
struct FlagBody {
    reason: String,
}

/// `POST {api_prefix}/desk/credits/{id}/flag`: an operator says a credit was a mistake. MyQ X
/// cannot take credit back, so nothing is undone: the flag shows in the shift, its CSV and the
/// report, for an administrator to correct in MyQ X.
async fn flag_credit(
    State(app): State<Arc<App>>,
    Caller(identity): Caller,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<myq_api::desk::CreditFlag>, GatewayError> {
    policy::operators_only(&identity)?;
    let asked: FlagBody = read_body(&body)?;
    let reason = policy::flag_reason(&asked.reason)?;
    let record = app.ledger.get(&id).await?;
    policy::may_flag(&identity, record.role, record.state, &record.actor)?;
    let flag = app.ledger.flag(&id, reason, &identity.username).await?;
    app.audit.record(AuditLine::new(
        &identity,
        "credits.flag",
        record.user(),
        record.amount,
        &record.payment(),
        "flagged",
    ));
    Ok(Json(desk::credit_flag(&flag, app.config.policy.utc_offset)))
}

/// Why a payment whose charge another request began cannot be committed now.
fn not_committable(state: RecordState, reason: Option<&str>) -> GatewayError {
    let refusal = policy::Refusal::NotOpen(state).to_string();
    match (state, reason) {
        (RecordState::Charging | RecordState::Charged, _) => GatewayError::conflict(
            "This payment is being committed already; its result shows in a moment",
        ),
        (_, Some(reason)) => GatewayError::conflict(format!("{refusal}: {reason}")),
        (_, None) => GatewayError::conflict(refusal),
    }
}

fn created_answer(record: &Record) -> CreatedPayment {
    CreatedPayment {
        id: record.payment(),
        user_id: record.user(),
        amount: record.amount,
        description: String::new(),
    }
}

/// A key for a create that carried none: 64 random bits, as the widget draws them.
fn random_intent_key() -> IntentKey {
    let mut bits = [0u8; 8];
    // The operating system's generator does not fail on the systems the gateway runs on; a
    // zero key would still be a valid, if shared, key.
    let _ = getrandom::fill(&mut bits);
    IntentKey::from_random(u64::from_le_bytes(bits))
}

/// The ledger keeps user ids as SQL `BIGINT`; MyQ X's ids stay below 2^53.
fn ledger_user_id(user: UserId) -> i64 {
    i64::try_from(user.0).unwrap_or(i64::MAX)
}

fn parse_user_id(text: &str) -> Result<UserId, GatewayError> {
    text.parse()
        .ok()
        .filter(|id| *id > 0)
        .map(UserId)
        .ok_or_else(|| GatewayError::bad_request("A user id is a positive whole number"))
}

/// A request body in MyQ's shape, read by the same wire types the widget writes.
fn read_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, GatewayError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| GatewayError::bad_request("The request body is not UTF-8 text"))?;
    myq_api::json::parse(text)
        .map_err(|err| GatewayError::bad_request(format!("The request body does not fit: {err}")))
}
