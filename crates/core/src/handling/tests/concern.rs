use super::*;
use crate::handling::codes;
use crate::handling::concern::{
    CONCERN_TEXT_MAX_BYTES, Concern, ConcernCategory, ConcernFinding, check_text, review,
};

fn concern(category: ConcernCategory, raised_at: &str) -> Concern {
    Concern {
        id: id(0x900),
        source: id(SOURCE),
        category,
        raised_by: officer(HANDLER),
        raised_at: t(raised_at),
        review: None,
    }
}

fn policy() -> AlertPolicy {
    AlertPolicy::standard(PaymentPolicy {
        single_payment_threshold_minor: 50_000,
        yearly_threshold_minor: 200_000,
    })
}

fn in_force(records: &HandlingRecords<'_>, now: &str) -> Vec<Alert> {
    let now = t(now);
    let found = alerts(records, &policy(), now);
    let scheduled: Vec<Alert> = alert_schedule(records, &policy())
        .into_iter()
        .filter(|s| s.from <= now && s.until.is_none_or(|u| now < u))
        .map(|s| s.alert)
        .collect();
    assert_eq!(found.len(), scheduled.len(), "schedule and rules disagree");
    for a in &found {
        assert!(scheduled.contains(a), "schedule lacks {a:?}");
    }
    found
        .into_iter()
        .filter(|a| a.kind == AlertKind::ConcernOpen)
        .collect()
}

#[test]
fn categories_and_findings_read_back_by_name_and_others_are_refused() {
    for c in ConcernCategory::ALL {
        assert_eq!(ConcernCategory::parse(c.as_str()), Ok(c));
        assert_eq!(
            serde_json::to_string(&c).expect("json"),
            format!("\"{}\"", c.as_str())
        );
    }
    assert_eq!(
        ConcernCategory::parse(" Coercion "),
        Ok(ConcernCategory::Coercion)
    );
    for bad in ["leverage", "kompromat", "", "coercion,welfare"] {
        assert_refused(ConcernCategory::parse(bad), codes::CONCERN_CATEGORY_UNKNOWN);
    }
    for f in ConcernFinding::ALL {
        assert_eq!(ConcernFinding::parse(f.as_str()), Ok(f));
    }
    assert_refused(
        ConcernFinding::parse("dismissed"),
        codes::CONCERN_FINDING_UNKNOWN,
    );
}

#[test]
fn an_account_is_required_and_bounded_at_its_exact_length() {
    assert_refused(check_text("account", "  \n "), codes::CONCERN_TEXT_REQUIRED);
    let longest = "a".repeat(CONCERN_TEXT_MAX_BYTES);
    assert_eq!(
        check_text("account", &format!(" {longest} ")),
        Ok(longest.clone())
    );
    assert_refused(
        check_text("note", &format!("{longest}a")),
        codes::CONCERN_TEXT_TOO_LONG,
    );
}

#[test]
fn the_raiser_may_not_review_and_a_review_is_not_repeated() {
    let c = concern(ConcernCategory::Conduct, "2024-03-01T10:00:00Z");
    assert_refused(
        review(
            &c,
            officer(HANDLER),
            ConcernFinding::Unfounded,
            t("2024-03-02T10:00:00Z"),
        ),
        codes::CONCERN_OWN_REVIEW,
    );
    let reviewed = review(
        &c,
        officer(CONTROLLER),
        ConcernFinding::Referred,
        t("2024-03-02T10:00:00Z"),
    )
    .expect("a controller reviews another's concern");
    let r = reviewed.review.expect("review recorded");
    assert_eq!(r.finding, ConcernFinding::Referred);
    assert_eq!(r.reviewed_by, officer(CONTROLLER));
    assert_refused(
        review(
            &reviewed,
            officer(AO),
            ConcernFinding::Founded,
            t("2024-03-03T10:00:00Z"),
        ),
        codes::CONCERN_ALREADY_REVIEWED,
    );
}

#[test]
fn a_founded_concern_bearing_on_risk_asks_for_the_risk_assessment_to_be_reviewed() {
    let at = t("2024-03-02T10:00:00Z");
    for category in ConcernCategory::ALL {
        let c = concern(category, "2024-03-01T10:00:00Z");
        for finding in ConcernFinding::ALL {
            let r = review(&c, officer(CONTROLLER), finding, at).expect("review");
            let expected = finding == ConcernFinding::Founded
                && matches!(
                    category,
                    ConcernCategory::Coercion
                        | ConcernCategory::Welfare
                        | ConcernCategory::Circumstances
                );
            assert_eq!(
                r.risk_assessment_review_required(),
                expected,
                "{category} {finding}"
            );
        }
        assert!(!c.risk_assessment_review_required());
    }
}

#[test]
fn an_open_concern_alerts_from_when_it_was_raised_until_the_instant_it_is_reviewed() {
    let source = super::source(SourceState::Recruited);
    let roles = roles();
    let coercion = concern(ConcernCategory::Coercion, "2024-03-01T10:00:00Z");
    let reviewed = review(
        &coercion,
        officer(CONTROLLER),
        ConcernFinding::Unfounded,
        t("2024-03-05T09:30:00Z"),
    )
    .expect("review");
    let open = [reviewed];
    let records = HandlingRecords {
        sources: std::slice::from_ref(&source),
        roles: &roles,
        concerns: &open,
        ..Default::default()
    };
    assert!(in_force(&records, "2024-03-01T09:59:59.999Z").is_empty());
    let raised = in_force(&records, "2024-03-01T10:00:00Z");
    assert_eq!(raised.len(), 1);
    let a = &raised[0];
    assert_eq!(a.severity, Severity::SourceSafety);
    assert_eq!(a.due_at, t("2024-03-01T10:00:00Z"));
    assert_eq!(a.subject, AlertSubject::Concern(id(0x900)));
    assert_eq!(a.source, Some(id(SOURCE)));
    assert!(
        a.message.starts_with("LANTERN: someone raised a concern"),
        "{}",
        a.message
    );
    assert_eq!(in_force(&records, "2024-03-05T09:29:59.999Z").len(), 1);
    assert!(in_force(&records, "2024-03-05T09:30:00Z").is_empty());

    // Any other category is a warning, and stays while nobody has reviewed it.
    let welfare = [concern(ConcernCategory::Welfare, "2024-03-01T10:00:00Z")];
    let records = HandlingRecords {
        concerns: &welfare,
        ..records
    };
    let later = in_force(&records, "2030-01-01T00:00:00Z");
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].severity, Severity::Warning);
    assert!(later[0].message.contains("welfare"), "{}", later[0].message);
}
