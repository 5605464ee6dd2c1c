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
    /// No page, endpoint or built-in scenario has the requested path or name
    /// (the message says which, and lists the scenarios).
    #[error("{0}")]
    NotFound(String),
    /// The body is larger than the configured limit.
    #[error("the request body is larger than the limit of {limit} bytes")]
    BodyTooLarge {
        /// The configured limit (`Config::max_body_bytes`), so the client knows how much to cut.
        limit: usize,
    },
    /// The outcome space is larger than the server enumerates.
    #[error("{0}")]
    TooLarge(String),
    /// The work did not finish within the time budget.
    #[error("the computation did not finish within the time budget of {seconds} s")]
    Timeout {
        /// The time budget that ran out (`Config::time_budget`), in seconds.
        seconds: f64,
    },
    /// The request's Host header does not name this server.
    #[error(
        "the Host header does not name this server (on loopback: localhost, 127.0.0.1 or [::1]; otherwise the address it listens on, or a name given with --allow-host)"
    )]
    ForbiddenHost,
    /// The request comes from another origin (its `Origin` or
    /// `Sec-Fetch-Site` header says so).
    #[error("{0}")]
    ForbiddenOrigin(String),
    /// No token, or a token that is not the room's (rooms).
    #[error("{0}")]
    Unauthorized(String),
    /// The token is valid but not for this (another seat's action, a
    /// seat on a facilitator's route).
    #[error("{0}")]
    Forbidden(String),
    /// The action is not allowed now (not the seat's turn, no offer to
    /// accept, the room is over, ...); the message says why.
    #[error("{0}")]
    Conflict(String),
    /// A limit on rooms or on actions per second.
    #[error("{0}")]
    TooManyRequests(String),
    /// The request's `Content-Type` is not one the route takes.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The body did not arrive within the read timeout.
    #[error("the request body did not arrive within {seconds} s")]
    RequestTimeout {
        /// The body read timeout (`Config::body_read_timeout`), in seconds.
        seconds: f64,
    },
    /// The computation was told to stop (its request timed out or went away).
    #[error("the computation was cancelled")]
    Cancelled,
    /// A bug or an unexpected failure inside the server (such as a panic in
    /// a computation); the message is for a bug report.
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
            ApiError::ForbiddenOrigin(_) => "forbidden_origin",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::Conflict(_) => "illegal_action",
            ApiError::TooManyRequests(_) => "too_many_requests",
            ApiError::RequestTimeout { .. } => "request_timeout",
            ApiError::Cancelled => "cancelled",
            ApiError::Internal(_) => "internal",
        }
    }

    /// The HTTP status the error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::InvalidScenario(_) | ApiError::Unprocessable(_) | ApiError::TooLarge(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Timeout { .. } | ApiError::Cancelled => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::ForbiddenHost | ApiError::ForbiddenOrigin(_) => StatusCode::FORBIDDEN,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::RequestTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
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
