//! The officers' pages, served on the officer address beside the API.
//!
//! Server-rendered askama pages under `templates/officer/`, one stylesheet of the project's own
//! (`/static/humint.css`), no script at all: every task works with JavaScript off. A strict
//! Content-Security-Policy forbids inline style and script, so an injected tag does nothing.
//!
//! The pages call the same station services as the API; no rule or access check is made here.
//! A signed-in browser holds the same server-side session as an API client, in an HttpOnly,
//! SameSite=Strict cookie; every POST form carries a token derived from that session and
//! checked by the station (`Station::check_form_token`), so another site cannot forge a form
//! even if a browser ignored SameSite.

mod audit;
mod authorisations;
mod chart;
mod contacts;
mod dependence;
mod enrol;
mod errors;
mod filing;
mod forms;
mod home;
mod intake;
mod open_press;
mod reports;
mod requirements;
mod session;
mod sources;

use crate::AppState;
use crate::error::ApiError;
use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use humint_core::Role;
use humint_station::{Principal, StationError};

/// Pages may load only their own stylesheet and images, post only to themselves, and be
/// framed by nobody.
pub(crate) const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub(crate) const SESSION_COOKIE: &str = "humint_session";
/// The sign-in form's binding before there is a session.
pub(crate) const SIGNIN_COOKIE: &str = "humint_signin";
/// The enrolment ticket of a first sign-in (see `enrol`).
pub(crate) const ENROL_COOKIE: &str = "humint_enrol";

/// Officers' forms are text; anything larger is refused before it is read.
const FORM_LIMIT: usize = 64 * 1024;

const STYLESHEET: &str = include_str!("../../templates/officer/humint.css");

/// FNV-1a of the stylesheet, so its address changes when it does and it can be cached long.
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

const STYLESHEET_VERSION: u64 = fnv1a(STYLESHEET.as_bytes());

/// The pages' routes, hardened with the page CSP; the stylesheet sets its own headers.
pub(crate) fn router(state: AppState) -> Router {
    let pages = Router::new()
        .route("/", get(home::home))
        .route("/signin", get(session::form).post(session::sign_in))
        .route("/signout", post(session::sign_out))
        .route("/enrol", get(enrol::form).post(enrol::confirm))
        .route("/sources", get(sources::list))
        .route("/sources/{id}", get(sources::detail))
        .route("/sources/{id}/identity", post(sources::reveal))
        .route("/sources/{id}/break-glass", post(sources::break_glass))
        .route(
            "/sources/{id}/contacts/new",
            get(contacts::form).post(contacts::create),
        )
        .route(
            "/sources/{id}/authorisations/new",
            get(authorisations::grant_form).post(authorisations::grant),
        )
        .route(
            "/authorisations/{id}/review",
            get(authorisations::review_form).post(authorisations::review),
        )
        .route("/sources/{id}/reports", get(reports::list))
        .route("/compartments/{name}/dependence", get(dependence::page))
        .route("/reports/{id}", get(reports::detail))
        .route("/reports/{id}/grade", post(reports::grade))
        .route("/audit", get(audit::log))
        .route("/audit/bigot-lists", get(audit::bigot_lists))
        .route("/inspection", get(audit::inspection_form))
        .route("/inspection/pack", get(audit::inspection_pack))
        .route("/reports", get(filing::list))
        .route(
            "/sources/{id}/reports/new",
            get(filing::form).post(filing::file),
        )
        .route("/reports/{id}/claims", post(reports::add_claim))
        .route("/reports/{id}/disseminations", post(reports::disseminate))
        .route("/claims/{id}/outcomes", post(reports::add_outcome))
        .route("/requirements", get(requirements::list))
        .route(
            "/requirements/new",
            get(requirements::new_form).post(requirements::create),
        )
        .route("/requirements/{id}", get(requirements::detail))
        .route("/requirements/{id}/review", post(requirements::review))
        .route("/requirements/{id}/close", post(requirements::close))
        .route("/errors", get(errors::list).post(errors::record))
        .route("/errors/{id}/establish", post(errors::establish))
        .route("/errors/{id}/report", post(errors::report))
        .route("/intake", get(intake::list))
        .route("/intake/phrases", post(intake::issue_phrase))
        .route("/intake/{id}", get(intake::thread))
        .route("/intake/{id}/reply", post(intake::reply))
        .route("/intake/{id}/status", post(intake::set_status))
        .route("/intake/{id}/convert", post(intake::convert))
        .route(
            "/sources/new",
            get(forms::new_source_form).post(forms::new_source),
        )
        .route(
            "/compartments/{name}/open-press",
            get(open_press::show).post(open_press::record),
        );
    let pages = forms::ROUTES
        .iter()
        .fold(pages, |r, path| {
            r.route(path, get(forms::show).post(forms::post))
        })
        .with_state(state);
    crate::hardened(pages, FORM_LIMIT, CSP).route("/static/humint.css", get(stylesheet))
}

/// The stylesheet: cached for a year (its address carries its hash), typed, not sniffed.
async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        STYLESHEET,
    )
        .into_response()
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

/// A cookie no script can read (there is none anyway) and no other site's request carries.
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

/// A 303 to `to` (the browser follows with GET), setting cookies.
pub(crate) fn see_other(to: &str, cookies: Vec<HeaderValue>) -> Response {
    let mut response = Redirect::to(to).into_response();
    for c in cookies {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}

/// One entry of the navigation.
pub(crate) struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What every signed-in page shows around its content: who is signed in, the navigation for
/// their role, and the token for the sign-out form.
pub(crate) struct Shell {
    pub username: String,
    pub role: &'static str,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub stylesheet: String,
}

pub(crate) fn stylesheet_href() -> String {
    format!("/static/humint.css?v={STYLESHEET_VERSION:016x}")
}

/// A role as people say it.
pub(crate) fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "Administrator",
        Role::Handler => "Handler",
        Role::Controller => "Controller",
        Role::AuthorisingOfficer => "Authorising officer",
        Role::Analyst => "Analyst",
        Role::Auditor => "Auditor",
    }
}

/// The signed-in officer of a page request: the session cookie names a live session.
/// Without one the browser is sent to sign in; with one that has ended, it is told so.
pub(crate) struct Officer {
    pub principal: Principal,
    /// The token every form of the page carries.
    pub csrf: String,
    session: String,
}

impl Officer {
    /// The page shell with `current` marked in the navigation.
    pub fn shell(&self, current: &str) -> Shell {
        let mut nav = vec![NavItem {
            href: "/",
            label: "What needs me today",
            current: false,
        }];
        if self.principal.role != Role::Admin {
            nav.push(NavItem {
                href: "/sources",
                label: "Sources",
                current: false,
            });
        }
        if self.principal.role != Role::Admin {
            nav.push(NavItem {
                href: "/reports",
                label: "Reports",
                current: false,
            });
            nav.push(NavItem {
                href: "/requirements",
                label: "Requirements",
                current: false,
            });
        }
        if matches!(
            self.principal.role,
            Role::Handler | Role::Controller | Role::AuthorisingOfficer | Role::Auditor
        ) {
            nav.push(NavItem {
                href: "/errors",
                label: "Relevant errors",
                current: false,
            });
        }
        if matches!(
            self.principal.role,
            Role::Handler | Role::Controller | Role::Auditor | Role::Admin
        ) {
            nav.push(NavItem {
                href: "/intake",
                label: "Intake",
                current: false,
            });
        }
        if self.principal.role == Role::Auditor {
            nav.push(NavItem {
                href: "/audit",
                label: "Audit log",
                current: false,
            });
            nav.push(NavItem {
                href: "/inspection",
                label: "Inspection pack",
                current: false,
            });
        }
        if matches!(self.principal.role, Role::Auditor | Role::Controller) {
            nav.push(NavItem {
                href: "/audit/bigot-lists",
                label: "Bigot lists",
                current: false,
            });
        }
        for item in &mut nav {
            item.current = item.href == current;
        }
        Shell {
            username: self.principal.username.clone(),
            role: role_label(self.principal.role),
            csrf: self.csrf.clone(),
            nav,
            stylesheet: stylesheet_href(),
        }
    }

    /// Whether a submitted form carries this session's token.
    pub fn form_ok(&self, state: &AppState, token: &str) -> bool {
        state.station.check_form_token(Some(&self.session), token)
    }

    /// A form's station call, run only when the form carries this session's token (otherwise
    /// `call` never runs and the form is refused as expired); a refusal comes back as the
    /// status and problem the page shows.
    pub async fn submit<T>(
        &self,
        state: &AppState,
        token: &str,
        call: impl std::future::Future<Output = Result<T, StationError>>,
    ) -> Result<T, (StatusCode, Problem)> {
        if !self.form_ok(state, token) {
            return Err(Problem::expired_form());
        }
        call.await.map_err(Problem::from_error)
    }

    pub fn session(&self) -> &str {
        &self.session
    }
}

impl FromRequestParts<AppState> for Officer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(token) =
            cookie(&parts.headers, SESSION_COOKIE).filter(|t| !t.is_empty() && t.len() <= 256)
        else {
            return Err(see_other("/signin", Vec::new()));
        };
        match state.station.authenticate(token).await {
            Ok(principal) => Ok(Officer {
                principal,
                csrf: state.station.form_token(token),
                session: token.to_owned(),
            }),
            Err(StationError::Unauthenticated) => Err(see_other(
                "/signin?ended=1",
                vec![clear_cookie(SESSION_COOKIE)],
            )),
            Err(e) => Err(refusal(None, e)),
        }
    }
}

/// A refusal as people read it: the station's rule code and sentence.
pub(crate) struct Problem {
    pub code: String,
    pub message: String,
}

impl Problem {
    /// The answer's status and the problem to show with the form: 200 and nothing unless the
    /// submission was refused.
    pub(crate) fn split(refused: Option<(StatusCode, Problem)>) -> (StatusCode, Option<Problem>) {
        refused.map_or((StatusCode::OK, None), |(status, problem)| {
            (status, Some(problem))
        })
    }
}

impl Problem {
    pub fn from_error(e: impl Into<ApiError>) -> (StatusCode, Problem) {
        let e: ApiError = e.into();
        (
            e.status,
            Problem {
                code: e.code,
                message: e.message,
            },
        )
    }

    pub fn unreadable_form() -> (StatusCode, Problem) {
        (
            StatusCode::BAD_REQUEST,
            Problem {
                code: "INVALID_FORM".to_owned(),
                message: "The form could not be read. Nothing was saved; fill it in again."
                    .to_owned(),
            },
        )
    }

    pub fn expired_form() -> (StatusCode, Problem) {
        (
            StatusCode::FORBIDDEN,
            Problem {
                code: "FORM_EXPIRED".to_owned(),
                message: "This form has expired or did not come from this station. Nothing was saved; open the page again and resend it.".to_owned(),
            },
        )
    }
}

#[derive(Template)]
#[template(path = "officer/error.html")]
struct ErrorPage {
    shell: Option<Shell>,
    title: &'static str,
    problem: Problem,
    stylesheet: String,
}

/// A page saying why the request was refused, with its status.
/// What a form about one source starts from: the page's shell and the source, or the refusal
/// page when the officer may not see that source.
pub(crate) async fn source_for_form(
    state: &AppState,
    officer: &Officer,
    source_id: &str,
) -> Result<(Shell, humint_station::handling::SourceDetail), Response> {
    let shell = officer.shell("/sources");
    match state
        .station
        .source_detail(&officer.principal, source_id)
        .await
    {
        Ok(detail) => Ok((shell, detail)),
        Err(e) => Err(refusal(Some(shell), e)),
    }
}

pub(crate) fn refusal(shell: Option<Shell>, e: impl Into<ApiError>) -> Response {
    let (status, problem) = Problem::from_error(e);
    problem_page(shell, status, problem)
}

pub(crate) fn problem_page(shell: Option<Shell>, status: StatusCode, problem: Problem) -> Response {
    let title = match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::UNAUTHORIZED => "Not signed in",
        StatusCode::TOO_MANY_REQUESTS => "Please wait",
        s if s.is_server_error() => "Something went wrong",
        _ => "Refused",
    };
    let page = ErrorPage {
        shell,
        title,
        problem,
        stylesheet: stylesheet_href(),
    };
    render(status, &page)
}

/// Renders a page with a status; a template failure is a 500 that says nothing of the cause.
pub(crate) fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "an officer page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<!doctype html><title>Error</title><p>This page could not be shown; the error has been logged.</p>".to_owned()),
            )
                .into_response()
        }
    }
}

/// An instant as officers in the UK read it, on the London clock with its zone:
/// `2026-03-02 09:00 GMT`, `2026-07-01 13:00 BST`.
pub(crate) fn when(t: humint_station::handling::Instant) -> String {
    let (local, zone) = humint_core::handling::calendar::london_clock(t);
    format!("{} {zone}", local.format("%Y-%m-%d %H:%M"))
}

pub(crate) fn when_ms(ms: i64) -> String {
    humint_station::handling::Instant::from_timestamp_millis(ms)
        .map(when)
        .unwrap_or_default()
}

/// A core enum's wire name as words: `in_development` → `in development`.
pub(crate) fn words(wire: &str) -> String {
    wire.replace('_', " ")
}

/// An optional text field: blank is absent.
pub(crate) fn opt(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// A choice from a form's list, by its wire name; anything else is refused with the field's
/// name.
pub(crate) fn choice<T: serde::de::DeserializeOwned>(
    field: &str,
    value: &str,
) -> Result<T, StationError> {
    serde_json::from_value(serde_json::Value::String(value.trim().to_owned())).map_err(|_| {
        StationError::invalid(
            "INVALID_CHOICE",
            format!("choose one of the listed values for {field}"),
        )
    })
}

/// A time typed into a form, read on the London clock (the pages say so): `2026-03-02 09:30`
/// or the browser's `2026-03-02T09:30`, with seconds or not, and optionally its zone (`GMT`,
/// `BST`), which only the hour the clocks pass twice needs. A full time with an offset
/// (`…Z`, `…+01:00`) is taken as written. Blank is absent. The hour the clocks skip and an
/// ambiguous hour without its zone are refused with a sentence saying why.
pub(crate) fn instant_field(
    field: &str,
    value: &str,
) -> Result<Option<humint_station::handling::Instant>, StationError> {
    use humint_core::handling::calendar::{LondonTime, from_london_clock};
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    // A full time with its offset: the station's own reading of an API time.
    if let Ok(t) = humint_station::handling::parse_instant(field, v) {
        return Ok(Some(t));
    }
    let (clock, zone) = match v.rsplit_once(' ') {
        Some((rest, z)) if z.eq_ignore_ascii_case("GMT") || z.eq_ignore_ascii_case("BST") => {
            (rest.trim(), Some(z.to_ascii_uppercase()))
        }
        _ => (v, None),
    };
    let normal = clock.replacen('T', " ", 1);
    let local = ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(&normal, f).ok())
        .ok_or_else(|| {
            StationError::invalid(
                "INVALID_TIME",
                format!("{field} must be a date and time such as 2026-03-02 09:30 (London time)"),
            )
        })?;
    let shown = local.format("%Y-%m-%d %H:%M");
    match from_london_clock(local, zone.as_deref()) {
        LondonTime::Exact(t) => Ok(Some(t)),
        LondonTime::Skipped => Err(StationError::invalid(
            "TIME_NOT_ON_LONDON_CLOCK",
            match zone {
                Some(z) => format!(
                    "{field}: {shown} {z} never showed on London clocks; check the time or leave out the zone"
                ),
                None => format!(
                    "{field}: {shown} never showed on London clocks, which go forward from 01:00 to 02:00 that night; check the time"
                ),
            },
        )),
        LondonTime::Twice { .. } => Err(StationError::invalid(
            "TIME_AMBIGUOUS",
            format!(
                "{field}: {shown} happened twice in London as the clocks went back that night; add the zone: {shown} BST for the first, {shown} GMT for the second"
            ),
        )),
    }
}

/// A checkbox: present when ticked.
pub(crate) fn ticked(value: &Option<String>) -> bool {
    value.is_some()
}
