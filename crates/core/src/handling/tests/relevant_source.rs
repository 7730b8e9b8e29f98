//! REL-01: an undercover officer's deployment is long-term once its relevant-source periods,
//! with the one decided, last more than twelve months in all.

use super::*;
use crate::handling::relevant_source::long_term;
use chrono::Duration;

const T0: &str = "2026-01-10T10:00:00Z";

fn undercover() -> World {
    let mut world = World::new(SourceState::InDevelopment);
    world.source.undercover_operative = true;
    world
}

fn relevant(world: &World, at: &str) -> Authorisation {
    world.granted(
        grant_request(AuthorisationKind::RelevantSource, AgeBand::Adult),
        t(at),
    )
}

#[test]
fn a_first_twelve_months_is_not_long_term_and_its_renewal_is() {
    let world = undercover();
    let end = period_end(AuthorisationKind::RelevantSource, AgeBand::Adult, t(T0));
    assert!(!long_term(&[], world.source.id, (t(T0), end)));
    let first = relevant(&world, T0);
    assert_eq!(first.expires_at, end);
    let renewal_end = period_end(AuthorisationKind::RelevantSource, AgeBand::Adult, end);
    assert!(long_term(
        std::slice::from_ref(&first),
        world.source.id,
        (end, renewal_end)
    ));
}

/// Exactly twelve months in all is not more than twelve months; one second more is.
#[test]
fn the_boundary_is_twelve_months_to_the_second() {
    let world = undercover();
    let first = relevant(&world, T0);
    let later = first.expires_at + Duration::days(30);
    let auths = std::slice::from_ref(&first);
    assert!(!long_term(auths, world.source.id, (later, later)));
    assert!(long_term(
        auths,
        world.source.id,
        (later, later + Duration::seconds(1))
    ));
}

/// Periods are counted once where they overlap, a cancellation ends one early, and another
/// source's deployments do not count.
#[test]
fn overlaps_once_cancellations_early_other_sources_never() {
    let mut world = undercover();
    let mut first = relevant(&world, T0);
    // Cancelled after three months: three months deployed.
    first.cancellation = Some(crate::handling::review::Cancellation {
        cancelled_by: officer(AO),
        cancelled_at: t("2026-04-10T10:00:00Z"),
        reasons: "Operation ended.".into(),
        instruction_to_cease_at: None,
        welfare_plan: "Welfare calls.".into(),
    });
    world.auths.push(first.clone());
    let from = t("2026-06-01T09:00:00Z");
    let nine_months = crate::handling::calendar::months_beginning_with(from, 9);
    let ten_months = crate::handling::calendar::months_beginning_with(from, 10);
    assert!(!long_term(
        &world.auths,
        world.source.id,
        (from, nine_months)
    ));
    assert!(long_term(&world.auths, world.source.id, (from, ten_months)));
    // A period inside the first adds nothing.
    assert!(!long_term(
        &world.auths,
        world.source.id,
        (t("2026-02-01T00:00:00Z"), t("2026-03-01T00:00:00Z"))
    ));
    let mut other = first;
    other.source = id(0x999);
    assert!(!long_term(
        std::slice::from_ref(&other),
        world.source.id,
        (from, nine_months)
    ));
}
