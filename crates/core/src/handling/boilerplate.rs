//! Boilerplate in authorisations: a statement that largely repeats the same statement of another
//! authorisation.
//!
//! Source: compliance.md §7, INS-02 ("Discourage boilerplate: warn on text copied from other
//! applications"), after IPCO Annual Report 2018 para 11.20, which criticises necessity,
//! proportionality and collateral-intrusion statements pasted from other cases rather than
//! written for this source and this operation. It is a warning: nothing is refused.
//!
//! The measure: each text becomes its normalised words (lower case; apostrophes dropped so
//! "source's" is "sources"; any other character that is not a letter or a digit separates
//! words), then the set of its runs of [`SHINGLE_WORDS`] consecutive words (shingles). The share
//! of the new text's shingles that the other text also has is its *containment* in the other
//! (Broder 1997): 1 for a copy, 0 for texts with no run of five words in common, and
//! asymmetric, so a short statement pasted into a longer one is still found whole.
//!
//! Why five words and 0.6: a word changed destroys at most the five shingles that contain it,
//! so a 60-word statement with four words changed still shares at least 36 of its 56 shingles
//! (64 %); statements written independently on the same subject share stock phrases ("the use
//! and conduct of the source") but rarely more than a fifth of their five-word runs. At or
//! above [`THRESHOLD_PERCENT`] most of the new text is another's, verbatim. Statements under
//! [`MIN_WORDS`] words are not judged: short formulaic phrases are not boilerplate, and a
//! handful of shingles gives a share too coarse to mean anything.

/// The warning's stable code.
pub const AUTH_TEXT_REPEATED: &str = "AUTH_TEXT_REPEATED";

/// Words in a shingle.
pub const SHINGLE_WORDS: usize = 5;

/// A statement with fewer normalised words than this is never judged.
pub const MIN_WORDS: usize = 25;

/// Flagged when at least this share (in per cent, exactly: `shared * 100 >= 60 * of`) of the
/// new statement's shingles are in the other.
pub const THRESHOLD_PERCENT: usize = 60;

/// The three statements an authorisation justifies itself with (RIPA s.29(2)(a)-(b), the
/// Code's collateral intrusion).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Statement {
    Necessity,
    Proportionality,
    CollateralIntrusion,
}

impl Statement {
    pub const ALL: [Statement; 3] = [
        Statement::Necessity,
        Statement::Proportionality,
        Statement::CollateralIntrusion,
    ];

    /// Stable name (API, audit).
    pub fn as_str(self) -> &'static str {
        match self {
            Statement::Necessity => "necessity",
            Statement::Proportionality => "proportionality",
            Statement::CollateralIntrusion => "collateral_intrusion",
        }
    }

    /// As a person says it.
    pub fn words(self) -> &'static str {
        match self {
            Statement::Necessity => "necessity",
            Statement::Proportionality => "proportionality",
            Statement::CollateralIntrusion => "collateral intrusion",
        }
    }

    /// This statement of an authorisation.
    pub fn of(self, a: &super::Authorisation) -> &str {
        match self {
            Statement::Necessity => &a.necessity,
            Statement::Proportionality => &a.proportionality,
            Statement::CollateralIntrusion => &a.collateral_intrusion,
        }
    }
}

/// FNV-1a, 64 bits: a fixed function, so shingles hash the same in every process and release.
fn fnv1a(bytes: &[u8], mut h: u64) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// The hash of each normalised word of a text (lower case; apostrophes dropped; any other
/// character that is not a letter or a digit separates words), without building the words.
fn word_hashes(text: &str) -> Vec<u64> {
    let mut out = Vec::with_capacity(text.len() / 5);
    let mut h = FNV_OFFSET;
    let mut in_word = false;
    let mut utf8 = [0u8; 4];
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            h = fnv1a(&[c.to_ascii_lowercase() as u8], h);
            in_word = true;
        } else if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                h = fnv1a(l.encode_utf8(&mut utf8).as_bytes(), h);
            }
            in_word = true;
        } else if c == '\'' || c == '\u{2019}' {
            // "source's" and "sources'" are one word.
        } else if in_word {
            out.push(h);
            h = FNV_OFFSET;
            in_word = false;
        }
    }
    if in_word {
        out.push(h);
    }
    out
}

/// A text as its word count and its set of shingles, each a 64-bit hash of its five words
/// (sorted, no repeats). Two different runs of words share a hash with odds of about one in
/// 2^64 per pair: no statement is long enough for that to move a share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shingled {
    words: usize,
    shingles: Vec<u64>,
}

impl Shingled {
    pub fn new(text: &str) -> Self {
        let w = word_hashes(text);
        let mut shingles: Vec<u64> = w
            .windows(SHINGLE_WORDS)
            .map(|s| s.iter().fold(FNV_OFFSET, |h, x| fnv1a(&x.to_le_bytes(), h)))
            .collect();
        shingles.sort_unstable();
        shingles.dedup();
        Shingled {
            words: w.len(),
            shingles,
        }
    }

    /// Long enough to be judged ([`MIN_WORDS`]).
    pub fn judged(&self) -> bool {
        self.words >= MIN_WORDS
    }
}

/// How many values two sorted, deduplicated lists share.
fn shared(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// How much of a statement another repeats: `shared` of its `of` shingles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    pub shared: usize,
    pub of: usize,
}

impl Share {
    /// The share in whole per cent, rounded down (never shows 60 % for a share below it).
    pub fn percent(self) -> usize {
        (self.shared * 100).checked_div(self.of).unwrap_or(0)
    }

    /// At or above the threshold, exactly.
    pub fn repeats(self) -> bool {
        self.of > 0 && self.shared * 100 >= THRESHOLD_PERCENT * self.of
    }

    fn ratio_cmp(self, other: Share) -> std::cmp::Ordering {
        (self.shared * other.of).cmp(&(other.shared * self.of))
    }
}

/// The containment of `new` in `other`, or `None` when `new` is too short to judge.
pub fn containment(new: &Shingled, other: &Shingled) -> Option<Share> {
    if !new.judged() {
        return None;
    }
    Some(Share {
        shared: shared(&new.shingles, &other.shingles),
        of: new.shingles.len(),
    })
}

/// A statement found to repeat another authorisation's (`other`, the caller's key for it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeat<K> {
    pub statement: Statement,
    pub other: K,
    pub share: Share,
}

impl<K> Repeat<K> {
    /// The warning's sentence, naming the other authorisation by its source's codename and the
    /// London day it was granted.
    pub fn message(&self, codename: &str, granted_on: chrono::NaiveDate) -> String {
        format!(
            "The {} statement repeats {} % of the one written for {codename} on {granted_on}: IPCO asks for statements written for this source and this operation.",
            self.statement.words(),
            self.share.percent()
        )
    }
}

/// Of `others` (each a key and its text of `statement`), the one `new` repeats most, if any
/// reaches the threshold; ties go to the smallest key, so the answer does not depend on the
/// order of `others`.
pub fn strongest_repeat<K: Ord + Clone>(
    statement: Statement,
    new: &Shingled,
    others: &[(K, &Shingled)],
) -> Option<Repeat<K>> {
    let mut best: Option<Repeat<K>> = None;
    for (key, other) in others {
        // A statement too short to judge is never flagged.
        let share = containment(new, other)?;
        if !share.repeats() {
            continue;
        }
        let better = match &best {
            None => true,
            Some(b) => match share.ratio_cmp(b.share) {
                std::cmp::Ordering::Greater => true,
                std::cmp::Ordering::Equal => *key < b.other,
                std::cmp::Ordering::Less => false,
            },
        };
        if better {
            best = Some(Repeat {
                statement,
                other: key.clone(),
                share,
            });
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The normalised words of a text, built as strings: the rule [`word_hashes`] hashes
    /// without building them, written plainly to check it against.
    fn words(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut word = String::new();
        for c in text.chars() {
            if c.is_alphanumeric() {
                word.extend(c.to_lowercase());
            } else if c == '\'' || c == '\u{2019}' {
                // "source's" and "sources'" are one word.
            } else if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
        }
        if !word.is_empty() {
            out.push(word);
        }
        out
    }

    const ORIGINAL: &str = "The source is the only person with regular access to the warehouse office where the shipments are planned, and no other method such as surveillance or open records can show who arranges the deliveries, when they arrive or where the money goes afterwards.";

    fn text(words: &[String]) -> String {
        words.join(" ")
    }

    /// `n` distinct words.
    fn distinct(prefix: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i}")).collect()
    }

    fn share(new: &str, other: &str) -> Option<Share> {
        containment(&Shingled::new(new), &Shingled::new(other))
    }

    #[test]
    fn words_are_lower_case_without_punctuation() {
        assert_eq!(
            words("The Source's access, (daily) — to the well-being"),
            vec![
                "the", "sources", "access", "daily", "to", "the", "well", "being"
            ]
        );
    }

    #[test]
    fn word_hashes_are_the_hashes_of_the_words() {
        let text = "The Source’s access, (daily) — to the well-being of Ünal's café";
        let expected: Vec<u64> = words(text)
            .iter()
            .map(|w| fnv1a(w.as_bytes(), FNV_OFFSET))
            .collect();
        assert_eq!(word_hashes(text), expected);
        assert_eq!(expected.len(), 11);
    }

    #[test]
    fn a_copy_with_other_punctuation_and_case_is_a_whole_repeat() {
        let shouted = ORIGINAL.to_uppercase().replace(',', ";");
        let s = share(&shouted, ORIGINAL).expect("long enough");
        assert_eq!(s.percent(), 100);
        assert!(s.repeats());
    }

    #[test]
    fn the_threshold_is_inclusive_at_exactly_sixty_per_cent() {
        // 29 distinct words: 25 shingles. The other has the first 19 words (15 shingles): 15/25.
        let new = distinct("w", 29);
        let at = share(&text(&new), &text(&new[..19])).expect("judged");
        assert_eq!(at, Share { shared: 15, of: 25 });
        assert!(at.repeats());
        assert_eq!(at.percent(), 60);
        // One word fewer: 14/25 = 56 %.
        let below = share(&text(&new), &text(&new[..18])).expect("judged");
        assert_eq!(below, Share { shared: 14, of: 25 });
        assert!(!below.repeats());
    }

    #[test]
    fn the_length_floor_is_twenty_five_words() {
        let at_floor = distinct("w", MIN_WORDS);
        assert!(share(&text(&at_floor), &text(&at_floor)).is_some());
        let under = distinct("w", MIN_WORDS - 1);
        assert_eq!(share(&text(&under), &text(&under)), None);
        let same = Shingled::new(&text(&under));
        assert_eq!(
            strongest_repeat(Statement::Necessity, &same, &[(0, &same)]),
            None
        );
    }

    #[test]
    fn a_lightly_edited_copy_is_flagged_and_an_original_is_not() {
        let edited = ORIGINAL
            .replace("warehouse office", "depot office")
            .replace("surveillance", "observation")
            .replace("deliveries", "consignments");
        let s = share(&edited, ORIGINAL).expect("judged");
        assert!(s.repeats(), "{s:?}");
        let written = "Tasking this source is necessary because the group moves its meetings each week and only a member invited to them can say where the next one is and who attends it, which patrols and informants outside the group have failed to establish.";
        let s = share(written, ORIGINAL).expect("judged");
        assert!(!s.repeats(), "{s:?}");
    }

    #[test]
    fn the_strongest_repeat_wins_and_ties_go_to_the_smallest_key() {
        let new = Shingled::new(ORIGINAL);
        let partial = Shingled::new(&ORIGINAL.replace("surveillance", "watching"));
        let whole = Shingled::new(ORIGINAL);
        let r = strongest_repeat(
            Statement::Proportionality,
            &new,
            &[(1, &partial), (3, &whole), (2, &whole)],
        )
        .expect("repeats");
        assert_eq!(r.other, 2);
        assert_eq!(r.share.percent(), 100);
        assert_eq!(
            r.message(
                "HAZEL HOUND",
                chrono::NaiveDate::from_ymd_opt(2024, 3, 2).expect("date")
            ),
            "The proportionality statement repeats 100 % of the one written for HAZEL HOUND on 2024-03-02: IPCO asks for statements written for this source and this operation."
        );
    }

    fn arb_words(min: usize, max: usize) -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec("[a-z]{1,3}", min..max)
    }

    proptest! {
        #[test]
        fn identical_text_is_one(w in arb_words(MIN_WORDS, 80)) {
            let s = share(&text(&w), &text(&w)).expect("judged");
            prop_assert_eq!(s.shared, s.of);
            prop_assert_eq!(s.percent(), 100);
        }

        #[test]
        fn disjoint_text_is_zero(w in arb_words(MIN_WORDS, 80), v in arb_words(0, 80)) {
            // Letters against digits: no word in common.
            let other: Vec<String> = v.iter().map(|x| x.bytes().map(|b| char::from(b'0' + b % 10)).collect()).collect();
            let s = share(&text(&w), &text(&other)).expect("judged");
            prop_assert_eq!(s.shared, 0);
            prop_assert!(!s.repeats());
        }

        #[test]
        fn share_is_between_zero_and_one(w in arb_words(MIN_WORDS, 60), v in arb_words(0, 60)) {
            let s = share(&text(&w), &text(&v)).expect("judged");
            prop_assert!(s.shared <= s.of);
        }

        #[test]
        fn below_the_floor_is_never_flagged(w in arb_words(0, MIN_WORDS)) {
            let s = Shingled::new(&text(&w));
            prop_assert_eq!(containment(&s, &s), None);
            prop_assert_eq!(strongest_repeat(Statement::Necessity, &s, &[(0, &s)]), None);
        }

        #[test]
        fn a_few_words_changed_is_still_flagged(
            w in prop::collection::vec("[a-z]{4,8}", 60..120),
            picks in prop::collection::vec(any::<prop::sample::Index>(), 1..5),
        ) {
            // Up to four words replaced by words the text cannot contain (digits).
            let mut copy = w.clone();
            for (n, i) in picks.iter().enumerate() {
                copy[i.index(w.len())] = format!("{n}9{n}");
            }
            let s = share(&text(&copy), &text(&w)).expect("judged");
            prop_assert!(s.repeats(), "{:?}", s);
        }

        #[test]
        fn the_order_of_the_others_is_irrelevant(
            new in arb_words(MIN_WORDS, 40),
            others in prop::collection::vec(arb_words(0, 40), 0..6),
            seed in any::<u64>(),
        ) {
            let new_s = Shingled::new(&text(&new));
            // Some others share most of the new text, so ties and winners happen.
            let shingled: Vec<(usize, Shingled)> = others
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    let mut t = new.clone();
                    t.truncate(new.len() - (i % 3));
                    t.extend(o.iter().cloned());
                    (i, Shingled::new(&text(if i % 2 == 0 { &t } else { o })))
                })
                .collect();
            let forward: Vec<(usize, &Shingled)> = shingled.iter().map(|(k, s)| (*k, s)).collect();
            let mut shuffled = forward.clone();
            let len = shuffled.len();
            if len > 1 {
                let mut x = seed;
                for i in (1..len).rev() {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    let j = usize::try_from(x >> 33).unwrap_or(0) % (i + 1);
                    shuffled.swap(i, j);
                }
            }
            prop_assert_eq!(
                strongest_repeat(Statement::CollateralIntrusion, &new_s, &forward),
                strongest_repeat(Statement::CollateralIntrusion, &new_s, &shuffled)
            );
        }
    }
}
