//! The public intake portal, served on its own listener and meant to be published as a Tor
//! onion service. It shares nothing with the officer router: no routes, no state, no
//! templates, no cookies.
//!
//! Pages work with JavaScript disabled (Tor Browser's "Safest"): server-rendered HTML, one
//! same-origin stylesheet, no script, no third-party anything. Every form carries a CSRF
//! token and every POST that changes something answers with a redirect (POST-redirect-GET),
//! so reloading a page never sends twice.
//!
//! Nothing about the visitor is logged or stored: no IP address, no user agent, no instant.
//! This router adds no request tracing on purpose.

mod pages;
mod submit;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use humint_station::Station;
use humint_station::intake::{IntakePolicy, Portal, PortalError};
use std::sync::Arc;

/// What every portal request can reach: the portal's services, nothing of the officers'.
#[derive(Clone, Debug)]
pub(crate) struct PortalState {
    pub portal: Arc<Portal>,
}

pub(crate) const CSRF_COOKIE: &str = "csrf";
pub(crate) const SESSION_COOKIE: &str = "session";
pub(crate) const FLASH_COOKIE: &str = "flash";

/// Small forms (sign-in, phrase check, sign-out) are refused past this size.
const FORM_LIMIT: usize = 16 * 1024;

const CSP: &str = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The portal with the default limits.
pub fn intake_router(station: Arc<Station>) -> Router {
    intake_router_with(station, IntakePolicy::default())
}

/// The portal with chosen limits (tests and benchmarks use small ones).
pub fn intake_router_with(station: Arc<Station>, policy: IntakePolicy) -> Router {
    let state = PortalState {
        portal: Arc::new(Portal::new(station, policy)),
    };
    // Uploads are limited by the handlers themselves, which count as they stream and answer
    // with a page that says what the limit is (the generic limit layer would answer with a
    // bare status the volunteer cannot act on).
    let uploads = Router::new()
        .route("/submit", post(submit::first_contact))
        .route("/thread", get(pages::thread).post(submit::follow_up))
        .layer(DefaultBodyLimit::disable());
    let forms = Router::new()
        .route("/", get(pages::index))
        .route("/welcome", get(pages::welcome))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/verify", get(pages::verify_form).post(pages::verify))
        .route("/portal.css", get(pages::stylesheet))
        .layer(DefaultBodyLimit::max(FORM_LIMIT));
    let router = Router::new()
        .merge(uploads)
        .merge(forms)
        .fallback(pages::not_found)
        .method_not_allowed_fallback(pages::not_found)
        .with_state(state);
    crate::hardened(router, usize::MAX, CSP)
}

/// A cookie's value from the request.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// A cookie for this portal only: not readable by a page (there is no script anyway), never
/// sent with a request another site starts, gone when the browser closes.
pub(crate) fn set_cookie(name: &str, value: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict"
    ))
    .ok()
}

pub(crate) fn clear_cookie(name: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A page with a status and any cookies to set.
pub(crate) fn page(status: StatusCode, html: String, cookies: Vec<HeaderValue>) -> Response {
    let mut response = (status, Html(html)).into_response();
    for c in cookies {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}

/// A 303 to `to` (the browser follows with GET), setting cookies.
pub(crate) fn see_other(to: &str, cookies: Vec<HeaderValue>) -> Response {
    let mut response = Redirect::to(to).into_response();
    for c in cookies {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}

/// A refusal the volunteer can read: what went wrong and what to do.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub status: StatusCode,
    pub title: &'static str,
    pub message: String,
    pub retry_after_s: Option<u64>,
}

impl Refusal {
    pub fn new(status: StatusCode, title: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            title,
            message: message.into(),
            retry_after_s: None,
        }
    }

    pub fn malformed() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "The form could not be read",
            "What your browser sent was not a complete form. Go back to the start page and try again.",
        )
    }

    pub fn expired_form() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "This form has expired",
            "The form was not sent from this site's own page, or your browser is not keeping this site's cookie. Go back to the start page and send it again.",
        )
    }
}

impl From<PortalError> for Refusal {
    fn from(e: PortalError) -> Self {
        match e {
            PortalError::Busy { retry_after_s } => Refusal {
                retry_after_s: Some(retry_after_s),
                ..Refusal::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "The portal is busy",
                    format!(
                        "Too many people are sending at the moment. Nothing was stored. Please try again in {retry_after_s} seconds."
                    ),
                )
            },
            PortalError::NotAccepting => Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Not accepting submissions yet",
                "This service is not ready to receive anything yet, and nothing you send now could be kept safely. Nothing was stored. Please come back later.",
            ),
            PortalError::Empty => Refusal::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Nothing to send",
                "Write a message, attach a file, or both.",
            ),
            PortalError::MessageTooLong { max } => Refusal::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The message is too long",
                format!(
                    "A message can be at most {} long. Nothing was stored. Shorten it, or put the text in a file and attach that.",
                    pages::human_size(max as u64)
                ),
            ),
            PortalError::FileTooLarge { max } => Refusal::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The file is too large",
                format!(
                    "A file can be at most {}. Nothing was stored. Split it into parts, or compress it, and send each part.",
                    pages::human_size(max)
                ),
            ),
            PortalError::Station(e) => {
                tracing::error!(error = %e, "the intake portal could not complete a request");
                Refusal::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "The portal could not complete this. Nothing you sent was stored in readable form. Please try again later.",
                )
            }
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let retry = self.retry_after_s;
        let mut response = pages::error_page(self);
        if let Some(s) = retry
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}
