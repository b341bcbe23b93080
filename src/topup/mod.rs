//! `topup`: the top-up flow. Pure Rust: no DOM, no fetch; it drives MyQ X through the
//! [`Myq`](crate::api::Myq) trait, so `cargo test` runs it natively.

mod amount;
mod claims;
mod desk;
mod intent;
mod reason;
mod session;
mod start;

pub use amount::{AmountError, AmountRules, amount_from_number, parse_decimal};
pub use claims::Claims;
pub use desk::{FOUND_PAGE, FindBy, FlagReasonError, flag_reason};
pub use intent::{Intent, IntentKey, MAX_HOST_DESCRIPTION_CHARS};
pub use reason::Reason;
pub use session::{Approval, Approved, Busy, NoApproval, Outcome, PaymentRef, Progress, Session};
pub use start::{StartError, Started, Who, start};

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
