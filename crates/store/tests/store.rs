//! The store suite: every case runs on SQLite, and on PostgreSQL when
//! `HUMINT_TEST_POSTGRES_URL` names a server (and must, when `CI` is set).

use humint_audit::Verifier;
use humint_store::backup::{BackupSummary, TABLES};
use humint_store::testing::{backends, fresh_store, test_keys};
use humint_store::{
    AuditContext, Backend, CHECKPOINT_EVERY, CompartmentRecord, KeyVersionRow, NewUser,
    SessionRecord, SqlStore, Store, StoreError,
};
use rstest::rstest;
use std::collections::VecDeque;

fn ctx(action: &str, object: &str) -> AuditContext {
    AuditContext::new(1_700_000_000_000, "system", "admin", action, "test", object)
}

fn user(id: &str, name: &str, compartments: &[&str]) -> NewUser {
    NewUser {
        id: id.to_owned(),
        username: name.to_owned(),
        role: "handler".to_owned(),
        password_hash: "$argon2id$stub".to_owned(),
        totp_secret: vec![1, 2, 3],
        created_at_ms: 1_700_000_000_000,
        compartment_ids: compartments.iter().map(|c| c.to_string()).collect(),
    }
}

async fn initialised(backend: Backend) -> Option<(SqlStore, humint_store::testing::TestDatabase)> {
    if !backends().contains(&backend) {
        eprintln!(
            "skipping {backend:?}: {} is not set",
            humint_store::testing::POSTGRES_ENV
        );
        return None;
    }
    let (store, db) = fresh_store(backend).await;
    let key = KeyVersionRow {
        version: 1,
        wrapped: vec![9; 40],
        created_at_ms: 1,
    };
    store
        .initialise(
            "station-1",
            &key,
            &user("u-admin", "admin", &[]),
            &ctx("station.init", "station-1"),
        )
        .await
        .expect("initialise");
    Some((store, db))
}

async fn verify(store: &SqlStore) -> Result<i64, humint_audit::VerifyFailure> {
    let keys = test_keys();
    let mut verifier = Verifier::new(&keys.chain, &keys.checkpoint);
    let mut after = 0;
    loop {
        let page = store.audit_events(after, 500).await.expect("read ledger");
        if page.is_empty() {
            break;
        }
        for e in &page {
            verifier.push(e)?;
        }
        after = page.last().map(|e| e.event.seq).unwrap_or(after);
    }
    let cps = store.audit_checkpoints().await.expect("checkpoints");
    verifier.finish(&cps, None).map(|r| r.last_seq)
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_station_initialises_once(#[case] backend: Backend) {
    let Some((store, _db)) = initialised(backend).await else {
        return;
    };
    assert!(!store.is_empty().await.expect("is_empty"));
    assert_eq!(
        store.meta("station_id").await.expect("meta").as_deref(),
        Some("station-1")
    );
    let again = store
        .initialise(
            "station-2",
            &KeyVersionRow {
                version: 2,
                wrapped: vec![],
                created_at_ms: 1,
            },
            &user("u2", "other", &[]),
            &ctx("station.init", "x"),
        )
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    // Nothing of the refused second initialisation was written.
    assert!(store.user_by_name("other").await.expect("lookup").is_none());
    assert_eq!(store.key_versions().await.expect("keys").len(), 1);
    assert_eq!(store.audit_count().await.expect("count"), 1);
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn users_compartments_and_grants(#[case] backend: Backend) {
    let Some((store, _db)) = initialised(backend).await else {
        return;
    };
    let c = CompartmentRecord {
        id: "c-1".into(),
        name: "ALPHA".into(),
        created_at_ms: 5,
    };
    store
        .create_compartment(&c, &ctx("compartment.create", "c-1"))
        .await
        .expect("create");
    let dup = CompartmentRecord {
        id: "c-2".into(),
        name: "ALPHA".into(),
        created_at_ms: 5,
    };
    assert!(matches!(
        store
            .create_compartment(&dup, &ctx("compartment.create", "c-2"))
            .await,
        Err(StoreError::Conflict { .. })
    ));

    store
        .create_user(&user("u-1", "alice", &["c-1"]), &ctx("user.create", "u-1"))
        .await
        .expect("user");
    assert!(matches!(
        store
            .create_user(&user("u-9", "alice", &[]), &ctx("user.create", "u-9"))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        store
            .create_user(
                &user("u-8", "bob", &["no-such"]),
                &ctx("user.create", "u-8")
            )
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(
        store.user_by_name("bob").await.expect("lookup").is_none(),
        "a refused user must not be half-written"
    );

    let alice = store
        .user_by_name("alice")
        .await
        .expect("lookup")
        .expect("alice exists");
    assert_eq!(alice.role, "handler");
    assert!(!alice.disabled);
    assert_eq!(
        store.user_compartments("u-1").await.expect("compartments"),
        vec![c.clone()]
    );

    let beta = CompartmentRecord {
        id: "c-3".into(),
        name: "BETA".into(),
        created_at_ms: 6,
    };
    store
        .create_compartment(&beta, &ctx("compartment.create", "c-3"))
        .await
        .expect("create");
    store
        .grant_compartment("u-1", "c-3", 7, &ctx("user.grant", "u-1"))
        .await
        .expect("grant");
    assert!(matches!(
        store
            .grant_compartment("u-1", "c-3", 7, &ctx("user.grant", "u-1"))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let names: Vec<String> = store
        .user_compartments("u-1")
        .await
        .expect("list")
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["ALPHA", "BETA"]);

    store
        .set_user_disabled("u-1", true, &ctx("user.disable", "u-1"))
        .await
        .expect("disable");
    assert!(
        store
            .user_by_id("u-1")
            .await
            .expect("lookup")
            .expect("exists")
            .disabled
    );
    assert!(matches!(
        store
            .set_user_disabled("nobody", true, &ctx("user.disable", "x"))
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_totp_step_is_accepted_once_and_sessions_revoke(#[case] backend: Backend) {
    let Some((store, _db)) = initialised(backend).await else {
        return;
    };
    let session = |h: u8| SessionRecord {
        token_hash: vec![h; 32],
        user_id: "u-admin".into(),
        created_at_ms: 1,
        expires_at_ms: 100,
        revoked_at_ms: None,
    };
    store
        .record_login_success(
            "u-admin",
            1000,
            &session(1),
            &ctx("session.create", "u-admin"),
        )
        .await
        .expect("first use");
    for step in [1000, 999] {
        let replay = store
            .record_login_success(
                "u-admin",
                step,
                &session(2),
                &ctx("session.create", "u-admin"),
            )
            .await;
        assert!(
            matches!(replay, Err(StoreError::Refused(_))),
            "step {step}: {replay:?}"
        );
    }
    assert!(
        store.session(&[2; 32]).await.expect("lookup").is_none(),
        "a refused sign-in creates no session"
    );
    store
        .record_login_success(
            "u-admin",
            1001,
            &session(3),
            &ctx("session.create", "u-admin"),
        )
        .await
        .expect("next step");

    store
        .record_login_failure("u-admin", 4, Some(55), &ctx("session.fail", "u-admin"))
        .await
        .expect("failure");
    let admin = store
        .user_by_id("u-admin")
        .await
        .expect("lookup")
        .expect("exists");
    assert_eq!(
        (
            admin.failed_logins,
            admin.throttled_until_ms,
            admin.totp_last_step
        ),
        (4, Some(55), Some(1001))
    );

    store
        .revoke_session(&[1; 32], 50, &ctx("session.revoke", "u-admin"))
        .await
        .expect("revoke");
    assert_eq!(
        store
            .session(&[1; 32])
            .await
            .expect("lookup")
            .expect("kept")
            .revoked_at_ms,
        Some(50)
    );
    assert!(matches!(
        store
            .revoke_session(&[1; 32], 51, &ctx("session.revoke", "u-admin"))
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_ledger_is_chained_checkpointed_and_append_only(#[case] backend: Backend) {
    let Some((store, _db)) = initialised(backend).await else {
        return;
    };
    for i in 0..(CHECKPOINT_EVERY + 5) {
        store
            .append_audit(&ctx("source.identity.read", &format!("s-{i}")))
            .await
            .expect("append");
    }
    let last = verify(&store).await.expect("an untouched ledger verifies");
    assert_eq!(
        store.audit_last_seq().await.expect("last"),
        CHECKPOINT_EVERY + 6
    );
    let range: Vec<i64> = store
        .audit_events_between(10, 20)
        .await
        .expect("range")
        .iter()
        .map(|e| e.event.seq)
        .collect();
    assert_eq!(range, (11..=20).collect::<Vec<_>>());
    let next: Vec<i64> = store
        .audit_events(1000, 3)
        .await
        .expect("next")
        .iter()
        .map(|e| e.event.seq)
        .collect();
    assert_eq!(next, [1001, 1002, 1003]);
    assert_eq!(last, CHECKPOINT_EVERY + 6);
    let cps = store.audit_checkpoints().await.expect("checkpoints");
    assert_eq!(
        cps.iter().map(|c| c.seq).collect::<Vec<_>>(),
        vec![CHECKPOINT_EVERY]
    );

    for sql in [
        "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3",
        "DELETE FROM audit_events WHERE seq = 3",
        "UPDATE audit_checkpoints SET at_ms = 0",
        "DELETE FROM audit_checkpoints",
    ] {
        let refused = store.execute_unchecked(sql).await;
        assert!(refused.is_err(), "the database accepted: {sql}");
    }
    assert_eq!(
        verify(&store).await.expect("still intact"),
        CHECKPOINT_EVERY + 6
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn backup_restores_every_row_and_refuses_damage(#[case] backend: Backend) {
    let Some((store, _db)) = initialised(backend).await else {
        return;
    };
    let c = CompartmentRecord {
        id: "c-1".into(),
        name: "ALPHA".into(),
        created_at_ms: 5,
    };
    store
        .create_compartment(&c, &ctx("compartment.create", "c-1"))
        .await
        .expect("create");
    store
        .create_user(&user("u-1", "alice", &["c-1"]), &ctx("user.create", "u-1"))
        .await
        .expect("user");

    let mut lines: Vec<String> = Vec::new();
    let summary = store.backup(&mut lines).await.expect("backup");
    assert_eq!(
        summary,
        BackupSummary {
            tables: TABLES.len() as u64,
            rows: summary.rows
        }
    );

    // Into a fresh database of each backend: the format does not depend on the backend.
    for target in backends() {
        let (fresh, _db2) = fresh_store(target).await;
        let restored = fresh
            .restore(&mut VecDeque::from(lines.clone()), false)
            .await
            .expect("restore");
        assert_eq!(restored, summary);
        let alice = fresh
            .user_by_name("alice")
            .await
            .expect("lookup")
            .expect("alice restored");
        assert_eq!(alice.totp_secret, vec![1, 2, 3]);
        assert_eq!(
            fresh.user_compartments("u-1").await.expect("grants"),
            vec![c.clone()]
        );
        assert_eq!(verify(&fresh).await.expect("restored ledger verifies"), 3);
    }

    // Over a live station: refused without force, and nothing changes.
    let refused = store
        .restore(&mut VecDeque::from(lines.clone()), false)
        .await;
    assert!(
        matches!(refused, Err(StoreError::Refused(_))),
        "{refused:?}"
    );

    // A cut-short backup is refused and leaves the fresh database empty.
    let (fresh, _db3) = fresh_store(backend).await;
    let mut cut = lines.clone();
    cut.truncate(cut.len() - 2);
    let damaged = fresh.restore(&mut VecDeque::from(cut), false).await;
    assert!(matches!(damaged, Err(StoreError::Backup(_))), "{damaged:?}");
    assert!(fresh.is_empty().await.expect("is_empty"));
    assert!(fresh.user_by_name("alice").await.expect("lookup").is_none());

    // With force, the live station is replaced by the backup's contents.
    store
        .create_user(&user("u-2", "carol", &[]), &ctx("user.create", "u-2"))
        .await
        .expect("user");
    store
        .restore(&mut VecDeque::from(lines), true)
        .await
        .expect("forced restore");
    assert!(store.user_by_name("carol").await.expect("lookup").is_none());
    assert!(store.user_by_name("alice").await.expect("lookup").is_some());
    assert_eq!(verify(&store).await.expect("verifies"), 3);
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn encrypted_fields_page_and_replace(#[case] backend: Backend) {
    let Some((store, _db)) = initialised(backend).await else {
        return;
    };
    for i in 0..5 {
        store
            .create_user(
                &user(&format!("u-{i}"), &format!("user{i}"), &[]),
                &ctx("user.create", "u"),
            )
            .await
            .expect("user");
    }
    assert_eq!(store.count_encrypted_fields().await.expect("count"), 6);
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .encrypted_fields(cursor.as_ref(), 4)
            .await
            .expect("page");
        if page.is_empty() {
            break;
        }
        cursor = page.last().map(|f| f.cursor.clone());
        let mut replaced = page.clone();
        for f in &mut replaced {
            f.ciphertext = vec![42];
        }
        store
            .replace_encrypted_fields(&replaced)
            .await
            .expect("replace");
        seen.extend(page.into_iter().map(|f| f.row));
    }
    assert_eq!(seen.len(), 6, "every field once: {seen:?}");
    assert_eq!(
        store
            .user_by_name("user3")
            .await
            .expect("lookup")
            .expect("exists")
            .totp_secret,
        vec![42]
    );
}
