//! PRIV-01 over the API: an authorisation to obtain legally privileged matters is refused
//! without a complete prior approval given before it, lasts three months, keeps the approval
//! notice (the lawyer and client among it) sealed at rest, and is renewed only on a fresh
//! approval; confidential material is recorded with the grant.

use super::{World, t};
use crate::harness::assert_refused;
use humint_store::Backend;
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::{Value, json};

const LAWYER: &str = "Ms R. Counsel of Example & Co, acting for the group's treasurer";

fn approval(at: &str) -> Value {
    json!({
        "approved_by": "Judicial Commissioner (Sir A. Example)",
        "approved_at": at,
        "grounds": "Serious crime; advice is sought to further it.",
        "conduct": "Attend the treasurer's meetings with the solicitor.",
        "lawyer_and_client": LAWYER,
        "privileged_matters": "Advice on the group's supply contracts.",
        "collateral": "Other clients' appointments may be overheard.",
    })
}

fn body(privileged: Value) -> Value {
    let mut b = World::grant_body("standard");
    b["privileged"] = privileged;
    b
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn privileged_matters_need_prior_approval_last_three_months_and_stay_sealed(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let source = w.source("1979-06-01").await;
    w.risk(&source).await;
    let grant_at = "2026-03-05T10:00:00Z";
    let handler = w
        .token_at(&w.handler, t(grant_at) - chrono::Duration::minutes(5))
        .await;
    let ao = w.token_at(&w.ao, t(grant_at)).await;

    // Refusals, each writing nothing.
    let refusals = [
        (json!({"lpp": "intended"}), "LPP_PRIOR_APPROVAL_REQUIRED"),
        (
            json!({"lpp": "intended", "prior_approval": {"lawyer_and_client": ""}}),
            "INVALID_REQUEST",
        ),
        (
            json!({"lpp": "intended", "prior_approval": approval("2026-03-05T10:00:01Z")}),
            "LPP_APPROVAL_NOT_PRIOR",
        ),
        (
            json!({"lpp": "intended", "prior_approval": approval("yesterday")}),
            "INVALID_TIME",
        ),
        (
            json!({"lpp": "intended", "prior_approval": {
                "approved_by": "Judicial Commissioner", "approved_at": "2026-03-04T09:00:00Z",
                "grounds": "Serious crime.", "conduct": "Attend meetings.",
                "lawyer_and_client": "  ", "privileged_matters": "Advice.", "collateral": "None known."}}),
            "LPP_APPROVAL_INCOMPLETE",
        ),
        (json!({"lpp": "perhaps"}), "INVALID_REQUEST"),
    ];
    for (privileged, code) in refusals {
        w.t.clock.set(t(grant_at));
        let answer =
            w.t.post_json(
                Some(&ao),
                &format!("/api/v1/sources/{source}/authorisations"),
                body(privileged.clone()),
            )
            .await;
        let status = if code == "INVALID_REQUEST" {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        assert_refused(&answer, status, code);
        assert_eq!(
            w.authorisation_count(&handler, &source).await,
            0,
            "{privileged} wrote nothing"
        );
    }

    // Approved at the grant's instant: granted, for three months beginning with 5 March.
    w.t.clock.set(t(grant_at));
    let (status, granted) =
        w.t.post_json(
            Some(&ao),
            &format!("/api/v1/sources/{source}/authorisations"),
            body(
                json!({"lpp": "intended", "confidential": ["medical", "journalistic", "medical"],
                        "prior_approval": approval(grant_at)}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{granted}");
    assert_eq!(
        granted["expires_at"], "2026-06-04T23:00:00.000Z",
        "{granted}"
    );
    assert_eq!(granted["privileged"]["lpp"], "intended");
    assert_eq!(
        granted["privileged"]["confidential"],
        json!(["journalistic", "medical"])
    );
    let id = granted["id"].as_str().expect("id").to_owned();
    let (_, read) =
        w.t.get(Some(&ao), &format!("/api/v1/authorisations/{id}"))
            .await;
    assert_eq!(
        read["privileged"]["prior_approval"]["lawyer_and_client"], LAWYER,
        "{read}"
    );
    assert_eq!(
        read["privileged"]["prior_approval"]["approved_at"],
        "2026-03-05T10:00:00.000Z"
    );
    // At rest the notice is sealed: the lawyer and client are in no column of the row.
    for column in ["doc", "text_sealed"] {
        let values =
            w.t.station
                .store()
                .table_values_unchecked(&format!(
                    "(SELECT {column} FROM authorisations ORDER BY id) AS c"
                ))
                .await
                .expect("read");
        assert!(
            values
                .iter()
                .all(|v| !String::from_utf8_lossy(v).contains("Ms R. Counsel")),
            "the lawyer is readable in authorisations.{column}"
        );
    }

    // Renewal: after a review and a fresh risk assessment, only on an approval of its own.
    let later = t("2026-05-20T09:00:00Z");
    let ao = w.token_at(&w.ao, later).await;
    let (status, reviewed) =
        w.t.post_json(
            Some(&ao),
            &format!("/api/v1/authorisations/{id}/reviews"),
            json!({"use_made": "Two meetings", "tasks_given": "Attend", "information_obtained": "Contract dates",
                   "necessity_still_met": true, "proportionality_still_met": true, "arrangements_still_met": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reviewed}");
    w.risk(&source).await;
    let ao = w.token(&w.ao).await;
    let renew = |approval: Option<Value>| {
        let mut b = json!({});
        if let Some(a) = approval {
            b["prior_approval"] = a;
        }
        b
    };
    for (request, code) in [
        (renew(None), "LPP_PRIOR_APPROVAL_REQUIRED"),
        (renew(Some(approval(grant_at))), "LPP_APPROVAL_NOT_PRIOR"),
    ] {
        assert_refused(
            &w.t.post_json(
                Some(&ao),
                &format!("/api/v1/authorisations/{id}/renewals"),
                request,
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
        );
    }
    let (status, renewed) =
        w.t.post_json(
            Some(&ao),
            &format!("/api/v1/authorisations/{id}/renewals"),
            renew(Some(approval("2026-05-19T15:00:00Z"))),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{renewed}");
    assert_eq!(renewed["renewals"].as_array().map(Vec::len), Some(1));
    // It takes effect at midnight (London) beginning 5 June: three months to the end of 4 September.
    assert_eq!(
        renewed["expires_at"], "2026-09-04T23:00:00.000Z",
        "{renewed}"
    );
    assert_eq!(
        renewed["renewals"][0]["prior_approval"]["lawyer_and_client"], LAWYER,
        "{renewed}"
    );

    // The inspection pack shows the flags, the three months as the period the law sets, and
    // when each approval was given, never the notice's text.
    let auditor = w.token(&w.auditor).await;
    let (status, pack) =
        w.t.get(
            Some(&auditor),
            "/api/v1/inspection.json?from=2026-03-01&to=2026-05-31",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pack}");
    let entry = pack["authorisations"]
        .as_array()
        .expect("authorisations")
        .iter()
        .find(|a| a["id"] == id.as_str())
        .cloned()
        .expect("in the pack");
    assert_eq!(
        (
            &entry["duration"],
            &entry["duration_as_the_law_sets"],
            &entry["privileged"]
        ),
        (
            &json!("3 months (privileged matters)"),
            &json!(true),
            &json!({"lpp": "intended", "confidential": ["journalistic", "medical"],
                    "prior_approval_at": "2026-03-05T10:00:00Z"})
        ),
        "{entry}"
    );
    assert_eq!(
        entry["renewals"][0]["prior_approval_at"], "2026-05-19T15:00:00Z",
        "{entry}"
    );
    let (_, _, _, html) =
        crate::inspection::download(&w, &auditor, "from=2026-03-01&to=2026-05-31").await;
    assert!(
        html.contains("legally privileged matters intended; prior approval given 2026-03-05; confidential: journalistic, medical")
            && !html.contains("Ms R. Counsel"),
        "{html}"
    );
}
