//! One real browser: headless Chromium with JavaScript disabled (Tor Browser "Safest"),
//! driven through chromedriver's W3C WebDriver HTTP API, through submit → codename → sign-in
//! → reply → verify.
//!
//! Needs Debian's `chromium` and `chromium-driver` (scripts/test installs them). Without them
//! the test is skipped, except in CI, where it fails.

use super::{only_thread, open_door};
use crate::harness::TestStation;
use humint_core::Role;
use humint_store::Backend;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn which(name: &str) -> Option<String> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| format!("{d}/{name}"))
        .find(|p| std::path::Path::new(p).is_file())
}

/// chromedriver, stopped (by its own handle) when the test ends.
struct Driver {
    child: std::process::Child,
    base: String,
    session: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    async fn start(chromium: &str, chromedriver: &str) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let profile = tempfile::tempdir().unwrap();
        let mut driver = Driver {
            child,
            base,
            session: String::new(),
            http,
            _profile: profile,
        };
        for _ in 0..100 {
            if let Ok(r) = driver
                .http
                .get(format!("{}/status", driver.base))
                .send()
                .await
                && r.status().is_success()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         format!("--user-data-dir={}", driver._profile.path().display())],
                "prefs": {"profile.managed_default_content_settings.javascript": 2}
            }
        }}});
        let created = driver.call("POST", "/session", Some(caps)).await;
        driver.session = created["sessionId"]
            .as_str()
            .expect("a WebDriver session")
            .to_owned();
        // A form's answer may still be loading when the next element is looked for.
        driver
            .call("POST", "/timeouts", Some(json!({"implicit": 10_000})))
            .await;
        driver
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = if self.session.is_empty() || path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body.unwrap_or_else(|| json!({}))),
        };
        let response = request
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .expect("WebDriver call");
        let value: Value = response.json().await.expect("WebDriver JSON");
        assert!(
            value["value"].get("error").is_none(),
            "WebDriver {method} {path}: {value}"
        );
        value["value"].clone()
    }

    async fn go(&self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url}))).await;
    }

    async fn find(&self, css: &str) -> String {
        let v = self
            .call(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_owned()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.call("POST", &format!("/element/{id}/click"), None)
            .await;
    }

    async fn text(&self, css: &str) -> String {
        let id = self.find(css).await;
        self.call("GET", &format!("/element/{id}/text"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The page source once it contains `needle` (a form's answer may still be loading).
    async fn wait_for(&self, needle: &str) -> String {
        let mut source = String::new();
        for _ in 0..100 {
            source = self.source().await;
            if source.contains(needle) {
                return source;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the page never showed {needle:?}: {source}");
    }

    async fn title(&self) -> String {
        self.call("GET", "/title", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    async fn source(&self) -> String {
        self.call("GET", "/source", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Saves a screenshot when HUMINT_SCREENSHOTS names a folder (for a person to look at).
    async fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("HUMINT_SCREENSHOTS") else {
            return;
        };
        let png = self.call("GET", "/screenshot", None).await;
        use base64::Engine as _;
        if let Some(bytes) = png
            .as_str()
            .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
        {
            let _ = std::fs::write(
                std::path::Path::new(&dir).join(format!("{name}.png")),
                bytes,
            );
        }
    }

    async fn quit(&mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send()
            .await;
    }
}

#[tokio::test]
async fn chromium_without_javascript_goes_through_the_whole_portal() {
    let (Some(chromium), Some(chromedriver)) = (which("chromium"), which("chromedriver")) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have chromium and chromedriver (scripts/test installs them)"
        );
        eprintln!("skipping: chromium or chromedriver is not installed");
        return;
    };
    let Some(t) = TestStation::start(Backend::Sqlite).await else {
        return;
    };
    let (_c, p) = open_door(&t).await;
    let mut d = Driver::start(&chromium, &chromedriver).await;

    // JavaScript really is off: a page whose script would change its title keeps it.
    d.go("data:text/html,<title>off</title><script>document.title='on'</script>")
        .await;
    assert_eq!(d.title().await, "off", "JavaScript must be disabled");

    // First contact, with a file.
    let upload = tempfile::tempdir().unwrap();
    let file = upload.path().join("evidence.txt");
    std::fs::write(&file, "the schedule").unwrap();
    d.go(&p.url("/")).await;
    d.screenshot("1-start").await;
    d.type_into("#message", "I saw the shipment being unloaded at night.")
        .await;
    d.type_into("#file", &file.display().to_string()).await;
    d.click("#send").await;
    let codename = d.text("#codename").await;
    d.screenshot("2-codename").await;
    assert_eq!(codename.split(' ').count(), 7, "{codename}");

    // An officer replies.
    let id = only_thread(&t).await;
    let alice = t.officer("alice", Role::Handler, &[]).await;
    let token = t.login(&alice).await;
    let (status, _) = t
        .post_json(
            Some(&token),
            &format!("/api/v1/intake/{id}/replies"),
            json!({"text": "Thank you. Can you say which night?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // The volunteer signs in and reads it.
    d.go(&p.url("/login")).await;
    d.type_into("#codename-input", &codename).await;
    d.click("#sign-in").await;
    let reply = d.text(".reply-text").await;
    d.screenshot("3-thread").await;
    assert_eq!(reply, "Thank you. Can you say which night?");
    d.wait_for("with a file").await;

    // They answer; the thread shows it.
    d.type_into("#message", "Tuesday, around 2am.").await;
    d.click("#send").await;
    d.wait_for("Received on").await;
    let list = t
        .station
        .intake_get(&humint_station::Principal::system(), &id)
        .await
        .unwrap();
    assert_eq!(list.received, 2);

    // Someone approached checks the phrase an officer gave them.
    let (_, issued) = t
        .post_json(Some(&token), "/api/v1/verification-phrases", json!({}))
        .await;
    d.go(&p.url("/verify")).await;
    d.type_into("#phrase", issued["phrase"].as_str().unwrap())
        .await;
    d.click("#check").await;
    d.screenshot("4-verdict").await;
    assert_eq!(d.text("#verdict").await, "genuine");
    d.quit().await;
}
