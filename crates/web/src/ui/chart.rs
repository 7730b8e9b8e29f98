//! The source's suggested reliability over time as a server-rendered SVG: the estimate as a
//! line, its interval as a band, on a 0-1 scale against time. Numbers and fixed words only go
//! into it, so nothing typed by anyone can reach the markup. The page beside it carries a
//! table of the same points, so the meaning never depends on seeing the picture.

use humint_station::handling::HistoryPoint;
use std::fmt::Write as _;

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 220.0;
/// Room for the scale on the left and the dates below.
const LEFT: f64 = 40.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 30.0;

fn y(value: f64) -> f64 {
    let v = if value.is_finite() {
        value.clamp(0.0, 1.0)
    } else {
        0.0
    };
    TOP + (1.0 - v) * (HEIGHT - TOP - BOTTOM)
}

/// The x of each point: proportional to its time; a single point sits in the middle.
fn xs(points: &[HistoryPoint]) -> Vec<f64> {
    let first = points.first().map(|p| p.at_ms).unwrap_or(0);
    let last = points.last().map(|p| p.at_ms).unwrap_or(0);
    let span = (last - first) as f64;
    points
        .iter()
        .map(|p| {
            if span <= 0.0 {
                (LEFT + WIDTH - RIGHT) / 2.0
            } else {
                LEFT + (p.at_ms - first) as f64 / span * (WIDTH - LEFT - RIGHT)
            }
        })
        .collect()
}

/// The chart, or `None` when there is no history to draw.
pub(crate) fn reliability_svg(points: &[HistoryPoint]) -> Option<String> {
    if points.is_empty() {
        return None;
    }
    let xs = xs(points);
    let mut band = String::new();
    for (p, x) in points.iter().zip(&xs) {
        let _ = write!(band, "{x:.1},{:.1} ", y(p.high));
    }
    for (p, x) in points.iter().zip(&xs).rev() {
        let _ = write!(band, "{x:.1},{:.1} ", y(p.low));
    }
    let mut line = String::new();
    for (p, x) in points.iter().zip(&xs) {
        let _ = write!(line, "{x:.1},{:.1} ", y(p.reliability));
    }
    let mut svg = format!(
        "<svg class=\"chart\" id=\"reliability-chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-labelledby=\"chart-title\" xmlns=\"http://www.w3.org/2000/svg\">\
<title id=\"chart-title\">Suggested reliability over time, with its interval; the same figures are in the table below</title>"
    );
    for (value, label) in [(0.0, "0"), (0.5, "0.5"), (1.0, "1")] {
        let gy = y(value);
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{LEFT}\" y1=\"{gy:.1}\" x2=\"{:.1}\" y2=\"{gy:.1}\"/><text class=\"scale\" x=\"{:.1}\" y=\"{:.1}\">{label}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            gy + 4.0
        );
    }
    let _ = write!(
        svg,
        "<polygon class=\"band\" points=\"{}\"/><polyline class=\"estimate\" points=\"{}\"/>",
        band.trim_end(),
        line.trim_end()
    );
    for (p, x) in points.iter().zip(&xs) {
        let _ = write!(
            svg,
            "<circle class=\"point\" cx=\"{x:.1}\" cy=\"{:.1}\" r=\"3\"/>",
            y(p.reliability)
        );
    }
    let first = super::when_ms(points[0].at_ms);
    let last = super::when_ms(points[points.len() - 1].at_ms);
    let _ = write!(
        svg,
        "<text class=\"scale start\" x=\"{LEFT}\" y=\"{:.1}\">{first}</text><text class=\"scale\" x=\"{:.1}\" y=\"{:.1}\">{last}</text></svg>",
        HEIGHT - 8.0,
        WIDTH - RIGHT,
        HEIGHT - 8.0
    );
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(at_ms: i64, reliability: f64, low: f64, high: f64) -> HistoryPoint {
        HistoryPoint {
            at_ms,
            reliability,
            low,
            high,
            letter: 'C',
        }
    }

    #[test]
    fn no_history_draws_nothing() {
        assert_eq!(reliability_svg(&[]), None);
    }

    #[test]
    fn the_line_rises_with_the_estimate_and_the_band_spans_the_interval() {
        let svg = reliability_svg(&[point(0, 0.5, 0.2, 0.8), point(60_000, 1.0, 0.9, 1.0)])
            .expect("a chart");
        // 0.5 sits halfway down the plot, 1.0 at its top; time runs left to right.
        assert!(
            svg.contains("<polyline class=\"estimate\" points=\"40.0,100.0 590.0,10.0\"/>"),
            "{svg}"
        );
        // The band: the highs left to right, then the lows right to left.
        assert!(
            svg.contains(
                "<polygon class=\"band\" points=\"40.0,46.0 590.0,10.0 590.0,28.0 40.0,154.0\"/>"
            ),
            "{svg}"
        );
        assert!(svg.contains("role=\"img\""));
        assert!(!svg.contains("style="));
    }

    #[test]
    fn one_point_sits_in_the_middle_and_bad_numbers_stay_on_the_scale() {
        let svg = reliability_svg(&[point(5, f64::NAN, -1.0, 2.0)]).expect("a chart");
        assert!(
            svg.contains("<polyline class=\"estimate\" points=\"315.0,190.0\"/>"),
            "{svg}"
        );
        assert!(svg.contains("points=\"315.0,10.0 315.0,190.0\""), "{svg}");
    }
}
