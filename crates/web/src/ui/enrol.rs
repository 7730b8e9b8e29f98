//! First sign-in of an account without a confirmed authenticator: the QR code (a server-drawn
//! SVG) and the secret in letters, then a code from the app to confirm, before any other page.
//! The station holds every rule (`start_enrolment`, `pending_enrolment`, `confirm_enrolment`);
//! the browser holds only the short-lived ticket, in an HttpOnly cookie.

use super::{
    ENROL_COOKIE, Problem, SESSION_COOKIE, clear_cookie, cookie, problem_page, render, see_other,
    set_cookie, stylesheet_href,
};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use humint_station::PendingEnrolment;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "officer/enrol.html")]
struct EnrolPage {
    shell: Option<super::Shell>,
    stylesheet: String,
    username: String,
    /// The otpauth URI as a QR code, drawn here (no image from elsewhere).
    qr_svg: String,
    /// The secret in groups of four letters, for typing in by hand.
    secret_groups: String,
    csrf: String,
    problem: Option<Problem>,
}

fn qr_svg(uri: &str) -> String {
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(240, 240)
                .quiet_zone(true)
                .build();
            // Inline in the page: drop the XML declaration.
            match svg.find("<svg") {
                Some(at) => svg[at..].to_owned(),
                None => String::new(),
            }
        }
        Err(_) => String::new(),
    }
}

fn groups(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) fn page(
    state: &AppState,
    e: &PendingEnrolment,
    status: StatusCode,
    problem: Option<Problem>,
) -> Response {
    let p = EnrolPage {
        shell: None,
        stylesheet: stylesheet_href(),
        username: e.username.clone(),
        qr_svg: qr_svg(&e.otpauth_uri),
        secret_groups: groups(&e.totp_base32),
        csrf: state.station.form_token(&e.ticket),
        problem,
    };
    render(status, &p)
}

/// The enrolment ended (expired, confirmed elsewhere, disabled): say so, forget the ticket.
fn ended(e: humint_station::StationError) -> Response {
    let mut r = super::refusal(None, e);
    r.headers_mut()
        .append(header::SET_COOKIE, clear_cookie(ENROL_COOKIE));
    r
}

pub(super) async fn form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(ticket) = cookie(&headers, ENROL_COOKIE) else {
        return see_other("/signin", Vec::new());
    };
    match state.station.pending_enrolment(ticket).await {
        Ok(e) => page(&state, &e, StatusCode::OK, None),
        Err(e) => ended(e),
    }
}

#[derive(Deserialize)]
pub(super) struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    totp: String,
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<CodeForm>, FormRejection>,
) -> Response {
    let Some(ticket) = cookie(&headers, ENROL_COOKIE) else {
        return see_other("/signin", Vec::new());
    };
    let pending = match state.station.pending_enrolment(ticket).await {
        Ok(e) => e,
        Err(e) => return ended(e),
    };
    let Ok(Form(form)) = form else {
        let (status, problem) = Problem::unreadable_form();
        return page(&state, &pending, status, Some(problem));
    };
    if !state
        .station
        .check_form_token(Some(&pending.ticket), &form.csrf)
    {
        let (status, problem) = Problem::expired_form();
        return problem_page(None, status, problem);
    }
    match state
        .station
        .confirm_enrolment(&pending.ticket, form.totp.trim())
        .await
    {
        Ok(session) => see_other(
            "/",
            set_cookie(SESSION_COOKIE, &session.token)
                .into_iter()
                .chain([clear_cookie(ENROL_COOKIE)])
                .collect(),
        ),
        Err(e) => {
            let (status, problem) = Problem::from_error(e);
            page(&state, &pending, status, Some(problem))
        }
    }
}
