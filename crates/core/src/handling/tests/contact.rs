use super::*;
use crate::handling::tasking::TaskingStatus;
use chrono::NaiveDate;
use rstest::rstest;

const NOW: &str = "2026-01-20T10:00:00Z";

fn date(text: &str) -> NaiveDate {
    text.parse().expect("ISO date")
}

#[rstest]
#[case("2010-03-15", "2026-03-14", AgeBand::Under16)]
#[case("2010-03-15", "2026-03-15", AgeBand::Aged16Or17)]
#[case("2010-03-15", "2028-03-14", AgeBand::Aged16Or17)]
#[case("2010-03-15", "2028-03-15", AgeBand::Adult)]
// Born on 29 February: the birthday is reached on 1 March in a common year.
#[case("2008-02-29", "2026-02-28", AgeBand::Aged16Or17)]
#[case("2008-02-29", "2026-03-01", AgeBand::Adult)]
fn age_band_changes_on_the_birthday(#[case] born: &str, #[case] on: &str, #[case] band: AgeBand) {
    assert_eq!(AgeBand::on(date(born), date(on)), band);
}

fn world_with_live_auth(state: SourceState) -> World {
    let mut world = World::new(SourceState::InDevelopment);
    let auth = world.granted(
        grant_request(AuthorisationKind::Juvenile, AgeBand::Under16),
        t("2026-01-10T10:00:00Z"),
    );
    world.auths.push(auth);
    world.source.state = state;
    world
}

fn meeting(status: ContactStatus) -> Contact {
    Contact {
        id: id(0x400),
        source: id(SOURCE),
        mode: ContactMode::Meeting,
        status,
        purpose: ContactPurpose::Use,
        planned_for: Some(t("2026-01-20T09:00:00Z")),
        occurred_at: (status != ContactStatus::Planned).then(|| t("2026-01-20T09:00:00Z")),
        officers_present: vec![officer(HANDLER)],
        appropriate_adult: None,
        location_alias: Some("GARDEN".into()),
        cover_used: None,
        safety_arrangements: None,
        fallback_arrangements: Some("Signal site two".into()),
        next_contact_due: Some(t("2026-01-27T09:00:00Z")),
    }
}

const PARENT: AppropriateAdult = AppropriateAdult {
    category: AppropriateAdultCategory::ParentOrGuardian,
    employed_by_or_member_of_authority: false,
};
const STAFF: AppropriateAdult = AppropriateAdult {
    category: AppropriateAdultCategory::IndependentAdult,
    employed_by_or_member_of_authority: true,
};
const INDEPENDENT: AppropriateAdult = AppropriateAdult {
    category: AppropriateAdultCategory::IndependentAdult,
    employed_by_or_member_of_authority: false,
};

/// Juveniles Order art 4: who must be at a contact with a source under 16.
#[rstest]
#[case(
    AgeBand::Under16,
    ContactMode::Meeting,
    ContactStatus::Held,
    None,
    Some(codes::JUVENILE_APPROPRIATE_ADULT)
)]
#[case(
    AgeBand::Under16,
    ContactMode::Meeting,
    ContactStatus::Planned,
    None,
    Some(codes::JUVENILE_APPROPRIATE_ADULT)
)]
#[case(
    AgeBand::Under16,
    ContactMode::Call,
    ContactStatus::Held,
    None,
    Some(codes::JUVENILE_APPROPRIATE_ADULT)
)]
#[case(
    AgeBand::Under16,
    ContactMode::Meeting,
    ContactStatus::Held,
    Some(STAFF),
    Some(codes::JUVENILE_APPROPRIATE_ADULT)
)]
#[case(
    AgeBand::Under16,
    ContactMode::Meeting,
    ContactStatus::Held,
    Some(PARENT),
    None
)]
#[case(
    AgeBand::Under16,
    ContactMode::Meeting,
    ContactStatus::Held,
    Some(INDEPENDENT),
    None
)]
#[case(
    AgeBand::Under16,
    ContactMode::Message,
    ContactStatus::Held,
    None,
    None
)]
#[case(
    AgeBand::Under16,
    ContactMode::Meeting,
    ContactStatus::Missed,
    None,
    None
)]
#[case(
    AgeBand::Aged16Or17,
    ContactMode::Meeting,
    ContactStatus::Held,
    None,
    None
)]
fn appropriate_adult_at_every_meeting_under_16(
    #[case] age: AgeBand,
    #[case] mode: ContactMode,
    #[case] status: ContactStatus,
    #[case] adult: Option<AppropriateAdult>,
    #[case] refusal: Option<&str>,
) {
    let world = world_with_live_auth(SourceState::Recruited);
    let contact = Contact {
        mode,
        appropriate_adult: adult,
        ..meeting(status)
    };
    let result = check_contact(&contact, &world.source, &world.auths, age, t(NOW));
    match refusal {
        Some(code) => assert_refused(result, code),
        None => assert!(result.is_ok(), "{result:?}"),
    }
}

#[test]
fn a_held_meeting_names_the_officers_present() {
    let world = world_with_live_auth(SourceState::Recruited);
    let contact = Contact {
        officers_present: vec![],
        ..meeting(ContactStatus::Held)
    };
    assert_refused(
        check_contact(
            &contact,
            &world.source,
            &world.auths,
            AgeBand::Adult,
            t(NOW),
        ),
        codes::CONTACT_OFFICERS_REQUIRED,
    );
}

#[test]
fn using_a_recruited_source_needs_a_live_authorisation_at_the_time_of_the_meeting() {
    let world = world_with_live_auth(SourceState::Recruited);
    // Juvenile authorisation from 10 January 2026 ends with 9 May (BST midnight = 23:00 UTC).
    let held = |at: &str| Contact {
        occurred_at: Some(t(at)),
        ..meeting(ContactStatus::Held)
    };
    let check = |c: &Contact| {
        check_contact(
            c,
            &world.source,
            &world.auths,
            AgeBand::Adult,
            t("2026-06-01T00:00:00Z"),
        )
    };
    assert!(
        check(&held("2026-05-09T22:59:59Z")).is_ok(),
        "recorded late, but held while authorised"
    );
    assert_refused(check(&held("2026-05-09T23:00:00Z")), codes::AUTH_EXPIRED);

    let unauthorised = World::new(SourceState::Recruited);
    let result = check_contact(
        &meeting(ContactStatus::Held),
        &unauthorised.source,
        &[],
        AgeBand::Adult,
        t(NOW),
    );
    assert_refused(result, codes::AUTH_REQUIRED);
}

#[rstest]
#[case(
    SourceState::Suspended,
    ContactPurpose::Use,
    Some(codes::SOURCE_NOT_RECRUITED)
)]
#[case(
    SourceState::Terminated,
    ContactPurpose::Use,
    Some(codes::SOURCE_NOT_RECRUITED)
)]
#[case(SourceState::Terminated, ContactPurpose::Welfare, None)]
#[case(SourceState::Suspended, ContactPurpose::Welfare, None)]
// Before recruitment contacts are allowed (and recorded, to see status drift).
#[case(SourceState::Assessed, ContactPurpose::Use, None)]
fn only_welfare_contact_outside_recruitment(
    #[case] state: SourceState,
    #[case] purpose: ContactPurpose,
    #[case] refusal: Option<&str>,
) {
    let world = World::new(state);
    let contact = Contact {
        purpose,
        ..meeting(ContactStatus::Held)
    };
    let result = check_contact(&contact, &world.source, &[], AgeBand::Adult, t(NOW));
    match refusal {
        Some(code) => assert_refused(result, code),
        None => assert!(result.is_ok(), "{result:?}"),
    }
}

fn tasking_request(against_parent: bool) -> TaskingRequest {
    TaskingRequest {
        id: id(0x500),
        requirement: id(0x600),
        instructions: "Note who attends Friday's meeting.".into(),
        issued_by: officer(HANDLER),
        against_parent_or_guardian: against_parent,
    }
}

#[test]
fn tasking_is_recorded_under_the_live_authorisation() {
    let world = world_with_live_auth(SourceState::Recruited);
    let tasking = task(
        tasking_request(false),
        &world.source,
        &world.auths,
        AgeBand::Under16,
        t(NOW),
    )
    .expect("lawful");
    assert_eq!(
        (tasking.authorisation, tasking.status, tasking.issued_at),
        (id(0x100), TaskingStatus::Issued, t(NOW))
    );
}

#[rstest]
#[case(AgeBand::Under16, true, Some(codes::JUVENILE_PARENT_TASKING))]
#[case(AgeBand::Aged16Or17, true, None)]
#[case(AgeBand::Under16, false, None)]
fn no_tasking_of_an_under_16_against_a_parent(
    #[case] age: AgeBand,
    #[case] against_parent: bool,
    #[case] refusal: Option<&str>,
) {
    let world = world_with_live_auth(SourceState::Recruited);
    let result = task(
        tasking_request(against_parent),
        &world.source,
        &world.auths,
        age,
        t(NOW),
    );
    match refusal {
        Some(code) => assert_refused(result, code),
        None => assert!(result.is_ok(), "{result:?}"),
    }
}

#[test]
fn tasking_needs_a_recruited_source_and_a_live_authorisation() {
    let suspended = world_with_live_auth(SourceState::Suspended);
    assert_refused(
        task(
            tasking_request(false),
            &suspended.source,
            &suspended.auths,
            AgeBand::Adult,
            t(NOW),
        ),
        codes::SOURCE_NOT_RECRUITED,
    );
    let unauthorised = World::new(SourceState::Recruited);
    assert_refused(
        task(
            tasking_request(false),
            &unauthorised.source,
            &[],
            AgeBand::Adult,
            t(NOW),
        ),
        codes::AUTH_REQUIRED,
    );
}
