//! `/api/v1`: JSON in and out. Wire types live here, separate from the station's types, and
//! conversions are explicit so nothing sensitive is serialised by accident.

pub mod admin;
pub mod concerns;
pub mod handling;
pub mod inspection;
pub mod intake;
pub mod open_press;
pub mod reliability;
pub mod session;

use crate::error::ApiError;
use axum::extract::FromRequest;
use axum::extract::Request;

/// `axum::Json`, with refusals in the API's `{code, message}` shape.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    axum::Json<T>: FromRequest<S, Rejection = axum::extract::rejection::JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await?;
        Ok(JsonBody(value))
    }
}
