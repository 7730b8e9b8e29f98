//! Graded labels (relevance 1–5, ratings, the credibility grades 1–6): an ordinal shape
//! for a source's confusion matrix.
//!
//! A source that errs on a graded scale mostly errs to a neighbouring grade, and it may
//! favour some grades whatever the truth (a rater who gives "5" when unsure). Each source's
//! matrix is then given the log-linear form
//!
//! ```text
//! P(says j | truth i) ∝ exp(u_j − b · |j − i|)
//! ```
//!
//! with `u` the source's preference for each grade (`u_0 = 0`) and `b` how fast its chance
//! of a grade falls with the grade's distance from the truth: `k` parameters against the
//! `k(k − 1)` of a full matrix, and every claim informs every true class. It is a discrete
//! cousin of the ordinal models of Zhou et al., "Aggregating ordinal labels from crowds by
//! minimax conditional entropy", ICML 2014 (errors that grow with distance from the truth)
//! and of the quasi-independence models of ordinal agreement tables (Agresti, *Analysis of
//! Ordinal Categorical Data*, 2nd ed., 2010, ch. 11: the label's own margin times a
//! distance term). With two grades it is the full matrix again.
//!
//! It serves as the shrinkage target of the full model ([`crate::DawidSkene::ordinal`]):
//! each source's matrix is pulled towards its own ordinal fit (itself fitted to the
//! source's counts plus the typical source's matrix), so a source with few claims keeps
//! its own bias and spread while its rows borrow the scale's structure. Whether a label set
//! is a scale at all is left to the held-out likelihood of the default's model choice;
//! [`positions`] only says whether it *could* be one (every label an integer).

use crate::claims::ClaimSet;

/// Most grades for which the ordinal shape is fitted (its fit costs `k⁴` per source and
/// Newton step; graded scales are short: 1–5, 1–6, 0–10).
pub const MAX_GRADES: usize = 16;

/// Each label's place on the scale (its integer minus the smallest), when every label of
/// the claim set is an integer (as written: `-1`, `0`, `12`), no two name the same integer,
/// there are at least three of them (with two, the ordinal shape is the full matrix) and
/// at most [`MAX_GRADES`], and they span fewer than twice as many steps as there are
/// labels (a scale may leave a grade or two unused; `0, 100, 1000` are codes, not grades).
/// Unused grades still count as steps of the distance.
pub fn positions(claims: &ClaimSet) -> Option<Vec<f64>> {
    let k = claims.n_values();
    if !(3..=MAX_GRADES).contains(&k) {
        return None;
    }
    let mut ints = Vec::with_capacity(k);
    for v in 0..k as u32 {
        ints.push(claims.value_name(v).parse::<i64>().ok()?);
    }
    let lo = *ints.iter().min()?;
    let hi = *ints.iter().max()?;
    let mut sorted = ints.clone();
    sorted.sort_unstable();
    sorted.dedup();
    let span = hi.checked_sub(lo)?;
    if sorted.len() != k || span >= 2 * k as i64 {
        return None;
    }
    Some(ints.iter().map(|&x| (x - lo) as f64).collect())
}

/// A tiny Gaussian prior on the parameters (precision per unit of count), so that the fit
/// is defined even when a source's counts leave a parameter free.
const RIDGE: f64 = 1e-6;

/// Newton steps at most for a fit from a cold start (it settles in 5–10).
pub const MAX_STEPS: usize = 60;

/// Newton steps smaller than this (in the parameters, which are log-odds) end a fit.
const STEP_TOLERANCE: f64 = 1e-6;

/// Parameters up to this size (|u_j|, and |b| times the span of the scale) are
/// exponentiated once each rather than once per cell: every product then stays within
/// `e^±600`, safely inside a double.
const SAFE_EXPONENT: f64 = 300.0;

/// Length of one fit's state for `k` labels (see [`Shape::fit`]).
pub fn state_len(k: usize) -> usize {
    k * k + 2 * k
}

/// Fits of the ordinal shape on one scale, with their working memory (reused from one
/// source's fit to the next).
pub struct Shape {
    k: usize,
    /// `|pos_j − pos_i|` at `j · k + i`.
    dist: Vec<f64>,
    /// Largest distance.
    span: f64,
    grad: Vec<f64>,
    hess: Vec<f64>,
    step: Vec<f64>,
    /// The trial point's state (as [`Shape::fit`]'s).
    trial: Vec<f64>,
    /// Counts per true class.
    weight: Vec<f64>,
    /// `e^{u_j}` and `e^{−b·d}` (by distance) for the product form.
    exp_u: Vec<f64>,
    powers: Vec<f64>,
}

impl Shape {
    /// Fits on the scale whose labels sit at `pos` (see [`positions`]).
    pub fn new(pos: &[f64]) -> Shape {
        let k = pos.len();
        let dist: Vec<f64> = (0..k * k)
            .map(|c| (pos[c / k] - pos[c % k]).abs())
            .collect();
        let span = dist.iter().fold(0.0f64, |m, &d| m.max(d));
        Shape {
            k,
            dist,
            span,
            grad: vec![0.0; k],
            hess: vec![0.0; k * k],
            step: vec![0.0; k],
            trial: vec![0.0; state_len(k)],
            weight: vec![0.0; k],
            exp_u: vec![0.0; k],
            powers: vec![0.0; span as usize + 1],
        }
    }

    /// Fits the ordinal shape to one source's (pseudo-)counts `a[obs · k + true]` by
    /// maximum likelihood (Newton's method with step halving on a concave objective), and
    /// writes the fitted matrix, each true class's column summing to one, into `out`
    /// (same layout).
    ///
    /// `state` ([`state_len`] numbers) holds the parameters (`u_1..u_{k−1}`, then `b`),
    /// then the matrix they give (column-major) and each column's log-normaliser; it is
    /// left at the fit, so the EM's next M-step starts from this one's without
    /// recomputing the matrix. With `fresh` only the parameters are read (zeros: a cold
    /// start). At most `steps` Newton steps are taken: inside an EM, whose counts move a
    /// little from one M-step to the next, one step from the last fit is enough (a
    /// generalised EM step, Dempster, Laird & Rubin 1977: the objective rises, which is
    /// all EM needs).
    pub fn fit(
        &mut self,
        a: &[f64],
        state: &mut [f64],
        fresh: bool,
        out: &mut [f64],
        steps: usize,
    ) {
        let k = self.k;
        let total: f64 = a.iter().sum();
        if total <= 0.0 || k < 2 {
            out.iter_mut().for_each(|x| *x = 1.0 / k.max(1) as f64);
            return;
        }
        // Parameters: u_1..u_{k−1}, then b; the features of (j, i) are the one-hot of j
        // (j ≥ 1) and −|j − i|.
        let nf = k;
        let b = nf - 1;
        let ridge = RIDGE * total;
        for i in 0..k {
            self.weight[i] = (0..k).map(|j| a[j * k + i]).sum();
        }
        let mut current = if fresh {
            self.eval(state)
        } else {
            self.objective(state)
        };
        current += self.counts_term(a, state, ridge);
        for _ in 0..steps {
            let (grad, hess, dist) = (&mut self.grad, &mut self.hess, &self.dist);
            let (theta, probs) = state[..k + k * k].split_at(k);
            grad.iter_mut()
                .zip(theta)
                .for_each(|(g, t)| *g = -ridge * t);
            hess.iter_mut().for_each(|h| *h = 0.0);
            for f in 0..nf {
                hess[f * nf + f] = ridge;
            }
            // Per true class, in closed form: the one-hot block's covariance is
            // diag(p) − p pᵀ, the distance's is its variance, and across them
            // p_j (d_j − E d) (the distance feature is −d).
            for (i, &w) in self.weight.iter().enumerate() {
                let col = &probs[i * k..(i + 1) * k];
                let d = |j: usize| dist[j * k + i];
                let mean_d: f64 = (0..k).map(|j| col[j] * d(j)).sum();
                let var_d: f64 = (0..k)
                    .map(|j| col[j] * (d(j) - mean_d) * (d(j) - mean_d))
                    .sum();
                hess[b * nf + b] += w * var_d;
                for j in 0..k {
                    let r = a[j * k + i] - w * col[j];
                    grad[b] -= r * d(j);
                    if j == 0 {
                        continue;
                    }
                    grad[j - 1] += r;
                    let wp = w * col[j];
                    let cross = -wp * (d(j) - mean_d);
                    hess[(j - 1) * nf + b] += cross;
                    hess[b * nf + j - 1] += cross;
                    hess[(j - 1) * nf + j - 1] += wp;
                    for g in 1..k {
                        hess[(j - 1) * nf + g - 1] -= wp * col[g];
                    }
                }
            }
            if !solve_spd(&mut self.hess, &self.grad, &mut self.step, nf) {
                break;
            }
            let largest = self.step.iter().fold(0.0f64, |m, s| m.max(s.abs()));
            if largest < STEP_TOLERANCE {
                break;
            }
            // Halve until the objective does not fall (it is concave, so a short enough
            // Newton step always rises).
            let mut scale = (3.0 / largest).min(1.0);
            let mut moved = false;
            for _ in 0..40 {
                let mut trial = std::mem::take(&mut self.trial);
                for ((t, th), s) in trial.iter_mut().zip(&state[..k]).zip(&self.step) {
                    *t = th + scale * s;
                }
                let value = self.eval(&mut trial) + self.counts_term(a, &trial, ridge);
                self.trial = trial;
                if value >= current {
                    state.copy_from_slice(&self.trial);
                    current = value;
                    moved = true;
                    break;
                }
                scale *= 0.5;
            }
            if !moved || largest * scale < STEP_TOLERANCE {
                break;
            }
        }
        let probs = &state[k..k + k * k];
        for i in 0..k {
            for j in 0..k {
                out[j * k + i] = probs[i * k + j];
            }
        }
    }

    /// The part of the objective (log-likelihood of the counts `a`, less the ridge) that
    /// does not need the log-normalisers: `Σ a_ji (u_j − b·d_ji) − ridge/2 |θ|²`.
    fn counts_term(&self, a: &[f64], state: &[f64], ridge: f64) -> f64 {
        let k = self.k;
        let th = &state[..k];
        let bias = th[k - 1];
        let mut l = -0.5 * ridge * th.iter().map(|x| x * x).sum::<f64>();
        for j in 0..k {
            let u = if j == 0 { 0.0 } else { th[j - 1] };
            for i in 0..k {
                l += a[j * k + i] * (u - bias * self.dist[j * k + i]);
            }
        }
        l
    }

    /// The rest of the objective, `−Σ_i W_i · lse_i`, from the state's log-normalisers.
    fn objective(&self, state: &[f64]) -> f64 {
        let k = self.k;
        let lse = &state[k + k * k..];
        -self.weight.iter().zip(lse).map(|(w, l)| w * l).sum::<f64>()
    }

    /// Computes the state's matrix and log-normalisers from its parameters, and returns
    /// [`Self::objective`].
    fn eval(&mut self, state: &mut [f64]) -> f64 {
        let k = self.k;
        let (th, rest) = state.split_at_mut(k);
        let (p, lse) = rest.split_at_mut(k * k);
        let bias = th[k - 1];
        let u = |j: usize| if j == 0 { 0.0 } else { th[j - 1] };
        let safe = bias.abs() * self.span <= SAFE_EXPONENT
            && th[..k - 1].iter().all(|x| x.abs() <= SAFE_EXPONENT);
        if safe {
            // P(j | i) ∝ e^{u_j} · (e^{−b})^{d}: k + 1 exponentials instead of k².
            for (j, e) in self.exp_u.iter_mut().enumerate() {
                *e = u(j).exp();
            }
            let q = (-bias).exp();
            let mut power = 1.0;
            for x in self.powers.iter_mut() {
                *x = power;
                power *= q;
            }
            for i in 0..k {
                let col = &mut p[i * k..(i + 1) * k];
                let mut z = 0.0;
                for (j, x) in col.iter_mut().enumerate() {
                    *x = self.exp_u[j] * self.powers[self.dist[j * k + i] as usize];
                    z += *x;
                }
                lse[i] = z.ln();
                let inv = 1.0 / z;
                col.iter_mut().for_each(|x| *x *= inv);
            }
        } else {
            for i in 0..k {
                let col = &mut p[i * k..(i + 1) * k];
                let mut top = f64::NEG_INFINITY;
                for (j, x) in col.iter_mut().enumerate() {
                    *x = u(j) - bias * self.dist[j * k + i];
                    top = top.max(*x);
                }
                let mut z = 0.0;
                for x in col.iter_mut() {
                    *x = (*x - top).exp();
                    z += *x;
                }
                lse[i] = top + z.ln();
                let inv = 1.0 / z;
                col.iter_mut().for_each(|x| *x *= inv);
            }
        }
        self.objective(state)
    }
}

/// Solves `h · x = g` for a symmetric positive definite `h` (`n × n`, overwritten by its
/// Cholesky factor). Returns false if `h` is not positive definite.
fn solve_spd(h: &mut [f64], g: &[f64], x: &mut [f64], n: usize) -> bool {
    for j in 0..n {
        let mut d = h[j * n + j];
        for p in 0..j {
            d -= h[j * n + p] * h[j * n + p];
        }
        if d <= 0.0 || !d.is_finite() {
            return false;
        }
        let d = d.sqrt();
        h[j * n + j] = d;
        for i in j + 1..n {
            let mut s = h[i * n + j];
            for p in 0..j {
                s -= h[i * n + p] * h[j * n + p];
            }
            h[i * n + j] = s / d;
        }
    }
    for i in 0..n {
        let mut s = g[i];
        for p in 0..i {
            s -= h[i * n + p] * x[p];
        }
        x[i] = s / h[i * n + i];
    }
    for i in (0..n).rev() {
        let mut s = x[i];
        for p in i + 1..n {
            s -= h[p * n + i] * x[p];
        }
        x[i] = s / h[i * n + i];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::ClaimSetBuilder;

    fn labels(names: &[&str]) -> ClaimSet {
        let mut b = ClaimSetBuilder::new();
        for (i, v) in names.iter().enumerate() {
            b.push("s", &format!("o{i}"), v);
        }
        b.build()
    }

    #[test]
    fn integer_labels_are_places_on_a_scale_and_others_are_not() {
        // Value ids are in text order: "1", "10", "2", ...
        let c = labels(&["1", "2", "3", "10", "4", "5", "6", "7", "8", "9"]);
        let p = positions(&c).unwrap_or_default();
        let got: Vec<(String, f64)> = (0..c.n_values() as u32)
            .map(|v| (c.value_name(v).to_string(), p[v as usize]))
            .collect();
        assert_eq!(got[1], ("10".to_string(), 9.0));
        assert_eq!(got[2], ("2".to_string(), 1.0));
        // One unused grade is still a scale, with the gap counted as a step.
        assert_eq!(
            positions(&labels(&["1", "2", "4"])),
            Some(vec![0.0, 1.0, 3.0])
        );
        assert_eq!(
            positions(&labels(&["-1", "0", "1"])),
            Some(vec![0.0, 1.0, 2.0])
        );
        // Not scales: two labels, words, codes far apart, two spellings of one number.
        assert_eq!(positions(&labels(&["0", "1"])), None);
        assert_eq!(positions(&labels(&["low", "mid", "high"])), None);
        assert_eq!(positions(&labels(&["0", "100", "1000"])), None);
        assert_eq!(positions(&labels(&["1", "01", "2"])), None);
    }

    /// Counts that follow the shape exactly are fitted exactly. Three grades, a source
    /// that favours grade 1 twice over (`u = (0, ln 2, 0)`) and halves its chance per step
    /// away from the truth (`b = ln 2`): given truth 0 it says 0, 1, 2 in proportion
    /// 1 : 2·½ : ¼, that is 4/9, 4/9, 1/9; given truth 1, ½ : 2 : ½, that is 1/6, 2/3,
    /// 1/6; given truth 2, ¼ : 1 : 1, that is 1/9, 4/9, 4/9.
    #[test]
    fn counts_of_the_shape_give_back_its_matrix() {
        let want = [
            [4.0 / 9.0, 1.0 / 6.0, 1.0 / 9.0],
            [4.0 / 9.0, 2.0 / 3.0, 4.0 / 9.0],
            [1.0 / 9.0, 1.0 / 6.0, 4.0 / 9.0],
        ];
        // 90, 60 and 180 claims on truths 0, 1, 2.
        let n = [90.0, 60.0, 180.0];
        let mut a = vec![0.0; 9];
        for j in 0..3 {
            for i in 0..3 {
                a[j * 3 + i] = n[i] * want[j][i];
            }
        }
        let mut out = vec![0.0; 9];
        let mut state = vec![0.0; state_len(3)];
        Shape::new(&[0.0, 1.0, 2.0]).fit(&a, &mut state, true, &mut out, MAX_STEPS);
        for j in 0..3 {
            for i in 0..3 {
                assert!((out[j * 3 + i] - want[j][i]).abs() < 1e-5, "{out:?}");
            }
        }
    }

    /// Counts of another form are projected onto the shape: a source that is right 70 %
    /// of the time and spreads its errors evenly over three grades cannot be told apart
    /// by distance, so the fit has it right and its errors shared out by distance; each
    /// column still sums to one and the diagonal stays the largest entry.
    #[test]
    fn other_counts_are_projected_onto_the_shape() {
        let k = 4;
        let mut a = vec![0.0; k * k];
        for j in 0..k {
            for i in 0..k {
                a[j * k + i] = if i == j { 70.0 } else { 10.0 };
            }
        }
        let mut out = vec![0.0; k * k];
        let mut state = vec![0.0; state_len(4)];
        Shape::new(&[0.0, 1.0, 2.0, 3.0]).fit(&a, &mut state, true, &mut out, MAX_STEPS);
        for i in 0..k {
            let col: f64 = (0..k).map(|j| out[j * k + i]).sum();
            assert!((col - 1.0).abs() < 1e-12);
            for j in 0..k {
                if j != i {
                    assert!(out[i * k + i] > out[j * k + i], "{out:?}");
                }
            }
        }
    }
}
