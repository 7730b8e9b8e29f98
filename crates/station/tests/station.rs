//! The station's services against a real database on each backend: encryption at rest, key
//! rotation, tamper detection in the audit ledger, backup and restore.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use chrono::TimeZone;
use humint_audit::FailureKind;
use humint_core::{FixedClock, Role, SeededEntropy};
use humint_crypto::{PasswordParams, TotpSecret, totp_code_at};
use humint_station::{LoginPolicy, Principal, Station, StationConfig, StationError};
use humint_store::testing::{TestDatabase, backends, fresh_database};
use humint_store::{Backend, Store as _};
use rstest::rstest;
use std::path::PathBuf;
use std::sync::Arc;

const PASSWORD: &str = "correct horse battery staple";

struct Fixture {
    station: Station,
    clock: FixedClock,
    admin_totp: TotpSecret,
    dir: tempfile::TempDir,
    _db: TestDatabase,
}

fn policy() -> LoginPolicy {
    LoginPolicy {
        password_params: PasswordParams::new(1024, 1, 1).expect("params"),
        ..LoginPolicy::default()
    }
}

async fn open_station(
    db: &TestDatabase,
    data_dir: PathBuf,
    key: Option<PathBuf>,
    clock: &FixedClock,
    seed: u64,
) -> Station {
    let config = StationConfig {
        data_dir,
        database_url: Some(db.url.clone()),
        master_key_file: key,
        login: policy(),
    };
    Station::open(
        config,
        Arc::new(clock.clone()),
        Arc::new(SeededEntropy::new(seed)),
    )
    .await
    .expect("open")
}

async fn fixture(backend: Backend) -> Option<Fixture> {
    if !backends().contains(&backend) {
        eprintln!("skipping {backend:?}: HUMINT_TEST_POSTGRES_URL is not set");
        return None;
    }
    let db = fresh_database(backend).await;
    let dir = tempfile::tempdir().expect("dir");
    let clock = FixedClock::new(
        chrono::Utc
            .with_ymd_and_hms(2026, 5, 1, 8, 0, 0)
            .single()
            .expect("time"),
    );
    let station = open_station(&db, dir.path().join("data"), None, &clock, 7).await;
    let enrolment = station
        .initialise("admin", Some(PASSWORD))
        .await
        .expect("init");
    let admin_totp = TotpSecret::from_base32(&enrolment.totp_base32).expect("secret");
    Some(Fixture {
        station,
        clock,
        admin_totp,
        dir,
        _db: db,
    })
}

impl Fixture {
    fn code(&self, secret: &TotpSecret) -> String {
        self.clock.advance(chrono::Duration::seconds(30));
        use humint_core::Clock;
        totp_code_at(secret, self.clock.now().timestamp())
    }

    async fn add(&self, name: &str) -> TotpSecret {
        let e = self
            .station
            .add_user(&Principal::system(), name, Role::Handler, &[], PASSWORD)
            .await
            .expect("add");
        TotpSecret::from_base32(&e.totp_base32).expect("secret")
    }

    /// Lets the test play an attacker with write access to the database: the ledger's
    /// append-only triggers are switched off.
    async fn unlock_ledger(&self) {
        let sql = match self.station.backend() {
            Backend::Sqlite => {
                "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete; DROP TRIGGER audit_checkpoints_no_delete;"
            }
            Backend::Postgres => {
                "ALTER TABLE audit_events DISABLE TRIGGER USER; ALTER TABLE audit_checkpoints DISABLE TRIGGER USER;"
            }
        };
        self.station
            .store()
            .execute_unchecked(sql)
            .await
            .expect("unlock");
    }

    async fn ledger_of(&self, events: i64) {
        for i in 0..events {
            self.station
                .add_compartment(&Principal::system(), &format!("C{i}"))
                .await
                .expect("write");
        }
    }

    async fn verify(&self) -> Result<i64, humint_audit::VerifyFailure> {
        self.station
            .verify_audit(&|_, _| {})
            .await
            .expect("read ledger")
            .map(|r| r.last_seq)
    }
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn secrets_are_ciphertext_at_rest_and_cannot_move_between_rows(#[case] backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let alice = f.add("alice").await;
    let bob = f.add("bob").await;
    let stored = f
        .station
        .store()
        .user_by_name("alice")
        .await
        .expect("lookup")
        .expect("alice");
    let base32 = alice.to_base32();
    assert!(
        !stored
            .totp_secret
            .windows(base32.len())
            .any(|w| w == base32.as_bytes()),
        "the TOTP secret is stored in clear"
    );
    assert!(
        stored.totp_secret.len() > base32.len() + 16,
        "not an authenticated envelope"
    );

    // Copy alice's ciphertext over bob's: bound to alice's row, it must not open as bob's.
    let sql = "UPDATE users SET totp_secret = (SELECT totp_secret FROM users WHERE username = 'alice') WHERE username = 'bob'";
    f.station
        .store()
        .execute_unchecked(sql)
        .await
        .expect("tamper");
    let moved = f.station.login("bob", PASSWORD, &f.code(&alice)).await;
    assert!(
        matches!(
            moved,
            Err(StationError::Crypto(
                humint_crypto::CryptoError::TamperedCiphertext
            ))
        ),
        "{moved:?}"
    );
    let _ = bob;
    f.station
        .login("alice", PASSWORD, &f.code(&alice))
        .await
        .expect("alice is unaffected");
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn key_rotation_reencrypts_every_field_and_sign_in_still_works(#[case] backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let alice = f.add("alice").await;
    let seen = std::sync::Mutex::new(Vec::new());
    let rotation = f
        .station
        .rotate_keys(&Principal::system(), &|d, t| {
            seen.lock().unwrap().push((d, t))
        })
        .await
        .expect("rotate");
    assert_eq!(rotation.new_version, 2);
    assert_eq!(rotation.fields_rewrapped, 2);
    assert_eq!(
        seen.lock().unwrap().last(),
        Some(&(2, 2)),
        "progress reaches the total"
    );
    for name in ["admin", "alice"] {
        let user = f
            .station
            .store()
            .user_by_name(name)
            .await
            .expect("lookup")
            .expect("user");
        assert_eq!(
            humint_crypto::blob_version(&user.totp_secret),
            Some(2),
            "{name} still under the old key"
        );
    }
    f.station
        .login("alice", PASSWORD, &f.code(&alice))
        .await
        .expect("alice signs in after rotation");
    f.station
        .login("admin", PASSWORD, &f.code(&f.admin_totp))
        .await
        .expect("admin signs in after rotation");
    let handler = Principal {
        role: Role::Handler,
        ..Principal::system()
    };
    assert!(matches!(
        f.station.rotate_keys(&handler, &|_, _| {}).await,
        Err(StationError::Forbidden { .. })
    ));
    assert!(f.verify().await.is_ok());
}

/// Each way of rewriting history, and the first event verification must name.
#[rstest]
#[case::sqlite_edit(Backend::Sqlite, "edit")]
#[case::sqlite_delete(Backend::Sqlite, "delete")]
#[case::sqlite_reorder(Backend::Sqlite, "reorder")]
#[case::sqlite_truncate(Backend::Sqlite, "truncate")]
#[case::postgres_edit(Backend::Postgres, "edit")]
#[case::postgres_delete(Backend::Postgres, "delete")]
#[case::postgres_reorder(Backend::Postgres, "reorder")]
#[case::postgres_truncate(Backend::Postgres, "truncate")]
#[tokio::test]
async fn audit_verify_names_the_first_tampered_event(
    #[case] backend: Backend,
    #[case] tamper: &str,
) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    f.ledger_of(9).await; // events 1 (init) to 10
    f.station.checkpoint_audit().await.expect("checkpoint");
    assert_eq!(f.verify().await.expect("intact before tampering"), 10);
    f.unlock_ledger().await;
    let store = f.station.store();
    let expected_seq = match tamper {
        "edit" => {
            store
                .execute_unchecked("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 5")
                .await
                .expect("edit");
            5
        }
        "delete" => {
            store
                .execute_unchecked("DELETE FROM audit_events WHERE seq = 4")
                .await
                .expect("delete");
            4
        }
        "reorder" => {
            // Swap the contents of events 6 and 7, keeping their numbers.
            store
                .execute_unchecked("UPDATE audit_events SET seq = -6 WHERE seq = 6")
                .await
                .expect("swap");
            store
                .execute_unchecked("UPDATE audit_events SET seq = 6 WHERE seq = 7")
                .await
                .expect("swap");
            store
                .execute_unchecked("UPDATE audit_events SET seq = 7 WHERE seq = -6")
                .await
                .expect("swap");
            6
        }
        _ => {
            // Cut the tail and every checkpoint in the database: the data directory's copy remains.
            store
                .execute_unchecked("DELETE FROM audit_events WHERE seq > 7")
                .await
                .expect("truncate");
            store
                .execute_unchecked("DELETE FROM audit_checkpoints")
                .await
                .expect("truncate checkpoints");
            8
        }
    };
    let failure = f.verify().await.expect_err("tampering must be detected");
    assert_eq!(failure.seq, expected_seq, "{tamper}: {failure}");
    let kind_ok = match tamper {
        "edit" | "reorder" => matches!(
            failure.kind,
            FailureKind::BadMac | FailureKind::OutOfOrder { .. }
        ),
        "delete" => matches!(failure.kind, FailureKind::Gap { .. }),
        _ => matches!(failure.kind, FailureKind::Truncated { .. }),
    };
    assert!(kind_ok, "{tamper}: {:?}", failure.kind);
    assert!(
        failure.to_string().contains(&expected_seq.to_string()),
        "the message names the event: {failure}"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn backup_restore_verify_and_sign_in_on_the_restored_station(#[case] backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let alice = f.add("alice").await;
    f.ledger_of(3).await;
    let file = f.dir.path().join("station.backup");
    let summary = f
        .station
        .backup_to(&Principal::system(), &file)
        .await
        .expect("backup");
    assert!(summary.rows > 5);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777,
            0o600
        );
    }

    for target in backends() {
        // A new station elsewhere, with the original's master key: everything comes back.
        let db = fresh_database(target).await;
        let key = f.station.config().master_key_path();
        let restored = open_station(
            &db,
            f.dir.path().join(format!("restored-{target:?}")),
            Some(key),
            &f.clock,
            8,
        )
        .await;
        restored
            .restore_from(&Principal::system(), &file, false)
            .await
            .expect("restore");
        assert!(
            restored
                .verify_audit(&|_, _| {})
                .await
                .expect("read")
                .is_ok(),
            "the restored ledger verifies"
        );
        restored
            .login("alice", PASSWORD, &f.code(&alice))
            .await
            .expect("alice signs in on the restored station");

        // A station with another master key (other entropy, so another key) refuses the backup before writing anything.
        let db2 = fresh_database(target).await;
        let stranger = open_station(
            &db2,
            f.dir.path().join(format!("stranger-{target:?}")),
            None,
            &f.clock,
            9,
        )
        .await;
        let refused = stranger
            .restore_from(&Principal::system(), &file, false)
            .await;
        assert!(
            matches!(
                &refused,
                Err(StationError::Invalid {
                    code: "BACKUP_OTHER_KEY",
                    ..
                })
            ),
            "{refused:?}"
        );
        assert!(
            !stranger.is_initialised().await.expect("state"),
            "nothing was restored"
        );
    }

    // Over the live station: refused without force.
    let refused = f
        .station
        .restore_from(&Principal::system(), &file, false)
        .await;
    assert!(
        matches!(
            &refused,
            Err(StationError::Conflict {
                code: "STATION_LIVE",
                ..
            })
        ),
        "{refused:?}"
    );

    // A damaged file is refused before anything is touched, even with force.
    let text = std::fs::read_to_string(&file).expect("read");
    let cut = f.dir.path().join("cut.backup");
    std::fs::write(&cut, &text[..text.len() / 2]).expect("write");
    let refused = f
        .station
        .restore_from(&Principal::system(), &cut, true)
        .await;
    assert!(
        matches!(
            &refused,
            Err(StationError::Invalid {
                code: "BACKUP_INVALID",
                ..
            })
        ),
        "{refused:?}"
    );
    assert!(
        f.station
            .store()
            .user_by_name("alice")
            .await
            .expect("lookup")
            .is_some()
    );
}

#[cfg(unix)]
#[tokio::test]
async fn the_master_key_and_data_directory_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("dir");
    let clock = FixedClock::new(
        chrono::Utc
            .with_ymd_and_hms(2026, 5, 1, 8, 0, 0)
            .single()
            .expect("time"),
    );
    let config = StationConfig {
        login: policy(),
        ..StationConfig::new(dir.path().join("data"))
    };
    let station = Station::open(config, Arc::new(clock), Arc::new(SeededEntropy::new(3)))
        .await
        .expect("open");
    station
        .initialise("admin", Some(PASSWORD))
        .await
        .expect("init");
    let key = station.config().master_key_path();
    assert_eq!(
        std::fs::metadata(&key).expect("key").permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(station.data_dir())
            .expect("dir")
            .permissions()
            .mode()
            & 0o777,
        0o700
    );
    station.close().await;
    // The key is nowhere in the database files.
    let key_hex = std::fs::read_to_string(&key).expect("read");
    let key_bytes = hex::decode(key_hex.trim()).expect("hex key");
    for entry in std::fs::read_dir(station.data_dir()).expect("list") {
        let path = entry.expect("entry").path();
        if path == key {
            continue;
        }
        let bytes = std::fs::read(&path).expect("read file");
        for needle in [key_hex.trim().as_bytes(), key_bytes.as_slice()] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "the master key is in {}",
                path.display()
            );
        }
    }
}

/// A backup made before migration 0012 names the register's tables without their envelope
/// columns and holds the texts in plaintext: it restores, and the restore seals them.
#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_backup_from_before_sealing_restores_with_its_register_text_sealed(
    #[case] backend: Backend,
) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    const DESCRIPTION: &str = "The handler told a colleague where CHIS HARBOUR meets.";
    const REFERENCE: &str = "IPC/2026/HARBOUR-7";
    const OPEN: &str = "A meeting with CHIS HARBOUR was recorded against the wrong authorisation.";
    f.station
        .add_compartment(&Principal::system(), "ALPHA")
        .await
        .expect("compartment");
    let carl = f
        .station
        .add_user(
            &Principal::system(),
            "carl",
            Role::Controller,
            &["ALPHA".to_owned()],
            PASSWORD,
        )
        .await
        .expect("carl");
    // A row as the older version wrote it.
    f.station
        .store()
        .execute_unchecked(&format!(
            "INSERT INTO relevant_errors (id, compartment_id, source_id, authorisation_id, description, identified_at, established_at, established_by, report_due_at, reported_at, reported_by, reference, recorded_by, recorded_at) \
             SELECT '0195f000-0000-7000-8000-0000000000aa', c.id, NULL, NULL, '{DESCRIPTION}', 1777600000000, NULL, NULL, NULL, 1777610000000, u.id, '{REFERENCE}', u.id, 1777600000000 \
             FROM compartments c, users u WHERE c.name = 'ALPHA' AND u.username = 'carl'"
        ))
        .await
        .expect("an old row");
    // And one not yet reported, which the alert schedule (rebuilt below) reads.
    f.station
        .store()
        .execute_unchecked(&format!(
            "INSERT INTO relevant_errors (id, compartment_id, source_id, authorisation_id, description, identified_at, established_at, established_by, report_due_at, reported_at, reported_by, reference, recorded_by, recorded_at) \
             SELECT '0195f000-0000-7000-8000-0000000000ab', c.id, NULL, NULL, '{OPEN}', 1777600000000, 1777600000000, u.id, 1778800000000, NULL, NULL, NULL, u.id, 1777600000000 \
             FROM compartments c, users u WHERE c.name = 'ALPHA' AND u.username = 'carl'"
        ))
        .await
        .expect("an old open row");
    let file = f.dir.path().join("station.backup");
    f.station
        .backup_to(&Principal::system(), &file)
        .await
        .expect("backup");
    // The same backup as the older version wrote it: no envelope columns, and (as from a
    // version before the alert schedule) no record that the schedule was built, so the
    // restore rebuilds it from the register, after sealing.
    let added = humint_store::backup::ADDED_COLUMNS;
    let mut keep: Option<usize> = None;
    let (mut in_meta, mut dropped) = (false, 0u64);
    let mut old = String::new();
    for line in std::fs::read_to_string(&file).expect("read").lines() {
        let mut v: serde_json::Value = serde_json::from_str(line).expect("json");
        let kind = v["kind"].as_str().unwrap_or_default().to_owned();
        if kind == "table" {
            in_meta = v["name"] == "alert_schedule_meta";
            let columns = v["columns"].as_array_mut().expect("columns");
            let before = columns.len();
            columns.retain(|c| !added.contains(&c.as_str().expect("name")));
            keep = (columns.len() != before).then_some(columns.len());
        } else if kind == "row" && in_meta {
            dropped += 1;
            continue;
        } else if let (Some(n), "row") = (keep, kind.as_str()) {
            v["values"].as_array_mut().expect("values").truncate(n);
        } else if kind == "footer" {
            v["rows"] = (v["rows"].as_u64().expect("rows") - dropped).into();
        }
        old.push_str(&v.to_string());
        old.push('\n');
    }
    assert!(old.contains(DESCRIPTION) && !old.contains("description_sealed"));
    let old_file = f.dir.path().join("old.backup");
    std::fs::write(&old_file, old).expect("write");

    for target in backends() {
        let db = fresh_database(target).await;
        let key = f.station.config().master_key_path();
        let restored = open_station(
            &db,
            f.dir.path().join(format!("restored-{target:?}")),
            Some(key),
            &f.clock,
            8,
        )
        .await;
        restored
            .restore_from(&Principal::system(), &old_file, false)
            .await
            .expect("an older backup restores");
        let values = restored
            .store()
            .table_values_unchecked("relevant_errors")
            .await
            .expect("read");
        for text in [DESCRIPTION, REFERENCE, OPEN] {
            assert!(
                !values
                    .iter()
                    .any(|v| v.windows(text.len()).any(|w| w == text.as_bytes())),
                "\"{text}\" is still plaintext after the restore"
            );
        }
        let reader = Principal {
            user_id: carl.user_id.clone(),
            username: "carl".to_owned(),
            role: Role::Controller,
            compartments: ["ALPHA".to_owned()].into(),
            session_expires_at_ms: i64::MAX,
        };
        let errors = restored
            .list_errors(
                &reader,
                None,
                false,
                false,
                humint_store::Page {
                    after: None,
                    limit: 10,
                },
            )
            .await
            .expect("the register reads");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[1].description, OPEN);
        assert_eq!(errors[0].description, DESCRIPTION);
        assert_eq!(errors[0].reference.as_deref(), Some(REFERENCE));
        assert!(
            restored
                .verify_audit(&|_, _| {})
                .await
                .expect("read")
                .is_ok(),
            "the sealing event extends a ledger that verifies"
        );
    }
}

/// Plaintext left by an older version is sealed a batch (500) at a time, every row of it, with
/// one audit event giving the count, whether the last batch is full or not; opening again
/// seals nothing and records nothing.
#[rstest]
#[case::sqlite_full_batch(Backend::Sqlite, 500)]
#[case::sqlite_three_batches(Backend::Sqlite, 1001)]
#[case::postgres_full_batch(Backend::Postgres, 500)]
#[case::postgres_three_batches(Backend::Postgres, 1001)]
#[tokio::test]
async fn plaintext_register_text_is_sealed_in_batches_with_one_event(
    #[case] backend: Backend,
    #[case] rows: i64,
) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    f.station
        .add_compartment(&Principal::system(), "ALPHA")
        .await
        .expect("compartment");
    let store = f.station.store();
    store
        .execute_unchecked(
            "INSERT INTO requirements (id, compartment_id, title, detail, priority, opened_at, review_by, review_due_at, closed_at, created_by) \
             SELECT '0195f000-0000-7000-8000-0000000000r1', id, 'Docks', 'Who unloads at night', 2, 1777600000000, '2026-12-31', 1798761600000, NULL, 'system' \
             FROM compartments WHERE name = 'ALPHA'",
        )
        .await
        .expect("a requirement");
    store
        .execute_unchecked(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) \
             INSERT INTO requirement_events (id, requirement_id, kind, at_ms, actor, review_by, note) \
             SELECT 'legacy-' || i, '0195f000-0000-7000-8000-0000000000r1', 'review', 1777600000000 + i, 'system', '2026-12-31', 'Old note number ' || i || ' about the docks.' FROM n"
        ))
        .await
        .expect("old rows");
    let head = store.audit_last_seq().await.expect("head");
    assert_eq!(
        f.station.seal_plaintext_texts().await.expect("seal"),
        u64::try_from(rows).expect("count")
    );
    let values = store
        .table_values_unchecked("requirement_events")
        .await
        .expect("read");
    assert!(
        !values
            .iter()
            .any(|v| v.windows(15).any(|w| w == b"Old note number")),
        "no note left in plaintext"
    );
    let events = store.audit_events(head, 10).await.expect("events");
    let sealing: Vec<_> = events
        .iter()
        .filter(|e| e.event.action == "register.text.seal")
        .map(|e| e.event.object_id.clone())
        .collect();
    assert_eq!(sealing, [rows.to_string()]);
    // Key rotation re-wraps them with the rest (the admin's TOTP secret).
    let rotation = f
        .station
        .rotate_keys(&Principal::system(), &|_, _| {})
        .await
        .expect("rotate");
    assert_eq!(
        rotation.fields_rewrapped,
        u64::try_from(rows).expect("count") + 1
    );
    let head = store.audit_last_seq().await.expect("head");
    assert_eq!(f.station.seal_plaintext_texts().await.expect("again"), 0);
    assert_eq!(store.audit_last_seq().await.expect("head"), head);
}
