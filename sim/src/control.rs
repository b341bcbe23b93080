//! The control API under `/_sim`: not MyQ's. Tests and the demo use it to switch providers,
//! expire tokens, inject faults, decide what the billing endpoint does and read the server's state
//! back. Off unless `--control`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Sim;
use crate::billing::{Behaviour, QueuedBehaviour};
use crate::error::MyqError;
use crate::http::operation_names;

/// What happens to the next requests of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Wait, then answer normally; a client that gives up first leaves the request unapplied.
    Delay(Duration),
    /// Wait, then apply the request whether or not the client is still there, and answer if it
    /// is: the request that was applied late, after the client had given up.
    Late(Duration),
    /// Answer this status with MyQ's error body, changing nothing.
    Status(StatusCode),
    /// Apply the request, then close the connection without answering: the lost answer.
    Drop,
}

/// A fault queued for the next `remaining` requests of `operation`.
#[derive(Clone, Debug)]
pub struct QueuedFault {
    pub operation: String,
    pub fault: Fault,
    pub remaining: u32,
}

/// `POST /_sim/faults` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FaultRequest {
    operation: String,
    kind: String,
    #[serde(default = "one")]
    count: u32,
    status: Option<u16>,
    delay_ms: Option<u64>,
}

fn one() -> u32 {
    1
}

impl FaultRequest {
    fn delay(&self, kind: &str) -> Result<Duration, MyqError> {
        self.delay_ms
            .map(Duration::from_millis)
            .ok_or_else(|| MyqError::bad_request(format!("a {kind} fault needs delayMs")))
    }

    fn into_fault(self) -> Result<QueuedFault, MyqError> {
        if !operation_names().any(|name| name == self.operation) {
            let known: Vec<&str> = operation_names().collect();
            return Err(MyqError::bad_request(format!(
                "unknown operation '{}': use {}",
                self.operation,
                known.join(", ")
            )));
        }
        if self.count == 0 {
            return Err(MyqError::bad_request("count must be at least 1"));
        }
        let fault = match self.kind.as_str() {
            "delay" => Fault::Delay(self.delay("delay")?),
            "late" => Fault::Late(self.delay("late")?),
            "status" => {
                let status = StatusCode::from_u16(self.status.unwrap_or(503))
                    .ok()
                    .filter(|s| s.is_client_error() || s.is_server_error())
                    .ok_or_else(|| MyqError::bad_request("status must be 400 to 599"))?;
                Fault::Status(status)
            }
            "drop" => Fault::Drop,
            other => {
                return Err(MyqError::bad_request(format!(
                    "unknown fault kind '{other}': use delay, status or drop"
                )));
            }
        };
        Ok(QueuedFault {
            operation: self.operation,
            fault,
            remaining: self.count,
        })
    }
}

/// `POST /_sim/billing` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct BillingRequest {
    kind: String,
    #[serde(default = "one")]
    count: u32,
    reason: Option<String>,
    delay_ms: Option<u64>,
    status: Option<u16>,
}

impl BillingRequest {
    fn into_behaviour(self) -> Result<QueuedBehaviour, MyqError> {
        if self.count == 0 {
            return Err(MyqError::bad_request("count must be at least 1"));
        }
        let behaviour = match self.kind.as_str() {
            "approve" => Behaviour::Approve,
            "decline" => Behaviour::Decline(
                self.reason
                    .unwrap_or_else(|| "The account cannot be charged.".into()),
            ),
            "slow" => Behaviour::Slow(
                self.delay_ms
                    .map(Duration::from_millis)
                    .ok_or_else(|| MyqError::bad_request("a slow charge needs delayMs"))?,
            ),
            "lost" => Behaviour::Lost,
            "status" => Behaviour::Status(
                StatusCode::from_u16(self.status.unwrap_or(503))
                    .ok()
                    .filter(|s| s.is_client_error() || s.is_server_error())
                    .ok_or_else(|| MyqError::bad_request("status must be 400 to 599"))?,
            ),
            other => {
                return Err(MyqError::bad_request(format!(
                    "unknown billing kind '{other}': use approve, decline, slow, lost or status"
                )));
            }
        };
        Ok(QueuedBehaviour {
            behaviour,
            remaining: self.count,
        })
    }
}

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/state", get(state))
        .route("/reset", post(reset))
        .route("/tokens", get(tokens))
        .route("/tokens/expire", post(expire_tokens))
        .route("/providers/{reference}", post(switch_provider))
        .route("/faults", post(add_fault).delete(clear_faults))
        .route("/billing", post(queue_billing).delete(clear_billing))
        .route("/billing/charges", get(billing_charges))
}

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, MyqError> {
    serde_json::from_slice(body)
        .map_err(|err| MyqError::bad_request(format!("bad control request: {err}")))
}

/// Balances, payments, provider switches and request counts per operation.
async fn state(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let requests = sim.stats_json();
    let myq = sim.myq();
    Json(json!({
        "users": myq.user_balances(),
        "payments": myq.all_payments(),
        "providers": myq.provider_switches(),
        "requests": requests,
    }))
}

async fn reset(State(sim): State<Arc<Sim>>) -> StatusCode {
    sim.reset();
    StatusCode::NO_CONTENT
}

/// The tokens MyQ X would take now, with their refresh tokens.
async fn tokens(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!({ "tokens": sim.myq().issued_tokens() }))
}

async fn expire_tokens(State(sim): State<Arc<Sim>>) -> StatusCode {
    sim.myq().expire_tokens();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Switch {
    enabled: bool,
}

async fn switch_provider(
    State(sim): State<Arc<Sim>>,
    Path(reference): Path<String>,
    body: Bytes,
) -> Result<StatusCode, MyqError> {
    let Switch { enabled } = parse(&body)?;
    if sim.myq().set_provider_enabled(&reference, enabled) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(MyqError::not_found(format!("no provider '{reference}'")))
    }
}

async fn add_fault(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<StatusCode, MyqError> {
    let fault = parse::<FaultRequest>(&body)?.into_fault()?;
    sim.faults().push(fault);
    Ok(StatusCode::NO_CONTENT)
}

async fn clear_faults(State(sim): State<Arc<Sim>>) -> StatusCode {
    sim.faults().clear();
    StatusCode::NO_CONTENT
}

/// The billing control calls answer 404 when the simulator serves no billing endpoint.
fn billing_served(sim: &Sim) -> Result<(), MyqError> {
    match sim.billing_key {
        Some(_) => Ok(()),
        None => Err(MyqError::not_found(
            "No billing endpoint: start the simulator with --billing-key-file.",
        )),
    }
}

async fn queue_billing(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<StatusCode, MyqError> {
    billing_served(&sim)?;
    let behaviour = parse::<BillingRequest>(&body)?.into_behaviour()?;
    sim.billing().queue(behaviour);
    Ok(StatusCode::NO_CONTENT)
}

async fn clear_billing(State(sim): State<Arc<Sim>>) -> Result<StatusCode, MyqError> {
    billing_served(&sim)?;
    sim.billing().clear_queue();
    Ok(StatusCode::NO_CONTENT)
}

/// Every charge the billing endpoint took, oldest first.
async fn billing_charges(State(sim): State<Arc<Sim>>) -> Result<Json<Value>, MyqError> {
    billing_served(&sim)?;
    let billing = sim.billing();
    Ok(Json(json!({
        "count": billing.charges().len(),
        "charges": billing.charges(),
    })))
}
