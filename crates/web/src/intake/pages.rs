//! The portal's pages and its small forms (sign-in, sign-out, phrase check).

use super::{
    CSRF_COOKIE, FLASH_COOKIE, PortalState, Refusal, SESSION_COOKIE, clear_cookie, cookie, page,
    see_other, set_cookie,
};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use humint_station::intake::{Flash, ThreadEntry};
use serde::Deserialize;
use zeroize::Zeroizing;

const STYLESHEET: &str = include_str!("../../templates/intake/portal.css");

/// "1.5 MB", for people.
pub(crate) fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// The CSRF cookie to use for a page's forms: the browser's own, or a new one to set.
pub(crate) fn csrf(state: &PortalState, headers: &HeaderMap) -> (String, Vec<HeaderValue>) {
    match cookie(headers, CSRF_COOKIE).filter(|c| c.len() == 32) {
        Some(c) => (state.portal.csrf_token(c), Vec::new()),
        None => {
            let fresh = state.portal.new_csrf_cookie();
            let token = state.portal.csrf_token(&fresh);
            (token, set_cookie(CSRF_COOKIE, &fresh).into_iter().collect())
        }
    }
}

pub(crate) fn csrf_ok(state: &PortalState, headers: &HeaderMap, token: &str) -> bool {
    state.portal.check_csrf(cookie(headers, CSRF_COOKIE), token)
}

fn render(t: &impl Template) -> Result<String, Refusal> {
    t.render().map_err(|e| {
        tracing::error!(error = %e, "a portal template failed to render");
        Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "This page could not be shown. Please try again later.",
        )
    })
}

/// The flash cookie's content (once) and the header that clears it.
fn take_flash(state: &PortalState, headers: &HeaderMap) -> (Option<Flash>, Vec<HeaderValue>) {
    match cookie(headers, FLASH_COOKIE) {
        Some(c) => (state.portal.open_flash(c), vec![clear_cookie(FLASH_COOKIE)]),
        None => (None, Vec::new()),
    }
}

#[derive(Template)]
#[template(path = "intake/index.html")]
struct IndexPage {
    csrf: String,
    accepting: bool,
    message_max: usize,
    file_max: String,
}

pub(super) async fn index(State(state): State<PortalState>, headers: HeaderMap) -> Response {
    let accepting = match state.portal.accepting().await {
        Ok(a) => a,
        Err(e) => {
            return Refusal::from(humint_station::intake::PortalError::from(e)).into_response();
        }
    };
    let (csrf, cookies) = csrf(&state, &headers);
    let policy = state.portal.policy();
    let p = IndexPage {
        csrf,
        accepting,
        message_max: policy.message_max_bytes,
        file_max: human_size(policy.file_max_bytes),
    };
    match render(&p) {
        Ok(html) => page(StatusCode::OK, html, cookies),
        Err(r) => r.into_response(),
    }
}

#[derive(Template)]
#[template(path = "intake/codename.html")]
struct CodenamePage {
    codename: String,
    notes: Vec<String>,
}

/// Shows a new codename once: the flash that carries it is cleared by this very answer.
pub(super) async fn welcome(State(state): State<PortalState>, headers: HeaderMap) -> Response {
    let (flash, cookies) = take_flash(&state, &headers);
    let Some(mut flash) = flash else {
        return see_other("/", cookies);
    };
    let Some(codename) = flash.codename.take() else {
        return see_other("/", cookies);
    };
    let codename = Zeroizing::new(codename);
    let p = CodenamePage {
        codename: codename.to_string(),
        notes: std::mem::take(&mut flash.notes),
    };
    let html = render(&p);
    drop(Zeroizing::new(p.codename));
    match html {
        Ok(html) => page(StatusCode::OK, html, cookies),
        Err(r) => r.into_response(),
    }
}

#[derive(Template)]
#[template(path = "intake/login.html")]
struct LoginPage {
    csrf: String,
    error: Option<String>,
}

pub(super) async fn login_form(State(state): State<PortalState>, headers: HeaderMap) -> Response {
    login_page(&state, &headers, StatusCode::OK, None)
}

fn login_page(
    state: &PortalState,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let (csrf, cookies) = csrf(state, headers);
    match render(&LoginPage { csrf, error }) {
        Ok(html) => page(status, html, cookies),
        Err(r) => r.into_response(),
    }
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    codename: String,
}

pub(super) async fn login(
    State(state): State<PortalState>,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return Refusal::malformed().into_response();
    };
    let codename = Zeroizing::new(form.codename);
    if !csrf_ok(&state, &headers, &form.csrf) {
        return Refusal::expired_form().into_response();
    }
    match state.portal.login(&codename).await {
        Ok(Some(session)) => match state.portal.seal_session(&session) {
            Ok(sealed) => see_other(
                "/thread",
                set_cookie(SESSION_COOKIE, &sealed).into_iter().collect(),
            ),
            Err(e) => Refusal::from(humint_station::intake::PortalError::from(e)).into_response(),
        },
        Ok(None) => login_page(
            &state,
            &headers,
            StatusCode::UNAUTHORIZED,
            Some(
                "That codename does not open any conversation here. Check each word and try again."
                    .to_owned(),
            ),
        ),
        Err(e) => Refusal::from(e).into_response(),
    }
}

#[derive(Deserialize)]
pub(super) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub(super) async fn logout(
    State(state): State<PortalState>,
    headers: HeaderMap,
    form: Result<Form<CsrfOnly>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return Refusal::malformed().into_response();
    };
    if !csrf_ok(&state, &headers, &form.csrf) {
        return Refusal::expired_form().into_response();
    }
    see_other(
        "/",
        vec![clear_cookie(SESSION_COOKIE), clear_cookie(FLASH_COOKIE)],
    )
}

pub(crate) struct EntryView {
    pub reply: bool,
    pub day: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "intake/thread.html")]
struct ThreadPage {
    csrf: String,
    received_day: String,
    entries: Vec<EntryView>,
    notes: Vec<String>,
    message_max: usize,
    file_max: String,
}

pub(super) async fn thread(State(state): State<PortalState>, headers: HeaderMap) -> Response {
    let Some(session) = cookie(&headers, SESSION_COOKIE).and_then(|c| state.portal.open_session(c))
    else {
        return see_other("/login", vec![clear_cookie(SESSION_COOKIE)]);
    };
    let view = match state.portal.thread(&session).await {
        Ok(v) => v,
        Err(e) => return Refusal::from(e).into_response(),
    };
    let (flash, mut cookies) = take_flash(&state, &headers);
    let (csrf, more) = csrf(&state, &headers);
    cookies.extend(more);
    let entries = view
        .entries
        .into_iter()
        .map(|e| match e {
            ThreadEntry::Received {
                day,
                size,
                with_file,
            } => EntryView {
                reply: false,
                day,
                text: format!(
                    "You sent {}{} ({}). Only the people reviewing this service can read it.",
                    "a message",
                    if with_file { " with a file" } else { "" },
                    human_size(u64::try_from(size).unwrap_or(0))
                ),
            },
            ThreadEntry::Reply { day, text } => EntryView {
                reply: true,
                day,
                text: text.to_string(),
            },
        })
        .collect();
    let policy = state.portal.policy();
    let p = ThreadPage {
        csrf,
        received_day: view.received_day,
        entries,
        notes: flash
            .map(|mut f| std::mem::take(&mut f.notes))
            .unwrap_or_default(),
        message_max: policy.message_max_bytes,
        file_max: human_size(policy.file_max_bytes),
    };
    let html = render(&p);
    // Replies are plaintext here: do not leave copies in freed memory longer than needed.
    for e in p.entries {
        drop(Zeroizing::new(e.text));
    }
    match html {
        Ok(html) => page(StatusCode::OK, html, cookies),
        Err(r) => r.into_response(),
    }
}

#[derive(Template)]
#[template(path = "intake/verify.html")]
struct VerifyPage {
    csrf: String,
    verdict: Option<bool>,
}

pub(super) async fn verify_form(State(state): State<PortalState>, headers: HeaderMap) -> Response {
    let (flash, mut cookies) = take_flash(&state, &headers);
    let (csrf, more) = csrf(&state, &headers);
    cookies.extend(more);
    let verdict = flash.and_then(|f| f.verdict);
    match render(&VerifyPage { csrf, verdict }) {
        Ok(html) => page(StatusCode::OK, html, cookies),
        Err(r) => r.into_response(),
    }
}

#[derive(Deserialize)]
pub(super) struct VerifyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    phrase: String,
}

pub(super) async fn verify(
    State(state): State<PortalState>,
    headers: HeaderMap,
    form: Result<Form<VerifyForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return Refusal::malformed().into_response();
    };
    if !csrf_ok(&state, &headers, &form.csrf) {
        return Refusal::expired_form().into_response();
    }
    let genuine = match state.portal.verify_phrase(&form.phrase).await {
        Ok(g) => g,
        Err(e) => return Refusal::from(e).into_response(),
    };
    match state.portal.seal_flash(Flash::with_verdict(genuine)) {
        Ok(sealed) => see_other(
            "/verify",
            set_cookie(FLASH_COOKIE, &sealed).into_iter().collect(),
        ),
        Err(e) => Refusal::from(humint_station::intake::PortalError::from(e)).into_response(),
    }
}

pub(super) async fn stylesheet() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/css; charset=utf-8"),
        )],
        STYLESHEET,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "intake/error.html")]
struct ErrorPage {
    title: String,
    message: String,
}

pub(crate) fn error_page(r: Refusal) -> Response {
    let p = ErrorPage {
        title: r.title.to_owned(),
        message: r.message,
    };
    match p.render() {
        Ok(html) => page(r.status, html, Vec::new()),
        Err(_) => (r.status, "The portal could not show this page.").into_response(),
    }
}

pub(super) async fn not_found() -> Response {
    Refusal::new(
        StatusCode::NOT_FOUND,
        "Nothing here",
        "There is no page at this address.",
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human_size(999), "999 bytes");
        assert_eq!(human_size(1_500), "1.5 KB");
        assert_eq!(human_size(524_288_000), "524.3 MB");
    }
}
