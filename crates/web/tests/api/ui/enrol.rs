//! First sign-in of an account created for enrolment: the QR code and the secret, a code to
//! confirm before anything else, and the refusals on the way.

use super::Browser;
use crate::handling::World;
use crate::harness::{Officer, assert_refused};
use humint_crypto::TotpSecret;
use humint_store::Backend;
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::json;

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_new_officer_scans_the_qr_code_and_confirms_a_code_before_anything_else(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let t = &w.t;
    // The administrator creates the account without seeing its secret.
    let admin = t.login(&t.admin).await;
    let (status, created) = t
        .post_json(
            Some(&admin),
            "/api/v1/users",
            json!({"username": "nina", "role": "handler", "compartments": ["ALPHA"],
                   "password": crate::harness::PASSWORD, "enrol_on_first_sign_in": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert!(created.get("totp_secret").is_none(), "{created}");

    // The API will not open a session for an account with no confirmed authenticator.
    let refused = t
        .post_json(
            None,
            "/api/v1/session",
            json!({"username": "nina", "password": crate::harness::PASSWORD, "totp": "123456"}),
        )
        .await;
    assert_refused(&refused, StatusCode::FORBIDDEN, "ENROLMENT_REQUIRED");

    // A wrong password on the page is refused like any sign-in.
    let b = Browser::new(t);
    let placeholder = Officer {
        username: "nina".into(),
        password: crate::harness::PASSWORD.into(),
        totp: TotpSecret::from_base32("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").expect("secret"),
    };
    let wrong = b.sign_in_answer(t, &placeholder, "not her password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);

    // The password alone leads to the QR code page, and nowhere else.
    let first = b
        .submit(
            "/signin",
            "/signin",
            &[
                ("username", "nina"),
                ("password", crate::harness::PASSWORD),
                ("totp", ""),
            ],
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    assert_eq!(first.location(), "/enrol");
    let enrol_cookie = first.set_cookie("humint_enrol");
    assert!(enrol_cookie.contains("HttpOnly"), "{enrol_cookie}");
    let ticket = enrol_cookie
        .trim_start_matches("humint_enrol=")
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(
        first.set_cookie("humint_session").is_empty(),
        "no session yet"
    );
    assert_eq!(b.get("/").await.location(), "/signin", "nothing else opens");
    let page = b.get("/enrol").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<svg"), "a QR code drawn by the station");
    assert!(!page.body.contains("<script"));
    let secret: String = super::value_after(&page.body, "<code id=\"secret\">")
        .split('<')
        .next()
        .unwrap_or_default()
        .replace(' ', "");
    let secret = secret.split('<').next().unwrap_or_default().to_owned();
    let nina = Officer {
        username: "nina".into(),
        password: crate::harness::PASSWORD.into(),
        totp: TotpSecret::from_base32(&secret).expect("the page shows the secret"),
    };

    // A wrong code: refused, the QR code still there.
    let wrong = b.submit("/enrol", "/enrol", &[("totp", "000000")]).await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("WRONG_CODE"));
    assert!(wrong.body.contains("<svg"));

    // A forged form: refused.
    let forged = b
        .post("/enrol", &[("csrf", "forged"), ("totp", "000000")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // The right code: confirmed, signed in.
    t.clock.advance(chrono::Duration::seconds(30));
    let code = t.code(&nina);
    let done = b.submit("/enrol", "/enrol", &[("totp", &code)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/");
    assert!(
        b.get("/")
            .await
            .body
            .contains("Signed in as <strong id=\"who\">nina</strong>")
    );

    // The ticket is spent; from now on nina signs in with password and code, by page or API.
    assert_eq!(
        b.get("/enrol").await.location(),
        "/signin",
        "the ticket is forgotten"
    );
    let replayed = t.station.confirm_enrolment(&ticket, &code).await;
    assert!(
        matches!(
            replayed,
            Err(humint_station::StationError::Conflict {
                code: "ALREADY_ENROLLED",
                ..
            })
        ),
        "{replayed:?}"
    );
    let token = t.login(&nina).await;
    assert!(!token.is_empty());
    Browser::sign_in(t, &nina).await;
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_enrolment_ticket_expires_after_ten_minutes(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let t = &w.t;
    w.t.station
        .add_user_for_enrolment(
            &humint_station::Principal::system(),
            "nina",
            humint_core::Role::Handler,
            &[],
            crate::harness::PASSWORD,
        )
        .await
        .expect("account");
    let b = Browser::new(t);
    let first = b
        .submit(
            "/signin",
            "/signin",
            &[
                ("username", "nina"),
                ("password", crate::harness::PASSWORD),
                ("totp", ""),
            ],
        )
        .await;
    assert_eq!(first.location(), "/enrol");
    t.clock.advance(chrono::Duration::seconds(599));
    assert_eq!(
        b.get("/enrol").await.status,
        StatusCode::OK,
        "still open at 9:59"
    );
    t.clock.advance(chrono::Duration::seconds(1));
    let expired = b.get("/enrol").await;
    assert_eq!(expired.status, StatusCode::FORBIDDEN);
    assert!(expired.body.contains("ENROLMENT_EXPIRED"));
}
