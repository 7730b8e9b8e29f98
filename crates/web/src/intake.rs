//! The public intake portal's router. It shares nothing with the officer router: no routes,
//! no state, no templates. Until the portal's submission flow is built, it answers with a page
//! that says so, under the same strict headers the portal will keep.

use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::routing::get;

const CLOSED_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Secure contact</title></head>\
<body><main><h1>Secure contact</h1><p>This service is not accepting submissions yet. Please come back later.</p></main></body></html>";

pub fn intake_router() -> Router {
    let router = Router::new()
        .route("/", get(closed))
        .fallback(|| async { (StatusCode::NOT_FOUND, Html(CLOSED_PAGE)) });
    crate::hardened(
        router,
        16 * 1024,
        "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
}

async fn closed() -> impl IntoResponse {
    (StatusCode::SERVICE_UNAVAILABLE, Html(CLOSED_PAGE))
}
