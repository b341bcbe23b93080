//! One error type for every call, telling apart what went wrong and where.

use std::fmt;

/// The MyQ X calls the widget makes; the names are the ones the simulator and the
/// `myq-topup-error` event use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    Token,
    Providers,
    FindUser,
    Balance,
    CreatePayment,
    UpdatePayment,
    CommitPayment,
    RollbackPayment,
    ListPayments,
    /// myq-gateway's help desk calls (`desk.rs`).
    Shift,
    ShiftCsv,
    FlagCredit,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Token => "token",
            Operation::Providers => "providers",
            Operation::FindUser => "users.find",
            Operation::Balance => "users.accounts",
            Operation::CreatePayment => "payments.create",
            Operation::UpdatePayment => "payments.update",
            Operation::CommitPayment => "payments.commit",
            Operation::RollbackPayment => "payments.rollback",
            Operation::ListPayments => "payments.list",
            Operation::Shift => "desk.shift",
            Operation::ShiftCsv => "desk.shift.csv",
            Operation::FlagCredit => "desk.flag",
        }
    }
}

/// The end of MyQ X's message for a create while External Payment Providers is off.
pub const PROVIDER_DISABLED: &str = "Payment provider is disabled.";

/// What went wrong.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// No answer: the network failed or the connection closed. The request may have taken
    /// effect.
    Network(String),
    /// No answer in time; the request was aborted. It may have taken effect.
    Timeout,
    /// The server refused with MyQ's error body (or at least an error status).
    Refused {
        status: u16,
        code: Option<i64>,
        message: String,
    },
    /// The answer is not what the contract says.
    Contract(String),
    /// The page's token source gave no token: no server answered wrongly.
    TokenSource(TokenSourceFailure),
}

/// Why the page's token source (`token-url` or `tokenProvider`) gave no token.
#[derive(Clone, Debug, PartialEq)]
pub enum TokenSourceFailure {
    /// The page set neither `token-url` nor `tokenProvider`.
    Missing,
    /// `tokenProvider` threw or rejected, with this message (empty when it gave none).
    Rejected(String),
    /// `tokenProvider` did not settle within this many milliseconds.
    TimedOut(u32),
    /// `tokenProvider` answered something that is no token; why.
    Unusable(String),
}

/// A failed call: the operation and the failure. Never holds the token.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub operation: Operation,
    pub failure: Failure,
}

impl ApiError {
    pub fn new(operation: Operation, failure: Failure) -> Self {
        ApiError { operation, failure }
    }

    pub fn contract(operation: Operation, message: impl Into<String>) -> Self {
        Self::new(operation, Failure::Contract(message.into()))
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self.failure {
            Failure::Refused { status, .. } => Some(status),
            _ => None,
        }
    }

    /// MyQ's own error code, when the body had one.
    pub fn code(&self) -> Option<i64> {
        match self.failure {
            Failure::Refused { code, .. } => code,
            _ => None,
        }
    }

    /// MyQ X refused because External Payment Providers is switched off (Settings > Credit).
    /// MyQ X documents no code for it, only the message (docs/myq-api.md, "Errors"), so the
    /// message is what is matched.
    pub fn provider_disabled(&self) -> bool {
        matches!(&self.failure, Failure::Refused { message, .. } if message.contains(PROVIDER_DISABLED))
    }

    /// True when the request may have reached the server and taken effect without the widget
    /// seeing the answer: the cases where the state must be read back before going on.
    pub fn outcome_unknown(&self) -> bool {
        match &self.failure {
            Failure::Network(_) | Failure::Timeout => true,
            Failure::Refused { status, .. } => *status >= 500,
            Failure::Contract(_) | Failure::TokenSource(_) => false,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let operation = self.operation.as_str();
        match &self.failure {
            Failure::Network(detail) => {
                write!(f, "{operation}: no answer from the server ({detail})")
            }
            Failure::Timeout => write!(f, "{operation}: the server did not answer in time"),
            Failure::Refused {
                status, message, ..
            } if message.is_empty() => write!(f, "{operation}: the server refused (HTTP {status})"),
            Failure::Refused { message, .. } => write!(f, "{operation}: {message}"),
            Failure::Contract(detail) => {
                write!(
                    f,
                    "{operation}: unexpected answer from the server: {detail}"
                )
            }
            Failure::TokenSource(failure) => match failure {
                TokenSourceFailure::Missing => write!(
                    f,
                    "{operation}: set the token-url attribute or the tokenProvider property"
                ),
                TokenSourceFailure::Rejected(message) if message.is_empty() => {
                    write!(f, "{operation}: tokenProvider failed without a message")
                }
                TokenSourceFailure::Rejected(message) => {
                    write!(f, "{operation}: tokenProvider failed: {message}")
                }
                TokenSourceFailure::TimedOut(limit_ms) => write!(
                    f,
                    "{operation}: tokenProvider did not answer within {} s",
                    limit_ms / 1000
                ),
                TokenSourceFailure::Unusable(detail) => {
                    write!(f, "{operation}: tokenProvider: {detail}")
                }
            },
        }
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(status: u16, message: &str) -> ApiError {
        let failure = Failure::Refused {
            status,
            code: Some(status.into()),
            message: message.into(),
        };
        ApiError::new(Operation::CreatePayment, failure)
    }

    #[test]
    fn knows_the_disabled_provider_by_the_seeds_message() {
        let seed = "Invalid operation: The operation cannot be performed in the current state. \
                    Payment provider is disabled.";
        assert!(refused(400, seed).provider_disabled());
        assert!(!refused(400, "params.amount is required.").provider_disabled());
        assert!(!ApiError::new(Operation::CreatePayment, Failure::Timeout).provider_disabled());
    }

    #[test]
    fn an_outcome_is_unknown_only_without_a_definite_answer() {
        assert!(ApiError::new(Operation::CommitPayment, Failure::Timeout).outcome_unknown());
        assert!(refused(503, "").outcome_unknown());
        assert!(!refused(400, "").outcome_unknown());
        assert!(!ApiError::contract(Operation::CommitPayment, "x").outcome_unknown());
    }
}
