//! [`api::Myq`] over an in-process simulator. Answers pass through the widget's own JSON
//! readers; each call may be refused or have its answer lost, as a fault policy decides.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::executor::block_on;
use myq_sim::data::SimData;
use myq_sim::error::MyqError;
use serde_json::Value;

use serde::de::DeserializeOwned;

use crate::api::json;
use crate::api::{self, ApiError, Failure, Money, Operation, PaymentId, UserId};
use crate::topup::{Claims, Session, Who, start};

pub const JNOVAK: u64 = 34173;

/// A session for jnovak over `myq`, as the widget opens one after starting.
pub fn open_session(myq: LocalMyq) -> Session<LocalMyq> {
    block_on(async {
        let account = start(&myq, &Who::Id(UserId(JNOVAK)), "external")
            .await
            .unwrap();
        Session::open(myq, &account, Claims::default()).await
    })
}

/// What happens to one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answered normally.
    None,
    /// Refused with 503 before anything was applied.
    Refuse,
    /// Applied, then the answer was lost (a network error).
    Lose,
    /// Never reached the server: a network error, nothing applied.
    Unreachable,
    /// Reached the server twice (a browser re-sent it): applied twice, the second answered.
    Twice,
    /// Reached the server twice, and neither answer arrived.
    TwiceLost,
}

type Policy = Box<dyn FnMut(Operation) -> Fault>;

pub struct LocalMyq {
    pub server: RefCell<myq_sim::myq::ServerState>,
    policy: RefCell<Policy>,
    /// Commits sent for a payment that was already completed: must stay 0.
    pub blind_commits: Cell<u32>,
    pub calls: RefCell<Vec<Operation>>,
    /// The longest chain of calls each sent after the previous one's answer: what the network's
    /// latency multiplies.
    series: Cell<usize>,
    /// Each call's place in that chain (1 for the first round trip), in the order sent.
    rounds: RefCell<Vec<(Operation, usize)>>,
}

impl LocalMyq {
    pub fn new() -> LocalMyq {
        LocalMyq {
            server: RefCell::new(myq_sim::myq::ServerState::new(
                SimData::default(),
                Duration::from_secs(1800),
            )),
            policy: RefCell::new(Box::new(|_| Fault::None)),
            blind_commits: Cell::new(0),
            calls: RefCell::new(Vec::new()),
            series: Cell::new(0),
            rounds: RefCell::new(Vec::new()),
        }
    }

    pub fn set_policy(&self, policy: impl FnMut(Operation) -> Fault + 'static) {
        *self.policy.borrow_mut() = Box::new(policy);
    }

    /// Every call of `operation` gets `fault`; others answer normally.
    pub fn always(&self, operation: Operation, fault: Fault) {
        self.set_policy(move |op| if op == operation { fault } else { Fault::None });
    }

    /// The next calls of `operation` get these faults, in order; others answer normally.
    pub fn script(&self, operation: Operation, faults: &[Fault]) {
        let mut queue: Vec<Fault> = faults.iter().rev().copied().collect();
        self.set_policy(move |op| {
            if op == operation {
                queue.pop().unwrap_or(Fault::None)
            } else {
                Fault::None
            }
        });
    }

    /// A payment left `created` for jnovak, as an earlier page would leave it; its id.
    pub fn leave_payment(&self, amount: f64) -> String {
        self.leave_described_payment(amount, "")
    }

    /// As [`leave_payment`](Self::leave_payment), with a description (an intent's key, say).
    pub fn leave_described_payment(&self, amount: f64, description: &str) -> String {
        let body = serde_json::json!({
            "userId": JNOVAK, "description": description, "params": {"amount": amount}
        });
        let created = self
            .server
            .borrow_mut()
            .create_payment("external", &body)
            .unwrap();
        created["id"].as_str().unwrap().to_owned()
    }

    pub fn count(&self, operation: Operation) -> usize {
        self.calls
            .borrow()
            .iter()
            .filter(|&&op| op == operation)
            .count()
    }

    /// Round trips made in series so far: calls running at once count as one.
    pub fn round_trips_in_series(&self) -> usize {
        self.series.get()
    }

    /// The round trip in series the first call of `operation` went out in (1 for the first).
    pub fn round_of(&self, operation: Operation) -> Option<usize> {
        let rounds = self.rounds.borrow();
        rounds
            .iter()
            .find(|(op, _)| *op == operation)
            .map(|(_, round)| *round)
    }

    /// The server's view of a payment.
    pub fn server_payment(&self, id: &str) -> Option<Value> {
        let list = self.server.borrow().list_payments("external", None).ok()?;
        list["payments"]
            .as_array()?
            .iter()
            .find(|p| p["id"] == id)
            .cloned()
    }

    pub fn server_payments(&self) -> Vec<Value> {
        self.server.borrow().all_payments()
    }

    pub fn balance(&self, user: u64) -> i64 {
        self.server.borrow().balance(user).unwrap().0
    }

    /// One call: yields once (so concurrent flows interleave), then applies the fault policy.
    async fn call<T: DeserializeOwned>(
        &self,
        operation: Operation,
        apply: impl Fn(&mut myq_sim::myq::ServerState) -> Result<Value, MyqError>,
    ) -> Result<T, ApiError> {
        // A call sent before an answer arrived is in series with it; one sent with it, not.
        let depth = self.series.get() + 1;
        self.rounds.borrow_mut().push((operation, depth));
        YieldOnce(false).await;
        self.series.set(self.series.get().max(depth));
        self.calls.borrow_mut().push(operation);
        let fault = (self.policy.borrow_mut())(operation);
        match fault {
            Fault::Refuse => return Err(refused(operation, 503, "Service unavailable")),
            Fault::Unreachable => {
                return Err(ApiError::new(
                    operation,
                    Failure::Network("unreachable".into()),
                ));
            }
            Fault::Twice | Fault::TwiceLost => {
                let _unanswered = apply(&mut self.server.borrow_mut());
            }
            Fault::None | Fault::Lose => {}
        }
        let answer = apply(&mut self.server.borrow_mut());
        if matches!(fault, Fault::Lose | Fault::TwiceLost) {
            return Err(ApiError::new(
                operation,
                Failure::Network("connection reset".into()),
            ));
        }
        match answer {
            Ok(value) => {
                json::parse(&value.to_string()).map_err(|err| ApiError::contract(operation, err))
            }
            Err(err) => Err(refused(operation, err.status.as_u16(), &err.message)),
        }
    }
}

fn refused(operation: Operation, status: u16, message: &str) -> ApiError {
    ApiError::new(
        operation,
        Failure::Refused {
            status,
            code: Some(status.into()),
            message: message.into(),
        },
    )
}

/// The empty answers of PATCH and rollback (docs/myq-api.md), as JSON for [`LocalMyq::call`].
fn empty(result: Result<(), MyqError>) -> Result<Value, MyqError> {
    result.map(|()| Value::Null)
}

impl api::Myq for LocalMyq {
    async fn providers(&self) -> Result<Vec<api::Provider>, ApiError> {
        let list: api::ProviderList = self
            .call(Operation::Providers, |s| Ok(s.providers()))
            .await?;
        Ok(list.providers)
    }

    async fn find_users(&self, query: api::UserQuery<'_>) -> Result<Vec<api::User>, ApiError> {
        let value = Some(query.value());
        let find = match query {
            api::UserQuery::Username(_) => myq_sim::myq::UserFind {
                username: value,
                ..Default::default()
            },
            api::UserQuery::Email(_) => myq_sim::myq::UserFind {
                email: value,
                ..Default::default()
            },
            api::UserQuery::Card(_) => myq_sim::myq::UserFind {
                card: value,
                ..Default::default()
            },
            api::UserQuery::Code(_) => myq_sim::myq::UserFind {
                code: value,
                ..Default::default()
            },
        };
        let found = |s: &mut myq_sim::myq::ServerState| Ok(s.find_users(&find));
        let list: api::UserList = self.call(Operation::FindUser, found).await?;
        Ok(list.users)
    }

    async fn balance(&self, user_id: UserId) -> Result<Option<Money>, ApiError> {
        let accounts: api::AccountList = self
            .call(Operation::Balance, |s| s.accounts(user_id.0))
            .await?;
        Ok(accounts.credit())
    }

    async fn create_payment(
        &self,
        provider: &str,
        payment: &api::NewPayment,
    ) -> Result<api::CreatedPayment, ApiError> {
        let body = serde_json::to_value(payment).unwrap();
        self.call(Operation::CreatePayment, |s| {
            s.create_payment(provider, &body)
        })
        .await
    }

    async fn update_payment(
        &self,
        provider: &str,
        id: &PaymentId,
        change: &api::PaymentChange,
    ) -> Result<(), ApiError> {
        let body = serde_json::to_value(change).unwrap();
        let update =
            |s: &mut myq_sim::myq::ServerState| empty(s.update_payment(provider, id, &body));
        self.call::<Value>(Operation::UpdatePayment, update)
            .await
            .map(drop)
    }

    async fn commit_payment(&self, provider: &str, id: &PaymentId) -> Result<Money, ApiError> {
        if self
            .server_payment(id)
            .is_some_and(|p| p["state"] == "completed")
        {
            self.blind_commits.set(self.blind_commits.get() + 1);
        }
        let committed: api::Committed = self
            .call(Operation::CommitPayment, |s| s.commit_payment(provider, id))
            .await?;
        Ok(committed.amount)
    }

    async fn rollback_payment(
        &self,
        provider: &str,
        id: &PaymentId,
        reason: &str,
    ) -> Result<(), ApiError> {
        let rollback =
            |s: &mut myq_sim::myq::ServerState| empty(s.rollback_payment(provider, id, reason));
        self.call::<Value>(Operation::RollbackPayment, rollback)
            .await
            .map(drop)
    }

    async fn payments(
        &self,
        provider: &str,
        user_id: UserId,
    ) -> Result<Vec<api::Payment>, ApiError> {
        let list = |s: &mut myq_sim::myq::ServerState| s.list_payments(provider, Some(user_id.0));
        let list: api::PaymentList = self.call(Operation::ListPayments, list).await?;
        Ok(list.payments)
    }
}

/// Returns `Pending` once, so that joined futures take turns.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}
