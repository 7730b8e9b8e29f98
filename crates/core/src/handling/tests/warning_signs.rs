//! Warning signs at their boundaries: the tests' thresholds, the windows' edges to the
//! millisecond, and the tails against sums worked out by hand or by enumeration.

use crate::handling::warning_signs::*;

const DAY: i64 = 86_400_000;

#[test]
fn the_binomial_tail_matches_sums_by_hand() {
    // P(X ≥ 5) for Binomial(5, ½) is 1/32; P(X ≥ 7) for Binomial(8, ½) is 9/256.
    assert!((binomial_upper_tail(5, 0.5, 5) - 1.0 / 32.0).abs() < 1e-12);
    assert!((binomial_upper_tail(8, 0.5, 7) - 9.0 / 256.0).abs() < 1e-12);
    // P(X ≥ 2) for Binomial(3, 0.2) = 3·0.04·0.8 + 0.008.
    assert!((binomial_upper_tail(3, 0.2, 2) - 0.104).abs() < 1e-12);
    assert_eq!(binomial_upper_tail(4, 0.3, 0), 1.0);
    assert_eq!(binomial_upper_tail(4, 0.3, 5), 0.0);
    // Thousands of trials neither underflow nor exceed one.
    let t = binomial_upper_tail(5000, 1.0 / 7.0, 700);
    assert!(t > 0.5 && t < 1.0, "{t}");
    assert!(binomial_upper_tail(5000, 1.0 / 7.0, 1500) < 1e-30);
}

#[test]
fn outcomes_contradict_a_source_when_refuted_beats_confirmed_at_five_percent() {
    // Four of four refuted is 1/16 by chance: not yet; five of five is 1/32.
    assert_eq!(contradicted_by_outcomes(0, 4), None);
    assert_eq!(
        contradicted_by_outcomes(0, 5),
        Some(WarningSign::ContradictedByOutcomes {
            refuted: 5,
            confirmed: 0
        })
    );
    // Six of seven is 8/128; seven of eight is 9/256.
    assert_eq!(contradicted_by_outcomes(1, 6), None);
    assert!(contradicted_by_outcomes(1, 7).is_some());
    // Half and half, or nothing decided, is no sign.
    assert_eq!(contradicted_by_outcomes(10, 10), None);
    assert_eq!(contradicted_by_outcomes(0, 0), None);
}

/// A source registered 200 days before `now`, with `before` reports spread over days 30 to
/// 190 before now and `recent` in the last 28 days.
fn record(before: usize, recent: usize, now: i64) -> Vec<i64> {
    let mut times: Vec<i64> = (0..before)
        .map(|i| now - 190 * DAY + (i as i64 * 160 * DAY) / before.max(1) as i64)
        .collect();
    times.extend((0..recent).map(|i| now - i as i64 * DAY));
    times
}

#[test]
fn a_jump_in_volume_is_a_rate_far_above_the_earlier_one() {
    let now = 1_000 * DAY;
    let since = now - 200 * DAY;
    // Twelve reports in 168 days (one a fortnight), then twelve in 28 days: six times the
    // rate, P ≈ 1e-6.
    let jump = volume_jump(&record(12, 12, now), since, now);
    assert_eq!(
        jump,
        Some(WarningSign::VolumeJump {
            recent: 12,
            before: 12,
            before_days: 168
        })
    );
    assert!(jump.is_some_and(|s| s.message().contains("12 reports in the last 28 days")));
    // The same rate throughout is no jump.
    assert_eq!(volume_jump(&record(24, 4, now), since, now), None);
    assert_eq!(volume_jump(&record(60, 10, now), since, now), None);
    // Four recent reports are never a jump, even after silence; five are.
    assert_eq!(volume_jump(&record(0, 4, now), since, now), None);
    assert!(volume_jump(&record(0, 5, now), since, now).is_some());
}

#[test]
fn the_window_and_the_baseline_end_to_the_millisecond() {
    let now = 1_000 * DAY;
    let since = now - 200 * DAY;
    let edge = now - VOLUME_WINDOW_MS;
    // Five reports exactly at the window's first millisecond are recent: a jump.
    assert!(volume_jump(&[edge; 5], since, now).is_some());
    // One millisecond earlier they are the earlier record, and nothing is recent.
    assert_eq!(volume_jump(&[edge - 1; 5], since, now), None);
    // Reports stamped after now are not counted.
    assert_eq!(volume_jump(&[now + 1; 5], since, now), None);
    assert!(volume_jump(&[now; 5], since, now).is_some());
    // A record that began exactly 28 days before the window has a baseline (as long as the
    // window: ten reports in it and none before is 1/1024 by chance); a millisecond later it
    // has none.
    let min_since = edge - VOLUME_MIN_BASELINE_MS;
    assert!(volume_jump(&[now; 10], min_since, now).is_some());
    assert_eq!(volume_jump(&[now; 9], min_since, now), None);
    assert_eq!(volume_jump(&[now; 10], min_since + 1, now), None);
    // Extreme instants do not panic: at the earliest instant there is no earlier record;
    // six reports at the latest, with a long record before and none in it, are a jump; a
    // record that begins after now has no baseline.
    for (times, since, at, want) in [
        (vec![i64::MIN; 6], i64::MIN, i64::MIN, None),
        (vec![i64::MAX; 6], i64::MIN, i64::MAX, Some("VOLUME_JUMP")),
        (vec![0; 6], i64::MAX, 0, None),
    ] {
        assert!(volume_record_start(at) <= at);
        assert_eq!(volume_jump(&times, since, at).map(|s| s.code()), want);
    }
    // The baseline reaches back 168 days at most: reports before that do not count, so a
    // reader may leave out every report before `volume_record_start`.
    let old = edge - VOLUME_BASELINE_MS - 1;
    assert_eq!(old, volume_record_start(now) - 1);
    let mut times = vec![old; 50];
    times.extend([now; 5]);
    assert_eq!(
        volume_jump(&times, 0, now),
        Some(WarningSign::VolumeJump {
            recent: 5,
            before: 0,
            before_days: 168
        })
    );
}

/// `P(X ≤ first)` for a sum of Bernoulli(1/(k+1)), by enumerating every outcome.
fn brute_lower_tail(others: &[u32], first: usize) -> f64 {
    let n = others.len();
    let mut total = 0.0;
    for mask in 0u32..(1 << n) {
        if (mask.count_ones() as usize) > first {
            continue;
        }
        let mut p = 1.0;
        for (i, &k) in others.iter().enumerate() {
            let q = 1.0 / f64::from(k + 1);
            p *= if mask & (1 << i) != 0 { q } else { 1.0 - q };
        }
        total += p;
    }
    total
}

#[test]
fn the_chance_of_being_first_so_rarely_is_the_poisson_binomial_tail() {
    let others = [1u32, 1, 2, 3, 1, 4, 2, 1, 1, 5];
    for first in 0..4 {
        let values = others.iter().enumerate().map(|(i, &k)| (k, i < first));
        let f = echo_figures(values);
        assert_eq!(f.corroborated, 10);
        assert_eq!(f.first as usize, first);
        let want = brute_lower_tail(&others, first);
        let got = f.p_value.expect("first less often than expected");
        assert!((got - want).abs() < 1e-12, "{first}: {got} against {want}");
    }
    // Values nobody else reported are not corroborated and do not count.
    let f = echo_figures([(0, false), (0, true), (1, true)]);
    assert_eq!((f.corroborated, f.first), (1, 1));
    // First at least as often as expected: no tail, no sign.
    assert_eq!(f.p_value, None);
    assert_eq!(echoes_earlier_reporting(&f), None);
}

#[test]
fn the_normal_curve_gives_the_tail_of_a_prolific_source() {
    // The standard normal's quantiles.
    assert!((normal_lower_tail(0.0) - 0.5).abs() < 1e-7);
    assert!((normal_lower_tail(-1.959_964) - 0.025).abs() < 1e-6);
    assert!((normal_lower_tail(-3.090_232) - 0.001).abs() < 1e-7);
    assert!((normal_lower_tail(2.326_348) - 0.99).abs() < 1e-6);
    // A prolific source: 6,000 corroborated values (one, two or three other sources each),
    // past the exact sum's limit, so the tail comes from the normal curve. Checked against
    // the exact sum, worked here with the same recursion.
    let n = 6_000;
    let values = |first: usize| (0..n).map(move |i| (1 + (i % 3) as u32, i < first));
    let exact = |first: usize| {
        let mut dist = vec![0.0f64; first + 1];
        dist[0] = 1.0;
        for i in 0..n {
            let p = 1.0 / f64::from(2 + (i % 3) as u32);
            for x in (0..=first).rev() {
                dist[x] = dist[x] * (1.0 - p) + if x > 0 { dist[x - 1] * p } else { 0.0 };
            }
        }
        dist.iter().sum::<f64>()
    };
    // About 2,167 expected first. Near the middle the two agree to a fraction of a percent
    // point; far in the tail both are vanishingly small (a sign either way).
    for first in [2_100, 2_050, 2_000] {
        assert!(n * (first + 1) > EXACT_TAIL_WORK);
        let f = echo_figures(values(first));
        assert_eq!((f.corroborated as usize, f.first as usize), (n, first));
        let (got, want) = (f.p_value.expect("below expectation"), exact(first));
        assert!((got - want).abs() < 0.003, "{first}: {got} against {want}");
    }
    let far = echo_figures(values(1_100)).p_value.expect("far below");
    assert!(far < 1e-100 && exact(1_100) < 1e-100, "{far}");
    assert!(echoes_earlier_reporting(&echo_figures(values(1_100))).is_some());
}

#[test]
fn a_source_always_second_is_flagged_once_chance_is_below_one_in_a_thousand() {
    // Each value reported by one other source: always second nine times is 1/512, ten times
    // 1/1024.
    let nine = echo_figures((0..9).map(|_| (1, false)));
    assert_eq!(echoes_earlier_reporting(&nine), None);
    let ten = echo_figures((0..10).map(|_| (1, false)));
    let sign = echoes_earlier_reporting(&ten).expect("ten times second");
    assert_eq!(sign.code(), "ECHOES_EARLIER_REPORTING");
    assert_eq!(
        sign,
        WarningSign::EchoesEarlierReporting {
            corroborated: 10,
            first: 0,
            expected_first: 5.0
        }
    );
    // A source first about half the time is ordinary.
    let honest = echo_figures((0..40).map(|i| (1, i % 2 == 0)));
    assert_eq!(echoes_earlier_reporting(&honest), None);
}

#[test]
fn signs_have_stable_codes_and_travel_as_tagged_json() {
    let s = WarningSign::VolumeJump {
        recent: 9,
        before: 1,
        before_days: 168,
    };
    let json = serde_json::to_value(&s).expect("serialises");
    assert_eq!(json["code"], "VOLUME_JUMP");
    assert_eq!(json["recent"], 9);
    assert_eq!(
        serde_json::from_value::<WarningSign>(json).expect("reads back"),
        s
    );
    assert_eq!(
        WarningSign::ContradictedByOutcomes {
            refuted: 1,
            confirmed: 0
        }
        .code(),
        "CONTRADICTED_BY_OUTCOMES"
    );
}

proptest::proptest! {
    /// More reports in the window can only make a jump more evident, and more in the earlier
    /// record only less: one more recent report never takes a sign away, one more earlier
    /// report never adds one.
    #[test]
    fn a_jump_grows_with_recent_reports_and_shrinks_with_earlier_ones(
        recent in proptest::collection::vec(0i64..VOLUME_WINDOW_MS, 0..40),
        earlier in proptest::collection::vec(0i64..VOLUME_BASELINE_MS, 0..60),
        since_days in 0i64..400,
        extra in 0i64..VOLUME_WINDOW_MS,
        extra_before in 0i64..VOLUME_BASELINE_MS,
    ) {
        let now = 2_000 * DAY;
        let since = now - since_days * DAY;
        let window = now - VOLUME_WINDOW_MS;
        let mut times: Vec<i64> = recent.iter().map(|r| now - r).collect();
        times.extend(earlier.iter().map(|e| window - 1 - e));
        let before = volume_jump(&times, since, now).is_some();
        let mut more_recent = times.clone();
        more_recent.push(now - extra);
        proptest::prop_assert!(!before || volume_jump(&more_recent, since, now).is_some());
        let mut more_earlier = times.clone();
        more_earlier.push(window - 1 - extra_before);
        proptest::prop_assert!(before || volume_jump(&more_earlier, since, now).is_none());
    }

    /// Being first more often never makes corroboration look more borrowed: the tail only
    /// grows, and a sign can only go.
    #[test]
    fn being_first_more_often_never_raises_the_echo_sign(
        values in proptest::collection::vec((1u32..5, proptest::bool::ANY), 1..60),
        flip in 0usize..60,
    ) {
        let before = echo_figures(values.iter().copied());
        let mut after = values.clone();
        let i = flip % after.len();
        after[i].1 = true;
        let after = echo_figures(after.iter().copied());
        let tail = |f: &EchoFigures| f.p_value.unwrap_or(1.0);
        proptest::prop_assert!(tail(&after) >= tail(&before) - 1e-12);
        proptest::prop_assert!(
            echoes_earlier_reporting(&before).is_some() || echoes_earlier_reporting(&after).is_none()
        );
    }
}

#[test]
fn echoing_open_press_is_a_sign_from_five_claims_and_half_of_them() {
    let sign = |echoed, claims| echoes_open_press(&PressFigures { claims, echoed });
    // Exactly five, exactly half: the sign.
    assert_eq!(
        sign(5, 10),
        Some(WarningSign::EchoesOpenPress {
            echoed: 5,
            claims: 10
        })
    );
    // Four of four, or of eight: too few to say anything.
    assert_eq!(sign(4, 4), None);
    assert_eq!(sign(4, 8), None);
    // Five of eleven is under half.
    assert_eq!(sign(5, 11), None);
    // Six of eleven is over half; every claim an echo is the sign too.
    assert!(sign(6, 11).is_some());
    assert!(sign(5, 5).is_some());
    assert!(sign(0, 0).is_none());
    // No overflow at the extremes.
    assert!(sign(u32::MAX, u32::MAX).is_some());
    let s = sign(7, 12).expect("seven of twelve");
    assert_eq!(s.code(), "ECHOES_OPEN_PRESS");
    assert!(
        s.message()
            .starts_with("7 of this source's 12 claims repeated"),
        "{}",
        s.message()
    );
}
