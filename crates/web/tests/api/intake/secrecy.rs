//! What a seizure finds: after a whole story, no plaintext anywhere on disk or in the
//! database; and what the custodians get: standard age files the Debian `age` tool opens.

use super::{only_thread, open_door};
use crate::harness::TestStation;
use humint_core::Role;
use humint_station::Principal;
use humint_store::{Backend, Store as _};
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::json;
use std::path::{Path, PathBuf};

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path)
            } else {
                out.push(path)
            }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A JPEG whose EXIF segment names a place and a camera serial.
fn photo() -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8];
    let exif = b"Exif\0\0GPS 48.8584N 2.2945E CAMERA-SERIAL-XK42";
    v.extend([0xFF, 0xE1]);
    v.extend(u16::try_from(exif.len() + 2).unwrap().to_be_bytes());
    v.extend(exif);
    v.extend([0xFF, 0xDA, 0x00, 0x02]);
    v.extend(b"PIXELS-OF-THE-LEAKED-PHOTO");
    v.extend([0xFF, 0xD9]);
    v
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn after_a_whole_story_no_plaintext_is_on_disk_or_in_the_database(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let (custodian, p) = open_door(&t).await;
    let message = "SECRET-MESSAGE-the minister's driver moves the cash on Fridays";
    let file_text = b"SECRET-FILE-ledger of payments 2025".to_vec();
    let follow_up = "SECRET-FOLLOWUP-the car is a grey saloon";
    let reply = "SECRET-REPLY-we would like to meet you";
    let file_name = "SECRET-NAME-ledger.txt";

    let codename = p
        .first_contact(message, Some((file_name, file_text.clone())))
        .await;
    let (status, _) = p.login(&codename).await;
    assert_eq!(status, StatusCode::OK);
    let (status, html) = p.send_more(follow_up, Some(("photo.jpg", photo()))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("EXIF/XMP (APP1)"),
        "the volunteer is told what was removed: {html}"
    );
    let id = only_thread(&t).await;
    let alice = t.officer("alice", Role::Handler, &[]).await;
    let token = t.login(&alice).await;
    let (status, _) = t
        .post_json(
            Some(&token),
            &format!("/api/v1/intake/{id}/replies"),
            json!({"text": reply}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, thread) = p.login(&codename).await;
    assert!(thread.contains(reply), "the volunteer reads the reply");

    let secrets: Vec<(&str, Vec<u8>)> = vec![
        ("message", message.as_bytes().to_vec()),
        ("file", file_text.clone()),
        ("follow-up", follow_up.as_bytes().to_vec()),
        ("reply", reply.as_bytes().to_vec()),
        ("file name", file_name.as_bytes().to_vec()),
        ("codename", codename.as_bytes().to_vec()),
        ("photo pixels", b"PIXELS-OF-THE-LEAKED-PHOTO".to_vec()),
        ("photo EXIF", b"CAMERA-SERIAL-XK42".to_vec()),
    ];

    // Every file in the data directory, and the SQLite database files wherever they are.
    let mut files = files_under(t.station.data_dir());
    let url = t.station.config().database_url();
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .and_then(|u| u.split('?').next())
    {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let f = PathBuf::from(format!("{path}{suffix}"));
            if f.exists() {
                files.push(f)
            }
        }
    }
    assert!(
        files
            .iter()
            .any(|f| f.extension().is_some_and(|e| e == "age")),
        "the files are on disk, encrypted: {files:?}"
    );
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for (what, secret) in &secrets {
            assert!(
                !contains(&bytes, secret),
                "{what} found in plaintext in {}",
                f.display()
            );
        }
    }
    // Every row of every table (blobs decoded), on either backend.
    let mut lines: Vec<String> = Vec::new();
    t.station.store().backup(&mut lines).await.unwrap();
    for line in &lines {
        let decoded: Vec<Vec<u8>> = serde_json::from_str::<serde_json::Value>(line)
            .ok()
            .and_then(|v| v["values"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|v| v.as_str())
            .map(|s| {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .decode(s)
                    .unwrap_or_else(|_| s.as_bytes().to_vec())
            })
            .collect();
        for (what, secret) in &secrets {
            assert!(
                !contains(line.as_bytes(), secret),
                "{what} in the database: {line}"
            );
            assert!(
                !decoded.iter().any(|v| contains(v, secret)),
                "{what} in a database blob"
            );
        }
    }
    // Nor is any word list of the codename stored as such: the thread row has only a hash.
    assert!(lines.iter().any(|l| l.contains("intake_threads")));

    // The custodian decrypts the export and gets exactly what was sent, photo without EXIF.
    let out = tempfile::tempdir().unwrap();
    let s = t
        .station
        .intake_export(&Principal::system(), out.path())
        .await
        .unwrap();
    assert_eq!((s.threads, s.messages, s.files), (1, 2, 2));
    let plain = tempfile::tempdir().unwrap();
    let d =
        humint_station::intake::decrypt_export(&custodian.identity_file, out.path(), plain.path())
            .unwrap();
    assert!(d.failed.is_empty(), "{:?}", d.failed);
    assert_eq!(d.decrypted, 4);
    let dir = plain.path().join(&id);
    let first = std::fs::read_to_string(dir.join("0001-message")).unwrap();
    assert!(
        first.contains(message) && first.contains(file_name),
        "{first}"
    );
    assert_eq!(std::fs::read(dir.join("0001-file")).unwrap(), file_text);
    let photo_out = std::fs::read(dir.join("0002-file")).unwrap();
    assert!(contains(&photo_out, b"PIXELS-OF-THE-LEAKED-PHOTO"));
    assert!(
        !contains(&photo_out, b"CAMERA-SERIAL-XK42"),
        "EXIF was stripped before encryption"
    );
}

/// The Debian `age` tool: installed by scripts/test; a missing tool fails in CI.
fn age_tool() -> Option<&'static str> {
    let ok = std::process::Command::new("age")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have the `age` tool (scripts/test installs it)"
        );
        eprintln!("skipping: the `age` tool is not installed");
        return None;
    }
    Some("age")
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[tokio::test]
async fn the_age_tool_decrypts_an_export_with_the_custodian_identity(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let Some(age) = age_tool() else { return };
    // Two custodians: either one can decrypt.
    let (first, p) = open_door(&t).await;
    let second = super::custodian();
    t.station
        .intake_add_recipient(&Principal::system(), &second.recipient)
        .await
        .unwrap();
    let file: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    p.first_contact("For the custodians only.", Some(("data.bin", file.clone())))
        .await;
    let id = only_thread(&t).await;
    let out = tempfile::tempdir().unwrap();
    t.station
        .intake_export(&Principal::system(), out.path())
        .await
        .unwrap();
    for custodian in [&first, &second] {
        let message = std::process::Command::new(age)
            .arg("-d")
            .arg("-i")
            .arg(&custodian.identity_file)
            .arg(out.path().join(&id).join("0001-message.age"))
            .output()
            .unwrap();
        assert!(
            message.status.success(),
            "{}",
            String::from_utf8_lossy(&message.stderr)
        );
        assert!(String::from_utf8_lossy(&message.stdout).contains("For the custodians only."));
        let data = std::process::Command::new(age)
            .arg("-d")
            .arg("-i")
            .arg(&custodian.identity_file)
            .arg(out.path().join(&id).join("0001-file.age"))
            .output()
            .unwrap();
        assert!(data.status.success());
        assert_eq!(data.stdout, file);
    }
    // A stranger's identity opens nothing.
    let stranger = super::custodian();
    let r = std::process::Command::new(age)
        .arg("-d")
        .arg("-i")
        .arg(&stranger.identity_file)
        .arg(out.path().join(&id).join("0001-message.age"))
        .output()
        .unwrap();
    assert!(!r.status.success());
}
