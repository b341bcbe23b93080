//! The gateway's one error type, answered as MyQ X's error body so the widget reads the
//! gateway's refusals exactly as it reads MyQ X's (`{"code": 403, "message": "…", "data": []}`,
//! docs/myq-api.md, "Errors").

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::fmt;

/// A refusal or failure with the HTTP status it is answered with.
///
/// ```
/// use myq_gateway::error::GatewayError;
/// let refusal = GatewayError::forbidden("Students top up only their own account");
/// assert_eq!(refusal.status.as_u16(), 403);
/// assert_eq!(refusal.body()["message"], "Students top up only their own account");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayError {
    pub status: StatusCode,
    /// Shown to the person using the widget: plain words, never internals.
    pub message: String,
}

/// What [`GatewayError::internal`] answers, whatever went wrong inside.
pub const INTERNAL_MESSAGE: &str = "The top-up service hit an internal error; try again later";

impl GatewayError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        GatewayError {
            status,
            message: message.into(),
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    pub fn too_many_requests(message: impl Into<String>) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, message)
    }

    /// MyQ X or the billing service answered something the gateway cannot use.
    pub fn bad_gateway(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_GATEWAY, message)
    }

    /// MyQ X or the billing service did not answer (in time).
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, message)
    }

    /// Logs `detail` and answers [`INTERNAL_MESSAGE`]: database errors, paths and the like
    /// help an attacker and confuse a student, so they stay in the log.
    pub fn internal(detail: impl fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL_MESSAGE)
    }

    /// MyQ X's error body; `code` is the HTTP status, as the simulator sends it.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({
            "code": self.status.as_u16(),
            "message": self.message,
            "data": [],
        })
    }
}

impl fmt::Display for GatewayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status.as_u16(), self.message)
    }
}

impl std::error::Error for GatewayError {}

impl IntoResponse for GatewayError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body())).into_response()
    }
}

impl From<sqlx::Error> for GatewayError {
    fn from(error: sqlx::Error) -> Self {
        GatewayError::internal(format_args!("database: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_myq_error_body() {
        let response = GatewayError::conflict("Already charged").into_response();
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "the widget reads the body as JSON"
        );
        assert_eq!(
            GatewayError::conflict("Already charged").body(),
            serde_json::json!({"code": 409, "message": "Already charged", "data": []})
        );
    }

    #[test]
    fn constructors_carry_their_status() {
        let cases = [
            (GatewayError::unauthorized("m"), 401),
            (GatewayError::forbidden("m"), 403),
            (GatewayError::not_found("m"), 404),
            (GatewayError::bad_request("m"), 400),
            (GatewayError::conflict("m"), 409),
            (GatewayError::too_many_requests("m"), 429),
            (GatewayError::bad_gateway("m"), 502),
            (GatewayError::unavailable("m"), 503),
            (GatewayError::internal("m"), 500),
        ];
        for (error, status) in cases {
            assert_eq!(error.status.as_u16(), status, "{error}");
        }
    }

    #[test]
    fn internal_errors_do_not_leak_their_detail() {
        let error: GatewayError =
            sqlx::Error::Protocol("password for db at 10.0.0.5".into()).into();
        assert_eq!(error.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(error.message, INTERNAL_MESSAGE);
        assert!(!error.body().to_string().contains("10.0.0.5"));
    }
}
