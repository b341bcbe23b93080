//! myq-topup: a credit top-up widget for MyQ X, as the custom element `<myq-topup>`.
//!
//! Layers, each using only the ones below it: [`ui`] → [`host`] → [`topup`] → [`api`].
//! See README.md, "Architecture".

pub use myq_api as api;
pub mod host;
pub mod topup;
pub mod ui;
