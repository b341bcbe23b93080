//! MyQ X's error body: `{"code": 400, "message": "…", "data": []}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A refusal as MyQ X answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyqError {
    pub status: StatusCode,
    pub message: String,
}

impl MyqError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        MyqError {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// MyQ's wording for an operation the object's state does not allow.
    pub fn invalid_operation(detail: &str) -> Self {
        Self::bad_request(format!(
            "Invalid operation: The operation cannot be performed in the current state. {detail}"
        ))
    }

    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({
            "code": self.status.as_u16(),
            "message": self.message,
            "data": [],
        })
    }
}

impl IntoResponse for MyqError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body())).into_response()
    }
}
