//! Synthetic claims with known truth, source accuracies and copying, for benchmarks and
//! tests. Pure and deterministic: the same parameters give the same data.

/// SplitMix64 (Steele, Lea & Flood 2014): tiny, fast, and good enough for simulation.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SyntheticParams {
    /// Number of sources.
    pub sources: u32,
    /// Number of objects.
    pub objects: u32,
    /// Distinct sources claiming each object (capped at `sources`).
    pub claims_per_object: u32,
    /// Share of sources that copy another source.
    pub copiers: f64,
    /// Size of the label set.
    pub classes: u32,
    /// Share of a copier's claims copied from its original.
    pub copy_rate: f64,
    /// Random seed.
    pub seed: u64,
}

impl Default for SyntheticParams {
    fn default() -> Self {
        SyntheticParams {
            sources: 100,
            objects: 1000,
            claims_per_object: 10,
            copiers: 0.2,
            classes: 4,
            copy_rate: 0.8,
            seed: 1,
        }
    }
}

/// A generated data set. Source `s` is named `s{s}`, object `o` is `o{o}`, class `v` is
/// the text `v`.
#[derive(Debug, Clone)]
pub struct Synthetic {
    /// `(source, object, class)` claims, object-major.
    pub claims: Vec<(u32, u32, u32)>,
    /// True class per object.
    pub truth: Vec<u32>,
    /// Accuracy per source (of its own, uncopied answers).
    pub accuracy: Vec<f64>,
    /// The original each copier copies from.
    pub copies_from: Vec<Option<u32>>,
}

impl Synthetic {
    /// Whether two sources are dependent by construction: one copies the other, or both
    /// copy the same original.
    pub fn dependent(&self, a: u32, b: u32) -> bool {
        let root = |s: u32| self.copies_from[s as usize].unwrap_or(s);
        a != b && root(a) == root(b)
    }
}

/// Generates a data set.
///
/// Independent sources have accuracies uniform in [0.55, 0.95] and err uniformly over the
/// other classes. Each object is claimed by `claims_per_object` distinct sources drawn
/// uniformly. A copier repeats its original's answer on an object with probability
/// `copy_rate` — the answer the original gives or would give there — and otherwise
/// answers on its own.
pub fn generate(p: &SyntheticParams) -> Synthetic {
    let n = p.sources.max(1);
    let classes = p.classes.max(2);
    let k = p.claims_per_object.min(n);
    let mut rng = SplitMix64::new(p.seed);
    let accuracy: Vec<f64> = (0..n).map(|_| 0.55 + 0.4 * rng.unit()).collect();
    // Copiers: a random subset; originals drawn among the rest.
    let mut order: Vec<u32> = (0..n).collect();
    for i in (1..order.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        order.swap(i, j);
    }
    let n_copiers =
        ((p.copiers.clamp(0.0, 1.0) * f64::from(n)).round() as usize).min(n as usize - 1);
    let mut copies_from = vec![None; n as usize];
    let (copiers, originals) = order.split_at(n_copiers);
    for &c in copiers {
        copies_from[c as usize] = Some(originals[rng.below(originals.len() as u64) as usize]);
    }
    let truth: Vec<u32> = (0..p.objects)
        .map(|_| rng.below(u64::from(classes)) as u32)
        .collect();
    let seed = p.seed;
    let own_answer = |s: u32, o: u32| -> u32 {
        let mut r = SplitMix64::new(mix(seed ^ mix(u64::from(s) << 32 | u64::from(o))));
        let t = truth[o as usize];
        if r.unit() < accuracy[s as usize] {
            t
        } else {
            (t + 1 + r.below(u64::from(classes) - 1) as u32) % classes
        }
    };
    let mut claims = Vec::with_capacity(p.objects as usize * k as usize);
    let mut chosen: Vec<u32> = Vec::with_capacity(k as usize);
    for o in 0..p.objects {
        chosen.clear();
        while chosen.len() < k as usize {
            let s = rng.below(u64::from(n)) as u32;
            if !chosen.contains(&s) {
                chosen.push(s);
            }
        }
        for &s in &chosen {
            let v = match copies_from[s as usize] {
                Some(orig) if rng.unit() < p.copy_rate => own_answer(orig, o),
                _ => own_answer(s, o),
            };
            claims.push((s, o, v));
        }
    }
    Synthetic {
        claims,
        truth,
        accuracy,
        copies_from,
    }
}
