//! The one error answer of the API: `{"code": "...", "message": "..."}` with a fitting status.
//! Never a 500 for bad input; a 500 says only that something failed and was logged.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use humint_station::ErrorKind;
use humint_station::StationError;
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable rule code, e.g. `INVALID_CREDENTIALS`, `ROLE_FORBIDDEN`, `AUTH_EXPIRED`.
    pub code: String,
    /// A sentence for the user.
    pub message: String,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub retry_after_s: Option<i64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
            retry_after_s: None,
        }
    }
}

impl From<StationError> for ApiError {
    fn from(e: StationError) -> Self {
        let status = match e.kind() {
            ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::Throttled => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Internal => {
                tracing::error!(error = %e, "request failed inside the station");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let retry_after_s = match &e {
            StationError::Throttled { retry_after_s } => Some(*retry_after_s),
            _ => None,
        };
        Self {
            status,
            code: e.code().to_owned(),
            message: e.public_message(),
            retry_after_s,
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UNSUPPORTED_MEDIA_TYPE",
                "send the request body as JSON with Content-Type: application/json",
            ),
            JsonRejection::JsonSyntaxError(e) => ApiError::new(
                StatusCode::BAD_REQUEST,
                "MALFORMED_JSON",
                format!("the request body is not valid JSON: {}", e.body_text()),
            ),
            JsonRejection::JsonDataError(e) => ApiError::new(
                StatusCode::BAD_REQUEST,
                "INVALID_REQUEST",
                format!(
                    "the request body does not have the expected fields: {}",
                    e.body_text()
                ),
            ),
            other => ApiError::new(
                StatusCode::BAD_REQUEST,
                "INVALID_REQUEST",
                other.body_text(),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(ErrorBody {
                code: self.code,
                message: self.message,
            }),
        )
            .into_response();
        if let Some(s) = self.retry_after_s
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
