//! The HTTP side of the station: the officer API on `--listen` and the public intake portal on
//! `--intake-listen`.
//!
//! Invariants:
//! - Handlers parse, call one station service, and render; no rule or access check is decided
//!   here (the station does it, so the CLI and the API cannot disagree).
//! - Every refusal is `{code, message}` JSON with a 4xx status; a panic or an internal failure
//!   is a 500 that says nothing of the cause.
//! - The portal's router shares no routes, state or templates with the officer router.

pub mod api;
pub mod auth;
pub mod error;
pub mod inspection;
pub mod intake;
mod openapi;
pub(crate) mod ui;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::routing::{get, post};
use error::ApiError;
use humint_station::Station;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// What every officer request can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub station: Arc<Station>,
}

/// API requests are small JSON documents; anything larger is refused before it is read.
const API_BODY_LIMIT: usize = 256 * 1024;

/// An import of a report register (`POST /api/v1/reports/import`, at most
/// `MAX_IMPORT_REPORTS` reports with their text and claims): a few kilobytes a report.
const IMPORT_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// The officer API and the officer pages, on one listener.
pub fn officer_router(station: Arc<Station>) -> Router {
    let state = AppState { station };
    let pages = ui::router(state.clone());
    let api = Router::new()
        .route(
            "/session",
            post(api::session::create).delete(api::session::delete),
        )
        .route("/me", get(api::session::me))
        .route("/users", post(api::admin::create_user))
        .route("/users/{username}/disable", post(api::admin::disable_user))
        .route("/users/{username}/compartments", post(api::admin::grant))
        .route("/compartments", post(api::admin::create_compartment))
        .route("/compartments/{name}/members", get(api::admin::members))
        .route(
            "/settings/payments",
            get(api::admin::payment_policy).put(api::admin::set_payment_policy),
        )
        .route(
            "/settings/ranks",
            get(api::admin::rank_table).put(api::admin::set_rank_table),
        )
        .route("/users/{username}/rank", post(api::admin::set_rank))
        .route("/openapi.json", get(openapi::document))
        .merge(api::handling::routes())
        .merge(api::intake::routes())
        .merge(api::inspection::routes())
        .merge(api::reliability::routes())
        .merge(api::open_press::routes())
        .merge(api::concerns::routes());
    // A register's import is the one request larger than a small JSON document.
    let import = Router::new()
        .route(
            "/api/v1/reports/import",
            post(api::handling::reports::import).layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT)),
        )
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state.clone());
    let router = Router::new()
        .route("/healthz", get(healthz))
        .nest("/api/v1", api)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state);
    // The pages carry their own, page-shaped CSP; the API keeps its own.
    pages
        .merge(hardened(
            router,
            API_BODY_LIMIT,
            "default-src 'none'; frame-ancestors 'none'",
        ))
        .merge(hardened(
            import,
            IMPORT_BODY_LIMIT,
            "default-src 'none'; frame-ancestors 'none'",
        ))
}

/// Headers and limits every response from either listener carries.
pub(crate) fn hardened(router: Router, body_limit: usize, csp: &'static str) -> Router {
    router
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        ))
        .layer(CatchPanicLayer::custom(
            |_panic: Box<dyn std::any::Any + Send>| {
                tracing::error!("a request handler panicked");
                axum::response::IntoResponse::into_response(ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL",
                    "the station could not complete this request; the error has been logged",
                ))
            },
        ))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// Liveness: the process answers and its database answers.
#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Health), (status = 503, body = error::ErrorBody)))]
async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<axum::Json<Health>, ApiError> {
    match state.station.is_initialised().await {
        Ok(_) => Ok(axum::Json(Health { status: "ok" })),
        Err(_) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "UNAVAILABLE",
            "the database does not answer",
        )),
    }
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "there is nothing at this address",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "this address does not take that method",
    )
}
