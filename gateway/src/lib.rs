//! myq-gateway: the same-origin server between `<myq-topup>` and MyQ X.
pub mod billing;
