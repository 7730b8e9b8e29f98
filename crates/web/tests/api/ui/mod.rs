//! The officers' pages over real HTTP (a cookie-keeping client that does not follow redirects,
//! so each answer is seen as a browser gets it) and in real headless Chromium with JavaScript
//! off. Each HTTP test runs on both backends.

mod audit;
mod browser;
mod concerns;
mod desk;
mod enrol;
mod errors;
mod filing;
mod forms;
mod intake;
mod open_press;
mod pages;
mod reports;
mod requirements;

use crate::handling::World;
use crate::harness::{Officer, TestStation};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// One browser's worth of cookies against the station's officer address.
pub struct Browser {
    pub client: reqwest::Client,
    station: std::sync::Arc<humint_station::Station>,
    base: String,
}

/// An answer: status, headers and body text.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The form token of the page's first form.
    pub fn csrf(&self) -> String {
        value_after(&self.body, "name=\"csrf\" value=\"")
    }

    /// The `Set-Cookie` line for a cookie.
    pub fn set_cookie(&self, name: &str) -> String {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .unwrap_or_default()
            .to_owned()
    }
}

fn value_after(text: &str, marker: &str) -> String {
    text.split_once(marker)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(v, _)| v.to_owned())
        .unwrap_or_default()
}

impl Browser {
    pub fn new(t: &TestStation) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: t.base.clone(),
            station: t.station.clone(),
        }
    }

    async fn answer(response: reqwest::Response) -> Answer {
        Answer {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.expect("body"),
        }
    }

    /// Pages are read once the background estimates asked for earlier are stored (see
    /// `TestStation::send`).
    pub async fn get(&self, path: &str) -> Answer {
        self.station.reliability_settled().await;
        Self::answer(
            self.client
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .expect("GET"),
        )
        .await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        self.station.reliability_settled().await;
        Self::answer(
            self.client
                .post(format!("{}{path}", self.base))
                .form(form)
                .send()
                .await
                .expect("POST"),
        )
        .await
    }

    /// Posts a page's form with the token of the page at `page`.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Answer {
        let token = self.get(page).await.csrf();
        let mut form = vec![("csrf", token.as_str())];
        form.extend_from_slice(fields);
        self.post(action, &form).await
    }

    /// Signs in through the sign-in page (moving the clock one TOTP step first).
    pub async fn sign_in_answer(
        &self,
        t: &TestStation,
        officer: &Officer,
        password: &str,
    ) -> Answer {
        t.clock.advance(chrono::Duration::seconds(30));
        let code = t.code(officer);
        self.submit(
            "/signin",
            "/signin",
            &[
                ("username", officer.username.as_str()),
                ("password", password),
                ("totp", code.as_str()),
            ],
        )
        .await
    }

    pub async fn sign_in(t: &TestStation, officer: &Officer) -> Browser {
        let b = Browser::new(t);
        let a = b.sign_in_answer(t, officer, &officer.password).await;
        assert_eq!(
            a.status,
            StatusCode::SEE_OTHER,
            "sign-in failed: {}",
            a.body
        );
        assert_eq!(a.location(), "/");
        b
    }
}

/// A world with a recruited source under a standard authorisation; returns the source id and
/// the authorisation id.
pub async fn recruited(w: &World) -> (String, String) {
    let (source, auth) = w.recruited("1980-01-01").await;
    (source, auth["id"].as_str().expect("id").to_owned())
}

/// The page with what changes from run to run replaced: ids (UUIDs), form tokens and the
/// stylesheet's hash (32/16 hex digits), times and dates.
pub fn redact(html: &str) -> String {
    let chars: Vec<char> = html.chars().collect();
    let mut out = String::with_capacity(html.len());
    let mut i = 0;
    let is_hex = |c: char| c.is_ascii_hexdigit();
    let run = |from: usize, pred: &dyn Fn(char) -> bool| {
        chars[from..].iter().take_while(|c| pred(**c)).count()
    };
    while i < chars.len() {
        // A UUID: 8-4-4-4-12 hex digits.
        let uuid = [8usize, 4, 4, 4, 12].iter().try_fold(i, |at, n| {
            let end = at + n;
            let ok = end <= chars.len() && chars[at..end].iter().all(|c| is_hex(*c));
            let sep_ok = ok && (*n == 12 || (end < chars.len() && chars[end] == '-'));
            (ok && sep_ok).then_some(if *n == 12 { end } else { end + 1 })
        });
        if let Some(end) = uuid
            && (end == chars.len() || !is_hex(chars[end]))
        {
            out.push_str("[id]");
            i = end;
            continue;
        }
        let digits = run(i, &|c: char| c.is_ascii_digit());
        // A date, perhaps with a time: 2026-03-02 or 2026-03-02 09:30 GMT (or BST, or UTC).
        if digits == 4
            && chars.len() > i + 10
            && chars[i + 4] == '-'
            && chars[i + 7] == '-'
            && chars[i + 5..i + 7].iter().all(char::is_ascii_digit)
            && chars[i + 8..i + 10].iter().all(char::is_ascii_digit)
        {
            let mut end = i + 10;
            let tail: String = chars[end..chars.len().min(end + 10)].iter().collect();
            if tail.len() == 10
                && [" UTC", " GMT", " BST"].iter().any(|z| tail.ends_with(z))
                && tail.as_bytes()[3] == b':'
            {
                end += 10;
                out.push_str("[time]");
            } else {
                out.push_str("[date]");
            }
            i = end;
            continue;
        }
        let hex = run(i, &is_hex);
        if (hex == 32 || hex == 16) && (i == 0 || !is_hex(chars[i - 1])) {
            out.push_str("[hex]");
            i += hex;
            continue;
        }
        if hex > 0 && (i == 0 || !is_hex(chars[i - 1])) {
            let s: String = chars[i..i + hex].iter().collect();
            out.push_str(&s);
            i += hex;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

#[test]
fn redaction_replaces_ids_tokens_and_times_but_not_words() {
    assert_eq!(
        redact(
            "<a href=\"/sources/0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\">ADDED FACE</a> due 2026-03-02 09:30 UTC, born 1980-01-01, token 0123456789abcdef0123456789abcdef, 4 days"
        ),
        "<a href=\"/sources/[id]\">ADDED FACE</a> due [time], born [date], token [hex], 4 days"
    );
}
