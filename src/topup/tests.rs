//! The flow against the simulator's own MyQ X state, in process: the same server logic the HTTP
//! tests and the browser tests talk to, without the network.

use std::cell::RefCell;
use std::time::Duration;

use futures::executor::block_on;
use myq_sim::data::SimData;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::*;
use crate::api::{self, ApiError, Failure, Money, Operation};

/// [`api::Myq`] over an in-process simulator, answers passed through the widget's JSON readers.
struct LocalMyq {
    server: RefCell<myq_sim::myq::Myq>,
}

impl LocalMyq {
    fn new() -> LocalMyq {
        LocalMyq {
            server: RefCell::new(myq_sim::myq::Myq::new(
                SimData::default(),
                Duration::from_secs(1800),
            )),
        }
    }

    fn answer<T: DeserializeOwned>(
        operation: Operation,
        answer: Result<Value, myq_sim::error::MyqError>,
    ) -> Result<T, ApiError> {
        match answer {
            Ok(value) => api::json::parse(&value.to_string())
                .map_err(|err| ApiError::contract(operation, err)),
            Err(err) => Err(ApiError::new(
                operation,
                Failure::Refused {
                    status: err.status.as_u16(),
                    code: Some(err.status.as_u16().into()),
                    message: err.message,
                },
            )),
        }
    }
}

impl api::Myq for LocalMyq {
    async fn providers(&self) -> Result<Vec<api::Provider>, ApiError> {
        let answer = self.server.borrow().providers();
        Self::answer::<api::ProviderList>(Operation::Providers, Ok(answer)).map(|l| l.providers)
    }

    async fn find_users(&self, username: &str) -> Result<Vec<api::User>, ApiError> {
        let answer = self.server.borrow().find_users(Some(username), None, None);
        Self::answer::<api::UserList>(Operation::FindUser, Ok(answer)).map(|l| l.users)
    }

    async fn balance(&self, user_id: u64) -> Result<Option<Money>, ApiError> {
        let answer = self.server.borrow().accounts(user_id);
        Self::answer::<api::AccountList>(Operation::Balance, answer).map(|a| a.credit())
    }

    async fn create_payment(
        &self,
        provider: &str,
        payment: &api::NewPayment,
    ) -> Result<api::CreatedPayment, ApiError> {
        let body = serde_json::to_value(payment).unwrap();
        let answer = self.server.borrow_mut().create_payment(provider, &body);
        Self::answer(Operation::CreatePayment, answer)
    }

    async fn update_payment(
        &self,
        provider: &str,
        id: &str,
        change: &api::PaymentChange,
    ) -> Result<(), ApiError> {
        let body = serde_json::to_value(change).unwrap();
        let answer = self.server.borrow_mut().update_payment(provider, id, &body);
        Self::answer::<Value>(Operation::UpdatePayment, answer.map(|()| Value::Null)).map(drop)
    }

    async fn commit_payment(&self, provider: &str, id: &str) -> Result<Money, ApiError> {
        let answer = self.server.borrow_mut().commit_payment(provider, id);
        Self::answer::<api::Committed>(Operation::CommitPayment, answer).map(|c| c.amount)
    }

    async fn rollback_payment(
        &self,
        provider: &str,
        id: &str,
        reason: &str,
    ) -> Result<(), ApiError> {
        let answer = self
            .server
            .borrow_mut()
            .rollback_payment(provider, id, reason);
        Self::answer::<Value>(Operation::RollbackPayment, answer.map(|()| Value::Null)).map(drop)
    }

    async fn payments(&self, provider: &str, user_id: u64) -> Result<Vec<api::Payment>, ApiError> {
        let answer = self.server.borrow().list_payments(provider, Some(user_id));
        Self::answer::<api::PaymentList>(Operation::ListPayments, answer).map(|l| l.payments)
    }
}

const JNOVAK: u64 = 34173;

#[test]
fn start_resolves_a_username_and_loads_providers_and_balance() {
    let myq = LocalMyq::new();
    let account = block_on(start(&myq, &Who::Username("jnovak".into()), "external")).unwrap();
    assert_eq!(account.user_id, JNOVAK);
    assert_eq!(account.user.unwrap().fullname, "Jan Novák");
    let references: Vec<_> = account
        .providers
        .iter()
        .map(|p| p.reference.as_str())
        .collect();
    assert_eq!(references, ["external", "paypal", "voucher"]);
    assert_eq!(account.balance, Some(Money(12_000)));
}

#[test]
fn start_finds_a_user_by_alias() {
    let myq = LocalMyq::new();
    let account = block_on(start(&myq, &Who::Username("novak".into()), "external")).unwrap();
    assert_eq!(account.user_id, JNOVAK);
}

#[test]
fn start_with_a_user_id_needs_no_lookup() {
    let myq = LocalMyq::new();
    let account = block_on(start(&myq, &Who::Id(34174), "external")).unwrap();
    assert_eq!((account.user_id, account.user), (34174, None));
    assert_eq!(account.balance, Some(Money(4_550)));
}

#[test]
fn start_reports_an_unknown_user() {
    let myq = LocalMyq::new();
    let err = block_on(start(&myq, &Who::Username("nobody".into()), "external")).unwrap_err();
    assert_eq!(err, StartError::UnknownUser("nobody".into()));
    assert_eq!(err.to_string(), "MyQ X has no user 'nobody'");
}

#[test]
fn start_reports_a_disabled_provider() {
    let myq = LocalMyq::new();
    myq.server
        .borrow_mut()
        .set_provider_enabled("external", false);
    let err = block_on(start(&myq, &Who::Id(JNOVAK), "external")).unwrap_err();
    assert_eq!(err, StartError::ProviderInactive("external".into()));
}

#[test]
fn start_reports_an_unknown_user_id() {
    let myq = LocalMyq::new();
    let err = block_on(start(&myq, &Who::Id(999), "external")).unwrap_err();
    assert_eq!(err, StartError::UnknownUser("999".into()));
}
