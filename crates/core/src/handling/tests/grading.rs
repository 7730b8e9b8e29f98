use super::*;
use crate::handling::grading::{
    HandlingCode, IntelligenceAssessment, SourceEvaluation, check_grading,
};
use rstest::rstest;

#[rstest]
#[case("B2", SourceReliability::B, InformationCredibility::ProbablyTrue)]
#[case("f6", SourceReliability::F, InformationCredibility::CannotBeJudged)]
#[case(" A1 ", SourceReliability::A, InformationCredibility::Confirmed)]
fn admiralty_grades_parse(
    #[case] text: &str,
    #[case] source: SourceReliability,
    #[case] info: InformationCredibility,
) {
    assert_eq!(
        text.parse::<AdmiraltyGrade>(),
        Ok(AdmiraltyGrade {
            source,
            information: info
        })
    );
}

#[rstest]
#[case("")]
#[case("G1")]
#[case("A7")]
#[case("A0")]
#[case("AB")]
#[case("B22")]
#[case("2B")]
fn malformed_admiralty_grades_are_refused(#[case] text: &str) {
    assert_refused(text.parse::<AdmiraltyGrade>(), codes::GRADE_INVALID);
}

#[test]
fn source_and_information_are_graded_independently() {
    // Every one of the 36 combinations exists and reads back as written: neither axis
    // constrains or defaults the other.
    for source in SourceReliability::ALL {
        for information in InformationCredibility::ALL {
            let grade = AdmiraltyGrade {
                source,
                information,
            };
            assert_eq!(grade.to_string().parse::<AdmiraltyGrade>(), Ok(grade));
        }
    }
    assert_eq!(SourceReliability::F.label(), "reliability cannot be judged");
    assert_eq!(
        InformationCredibility::Confirmed.label(),
        "confirmed by other sources"
    );
}

#[test]
fn handling_code_c_needs_its_conditions() {
    let graded = |handling| {
        Grading::Police3x5x2(Police3x5x2 {
            source: SourceEvaluation::Untested,
            intelligence: IntelligenceAssessment::KnownIndirectly,
            handling,
        })
    };
    assert_refused(
        check_grading(&graded(HandlingCode::WithConditions(" ".into()))),
        codes::GRADING_CONDITIONS_REQUIRED,
    );
    assert!(
        check_grading(&graded(HandlingCode::WithConditions(
            "Not to be shared outside the force.".into()
        )))
        .is_ok()
    );
    assert!(check_grading(&graded(HandlingCode::Permitted)).is_ok());
}

#[test]
fn requirement_priority_is_one_to_four() {
    for p in 1..=4u8 {
        assert_eq!(Priority::try_from(p).map(u8::from), Ok(p));
    }
    assert_refused(Priority::try_from(0), codes::REQUIREMENT_PRIORITY_INVALID);
    assert_refused(Priority::try_from(5), codes::REQUIREMENT_PRIORITY_INVALID);
}

#[rstest]
#[case(
    crate::handling::grading::ReportStatus::Draft,
    Err(codes::REPORT_NOT_GRADED)
)]
#[case(
    crate::handling::grading::ReportStatus::Graded,
    Ok(crate::handling::grading::ReportStatus::Disseminated)
)]
#[case(
    crate::handling::grading::ReportStatus::Disseminated,
    Ok(crate::handling::grading::ReportStatus::Disseminated)
)]
fn only_a_graded_report_is_disseminated(
    #[case] status: crate::handling::grading::ReportStatus,
    #[case] expected: Result<crate::handling::grading::ReportStatus, &str>,
) {
    let got = crate::handling::grading::check_dissemination(status).map_err(|v| v.code);
    assert_eq!(got, expected);
}

#[test]
fn a_disseminated_report_keeps_its_grade() {
    use crate::handling::grading::{ReportStatus, check_regrade};
    let grade = Grading::Admiralty("B2".parse().expect("valid grade"));
    assert_eq!(
        check_regrade(ReportStatus::Draft, &grade),
        Ok(ReportStatus::Graded)
    );
    assert_eq!(
        check_regrade(ReportStatus::Graded, &grade),
        Ok(ReportStatus::Graded)
    );
    assert_eq!(
        check_regrade(ReportStatus::Disseminated, &grade).map_err(|v| v.code),
        Err(codes::REPORT_ALREADY_DISSEMINATED)
    );
}

#[test]
fn a_dissemination_happens_between_the_filing_and_now() {
    use crate::handling::grading::dissemination_time;
    let filed = t("2026-03-02T09:00:00Z");
    let now = t("2026-03-05T12:00:00Z");
    assert_eq!(dissemination_time(filed, None, now), Ok(now));
    assert_eq!(dissemination_time(filed, Some(filed), now), Ok(filed));
    assert_eq!(dissemination_time(filed, Some(now), now), Ok(now));
    let second = chrono::Duration::seconds(1);
    for bad in [filed - second, now + second] {
        assert_eq!(
            dissemination_time(filed, Some(bad), now).map_err(|v| v.code),
            Err(codes::DISSEMINATION_TIME_INVALID),
            "{bad}"
        );
    }
}
