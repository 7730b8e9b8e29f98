//! Claims in a compact, canonical layout.
//!
//! Every source, object and value string is interned to a dense `u32` id. After
//! [`ClaimSetBuilder::build`] ids are renumbered in lexicographic order of the strings
//! and claims are sorted by (object, source, value), so everything downstream —
//! iteration order, tie-breaking, floating-point summation order — is a function of the
//! *set* of claims, not of the order in which rows arrived. That is what makes results
//! independent of input row order.
//!
//! Per object, the distinct claimed values form its *candidate slots*: a flat array with
//! CSR offsets, so a per-candidate belief is one `Vec<f64>` indexed by slot.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash-style hasher: interning tens of millions of short strings is hashing-bound, and
/// these keys come from one trusted process, so SipHash's flood resistance buys nothing.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// String interner: dense ids in order of first appearance (renumbered later). Each
/// distinct string is stored once, as the map's key.
#[derive(Default)]
struct Interner {
    ids: FxMap<Box<str>, u32>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = u32::try_from(self.ids.len()).unwrap_or(u32::MAX);
        self.ids.insert(s.into(), id);
        id
    }

    /// Sorted names and the old-id → new-id map.
    fn into_sorted(self) -> (Vec<Box<str>>, Vec<u32>) {
        let mut entries: Vec<(Box<str>, u32)> = self.ids.into_iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut remap = vec![0u32; entries.len()];
        let mut sorted: Vec<Box<str>> = Vec::with_capacity(entries.len());
        for (new, (name, old)) in entries.into_iter().enumerate() {
            remap[old as usize] = new as u32;
            sorted.push(name);
        }
        (sorted, remap)
    }
}

/// Accumulates `(source, object, value)` claims; [`build`](Self::build) freezes them.
#[derive(Default)]
pub struct ClaimSetBuilder {
    sources: Interner,
    objects: Interner,
    values: Interner,
    triples: Vec<[u32; 3]>,
    /// Value domains named with [`Self::set_domain`], and each object's (by builder id).
    domains: Interner,
    object_domain: Vec<u32>,
}

impl ClaimSetBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty builder with room for `claims` claims.
    pub fn with_capacity(claims: usize) -> Self {
        Self {
            triples: Vec::with_capacity(claims),
            ..Self::default()
        }
    }

    /// Records that `source` says `object` has `value`. Repeating an identical claim has
    /// no further effect; a source may claim several different values for one object.
    pub fn push(&mut self, source: &str, object: &str, value: &str) {
        let s = self.sources.intern(source);
        let o = self.objects.intern(object);
        let v = self.values.intern(value);
        self.triples.push([o, s, v]);
    }

    /// Says that `object`'s values are drawn from the same space as those of every other
    /// object of `domain` (a station's claims: the objects of one attribute, such as every
    /// vehicle's colour). Copy detection then counts the wrong values an object could take
    /// over the whole domain, not just over the values claimed for it: two sources that
    /// repeat the same invented value, where the domain holds many, are far more likely to
    /// share a source than its claims alone suggest. Objects never given a domain are each
    /// their own, and so is an object no claim has been pushed for yet (call this after the
    /// object's first claim).
    pub fn set_domain(&mut self, object: &str, domain: &str) {
        let Some(&o) = self.objects.ids.get(object) else {
            return;
        };
        let o = o as usize;
        let d = self.domains.intern(domain);
        if self.object_domain.len() <= o {
            self.object_domain.resize(o + 1, u32::MAX);
        }
        self.object_domain[o] = d;
    }

    /// Claims pushed so far (duplicates included).
    pub fn len(&self) -> usize {
        self.triples.len()
    }

    /// Whether nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.triples.is_empty()
    }

    /// Freezes into the canonical layout (see the module docs).
    pub fn build(self) -> ClaimSet {
        let (source_names, s_map) = self.sources.into_sorted();
        let (object_names, o_map) = self.objects.into_sorted();
        let (value_names, v_map) = self.values.into_sorted();
        // Each object's domain in canonical object order (u32::MAX: its own).
        let mut domain_of = vec![
            u32::MAX;
            if self.object_domain.is_empty() {
                0
            } else {
                object_names.len()
            }
        ];
        for (old, &d) in self.object_domain.iter().enumerate() {
            if let Some(&new) = o_map.get(old) {
                domain_of[new as usize] = d;
            }
        }
        let mut triples = self.triples;
        for t in &mut triples {
            *t = [
                o_map[t[0] as usize],
                s_map[t[1] as usize],
                v_map[t[2] as usize],
            ];
        }
        triples.sort_unstable();
        triples.dedup();

        let n_obj = object_names.len();
        let n_src = source_names.len();
        let n = triples.len();
        let mut obj_start = vec![0u32; n_obj + 1];
        let mut claim_source = Vec::with_capacity(n);
        let mut claim_slot = Vec::with_capacity(n);
        let mut cand_start = vec![0u32; n_obj + 1];
        let mut cand_value: Vec<u32> = Vec::new();
        let mut cand_count: Vec<u32> = Vec::new();
        let mut lo = 0usize;
        while lo < n {
            let o = triples[lo][0] as usize;
            let mut hi = lo;
            while hi < n && triples[hi][0] as usize == o {
                hi += 1;
            }
            // Distinct values of this object, sorted, become its slots.
            let first_slot = cand_value.len();
            let mut vals: Vec<u32> = triples[lo..hi].iter().map(|t| t[2]).collect();
            vals.sort_unstable();
            vals.dedup();
            cand_value.extend_from_slice(&vals);
            cand_count.resize(cand_value.len(), 0);
            for t in &triples[lo..hi] {
                let local = vals.binary_search(&t[2]).unwrap_or(0);
                let slot = first_slot + local;
                cand_count[slot] += 1;
                claim_source.push(t[1]);
                claim_slot.push(slot as u32);
            }
            obj_start[o + 1] = hi as u32;
            cand_start[o + 1] = cand_value.len() as u32;
            lo = hi;
        }
        // Objects never claimed (impossible from push, kept for safety) get empty ranges.
        for o in 0..n_obj {
            obj_start[o + 1] = obj_start[o + 1].max(obj_start[o]);
            cand_start[o + 1] = cand_start[o + 1].max(cand_start[o]);
        }
        let mut claim_object = vec![0u32; n];
        for o in 0..n_obj {
            for c in obj_start[o]..obj_start[o + 1] {
                claim_object[c as usize] = o as u32;
            }
        }
        // Per-source CSR of claim indices, in claim order (so also canonical).
        let mut src_start = vec![0u32; n_src + 1];
        for &s in &claim_source {
            src_start[s as usize + 1] += 1;
        }
        for s in 0..n_src {
            src_start[s + 1] += src_start[s];
        }
        let mut fill = src_start.clone();
        let mut src_claims = vec![0u32; n];
        for (c, &s) in claim_source.iter().enumerate() {
            src_claims[fill[s as usize] as usize] = c as u32;
            fill[s as usize] += 1;
        }
        let value_num = value_names
            .iter()
            .map(|v| parse_number(v).unwrap_or(f64::NAN))
            .collect();
        let claim_value = claim_slot.iter().map(|&s| cand_value[s as usize]).collect();
        // Distinct values over each domain, and so each object's number of possible wrong
        // values (0 for an object without a domain).
        let domain_false = if domain_of.is_empty() {
            Vec::new()
        } else {
            let mut pairs: Vec<(u32, u32)> = Vec::new();
            for (o, &d) in domain_of.iter().enumerate() {
                if d != u32::MAX {
                    let slots = cand_start[o] as usize..cand_start[o + 1] as usize;
                    pairs.extend(cand_value[slots].iter().map(|&v| (d, v)));
                }
            }
            pairs.sort_unstable();
            pairs.dedup();
            let mut per_domain: std::collections::HashMap<u32, u32> = Default::default();
            for (d, _) in pairs {
                *per_domain.entry(d).or_insert(0) += 1;
            }
            domain_of
                .iter()
                .map(|d| per_domain.get(d).map_or(0, |n| n.saturating_sub(1)))
                .collect()
        };
        ClaimSet {
            claim_value,
            domain_false,
            source_names,
            object_names,
            value_names,
            value_num,
            obj_start,
            claim_source,
            claim_object,
            claim_slot,
            cand_start,
            cand_value,
            cand_count,
            src_start,
            src_claims,
        }
    }
}

/// A number as written in a claim: plain decimal, optional sign, exponent and thousands
/// separators (`1,234,567`), as population figures are often written.
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    let cleaned: std::borrow::Cow<'_, str> = if t.contains(',') {
        t.replace(',', "").into()
    } else {
        t.into()
    };
    let x: f64 = cleaned.parse().ok()?;
    x.is_finite().then_some(x)
}

/// Claims frozen into flat arrays; ids are dense and canonical (see module docs).
#[derive(Debug, Clone)]
pub struct ClaimSet {
    source_names: Vec<Box<str>>,
    object_names: Vec<Box<str>>,
    value_names: Vec<Box<str>>,
    value_num: Vec<f64>,
    obj_start: Vec<u32>,
    claim_source: Vec<u32>,
    claim_object: Vec<u32>,
    claim_slot: Vec<u32>,
    claim_value: Vec<u32>,
    cand_start: Vec<u32>,
    cand_value: Vec<u32>,
    cand_count: Vec<u32>,
    src_start: Vec<u32>,
    src_claims: Vec<u32>,
    /// Per object, the wrong values its domain allows (see
    /// [`ClaimSetBuilder::set_domain`]); empty when no domain was given.
    domain_false: Vec<u32>,
}

impl ClaimSet {
    /// The number of wrong values object `o`'s domain allows: its domain's distinct values
    /// less one, or 0 when it has no domain.
    pub(crate) fn domain_false_values(&self, o: u32) -> u32 {
        self.domain_false.get(o as usize).copied().unwrap_or(0)
    }

    /// Number of distinct claims.
    pub fn n_claims(&self) -> usize {
        self.claim_source.len()
    }
    /// Number of sources.
    pub fn n_sources(&self) -> usize {
        self.source_names.len()
    }
    /// Number of objects.
    pub fn n_objects(&self) -> usize {
        self.object_names.len()
    }
    /// Number of distinct values over all objects (the label-set size).
    pub fn n_values(&self) -> usize {
        self.value_names.len()
    }
    /// Number of candidate slots (distinct values summed per object).
    pub fn n_slots(&self) -> usize {
        self.cand_value.len()
    }
    /// Name of source `s`.
    pub fn source_name(&self, s: u32) -> &str {
        &self.source_names[s as usize]
    }
    /// Name of object `o`.
    pub fn object_name(&self, o: u32) -> &str {
        &self.object_names[o as usize]
    }
    /// Text of value `v`.
    pub fn value_name(&self, v: u32) -> &str {
        &self.value_names[v as usize]
    }
    /// Numeric reading of value `v`, if it is a number.
    pub fn value_number(&self, v: u32) -> Option<f64> {
        let x = self.value_num[v as usize];
        (!x.is_nan()).then_some(x)
    }
    /// Id of a source by name.
    pub fn source_id(&self, name: &str) -> Option<u32> {
        find(&self.source_names, name)
    }
    /// Id of an object by name.
    pub fn object_id(&self, name: &str) -> Option<u32> {
        find(&self.object_names, name)
    }
    /// Id of a value by text.
    pub fn value_id(&self, name: &str) -> Option<u32> {
        find(&self.value_names, name)
    }
    /// Claim index range of object `o`.
    pub fn object_claims(&self, o: u32) -> std::ops::Range<usize> {
        self.obj_start[o as usize] as usize..self.obj_start[o as usize + 1] as usize
    }
    /// Whether object `o` has a single claim: a lone claim, which nobody else speaks to.
    pub fn lone(&self, o: u32) -> bool {
        self.object_claims(o).len() == 1
    }
    /// Candidate slot range of object `o`.
    pub fn object_slots(&self, o: u32) -> std::ops::Range<usize> {
        self.cand_start[o as usize] as usize..self.cand_start[o as usize + 1] as usize
    }
    /// Claim indices of source `s`.
    pub fn source_claims(&self, s: u32) -> &[u32] {
        &self.src_claims
            [self.src_start[s as usize] as usize..self.src_start[s as usize + 1] as usize]
    }
    /// Source of claim `c`.
    pub fn claim_source(&self, c: usize) -> u32 {
        self.claim_source[c]
    }
    /// Object of claim `c`.
    pub fn claim_object(&self, c: usize) -> u32 {
        self.claim_object[c]
    }
    /// Candidate slot of claim `c`.
    pub fn claim_slot(&self, c: usize) -> u32 {
        self.claim_slot[c]
    }
    /// Value id of claim `c`.
    pub fn claim_value(&self, c: usize) -> u32 {
        self.claim_value[c]
    }
    /// Value id of candidate slot `slot`.
    pub fn slot_value(&self, slot: usize) -> u32 {
        self.cand_value[slot]
    }
    /// How many claims support candidate slot `slot`.
    pub fn slot_support(&self, slot: usize) -> u32 {
        self.cand_count[slot]
    }
    /// CSR offsets of objects' claim ranges (`n_objects + 1` entries).
    pub(crate) fn object_starts(&self) -> &[u32] {
        &self.obj_start
    }
    /// Flat per-claim source ids (claim order).
    pub(crate) fn sources_flat(&self) -> &[u32] {
        &self.claim_source
    }
    /// Flat per-claim value ids (claim order).
    pub(crate) fn values_flat(&self) -> &[u32] {
        &self.claim_value
    }
    /// Flat per-claim slot ids (claim order).
    pub(crate) fn slots_flat(&self) -> &[u32] {
        &self.claim_slot
    }
    /// The claims on the objects marked in `keep`: value ids unchanged, the kept objects
    /// renumbered in order, and the sources with a claim among them renumbered in order
    /// (the others left out, so a model fitted on a small sample of a large claim set sizes
    /// its tables by the sources it sees). Canonical like any claim set, without re-reading
    /// a single string.
    ///
    /// Without `names`, sources and objects are left nameless, as for fitting a model on
    /// a sample, which reads ids only (a sample is never reported): each name is its own
    /// allocation, wherever the heap put it, and on a large claim set copying the kept
    /// ones cost a cache miss each, most of the subset's time.
    pub(crate) fn object_subset(&self, keep: &[bool], names: bool) -> ClaimSet {
        let name = |n: &str| -> Box<str> { if names { n.into() } else { Box::default() } };
        let mut object_names = Vec::new();
        let mut obj_start = vec![0u32];
        let mut cand_start = vec![0u32];
        let mut claim_source = Vec::new();
        let mut claim_object = Vec::new();
        let mut claim_slot = Vec::new();
        let mut claim_value = Vec::new();
        let mut cand_value = Vec::new();
        let mut cand_count = Vec::new();
        for (o, _) in keep.iter().enumerate().filter(|(_, k)| **k) {
            let new_o = object_names.len() as u32;
            object_names.push(name(&self.object_names[o]));
            let slots = self.object_slots(o as u32);
            let slot_shift = cand_value.len() as i64 - slots.start as i64;
            cand_value.extend_from_slice(&self.cand_value[slots.clone()]);
            cand_count.extend_from_slice(&self.cand_count[slots]);
            for c in self.object_claims(o as u32) {
                claim_source.push(self.claim_source[c]);
                claim_object.push(new_o);
                claim_slot.push((i64::from(self.claim_slot[c]) + slot_shift) as u32);
                claim_value.push(self.claim_value[c]);
            }
            obj_start.push(claim_source.len() as u32);
            cand_start.push(cand_value.len() as u32);
        }
        // Sources renumbered in order keep every object's claims sorted by source.
        let mut new_id = vec![u32::MAX; self.n_sources()];
        for &s in &claim_source {
            new_id[s as usize] = 0;
        }
        let mut source_names = Vec::new();
        for (s, id) in new_id.iter_mut().enumerate() {
            if *id == 0 {
                *id = source_names.len() as u32;
                source_names.push(name(&self.source_names[s]));
            }
        }
        for s in &mut claim_source {
            *s = new_id[*s as usize];
        }
        let n_src = source_names.len();
        let mut src_start = vec![0u32; n_src + 1];
        for &s in &claim_source {
            src_start[s as usize + 1] += 1;
        }
        for s in 0..n_src {
            src_start[s + 1] += src_start[s];
        }
        let mut fill = src_start.clone();
        let mut src_claims = vec![0u32; claim_source.len()];
        for (c, &s) in claim_source.iter().enumerate() {
            src_claims[fill[s as usize] as usize] = c as u32;
            fill[s as usize] += 1;
        }
        let domain_false = if self.domain_false.is_empty() {
            Vec::new()
        } else {
            keep.iter()
                .enumerate()
                .filter(|(_, k)| **k)
                .map(|(o, _)| self.domain_false[o])
                .collect()
        };
        ClaimSet {
            domain_false,
            source_names,
            object_names,
            value_names: self.value_names.clone(),
            value_num: self.value_num.clone(),
            obj_start,
            claim_source,
            claim_object,
            claim_slot,
            claim_value,
            cand_start,
            cand_value,
            cand_count,
            src_start,
            src_claims,
        }
    }

    /// Share of claims whose value reads as a number.
    pub fn numeric_share(&self) -> f64 {
        if self.n_claims() == 0 {
            return 0.0;
        }
        let numeric = (0..self.n_claims())
            .filter(|&c| !self.value_num[self.claim_value(c) as usize].is_nan())
            .count();
        numeric as f64 / self.n_claims() as f64
    }
}

fn find(names: &[Box<str>], name: &str) -> Option<u32> {
    names
        .binary_search_by(|n| n.as_ref().cmp(name))
        .ok()
        .map(|i| i as u32)
}

/// Confirmed facts (`object` has `value`) that anchor an estimate.
#[derive(Debug, Clone, Default)]
pub struct Outcomes {
    facts: Vec<(String, String)>,
}

/// How one object is anchored by an outcome, resolved against a [`ClaimSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// No outcome known.
    Free,
    /// The outcome is this candidate slot.
    Slot(u32),
    /// The outcome is a value no source claimed: every claim on the object is wrong.
    Unclaimed(u32),
}

impl Outcomes {
    /// No outcomes.
    pub fn new() -> Self {
        Self::default()
    }
    /// Records that `object` is confirmed to have `value`. A later insert for the same
    /// object wins.
    pub fn insert(&mut self, object: impl Into<String>, value: impl Into<String>) {
        self.facts.push((object.into(), value.into()));
    }
    /// Number of recorded facts.
    pub fn len(&self) -> usize {
        self.facts.len()
    }
    /// Whether no facts are recorded.
    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }
    /// The recorded facts.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.facts.iter().map(|(o, v)| (o.as_str(), v.as_str()))
    }

    /// Per-object anchors plus the texts of outcome values that no claim mentions (their
    /// ids continue after the claim set's values).
    pub(crate) fn resolve(&self, claims: &ClaimSet) -> (Vec<Anchor>, Vec<String>) {
        let mut anchors = vec![Anchor::Free; claims.n_objects()];
        let mut extra: Vec<String> = Vec::new();
        for (object, value) in self.iter() {
            let Some(o) = claims.object_id(object) else {
                continue;
            };
            let slots = claims.object_slots(o);
            let hit = claims.value_id(value).and_then(|v| {
                slots
                    .clone()
                    .find(|&slot| claims.slot_value(slot) == v)
                    .map(|slot| slot as u32)
            });
            anchors[o as usize] = match hit {
                Some(slot) => Anchor::Slot(slot),
                None => {
                    let id = match claims.value_id(value) {
                        Some(v) => v,
                        None => {
                            let pos = extra.iter().position(|e| e == value).unwrap_or_else(|| {
                                extra.push(value.to_string());
                                extra.len() - 1
                            });
                            (claims.n_values() + pos) as u32
                        }
                    };
                    Anchor::Unclaimed(id)
                }
            };
        }
        (anchors, extra)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_counts_the_values_of_all_its_objects() {
        let mut b = ClaimSetBuilder::new();
        b.push("s1", "car 1 colour", "red");
        b.push("s2", "car 1 colour", "blue");
        b.push("s1", "car 2 colour", "green");
        b.push("s1", "car 3 colour", "red");
        b.push("s1", "car 1 owner", "ann");
        for car in [
            "car 1 colour",
            "car 2 colour",
            "car 3 colour",
            "car 4 colour",
        ] {
            b.set_domain(car, "colour");
        }
        let c = b.build();
        // A domain for an object nobody claimed makes no object.
        assert_eq!(c.n_objects(), 4);
        let id = |name: &str| c.object_id(name).unwrap_or(u32::MAX);
        // red, blue and green: two wrong values for any car's colour.
        assert_eq!(c.domain_false_values(id("car 2 colour")), 2);
        assert_eq!(c.domain_false_values(id("car 1 colour")), 2);
        assert_eq!(c.domain_false_values(id("car 1 owner")), 0);
        let keep: Vec<bool> = (0..c.n_objects() as u32)
            .map(|o| c.object_name(o) != "car 1 colour")
            .collect();
        let sub = c.object_subset(&keep, true);
        assert_eq!(
            sub.domain_false_values(sub.object_id("car 3 colour").unwrap_or(u32::MAX)),
            2
        );
        assert_eq!(
            sub.domain_false_values(sub.object_id("car 1 owner").unwrap_or(u32::MAX)),
            0
        );
    }

    /// A subset by object is the claim set those objects' rows would build, with the
    /// value ids of the whole and only the sources that claim in it.
    #[test]
    fn object_subset_is_the_claim_set_of_those_objects() {
        let rows = [
            ("ann", "q1", "yes"),
            ("bob", "q1", "no"),
            ("bob", "q2", "no"),
            ("cy", "q2", "maybe"),
            ("abe", "q2", "no"),
            ("ann", "q3", "yes"),
            ("cy", "q3", "yes"),
            ("cy", "q3", "no"),
            ("bob", "q4", "yes"),
        ];
        let mut b = ClaimSetBuilder::new();
        for (s, o, v) in rows {
            b.push(s, o, v);
        }
        let all = b.build();
        let keep: Vec<bool> = (0..all.n_objects() as u32)
            .map(|o| all.object_name(o) != "q2")
            .collect();
        let sub = all.object_subset(&keep, true);
        // Without names, the same claims.
        let sample = all.object_subset(&keep, false);
        assert_eq!(
            (sample.n_sources(), sample.n_objects()),
            (sub.n_sources(), sub.n_objects())
        );
        assert_eq!(sample.sources_flat(), sub.sources_flat());
        assert_eq!(sample.values_flat(), sub.values_flat());
        assert_eq!(sample.slots_flat(), sub.slots_flat());
        assert_eq!(sample.object_starts(), sub.object_starts());
        assert!((0..sample.n_sources() as u32).all(|s| sample.source_name(s).is_empty()));
        let mut b = ClaimSetBuilder::new();
        for (s, o, v) in rows.iter().filter(|r| r.1 != "q2") {
            b.push(s, o, v);
        }
        let rebuilt = b.build();
        assert_eq!(sub.n_objects(), 3);
        assert_eq!(sub.n_claims(), rebuilt.n_claims());
        // abe claims only on q2: left out, and the others renumbered in order.
        assert_eq!((all.n_sources(), sub.n_sources()), (4, 3));
        assert_eq!(sub.n_sources(), rebuilt.n_sources());
        for s in 0..sub.n_sources() as u32 {
            assert_eq!(sub.source_name(s), rebuilt.source_name(s));
            assert_eq!(sub.source_id(sub.source_name(s)), Some(s));
        }
        let text = |c: &ClaimSet, i: usize| {
            (
                c.source_name(c.claim_source(i)).to_string(),
                c.object_name(c.claim_object(i)).to_string(),
                c.value_name(c.claim_value(i)).to_string(),
            )
        };
        for i in 0..sub.n_claims() {
            assert_eq!(text(&sub, i), text(&rebuilt, i));
            assert_eq!(
                sub.slot_value(sub.claim_slot(i) as usize),
                sub.claim_value(i)
            );
            assert!(
                sub.object_slots(sub.claim_object(i))
                    .contains(&(sub.claim_slot(i) as usize))
            );
        }
        for s in 0..sub.n_sources() as u32 {
            for &c in sub.source_claims(s) {
                assert_eq!(sub.claim_source(c as usize), s);
            }
        }
        let supports: Vec<u32> = (0..sub.n_slots()).map(|x| sub.slot_support(x)).collect();
        let expected: Vec<u32> = (0..rebuilt.n_slots())
            .map(|x| rebuilt.slot_support(x))
            .collect();
        assert_eq!(supports, expected);
    }
}
