//! The bearer-token extractor: a handler that takes [`Authenticated`] runs only for a live
//! session of an enabled account.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use humint_station::{Principal, StationError};

pub struct Authenticated {
    pub principal: Principal,
    pub token: String,
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 256)
            .ok_or(StationError::Unauthenticated)?;
        let principal = state.station.authenticate(token).await?;
        Ok(Authenticated {
            principal,
            token: token.to_owned(),
        })
    }
}
