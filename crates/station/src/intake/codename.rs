//! Codenames and what is derived from them.
//!
//! A codename is 7 words from the EFF large word list (7776 words, log2(7776^7) ≈ 90.3 bits),
//! drawn with the station's entropy. It is shown to the volunteer once and never stored.
//! One Argon2id run over it (under the portal-wide salt) gives a 32-byte master from which
//! two independent values are hashed:
//! - the *lookup key*, stored, which finds the thread;
//! - the *reply secret*, never stored, an age X25519 identity: replies are encrypted to its
//!   public half, so only someone holding the codename can read them.
//!
//! Threat: a seized database. The lookup key is a one-way function of the codename, and the
//! reply secret cannot be computed from the lookup key (both are separate hashes of the
//! Argon2 output), so the seizure reveals neither codenames nor replies. The salt is
//! portal-wide rather than per thread because the thread must be *found* from the codename
//! alone; with 90 bits of codename entropy the factor an attacker gains by testing one guess
//! against every thread at once (at most the number of threads) is immaterial, and the salt
//! still rules out tables precomputed for another station.

use crate::StationError;
use age::secrecy::ExposeSecret as _;
use humint_core::Entropy;
use sha2::{Digest, Sha256};
use std::str::FromStr as _;
use zeroize::Zeroizing;

const WORDLIST: &str = include_str!("eff_large_wordlist.txt");

/// Words in a codename.
pub const CODENAME_WORDS: usize = 7;
/// Longest codename input considered at all (7 of the longest words is far below this).
pub(crate) const MAX_CODENAME_INPUT: usize = 300;

pub(crate) fn wordlist() -> impl Iterator<Item = &'static str> {
    WORDLIST.lines().map(str::trim).filter(|w| !w.is_empty())
}

fn word_at(index: u64) -> &'static str {
    usize::try_from(index)
        .ok()
        .and_then(|i| wordlist().nth(i))
        .unwrap_or("abacus")
}

/// `n` words drawn uniformly from the list, joined by single spaces.
pub(crate) fn random_words(n: usize, entropy: &dyn Entropy) -> Zeroizing<String> {
    let size = wordlist().count() as u64;
    let words: Vec<&str> = (0..n).map(|_| word_at(entropy.below(size))).collect();
    Zeroizing::new(words.join(" "))
}

/// A new codename.
pub fn generate(entropy: &dyn Entropy) -> Zeroizing<String> {
    random_words(CODENAME_WORDS, entropy)
}

/// How a typed codename or phrase is compared: case and spacing do not matter.
pub(crate) fn normalise(text: &str) -> Zeroizing<String> {
    Zeroizing::new(
        text.split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Argon2id costs for the codename KDF. Stored with the salt on first use, so every instance
/// serving the portal derives the same keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodenameKdf {
    pub memory_kib: u32,
    pub iterations: u32,
    pub lanes: u32,
}

impl Default for CodenameKdf {
    /// OWASP's Argon2id figures (19 MiB, 2 passes), as for officer passwords: with a 90-bit
    /// codename the cost is defence in depth, and a cheaper hash keeps a login flood from
    /// eating the station's memory.
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            lanes: 1,
        }
    }
}

impl CodenameKdf {
    pub(crate) fn to_setting(self) -> String {
        format!(
            "m={},t={},p={}",
            self.memory_kib, self.iterations, self.lanes
        )
    }

    pub(crate) fn from_setting(text: &str) -> Option<Self> {
        let mut m = None;
        let mut t = None;
        let mut p = None;
        for part in text.split(',') {
            let (k, v) = part.split_once('=')?;
            let v: u32 = v.parse().ok()?;
            match k {
                "m" => m = Some(v),
                "t" => t = Some(v),
                "p" => p = Some(v),
                _ => return None,
            }
        }
        Some(Self {
            memory_kib: m?,
            iterations: t?,
            lanes: p?,
        })
    }
}

/// What a codename gives.
pub(crate) struct Derived {
    pub lookup: [u8; 32],
    pub reply_secret: Zeroizing<[u8; 32]>,
}

/// Argon2's working memory, kept between runs. Allocating it afresh for every sign-in let
/// the allocator keep one copy per blocking thread (hundreds of MiB under a login flood);
/// one buffer, used one run at a time and wiped after each, bounds it to the KDF's cost.
#[derive(Default)]
pub(crate) struct KdfMemory(Vec<argon2::Block>);

impl std::fmt::Debug for KdfMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KdfMemory(..)")
    }
}

/// The slow part: run it off the async workers.
#[cfg(test)]
pub(crate) fn derive(
    codename: &str,
    salt: &[u8],
    kdf: CodenameKdf,
) -> Result<Derived, StationError> {
    derive_with(codename, salt, kdf, &mut KdfMemory::default())
}

pub(crate) fn derive_with(
    codename: &str,
    salt: &[u8],
    kdf: CodenameKdf,
    memory: &mut KdfMemory,
) -> Result<Derived, StationError> {
    let params = argon2::Params::new(kdf.memory_kib, kdf.iterations, kdf.lanes, Some(32))
        .map_err(|e| StationError::Io(format!("codename KDF parameters: {e}")))?;
    memory
        .0
        .resize(params.block_count(), argon2::Block::default());
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut master = Zeroizing::new([0u8; 32]);
    let result = argon.hash_password_into_with_memory(
        normalise(codename).as_bytes(),
        salt,
        &mut *master,
        &mut memory.0,
    );
    // The blocks hold state derived from the codename: wipe them before they wait for the
    // next run.
    memory.0.fill(argon2::Block::default());
    result.map_err(|e| StationError::Io(format!("codename KDF: {e}")))?;
    let lookup: [u8; 32] = Sha256::new()
        .chain_update(b"humint/intake/lookup/v1")
        .chain_update(*master)
        .finalize()
        .into();
    let reply: [u8; 32] = Sha256::new()
        .chain_update(b"humint/intake/reply/v1")
        .chain_update(*master)
        .finalize()
        .into();
    Ok(Derived {
        lookup,
        reply_secret: Zeroizing::new(reply),
    })
}

/// The age identity whose secret key is `secret` (any 32 bytes are a valid X25519 scalar
/// after clamping, which the X25519 function does itself).
pub(crate) fn reply_identity(secret: &[u8; 32]) -> Result<age::x25519::Identity, StationError> {
    let hrp = bech32::Hrp::parse("age-secret-key-")
        .map_err(|e| StationError::Io(format!("age key prefix: {e}")))?;
    let encoded = Zeroizing::new(
        bech32::encode_upper::<bech32::Bech32>(hrp, secret)
            .map_err(|e| StationError::Io(format!("age key encoding: {e}")))?,
    );
    age::x25519::Identity::from_str(&encoded).map_err(|e| StationError::Io(format!("age key: {e}")))
}

/// A new random identity for an offline custodian: (secret key text, recipient text).
pub fn generate_custodian_identity() -> (Zeroizing<String>, String) {
    let identity = age::x25519::Identity::generate();
    let secret = Zeroizing::new(identity.to_string().expose_secret().to_owned());
    (secret, identity.to_public().to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use humint_core::SeededEntropy;

    const CHEAP: CodenameKdf = CodenameKdf {
        memory_kib: 64,
        iterations: 1,
        lanes: 1,
    };

    #[test]
    fn the_vendored_list_is_the_eff_large_list() {
        let words: Vec<&str> = wordlist().collect();
        assert_eq!(words.len(), 7776);
        assert_eq!(words[0], "abacus");
        assert_eq!(words[7775], "zoom");
        let unique: std::collections::BTreeSet<_> = words.iter().collect();
        assert_eq!(unique.len(), 7776, "no duplicates");
    }

    #[test]
    fn a_codename_has_seven_listed_words() {
        let e = SeededEntropy::new(1);
        let c = generate(&e);
        let words: Vec<&str> = c.split(' ').collect();
        assert_eq!(words.len(), CODENAME_WORDS);
        let list: std::collections::BTreeSet<_> = wordlist().collect();
        assert!(words.iter().all(|w| list.contains(w)));
        assert_ne!(*c, *generate(&e));
    }

    #[test]
    fn typing_differences_do_not_matter_but_words_do() {
        let a = derive("Abacus  zoom\tyo-yo", b"salt-salt-salt!!", CHEAP).unwrap();
        let b = derive(" abacus zoom yo-yo ", b"salt-salt-salt!!", CHEAP).unwrap();
        let c = derive("abacus zoom yoyo", b"salt-salt-salt!!", CHEAP).unwrap();
        assert_eq!(a.lookup, b.lookup);
        assert_eq!(*a.reply_secret, *b.reply_secret);
        assert_ne!(a.lookup, c.lookup);
        assert_ne!(a.lookup, *a.reply_secret);
        let other_salt = derive("abacus zoom yo-yo", b"another-salt-123", CHEAP).unwrap();
        assert_ne!(a.lookup, other_salt.lookup);
    }

    #[test]
    fn a_reused_buffer_gives_the_same_keys_and_is_wiped_after_each_run() {
        let mut memory = KdfMemory::default();
        let a = derive_with("abacus zoom", b"salt-salt-salt!!", CHEAP, &mut memory).unwrap();
        let b = derive_with("abacus zoom", b"salt-salt-salt!!", CHEAP, &mut memory).unwrap();
        let fresh = derive("abacus zoom", b"salt-salt-salt!!", CHEAP).unwrap();
        assert_eq!(a.lookup, b.lookup);
        assert_eq!(a.lookup, fresh.lookup);
        let zero = format!("{:?}", argon2::Block::default());
        assert_eq!(memory.0.len(), 64);
        assert!(memory.0.iter().all(|b| format!("{b:?}") == zero));
    }

    #[test]
    fn the_reply_identity_is_deterministic_and_decrypts() {
        let d = derive("abacus zoom", b"salt-salt-salt!!", CHEAP).unwrap();
        let id = reply_identity(&d.reply_secret).unwrap();
        let again = reply_identity(&d.reply_secret).unwrap();
        assert_eq!(id.to_public().to_string(), again.to_public().to_string());
        let sealed = age::encrypt(&id.to_public(), b"hello").unwrap();
        assert_eq!(age::decrypt(&again, &sealed).unwrap(), b"hello");
    }

    #[test]
    fn kdf_settings_round_trip_and_reject_junk() {
        let k = CodenameKdf::default();
        assert_eq!(CodenameKdf::from_setting(&k.to_setting()), Some(k));
        assert_eq!(CodenameKdf::from_setting("m=1,t=2"), None);
        assert_eq!(CodenameKdf::from_setting("m=x,t=2,p=1"), None);
    }
}
