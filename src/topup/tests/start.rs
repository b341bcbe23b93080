//! Getting ready: user, providers, balance, payments.

use futures::executor::block_on;

use super::local::{JNOVAK, LocalMyq};
use crate::api::{Money, Operation, UserId};
use crate::topup::*;

#[test]
fn start_resolves_a_username_and_loads_providers_and_balance() {
    let myq = LocalMyq::new();
    let account = block_on(start(&myq, &Who::Username("jnovak".into()), "external")).unwrap();
    assert_eq!(account.user_id, UserId(JNOVAK));
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
    assert_eq!(account.user_id, UserId(JNOVAK));
}

#[test]
fn start_with_a_user_id_needs_no_lookup() {
    let myq = LocalMyq::new();
    let account = block_on(start(&myq, &Who::Id(UserId(34174)), "external")).unwrap();
    assert_eq!((account.user_id, account.user), (UserId(34174), None));
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
    let err = block_on(start(&myq, &Who::Id(UserId(JNOVAK)), "external")).unwrap_err();
    assert_eq!(err, StartError::ProviderInactive("external".into()));
}

#[test]
fn start_reports_an_unknown_user_id() {
    let myq = LocalMyq::new();
    let err = block_on(start(&myq, &Who::Id(UserId(999)), "external")).unwrap_err();
    assert_eq!(err, StartError::UnknownUser("999".into()));
}

/// Each round trip in series costs the start a network latency: after the token (which the
/// client fetches before its first call), the user and the providers at once; then balance and
/// payments at once.
#[test]
fn start_and_open_make_three_round_trips_in_series() {
    const TOKEN: usize = 1;
    let myq = LocalMyq::new();
    let session = block_on(async {
        let account = start(&myq, &Who::Username("jnovak".into()), "external")
            .await
            .unwrap();
        Session::open(myq, &account, Claims::default()).await
    });
    let myq = session.myq();
    assert_eq!(TOKEN + myq.round_trips_in_series(), 3, "{:?}", myq.calls);
    assert_eq!(
        myq.count(Operation::ListPayments),
        1,
        "the payments are read once"
    );
    let round = |operation| myq.round_of(operation);
    assert_eq!(round(Operation::FindUser), Some(1));
    assert_eq!(
        round(Operation::Providers),
        Some(1),
        "the providers need no user"
    );
    assert_eq!(round(Operation::Balance), Some(2));
    assert_eq!(round(Operation::ListPayments), Some(2));
}
