use super::*;
use crate::handling::roles::{check_coverage, handover, holder_at, holders_at};
use rstest::rstest;

#[test]
fn three_distinct_people_hold_the_roles() {
    let holders = holders_at(&roles(), id(SOURCE), t("2026-01-01T00:00:00Z")).expect("covered");
    assert_eq!(
        (holders.handler, holders.controller, holders.record_keeper),
        (
            officer(HANDLER),
            officer(CONTROLLER),
            officer(RECORD_KEEPER)
        )
    );
}

#[test]
fn one_person_in_two_roles_is_refused() {
    let mut assignments = roles();
    for a in assignments
        .iter_mut()
        .filter(|a| a.role == SourceRole::RecordKeeper)
    {
        a.officer = officer(HANDLER);
    }
    assert_refused(
        holders_at(&assignments, id(SOURCE), t("2026-01-01T00:00:00Z")),
        codes::ROLES_NOT_DISTINCT,
    );
}

#[test]
fn two_handlers_at_once_is_refused() {
    let mut assignments = roles();
    assignments.push(RoleAssignment {
        source: id(SOURCE),
        role: SourceRole::Handler,
        officer: officer(0xB1),
        from: t("2025-12-01T00:00:00Z"),
        until: None,
    });
    assert_refused(
        holder_at(
            &assignments,
            id(SOURCE),
            SourceRole::Handler,
            t("2026-01-01T00:00:00Z"),
        ),
        codes::ROLE_OVERLAP,
    );
}

/// The handler left at 09:00 and the successor started at 10:00: an hour with nobody
/// responsible for the source's welfare.
#[rstest]
#[case("2026-01-01T00:00:00Z", "2026-01-05T08:59:59Z", true)]
#[case("2026-01-01T00:00:00Z", "2026-01-05T09:00:00Z", true)] // window ends as the gap opens
#[case("2026-01-01T00:00:00Z", "2026-01-05T09:00:01Z", false)]
#[case("2026-01-05T09:30:00Z", "2026-01-06T00:00:00Z", false)]
#[case("2026-01-05T10:00:00Z", "2026-02-01T00:00:00Z", true)]
fn coverage_at_all_times_finds_gaps(
    #[case] from: &str,
    #[case] until: &str,
    #[case] covered: bool,
) {
    let mut assignments = roles();
    for a in assignments
        .iter_mut()
        .filter(|a| a.role == SourceRole::Handler)
    {
        a.until = Some(t("2026-01-05T09:00:00Z"));
    }
    assignments.push(RoleAssignment {
        source: id(SOURCE),
        role: SourceRole::Handler,
        officer: officer(0xB1),
        from: t("2026-01-05T10:00:00Z"),
        until: None,
    });
    let result = check_coverage(&assignments, id(SOURCE), t(from), t(until));
    if covered {
        assert!(result.is_ok(), "{result:?}");
    } else {
        assert_refused(result, codes::ROLE_NOT_COVERED);
    }
}

#[test]
fn handover_leaves_no_gap() {
    let mut assignments = roles();
    let at = t("2026-01-05T09:00:00Z");
    let h = handover(
        &assignments,
        id(SOURCE),
        SourceRole::Handler,
        officer(0xB1),
        at,
    )
    .expect("handover");
    assert_eq!(h.closed.as_ref().and_then(|c| c.until), Some(at));
    assert_eq!(h.opened.from, at);
    assignments.retain(|a| a.role != SourceRole::Handler);
    assignments.extend(h.closed);
    assignments.push(h.opened);
    assert!(
        check_coverage(
            &assignments,
            id(SOURCE),
            t("2025-01-01T00:00:00Z"),
            t("2027-01-01T00:00:00Z")
        )
        .is_ok()
    );
    assert_eq!(
        holder_at(&assignments, id(SOURCE), SourceRole::Handler, at),
        Ok(officer(0xB1))
    );
}

#[test]
fn handover_to_someone_already_holding_another_role_is_refused() {
    let at = t("2026-01-05T09:00:00Z");
    assert_refused(
        handover(
            &roles(),
            id(SOURCE),
            SourceRole::Handler,
            officer(CONTROLLER),
            at,
        ),
        codes::ROLES_NOT_DISTINCT,
    );
    assert_refused(
        handover(
            &roles(),
            id(SOURCE),
            SourceRole::Handler,
            officer(HANDLER),
            at,
        ),
        codes::ROLE_OVERLAP,
    );
}
