//! The one error type of the API. Every error becomes a JSON body
//! `{"code": ..., "message": ...}`; a 5xx is logged with its cause and tells
//! the client nothing more.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use mfa_api::{ErrorBody, codes};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The client's fault: shown to the client as is.
    #[error("{code}: {message}")]
    Client {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    /// Too many wrong answers: checks are locked until `until` (Unix
    /// seconds), `wait` seconds from now.
    #[error("too many attempts; locked until {until}")]
    TooManyAttempts { until: i64, wait: i64 },
    /// Ours: logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self::Client {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            codes::UNAUTHENTICATED,
            "Sign in first.",
        )
    }

    pub fn invalid_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            codes::INVALID_CREDENTIALS,
            "The email or password is incorrect.",
        )
    }

    /// Input that parsed as JSON but does not make sense (422).
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, codes::VALIDATION, message)
    }

    pub fn reauth_required() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            codes::REAUTH_REQUIRED,
            "Confirm your password to continue.",
        )
    }

    pub fn wrong_code() -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            codes::WRONG_CODE,
            "That code is not valid.",
        )
    }

    pub fn too_many_attempts(until: i64, now: i64) -> Self {
        Self::TooManyAttempts {
            until,
            wait: until - now,
        }
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            "There is nothing here.",
        )
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(anyhow::Error::new(e).context("database"))
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::Internal(anyhow::Error::new(e).context("blocking task"))
    }
}

/// Malformed JSON, missing fields and wrong types, as our JSON errors.
impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        let code = match status {
            StatusCode::UNPROCESSABLE_ENTITY => codes::VALIDATION,
            StatusCode::PAYLOAD_TOO_LARGE => codes::PAYLOAD_TOO_LARGE,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => codes::UNSUPPORTED_MEDIA_TYPE,
            _ => codes::BAD_REQUEST,
        };
        // serde's message names the field and the expected type. It may quote
        // the client's own input back to that client, and 4xx bodies are never
        // logged, so nothing leaks.
        Self::new(status, code, rejection.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::Client {
                status,
                code,
                message,
            } => body(status, code, message, None),
            Self::TooManyAttempts { until, wait } => too_many_attempts(until, wait),
            Self::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
                internal_error_response()
            }
        }
    }
}

/// 429 saying when checks unlock, in the body and in `Retry-After`.
fn too_many_attempts(until: i64, wait: i64) -> Response {
    let when = time::OffsetDateTime::from_unix_timestamp(until)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    let mut response = body(
        StatusCode::TOO_MANY_REQUESTS,
        codes::TOO_MANY_ATTEMPTS,
        format!("Too many wrong attempts. Try again after {when}."),
        Some(until),
    );
    if let Ok(value) = wait.max(1).to_string().parse() {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The only thing a client learns about a server fault.
pub fn internal_error_response() -> Response {
    body(
        StatusCode::INTERNAL_SERVER_ERROR,
        codes::INTERNAL,
        "Something went wrong on our side. Please try again.".to_owned(),
        None,
    )
}

fn body(status: StatusCode, code: &str, message: String, locked_until: Option<i64>) -> Response {
    let error = ErrorBody {
        code: code.to_owned(),
        message,
        locked_until,
    };
    (status, Json(error)).into_response()
}
