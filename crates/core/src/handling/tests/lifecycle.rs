use super::*;
use proptest::prelude::*;
use rstest::rstest;

use SourceState::*;

/// The lifecycle graph as product.md draws it, written out independently of the code so the
/// tests check the code against the specification rather than against itself.
const EDGES: &[(SourceState, SourceState)] = &[
    (Spotted, Assessed),
    (Assessed, InDevelopment),
    (InDevelopment, Recruited),
    (Recruited, Suspended),
    (Suspended, Recruited),
    (Spotted, Terminated),
    (Assessed, Terminated),
    (InDevelopment, Terminated),
    (Recruited, Terminated),
    (Suspended, Terminated),
];

const NOW: &str = "2026-01-20T10:00:00Z";

/// A world where every guarded move would pass: a live authorisation and roles in place.
fn authorised_world(state: SourceState) -> World {
    let mut world = World::new(InDevelopment);
    let auth = world.granted(
        grant_request(AuthorisationKind::Standard, AgeBand::Adult),
        t("2026-01-10T10:00:00Z"),
    );
    world.auths.push(auth);
    world.source.state = state;
    world
}

fn facts<'a>(world: &'a World, welfare: Option<&'a str>) -> TransitionFacts<'a> {
    TransitionFacts {
        actor: officer(HANDLER),
        reason: "Assessment complete.",
        authorisations: &world.auths,
        roles: &world.roles,
        welfare_arrangements: welfare,
    }
}

#[test]
fn every_pair_of_states_is_allowed_exactly_when_it_is_an_edge() {
    for from in SourceState::ALL {
        for to in SourceState::ALL {
            let world = authorised_world(from);
            let result = transition(
                &world.source,
                to,
                &facts(&world, Some("Welfare calls monthly.")),
                t(NOW),
            );
            if EDGES.contains(&(from, to)) {
                let event = result.unwrap_or_else(|v| panic!("{from:?} → {to:?} refused: {v}"));
                assert_eq!((event.from, event.to, event.at), (from, to, t(NOW)));
            } else {
                assert_refused(result, codes::INVALID_TRANSITION);
            }
        }
    }
}

#[test]
fn refused_move_tells_the_person_where_the_source_can_go() {
    let world = authorised_world(Spotted);
    let err = transition(&world.source, Recruited, &facts(&world, None), t(NOW))
        .expect_err("not an edge");
    assert_eq!(
        err.message,
        "A source that is spotted cannot become recruited; it can become assessed or terminated."
    );
}

#[rstest]
#[case(InDevelopment)]
#[case(Suspended)]
fn recruiting_needs_a_live_authorisation(#[case] from: SourceState) {
    let world = World::new(from);
    assert_refused(
        transition(&world.source, Recruited, &facts(&world, None), t(NOW)),
        codes::AUTH_REQUIRED,
    );

    let world = authorised_world(from);
    let event =
        transition(&world.source, Recruited, &facts(&world, None), t(NOW)).expect("authorised");
    assert_eq!(event.under_authorisation, Some(id(0x100)));
    // The same authorisation a year later has lapsed.
    assert_refused(
        transition(
            &world.source,
            Recruited,
            &facts(&world, None),
            t("2027-01-10T00:00:00Z"),
        ),
        codes::AUTH_EXPIRED,
    );
}

#[test]
fn recruiting_needs_the_three_roles_covered() {
    let mut world = authorised_world(InDevelopment);
    // The auth was granted with roles in place; the controller has since left with no successor.
    for r in world
        .roles
        .iter_mut()
        .filter(|r| r.role == SourceRole::Controller)
    {
        r.until = Some(t("2026-01-15T00:00:00Z"));
    }
    assert_refused(
        transition(&world.source, Recruited, &facts(&world, None), t(NOW)),
        codes::ROLE_NOT_COVERED,
    );
}

#[test]
fn terminating_needs_welfare_arrangements_and_lists_authorisations_to_cancel() {
    let world = authorised_world(Recruited);
    assert_refused(
        transition(&world.source, Terminated, &facts(&world, None), t(NOW)),
        codes::WELFARE_PLAN_REQUIRED,
    );
    assert_refused(
        transition(
            &world.source,
            Terminated,
            &facts(&world, Some("   ")),
            t(NOW),
        ),
        codes::WELFARE_PLAN_REQUIRED,
    );

    let event = transition(
        &world.source,
        Terminated,
        &facts(&world, Some("Resettlement support for a year.")),
        t(NOW),
    )
    .expect("terminable");
    assert_eq!(event.authorisations_to_cancel, vec![id(0x100)]);
    assert_eq!(
        event.welfare_arrangements.as_deref(),
        Some("Resettlement support for a year.")
    );
}

#[test]
fn every_move_needs_a_reason() {
    let world = authorised_world(Spotted);
    let no_reason = TransitionFacts {
        reason: " ",
        ..facts(&world, None)
    };
    assert_refused(
        transition(&world.source, Assessed, &no_reason, t(NOW)),
        codes::REASON_REQUIRED,
    );
}

proptest! {
    /// Whatever sequence of moves is attempted, with or without an authorisation, roles or a
    /// welfare plan, the source only ever moves along an edge, never leaves `terminated`, and
    /// is only ever recruited under a live authorisation.
    #[test]
    fn no_sequence_of_moves_leaves_the_graph(
        attempts in prop::collection::vec((0usize..6, any::<bool>(), any::<bool>(), any::<bool>()), 0..40)
    ) {
        let authorised = authorised_world(Spotted);
        let bare = World::new(Spotted);
        let mut state = Spotted;
        let mut path = vec![state];
        for (target, with_auth, with_roles, with_welfare) in attempts {
            let to = SourceState::ALL[target];
            let auths: &[Authorisation] = if with_auth { &authorised.auths } else { &bare.auths };
            let roles: &[RoleAssignment] = if with_roles { &authorised.roles } else { &[] };
            let f = TransitionFacts {
                actor: officer(HANDLER),
                reason: "Next step.",
                authorisations: auths,
                roles,
                welfare_arrangements: with_welfare.then_some("Welfare calls."),
            };
            let source = Source { state, ..source(state) };
            if let Ok(event) = transition(&source, to, &f, t(NOW)) {
                prop_assert!(EDGES.contains(&(state, to)), "{state:?} → {to:?} is not an edge");
                prop_assert_eq!(event.from, state);
                if to == Recruited {
                    prop_assert!(with_auth && with_roles, "recruited without a live authorisation and roles");
                }
                if to == Terminated {
                    prop_assert!(with_welfare, "terminated without welfare arrangements");
                }
                state = to;
                path.push(state);
            }
        }
        if let Some(i) = path.iter().position(|s| *s == Terminated) {
            prop_assert_eq!(i, path.len() - 1, "terminated is final: {:?}", path);
        }
    }
}
