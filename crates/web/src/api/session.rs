//! Signing in and out, and who am I.

use super::JsonBody;
use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiResult, ErrorBody};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// The current six-digit code from the authenticator app.
    pub totp: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Bearer token for `Authorization: Bearer …`.
    pub token: String,
    /// When the session ends (RFC 3339).
    pub expires_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub user_id: String,
    pub username: String,
    pub role: String,
    /// Compartments the user is read into.
    pub compartments: Vec<String>,
    pub session_expires_at: String,
}

use humint_core::clock::format_ms as rfc3339;

/// Sign in with password and TOTP.
#[utoipa::path(post, path = "/api/v1/session", request_body = LoginRequest,
    responses((status = 201, body = LoginResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<LoginRequest>,
) -> ApiResult<(StatusCode, Json<LoginResponse>)> {
    let session = state
        .station
        .login(&req.username, &req.password, &req.totp)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(LoginResponse {
            token: session.token,
            expires_at: rfc3339(session.expires_at_ms),
        }),
    ))
}

/// Sign out: the session is revoked at once, server-side.
#[utoipa::path(delete, path = "/api/v1/session", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn delete(State(state): State<AppState>, auth: Authenticated) -> ApiResult<StatusCode> {
    state.station.logout(&auth.principal, &auth.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in officer.
#[utoipa::path(get, path = "/api/v1/me", security(("bearer" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody)))]
pub async fn me(auth: Authenticated) -> Json<MeResponse> {
    let p = auth.principal;
    Json(MeResponse {
        user_id: p.user_id,
        username: p.username,
        role: p.role.as_str().to_owned(),
        compartments: p.compartments.into_iter().collect(),
        session_expires_at: rfc3339(p.session_expires_at_ms),
    })
}
