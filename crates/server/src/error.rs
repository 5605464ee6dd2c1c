//! API errors: a status and a JSON body `{"error": {"code", "message"}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Why a request failed. Every variant becomes a JSON error with a stable
/// `code` and a message meant for a person.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed (bad JSON, wrong field types, missing fields).
    #[error("{0}")]
    BadRequest(String),
    /// The scenario could not be read; the message names the position.
    #[error("{0}")]
    InvalidScenario(String),
    /// The request is well-formed but cannot be answered (unknown proposal,
    /// no forecasting model, ...).
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    NotFound(String),
    /// The body is larger than the configured limit.
    #[error("the request body is larger than the limit of {limit} bytes")]
    BodyTooLarge { limit: usize },
    /// The outcome space is larger than the server enumerates.
    #[error("{0}")]
    TooLarge(String),
    /// The work did not finish within the time budget.
    #[error("the computation did not finish within the time budget of {seconds} s")]
    Timeout { seconds: f64 },
    /// The request's Host header is not a loopback name.
    #[error("requests must name this machine (localhost, 127.0.0.1 or [::1]) in their Host header")]
    ForbiddenHost,
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::InvalidScenario(_) => "invalid_scenario",
            ApiError::Unprocessable(_) => "unprocessable",
            ApiError::NotFound(_) => "not_found",
            ApiError::BodyTooLarge { .. } => "body_too_large",
            ApiError::TooLarge(_) => "outcome_space_too_large",
            ApiError::Timeout { .. } => "time_budget_exceeded",
            ApiError::ForbiddenHost => "forbidden_host",
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::InvalidScenario(_) | ApiError::Unprocessable(_) | ApiError::TooLarge(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Timeout { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::ForbiddenHost => StatusCode::FORBIDDEN,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code(), "message": self.to_string()}});
        (self.status(), Json(body)).into_response()
    }
}
