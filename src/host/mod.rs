//! `host`: the page boundary. Attributes and properties into a checked [`Config`], the token
//! source, the approval hook, DOM events out, and the [`Widget`] controller whose [`View`] the
//! UI renders. The only layer that knows the page.

mod approval;
mod callback;
mod config;
mod download;
pub mod events;
mod print;
mod token;
#[cfg(test)]
mod url_cases;
mod widget;

pub use config::{Config, ConfigError};
pub use widget::{Found, Notice, Phase, Problem, Receipt, ShiftView, View, Widget};

pub use crate::api::desk::{CreditFlag, Shift, ShiftLine};
/// What the UI needs of the layers below, named here so that it never reaches around the host.
pub use crate::api::{
    ApiError, Failure, Money, Operation, Payment, PaymentId, PaymentState, Provider,
    TokenSourceFailure, User, UserId,
};
pub use crate::topup::{AmountError, FindBy, FlagReasonError, Progress, Reason, StartError};
