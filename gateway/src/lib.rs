//! myq-gateway: the same-origin server between `<myq-topup>` and MyQ X.
//!
//! The widget talks only to the gateway. The gateway holds MyQ X's client secret, knows who is
//! signed in (single sign-on), hands the widget a short-lived session token bound to that
//! person, narrows MyQ X's API to what that person may do, and credits only what was paid:
//! every payment is charged with the billing service before it is committed in MyQ X, and each
//! step is written to the ledger before the next outside call is made.
//!
//! The core modules are plain and HTTP-free, so each is tested on its own:
//!
//! - [`config`]: the one TOML file, checked as a whole when loaded;
//! - [`error`]: the one error type, answered as MyQ X's error body;
//! - [`identity`]: who is signed in (a header from a trusted proxy, or a signed JWT);
//! - [`session`]: the widget's short-lived session token;
//! - [`policy`]: amounts, caps, who may top up whom, and whose shift an operator sees and
//!   which credits they flag, as plain functions;
//! - [`ledger`]: every step of every payment, in SQLite or PostgreSQL;
//! - [`billing`]: the payment step a student's commit charges first, and the university's
//!   billing endpoint as one;
//! - [`origin`]: only the intranet page may call.
//!
//! Around them, the parts that talk to the world:
//!
//! - [`upstream`]: MyQ X, through the workspace's one client (`myq-api`) over reqwest;
//! - [`settle`]: commit means charge, then credit;
//! - [`reconcile`]: finishes what a crash or a lost answer left;
//! - [`routes`]: thin handlers, the session endpoint and the narrowed API;
//! - [`app`]: the shared state; [`serve`]: start and stop; [`audit`]: the audit log;
//!   [`report`]: the per-day figures; [`desk`]: the help desk's shift and its CSV.

pub mod app;
pub mod audit;
pub mod billing;
pub mod config;
pub mod desk;
pub mod error;
pub mod identity;
pub mod ledger;
pub mod origin;
pub mod policy;
pub mod reconcile;
pub mod report;
pub mod routes;
pub mod serve;
pub mod session;
pub mod settle;
pub mod upstream;
