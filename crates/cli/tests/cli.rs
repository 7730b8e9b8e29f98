//! The `humint` binary as an operator runs it: real processes, real files, real listeners.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use humint_store::testing::{backends, fresh_database, test_keys};
use humint_store::{Backend, SqlStore, Store as _};
use rstest::rstest;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const PASSWORD: &str = "correct horse battery staple";

struct Operator {
    dir: tempfile::TempDir,
    database_url: Option<String>,
    _db: Option<humint_store::testing::TestDatabase>,
}

impl Operator {
    async fn new(backend: Backend) -> Option<Operator> {
        if !backends().contains(&backend) {
            eprintln!("skipping {backend:?}: HUMINT_TEST_POSTGRES_URL is not set");
            return None;
        }
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("password"), format!("{PASSWORD}\n"))
            .expect("password file");
        std::fs::write(dir.path().join("weak"), "short\n").expect("password file");
        Some(match backend {
            Backend::Sqlite => Operator {
                dir,
                database_url: None,
                _db: None,
            },
            Backend::Postgres => {
                let db = fresh_database(backend).await;
                Operator {
                    dir,
                    database_url: Some(db.url.clone()),
                    _db: Some(db),
                }
            }
        })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn data(&self) -> PathBuf {
        self.path("data")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_humint"));
        cmd.args(args)
            .arg("--data-dir")
            .arg(self.data())
            .env_remove("HUMINT_DATABASE_URL")
            .env("HUMINT_LOG", "warn");
        if let Some(url) = &self.database_url {
            cmd.arg("--database-url").arg(url);
        }
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run humint")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "humint {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn fails(&self, args: &[&str]) -> (i32, String) {
        let out = self.run(args);
        assert!(!out.status.success(), "humint {args:?} should have failed");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn init(&self) {
        let secret = self.path("admin.totp");
        let pw = self.path("password");
        self.ok(&[
            "init",
            "--admin-user",
            "admin",
            "--admin-password-file",
            pw.to_str().unwrap(),
            "--totp-secret-out",
            secret.to_str().unwrap(),
        ]);
    }

    async fn store(&self) -> SqlStore {
        let url = self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data().join("humint.db").display()
            )
        });
        SqlStore::open(&url, test_keys()).await.expect("open store")
    }
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn administration_without_prompts(#[case] backend: Backend) {
    let Some(op) = Operator::new(backend).await else {
        return;
    };
    let pw = op.path("password");
    let pw = pw.to_str().unwrap();
    op.init();
    let secret = std::fs::read_to_string(op.path("admin.totp")).expect("secret file");
    assert_eq!(secret.trim().len(), 32, "a base32 TOTP secret");
    assert_eq!(mode(&op.path("admin.totp")), 0o600);

    let (_, err) = op.fails(&[
        "init",
        "--admin-user",
        "admin",
        "--admin-password-file",
        pw,
        "--totp-secret-out",
        "/dev/null",
    ]);
    assert!(err.contains("already initialised"), "{err}");

    let out = op.ok(&["compartment", "add", "ALPHA"]);
    assert!(out.contains("ALPHA"));
    let alice_totp = op.path("alice.totp");
    let out = op.ok(&[
        "user",
        "add",
        "alice",
        "--role",
        "handler",
        "--compartment",
        "ALPHA",
        "--password-file",
        pw,
        "--totp-secret-out",
        alice_totp.to_str().unwrap(),
    ]);
    let alice_secret = std::fs::read_to_string(&alice_totp).expect("secret");
    assert!(
        !out.contains(alice_secret.trim()) && !out.contains(PASSWORD),
        "secrets must not be printed: {out}"
    );
    op.ok(&[
        "user",
        "add",
        "bob",
        "--role",
        "analyst",
        "--password-file",
        pw,
        "--totp-secret-out",
        op.path("bob.totp").to_str().unwrap(),
    ]);
    op.ok(&["user", "grant", "bob", "ALPHA"]);
    op.ok(&["user", "disable", "bob"]);

    // Refusals: each says what is wrong, and nothing is written.
    let weak = op.path("weak");
    let (code, err) = op.fails(&[
        "user",
        "add",
        "carol",
        "--role",
        "handler",
        "--password-file",
        weak.to_str().unwrap(),
        "--totp-secret-out",
        op.path("c.totp").to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("WEAK_PASSWORD") && err.contains("12 characters"),
        "{err}"
    );
    assert!(
        !op.path("c.totp").exists(),
        "no secret file for a refused account"
    );
    let (code, err) = op.fails(&[
        "user",
        "add",
        "carol",
        "--role",
        "superuser",
        "--password-file",
        pw,
        "--totp-secret-out",
        "/dev/null",
    ]);
    assert_eq!(code, 2, "clap refuses an unknown role: {err}");
    assert!(err.contains("superuser"), "{err}");
    let (_, err) = op.fails(&["user", "grant", "alice", "NOWHERE"]);
    assert!(err.contains("compartment not found"), "{err}");
    let (_, err) = op.fails(&["compartment", "add", "ALPHA"]);
    assert!(err.contains("COMPARTMENT_EXISTS"), "{err}");

    let out = op.ok(&["keys", "rotate"]);
    assert!(
        out.contains("Key version 2 is now current; 3 fields re-encrypted"),
        "{out}"
    );
    let out = op.ok(&["audit", "verify"]);
    assert!(out.contains("The audit ledger is intact"), "{out}");
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn audit_verify_fails_and_names_the_event_after_tampering(#[case] backend: Backend) {
    let Some(op) = Operator::new(backend).await else {
        return;
    };
    op.init();
    for name in ["A", "B", "C"] {
        op.ok(&["compartment", "add", name]);
    }
    assert!(op.ok(&["audit", "verify"]).contains("intact"));
    let store = op.store().await;
    let unlock = match backend {
        Backend::Sqlite => "DROP TRIGGER audit_events_no_update",
        Backend::Postgres => "ALTER TABLE audit_events DISABLE TRIGGER USER",
    };
    store.execute_unchecked(unlock).await.expect("unlock");
    store
        .execute_unchecked("UPDATE audit_events SET action = 'nothing.happened' WHERE seq = 3")
        .await
        .expect("edit");
    store.close().await;
    let (code, err) = op.fails(&["audit", "verify"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("NOT intact") && err.contains("event 3"),
        "{err}"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn backup_then_restore_then_verify(#[case] backend: Backend) {
    let Some(op) = Operator::new(backend).await else {
        return;
    };
    op.init();
    op.ok(&["compartment", "add", "ALPHA"]);
    let file = op.path("station.backup");
    let out = op.ok(&["backup", "--out", file.to_str().unwrap()]);
    assert!(out.contains("master key is not in the backup"), "{out}");
    assert_eq!(mode(&file), 0o600);

    let (_, err) = op.fails(&["restore", file.to_str().unwrap()]);
    assert!(err.contains("--force"), "{err}");
    op.ok(&["compartment", "add", "BETA"]);
    op.ok(&["restore", file.to_str().unwrap(), "--force"]);
    assert!(op.ok(&["audit", "verify"]).contains("intact"));
    let (_, err) = op.fails(&["compartment", "add", "ALPHA"]);
    assert!(
        err.contains("COMPARTMENT_EXISTS"),
        "ALPHA came back with the backup: {err}"
    );
    op.ok(&["compartment", "add", "BETA"]); // BETA was made after the backup, so it is gone.

    // On a new machine: a fresh data directory, the old master key file.
    let Some(elsewhere) = Operator::new(backend).await else {
        return;
    };
    let key = op.data().join("master.key");
    let out = elsewhere.ok(&[
        "restore",
        file.to_str().unwrap(),
        "--master-key-file",
        key.to_str().unwrap(),
    ]);
    assert!(out.contains("Restored"), "{out}");
    assert!(
        elsewhere
            .ok(&[
                "audit",
                "verify",
                "--master-key-file",
                key.to_str().unwrap()
            ])
            .contains("intact")
    );
}

/// First run of `humint serve`: it creates the station, prints the admin's one-time password
/// and TOTP enrolment once, and serves both listeners; the printed credentials sign in.
#[tokio::test]
async fn serve_creates_a_station_and_its_first_admin_can_sign_in() {
    let Some(op) = Operator::new(Backend::Sqlite).await else {
        return;
    };
    let mut child = op
        .command(&[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--intake-listen",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start serve");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut printed = Vec::new();
    let (officer, intake) = loop {
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("serve printed its addresses");
        if let Some(rest) = line.strip_prefix("Officers: http://") {
            let mut parts = rest.split("   Intake portal: http://");
            break (
                parts.next().unwrap().to_owned(),
                parts.next().unwrap().to_owned(),
            );
        }
        printed.push(line);
    };
    let field = |label: &str| {
        printed
            .iter()
            .find_map(|l| l.trim().strip_prefix(label).map(|v| v.trim().to_owned()))
            .unwrap_or_else(|| panic!("no {label} in {printed:?}"))
    };
    let password = field("One-time password:");
    let secret =
        humint_crypto::TotpSecret::from_base32(&field("TOTP secret (base32):")).expect("secret");
    assert!(field("TOTP enrolment URI:").starts_with("otpauth://totp/"));
    assert_eq!(password.len(), 20);

    let client = reqwest::Client::new();
    let health = client
        .get(format!("http://{officer}/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    let code = humint_crypto::totp_code_at(&secret, chrono::Utc::now().timestamp());
    let login = client
        .post(format!("http://{officer}/api/v1/session"))
        .json(&serde_json::json!({"username": "admin", "password": password, "totp": code}))
        .send()
        .await
        .expect("login");
    assert_eq!(
        login.status(),
        201,
        "{}",
        login.text().await.unwrap_or_default()
    );
    let portal = client
        .get(format!("http://{intake}/"))
        .send()
        .await
        .expect("portal");
    assert!(
        portal.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    assert!(
        client
            .get(format!("http://{intake}/api/v1/me"))
            .send()
            .await
            .expect("portal")
            .status()
            .is_client_error(),
        "the portal serves no officer API"
    );

    // A second start finds the station and prints no new credentials.
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = child.wait().expect("wait");
    assert!(exit.success(), "serve stops cleanly on SIGTERM: {exit:?}");
    assert!(
        op.data().join("audit.checkpoint").exists(),
        "serve signs a checkpoint when it stops"
    );
    let mut again = op
        .command(&[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--intake-listen",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start serve");
    let first = BufReader::new(again.stdout.take().expect("stdout"))
        .lines()
        .next()
        .expect("a line")
        .expect("text");
    assert!(
        first.starts_with("Officers:"),
        "no new credentials on a second start: {first}"
    );
    let _ = again.kill();
    let _ = again.wait();
}

#[tokio::test]
async fn demo_fills_a_fresh_station_whose_officers_can_sign_in() {
    let Some(op) = Operator::new(Backend::Sqlite).await else {
        return;
    };
    let creds = op.path("demo.tsv");
    let out = op.ok(&["demo", "--credentials-out", creds.to_str().unwrap()]);
    assert!(out.contains("Demo station ready"), "{out}");
    assert_eq!(mode(&creds), 0o600);
    let text = std::fs::read_to_string(&creds).expect("credentials");
    assert!(
        !out.contains(
            text.lines()
                .nth(1)
                .unwrap_or("-")
                .split('\t')
                .nth(2)
                .unwrap_or("-")
        ),
        "passwords stay out of the terminal"
    );
    let sources: usize = out
        .split(" sources")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("source count");
    assert!(sources >= 40, "{out}");
    let roles: std::collections::BTreeSet<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').nth(1))
        .collect();
    for role in [
        "admin",
        "handler",
        "controller",
        "authorising_officer",
        "analyst",
        "auditor",
    ] {
        assert!(
            roles.contains(role),
            "no {role} among the demo officers: {roles:?}"
        );
    }
    assert!(op.ok(&["audit", "verify"]).contains("intact"));
    let (_, err) = op.fails(&[
        "demo",
        "--credentials-out",
        op.path("again.tsv").to_str().unwrap(),
    ]);
    assert!(err.contains("NOT_EMPTY"), "{err}");
}

/// `humint report inspection` on each backend: refusals for bad dates and a backwards period
/// (no file written), then a pack written 0600 and its read recorded in the ledger as
/// `system`, like every other command.
#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn report_inspection_writes_the_pack_and_refuses_bad_periods(#[case] backend: Backend) {
    let Some(op) = Operator::new(backend).await else {
        return;
    };
    op.init();
    let out = op.path("pack.html");
    let out_arg = out.to_str().unwrap();
    for (from, to, code) in [
        ("2026-02-30", "2026-03-31", "INVALID_DATE"),
        ("March", "2026-03-31", "INVALID_DATE"),
        ("2026-03-31", "2026-03-01", "INVALID_RANGE"),
    ] {
        let (_, err) = op.fails(&[
            "report",
            "inspection",
            "--from",
            from,
            "--to",
            to,
            "--out",
            out_arg,
        ]);
        assert!(err.contains(code), "{from}..{to}: {err}");
        assert!(!out.exists(), "nothing is written for a refused period");
    }
    let said = op.ok(&[
        "report",
        "inspection",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--out",
        out_arg,
    ]);
    assert!(said.contains("0 authorisations"), "{said}");
    assert_eq!(mode(&out), 0o600);
    let html = std::fs::read_to_string(&out).expect("pack");
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("Period: <strong>2026-03-01</strong> to <strong>2026-03-31</strong>"));
    assert!(html.contains("No authorisation was in force during the period."));
    let store = op.store().await;
    use humint_store::InspectionStore as _;
    let reads = store
        .audit_search(&humint_store::AuditFilter {
            action: Some("inspection.pack.read".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("ledger");
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(
        (reads[0].actor.as_str(), reads[0].object_id.as_str()),
        ("system", "2026-03-01..2026-03-31")
    );
    store.close().await;
    assert!(op.ok(&["audit", "verify"]).contains("intact"));
}

/// Over a demo station's year of history the pack lists its authorisations by codename and
/// no true identity: every demo name is a first name and a surname from these lists.
#[tokio::test]
async fn report_inspection_of_a_demo_station_names_no_source() {
    let Some(op) = Operator::new(Backend::Sqlite).await else {
        return;
    };
    let creds = op.path("demo.tsv");
    op.ok(&["demo", "--credentials-out", creds.to_str().unwrap()]);
    let today = chrono::Utc::now().date_naive();
    let from = (today - chrono::Duration::days(400)).to_string();
    let out = op.path("pack.html");
    let said = op.ok(&[
        "report",
        "inspection",
        "--from",
        &from,
        "--to",
        &today.to_string(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let count: usize = said
        .split(" authorisations")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("authorisation count");
    assert!(count >= 10, "{said}");
    let html = std::fs::read_to_string(&out).expect("pack");
    assert!(
        html.matches("<article>").count() == count,
        "one entry per authorisation"
    );
    const FIRST: &[&str] = &[
        "Alex", "Sam", "Jo", "Chris", "Robin", "Pat", "Lee", "Kim", "Ash", "Dana",
    ];
    const LAST: &[&str] = &[
        "Morgan",
        "Hughes",
        "Patel",
        "Novak",
        "Reyes",
        "Okafor",
        "Lindqvist",
        "Brennan",
    ];
    for first in FIRST {
        for last in LAST {
            let name = format!("{first} {last}");
            assert!(!html.contains(&name), "the pack shows {name}");
        }
    }
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn payment_thresholds_are_shown_and_set_without_prompts(#[case] backend: Backend) {
    let Some(op) = Operator::new(backend).await else {
        return;
    };
    op.init();
    let out = op.ok(&["settings", "payments"]);
    assert!(
        out.contains("above 500.00 (50000 minor units) each")
            && out.contains("above 5000.00 (500000 minor units)"),
        "the defaults: {out}"
    );
    // A single threshold above the yearly one is refused, and nothing changes.
    let (code, err) = op.fails(&["settings", "payments", "--single-threshold-minor", "600000"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("PAYMENT_POLICY_INVALID") && err.contains("above the yearly threshold"),
        "{err}"
    );
    let out = op.ok(&["settings", "payments"]);
    assert!(out.contains("(50000 minor units) each"), "{out}");
    // Setting one keeps the other.
    let out = op.ok(&[
        "settings",
        "payments",
        "--yearly-threshold-minor",
        "1000000",
        "--single-threshold-minor",
        "75050",
    ]);
    assert!(out.starts_with("Set. "), "{out}");
    let out = op.ok(&["settings", "payments", "--single-threshold-minor", "80000"]);
    assert!(
        out.contains("above 800.00 (80000 minor units) each")
            && out.contains("above 10000.00 (1000000 minor units)"),
        "{out}"
    );
    let store = op.store().await;
    let changes: Vec<String> = store
        .audit_events(0, 1000)
        .await
        .expect("events")
        .into_iter()
        .filter(|e| e.event.action == "settings.payments.change")
        .map(|e| e.event.object_id)
        .collect();
    assert_eq!(
        changes,
        [
            "payments: single 75050, yearly 1000000",
            "payments: single 80000, yearly 1000000"
        ]
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn rank_table_and_officer_ranks_are_set_without_prompts(#[case] backend: Backend) {
    let Some(op) = Operator::new(backend).await else {
        return;
    };
    op.init();
    let pw = op.path("password");
    op.ok(&[
        "user",
        "add",
        "ada",
        "--role",
        "authorising_officer",
        "--password-file",
        pw.to_str().unwrap(),
        "--totp-secret-out",
        op.path("ada.totp").to_str().unwrap(),
    ]);
    let out = op.ok(&["settings", "ranks"]);
    assert!(
        out.contains("No rank table is in force"),
        "the default: {out}"
    );
    // No table in force: there is nothing to record a rank against.
    let (code, err) = op.fails(&["user", "rank", "ada", "Superintendent"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("RANK_UNKNOWN") && err.contains("No rank table"),
        "{err}"
    );
    let (code, err) = op.fails(&["settings", "ranks", "--table", "royal-navy"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("RANK_TABLE_UNKNOWN") && err.contains("police-england-wales"),
        "{err}"
    );
    let out = op.ok(&["settings", "ranks", "--table", "police-england-wales"]);
    assert!(
        out.starts_with("Set. ") && out.contains("standard Superintendent, urgent Inspector"),
        "{out}"
    );
    let (code, err) = op.fails(&["user", "rank", "ada", "Captain"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("RANK_UNKNOWN") && err.contains("Chief Inspector"),
        "{err}"
    );
    let out = op.ok(&["user", "rank", "ada", "superintendent"]);
    assert!(
        out.contains("Recorded ada's rank: Superintendent."),
        "{out}"
    );
    let (code, err) = op.fails(&["user", "rank", "nobody", "Inspector"]);
    assert_eq!(code, 1, "{err}");
    let store = op.store().await;
    let user = store.user_by_name("ada").await.expect("read").expect("ada");
    assert_eq!(user.rank.as_deref(), Some("Superintendent"));
    let out = op.ok(&["settings", "ranks", "--table", "none"]);
    assert!(out.contains("Set. No rank table is in force"), "{out}");
    let actions: Vec<(String, String)> = store
        .audit_events(0, 1000)
        .await
        .expect("events")
        .into_iter()
        .filter(|e| e.event.action.starts_with("settings.ranks") || e.event.action == "user.rank")
        .map(|e| (e.event.action, e.event.object_id))
        .collect();
    assert_eq!(
        actions,
        [
            (
                "settings.ranks.change".to_owned(),
                "ranks: police-england-wales".to_owned()
            ),
            (
                "user.rank".to_owned(),
                format!("{}: Superintendent", user.id)
            ),
            ("settings.ranks.change".to_owned(), "ranks: none".to_owned()),
        ]
    );
}
