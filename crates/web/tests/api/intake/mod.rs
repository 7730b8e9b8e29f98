//! The intake portal driven as a browser would (plain HTTP forms, cookies, redirects), and the
//! officers' side of it over the API, on each backend.

#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

mod browser;
mod limits;
mod officer;
mod portal;
mod secrecy;

use crate::harness::TestStation;
use humint_station::Principal;
use humint_station::intake::{CodenameKdf, IntakePolicy};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use std::time::Duration;

/// Limits for tests: cheap Argon2, a short sign-in floor, room for a burst of submissions.
pub fn test_policy() -> IntakePolicy {
    IntakePolicy {
        file_max_bytes: 4 * 1024 * 1024,
        message_max_bytes: 10_000,
        submissions_per_minute: 600,
        submission_burst: 100,
        attempts_per_minute: 600,
        attempt_burst: 100,
        login_floor: Duration::from_millis(150),
        kdf: CodenameKdf {
            memory_kib: 256,
            iterations: 1,
            lanes: 1,
        },
        ..IntakePolicy::default()
    }
}

/// An offline custodian: their identity file and its recipient.
pub struct Custodian {
    pub dir: tempfile::TempDir,
    pub identity_file: std::path::PathBuf,
    pub recipient: String,
}

pub fn custodian() -> Custodian {
    let (secret, recipient) = humint_station::intake::generate_custodian_identity();
    let dir = tempfile::tempdir().expect("custodian dir");
    let identity_file = dir.path().join("custodian.txt");
    std::fs::write(
        &identity_file,
        format!("# public key: {recipient}\n{}\n", *secret),
    )
    .expect("write identity");
    Custodian {
        dir,
        identity_file,
        recipient,
    }
}

/// A portal on its own loopback port, in front of the test's station.
pub struct Portal {
    pub base: String,
    pub client: reqwest::Client,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Portal {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub async fn serve_portal(t: &TestStation, policy: IntakePolicy) -> Portal {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let router = humint_web::intake::intake_router_with(t.station.clone(), policy);
    let server = tokio::spawn(async move {
        axum::serve(listener, router).await.expect("serve portal");
    });
    Portal {
        base,
        client: browser_client(),
        server,
    }
}

/// A client that behaves like a browser with JavaScript off: keeps cookies, follows redirects.
pub fn browser_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client")
}

/// A station with a registered custodian and a portal.
pub async fn open_door(t: &TestStation) -> (Custodian, Portal) {
    let c = custodian();
    t.station
        .intake_add_recipient(&Principal::system(), &c.recipient)
        .await
        .expect("add recipient");
    let p = serve_portal(t, test_policy()).await;
    (c, p)
}

/// The text between `id="{id}">` and the next `<`.
pub fn element(html: &str, id: &str) -> Option<String> {
    let marker = format!("id=\"{id}\">");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('<')? + start;
    Some(html[start..end].trim().to_owned())
}

pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    let end = html[start..].find('"').expect("end of token") + start;
    html[start..end].to_owned()
}

impl Portal {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn page(&self, response: reqwest::Response) -> (StatusCode, String) {
        let status = response.status();
        (status, response.text().await.expect("body"))
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        self.page(self.client.get(self.url(path)).send().await.expect("GET"))
            .await
    }

    /// The CSRF token of a page's form, as a browser would have it after loading the page.
    pub async fn token(&self, path: &str) -> String {
        let (status, html) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {html}");
        csrf_in(&html)
    }

    pub fn form(token: &str, message: &str, file: Option<(&str, Vec<u8>)>) -> Form {
        let form = Form::new()
            .text("csrf", token.to_owned())
            .text("message", message.to_owned());
        match file {
            Some((name, bytes)) => form.part("file", Part::bytes(bytes).file_name(name.to_owned())),
            // A browser sends an empty file part when no file was chosen.
            None => form.part("file", Part::bytes(Vec::new()).file_name("")),
        }
    }

    /// Fills in the start page's form and sends it; the answer after redirects.
    pub async fn submit(
        &self,
        message: &str,
        file: Option<(&str, Vec<u8>)>,
    ) -> (StatusCode, String) {
        let token = self.token("/").await;
        let response = self
            .client
            .post(self.url("/submit"))
            .multipart(Self::form(&token, message, file))
            .send()
            .await
            .expect("POST /submit");
        self.page(response).await
    }

    /// Submits and returns the codename shown.
    pub async fn first_contact(&self, message: &str, file: Option<(&str, Vec<u8>)>) -> String {
        let (status, html) = self.submit(message, file).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        element(&html, "codename").expect("a codename on the page")
    }

    pub async fn login(&self, codename: &str) -> (StatusCode, String) {
        let token = self.token("/login").await;
        let response = self
            .client
            .post(self.url("/login"))
            .form(&[("csrf", token.as_str()), ("codename", codename)])
            .send()
            .await
            .expect("POST /login");
        self.page(response).await
    }

    pub async fn send_more(
        &self,
        message: &str,
        file: Option<(&str, Vec<u8>)>,
    ) -> (StatusCode, String) {
        let token = self.token("/thread").await;
        let response = self
            .client
            .post(self.url("/thread"))
            .multipart(Self::form(&token, message, file))
            .send()
            .await
            .expect("POST /thread");
        self.page(response).await
    }

    pub async fn verify(&self, phrase: &str) -> (StatusCode, String) {
        let token = self.token("/verify").await;
        let response = self
            .client
            .post(self.url("/verify"))
            .form(&[("csrf", token.as_str()), ("phrase", phrase)])
            .send()
            .await
            .expect("POST /verify");
        self.page(response).await
    }

    pub async fn logout(&self) {
        let token = self.token("/thread").await;
        let response = self
            .client
            .post(self.url("/logout"))
            .form(&[("csrf", token.as_str())])
            .send()
            .await
            .expect("POST /logout");
        assert_eq!(response.status(), StatusCode::OK);
    }

    /// A new browser (no cookies) on the same portal.
    pub fn fresh(&self) -> Portal {
        Portal {
            base: self.base.clone(),
            client: browser_client(),
            server: tokio::spawn(async {}),
        }
    }
}

/// The only thread's id, as officers see it.
pub async fn only_thread(t: &TestStation) -> String {
    let list = t
        .station
        .intake_list(&Principal::system())
        .await
        .expect("list");
    assert_eq!(list.len(), 1, "{list:?}");
    list[0].id.clone()
}
