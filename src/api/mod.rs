//! `api`: the MyQ X REST client. The only layer that knows HTTP.
//!
//! Requests and answers as docs/myq-api.md describes them ([`types`]), one error type that
//! knows its operation ([`ApiError`]), a token cache shared by all requests ([`token`]), and the
//! client ([`MyqClient`]).

mod client;
mod error;
mod http;
pub mod json;
mod money;
mod myq;
pub mod token;
pub mod types;
pub mod wire;

pub use client::{DEFAULT_TIMEOUT_MS, MyqClient};
pub use error::{ApiError, Failure, Operation, PROVIDER_DISABLED, TokenSourceFailure};
pub use money::Money;
pub use myq::Myq;
pub use token::{TokenSource, TokenUrl};
pub use types::*;
