//! myq-api: the MyQ X credit recharge API, as docs/myq-api.md describes it, for the widget
//! (in the browser, over fetch) and the gateway (on a server, over reqwest): one client for the
//! workspace.
//!
//! Requests and answers ([`types`], their quirks in [`wire`]), one error type that knows its
//! operation ([`ApiError`]), a token cache shared by all requests ([`token`]), the calls as a
//! trait ([`Myq`]) and the client that makes them over a [`Transport`] ([`MyqClient`]).

mod client;
pub mod desk;
mod error;
mod intent;
pub mod json;
mod money;
mod myq;
pub mod token;
mod transport;
pub mod types;
pub mod wire;

#[cfg(feature = "fetch")]
mod browser;
#[cfg(all(not(target_arch = "wasm32"), feature = "reqwest"))]
mod native;

#[cfg(feature = "fetch")]
pub use browser::Fetch;
pub use client::{DEFAULT_TIMEOUT_MS, MyqClient};
pub use error::{ApiError, Failure, Operation, PROVIDER_DISABLED, TokenSourceFailure};
pub use intent::{IntentKey, KEY_TAG_CHARS, MAX_HOST_DESCRIPTION_CHARS};
pub use money::Money;
pub use myq::Myq;
#[cfg(all(not(target_arch = "wasm32"), feature = "reqwest"))]
pub use native::Reqwest;
pub use token::{ClientCredentials, TokenSource, TokenUrl, Tokens};
pub use transport::{Answer, Method, Request, Transport, refusal};
pub use types::*;
