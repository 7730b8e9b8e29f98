//! Every limit and every kind of bad input gets a readable page and stores nothing.

use super::{Portal, custodian, open_door, serve_portal, test_policy};
use crate::harness::TestStation;
use humint_station::Principal;
use humint_station::intake::IntakePolicy;
use humint_store::Backend;
use reqwest::StatusCode;
use rstest::rstest;

async fn nothing_stored(t: &TestStation) {
    assert!(
        t.station
            .intake_list(&Principal::system())
            .await
            .unwrap()
            .is_empty(),
        "nothing may be stored"
    );
    let dir = t.station.data_dir().join("intake");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "no file may be left behind: {left:?}");
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn bad_submissions_are_refused_with_a_page_that_says_why(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let (_c, p) = open_door(&t).await;
    let max_file = test_policy().file_max_bytes as usize;
    type Case<'a> = (
        &'a str,
        String,
        Option<(&'a str, Vec<u8>)>,
        StatusCode,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            "empty message",
            "   \n ".into(),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Nothing to send",
        ),
        (
            "long message",
            "x".repeat(10_001),
            None,
            StatusCode::PAYLOAD_TOO_LARGE,
            "The message is too long",
        ),
        (
            "oversized file",
            "see file".into(),
            Some(("big.bin", vec![7u8; max_file + 1])),
            StatusCode::PAYLOAD_TOO_LARGE,
            "The file is too large",
        ),
    ];
    for (what, message, file, status, title) in cases {
        let (got, html) = p.submit(&message, file).await;
        assert_eq!(got, status, "{what}: {html}");
        assert!(html.contains(title), "{what}: {html}");
        assert!(html.contains("id=\"problem\""), "{what}");
    }
    nothing_stored(&t).await;
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[tokio::test]
async fn malformed_forms_are_400s_not_500s(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let (_c, p) = open_door(&t).await;
    let token = p.token("/").await;
    let bodies: Vec<(&str, &str, Vec<u8>)> = vec![
        ("not multipart", "application/x-www-form-urlencoded", b"message=hi".to_vec()),
        ("no boundary", "multipart/form-data", b"--x\r\n".to_vec()),
        ("cut short", "multipart/form-data; boundary=XYZ", format!("--XYZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n--XYZ\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nhel").into_bytes()),
        ("garbage", "multipart/form-data; boundary=XYZ", vec![0xFF; 300]),
        ("invalid utf-8", "multipart/form-data; boundary=XYZ", [format!("--XYZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n--XYZ\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n").into_bytes(), vec![0xC3, 0x28], b"\r\n--XYZ--\r\n".to_vec()].concat()),
    ];
    for (what, content_type, body) in bodies {
        let r = p
            .client
            .post(p.url("/submit"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, html) = p.page(r).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {html}");
        assert!(html.contains("could not be read"), "{what}: {html}");
    }
    // Small forms too.
    let r = p
        .client
        .post(p.url("/login"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = p
        .client
        .post(p.url("/verify"))
        .form(&[("phrase", "x".repeat(20_000))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    nothing_stored(&t).await;
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[tokio::test]
async fn an_announced_oversized_body_is_refused_before_it_is_read(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let (_c, p) = open_door(&t).await;
    let token = p.token("/").await;
    let body = format!(
        "--XYZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n--XYZ--\r\n"
    );
    // Claims a body far beyond the limit; the portal answers from the headers alone.
    let mut stream = tokio::net::TcpStream::connect(p.base.trim_start_matches("http://"))
        .await
        .unwrap();
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let cookie = "";
    let head = format!(
        "POST /submit HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: 99999999999\r\n{cookie}\r\n{body}"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut answer))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    nothing_stored(&t).await;
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_flood_beyond_the_rate_is_turned_away_and_officers_still_get_answers(
    #[case] backend: Backend,
) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let c = custodian();
    t.station
        .intake_add_recipient(&Principal::system(), &c.recipient)
        .await
        .unwrap();
    let policy = IntakePolicy {
        submissions_per_minute: 1,
        submission_burst: 3,
        attempts_per_minute: 1,
        attempt_burst: 2,
        ..test_policy()
    };
    let p = serve_portal(&t, policy).await;
    let mut statuses = Vec::new();
    for i in 0..6 {
        let (status, html) = p.submit(&format!("flood {i}"), None).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(html.contains("The portal is busy"), "{html}");
        }
        statuses.push(status);
    }
    assert_eq!(&statuses[..3], &[StatusCode::OK; 3], "{statuses:?}");
    assert_eq!(
        &statuses[3..],
        &[StatusCode::TOO_MANY_REQUESTS; 3],
        "{statuses:?}"
    );
    assert_eq!(
        t.station
            .intake_list(&Principal::system())
            .await
            .unwrap()
            .len(),
        3
    );
    // The Retry-After header says when to come back.
    let token = p.token("/").await;
    let r = p
        .client
        .post(p.url("/submit"))
        .multipart(Portal::form(&token, "again", None))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    // Codename guessing is held to its own rate.
    let mut guesses = Vec::new();
    for _ in 0..4 {
        guesses.push(
            p.login("abacus abacus abacus abacus abacus abacus abacus")
                .await
                .0,
        );
    }
    assert_eq!(
        guesses,
        vec![
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    // The officer API is another listener with its own limits: unaffected.
    let (status, _) = t.get(None, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
}
