//! Signing in (password and TOTP code) and out.

use super::{
    ENROL_COOKIE, Officer, Problem, SESSION_COOKIE, SIGNIN_COOKIE, clear_cookie, cookie,
    problem_page, render, see_other, set_cookie, stylesheet_href,
};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use humint_station::StationError;
use serde::Deserialize;
use zeroize::Zeroizing;

#[derive(Template)]
#[template(path = "officer/signin.html")]
struct SignInPage {
    shell: Option<super::Shell>,
    stylesheet: String,
    csrf: String,
    username: String,
    notice: Option<&'static str>,
    problem: Option<Problem>,
}

#[derive(Deserialize)]
pub(super) struct SignInQuery {
    #[serde(default)]
    ended: Option<String>,
    #[serde(default)]
    out: Option<String>,
}

/// The browser's pre-sign-in binding, or a new one to set.
fn binding(state: &AppState, headers: &HeaderMap) -> (String, Vec<HeaderValue>) {
    match cookie(headers, SIGNIN_COOKIE).filter(|c| c.len() == 32) {
        Some(c) => (c.to_owned(), Vec::new()),
        None => {
            let fresh = state.station.new_form_binding();
            let set = set_cookie(SIGNIN_COOKIE, &fresh).into_iter().collect();
            (fresh, set)
        }
    }
}

fn page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    username: String,
    notice: Option<&'static str>,
    problem: Option<Problem>,
) -> Response {
    let (b, cookies) = binding(state, headers);
    let p = SignInPage {
        shell: None,
        stylesheet: stylesheet_href(),
        csrf: state.station.form_token(&b),
        username,
        notice,
        problem,
    };
    let mut response = render(status, &p);
    for c in cookies {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, c);
    }
    response
}

pub(super) async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<SignInQuery>,
) -> Response {
    let notice = if q.ended.is_some() {
        Some("Your session has ended. Sign in again to carry on.")
    } else if q.out.is_some() {
        Some("You have signed out.")
    } else {
        None
    };
    page(
        &state,
        &headers,
        StatusCode::OK,
        String::new(),
        notice,
        None,
    )
}

#[derive(Deserialize)]
pub(super) struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    totp: String,
}

pub(super) async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return problem_page(
            None,
            StatusCode::BAD_REQUEST,
            Problem {
                code: "INVALID_FORM".to_owned(),
                message: "The form could not be read. Open the sign-in page again.".to_owned(),
            },
        );
    };
    let password = Zeroizing::new(form.password);
    let username = form.username.trim().to_owned();
    if !state
        .station
        .check_form_token(cookie(&headers, SIGNIN_COOKIE), &form.csrf)
    {
        let (status, problem) = Problem::expired_form();
        return page(&state, &headers, status, username, None, Some(problem));
    }
    match state
        .station
        .login(&username, &password, form.totp.trim())
        .await
    {
        Ok(session) => see_other(
            "/",
            set_cookie(SESSION_COOKIE, &session.token)
                .into_iter()
                .chain([clear_cookie(SIGNIN_COOKIE)])
                .collect(),
        ),
        Err(StationError::Forbidden {
            code: "ENROLMENT_REQUIRED",
            ..
        }) => match state.station.start_enrolment(&username, &password).await {
            Ok(pending) => see_other(
                "/enrol",
                set_cookie(ENROL_COOKIE, &pending.ticket)
                    .into_iter()
                    .chain([clear_cookie(SIGNIN_COOKIE)])
                    .collect(),
            ),
            Err(e) => {
                let (status, problem) = Problem::from_error(e);
                page(&state, &headers, status, username, None, Some(problem))
            }
        },
        Err(e) => {
            let (status, problem) = Problem::from_error(e);
            page(&state, &headers, status, username, None, Some(problem))
        }
    }
}

#[derive(Deserialize)]
pub(super) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// Signs out: the session is revoked server-side and the cookie cleared.
pub(super) async fn sign_out(
    State(state): State<AppState>,
    officer: Officer,
    form: Result<Form<CsrfOnly>, FormRejection>,
) -> Response {
    let token = form.map(|Form(f)| f.csrf).unwrap_or_default();
    if !officer.form_ok(&state, &token) {
        let (status, problem) = Problem::expired_form();
        return problem_page(Some(officer.shell("")), status, problem);
    }
    match state
        .station
        .logout(&officer.principal, officer.session())
        .await
    {
        Ok(()) => see_other("/signin?out=1", vec![clear_cookie(SESSION_COOKIE)]),
        Err(e) => super::refusal(Some(officer.shell("")), e),
    }
}
