//! Password hashing with Argon2id.
//!
//! Production parameters follow OWASP's Password Storage Cheat Sheet recommendation for
//! Argon2id: 19 MiB of memory, 2 iterations, 1 lane. The memory cost is what makes a stolen
//! hash table expensive to brute-force on GPUs; the figures keep a login under ~50 ms on a
//! small server. Tests and benchmarks may pass cheaper [`PasswordParams`]; the parameters
//! are recorded in each PHC string, so hashes made with any parameters still verify.

use argon2::{Algorithm, Argon2, PasswordHasher, PasswordVerifier, Version};
use humint_core::Entropy;

use crate::CryptoError;

/// Argon2id cost parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordParams {
    inner: argon2::Params,
}

impl PasswordParams {
    /// OWASP's recommendation: 19 MiB, 2 iterations, 1 lane. What production uses.
    pub fn owasp() -> Self {
        Self {
            inner: argon2::Params::DEFAULT,
        }
    }

    /// Custom costs, e.g. `new(64, 1, 1)` to keep tests fast. Validated here so that
    /// hashing itself cannot fail on parameters.
    pub fn new(memory_kib: u32, iterations: u32, lanes: u32) -> Result<Self, CryptoError> {
        argon2::Params::new(memory_kib, iterations, lanes, None)
            .map(|inner| Self { inner })
            .map_err(|e| CryptoError::InvalidPasswordParams {
                reason: e.to_string(),
            })
    }
}

impl Default for PasswordParams {
    fn default() -> Self {
        Self::owasp()
    }
}

/// A hash of a password nobody knows, made with the production parameters. Verifying
/// against it costs what verifying a real user's hash costs.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$jLbSm/QskcK/XN/FozghMg$KbT3XqHyhP5INgvTkgs7drSi+HdKeq5LjX6KHQDuKWg";

/// Hashes `password` with the production parameters into a PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`).
pub fn hash_password(password: &str, entropy: &dyn Entropy) -> Result<String, CryptoError> {
    hash_password_with(&PasswordParams::owasp(), password, entropy)
}

/// Hashes `password` with the given parameters (a 16-byte random salt from `entropy`).
pub fn hash_password_with(
    params: &PasswordParams,
    password: &str,
    entropy: &dyn Entropy,
) -> Result<String, CryptoError> {
    let mut salt = [0u8; argon2::RECOMMENDED_SALT_LEN];
    entropy.fill(&mut salt);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.inner.clone())
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        // Only a password longer than 4 GiB can fail here; the message names no secret.
        .map_err(|e| CryptoError::PasswordHashing {
            reason: e.to_string(),
        })
}

/// Whether `password` matches the stored PHC string. The comparison is constant-time
/// (argon2 compares outputs with `subtle`). A malformed or non-Argon2 stored hash is a
/// mismatch, not a panic, so a corrupted row locks one account rather than the server.
pub fn verify_password(phc: &str, password: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// Spends the time of one password verification and returns `false`. Call it when a login
/// names an unknown user, so that the response time does not tell an attacker which
/// usernames exist (user enumeration by timing).
pub fn dummy_verify(password: &str) -> bool {
    let _ = verify_password(DUMMY_HASH, password);
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use humint_core::SeededEntropy;
    use rstest::rstest;

    fn cheap() -> PasswordParams {
        PasswordParams::new(64, 1, 1).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_right_password_verifies_and_a_wrong_one_does_not() {
        let phc = hash_password_with(&cheap(), "correct horse", &SeededEntropy::new(1))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{phc}");
        assert!(verify_password(&phc, "correct horse"));
        assert!(!verify_password(&phc, "correct horsf"));
        assert!(!verify_password(&phc, ""));
    }

    #[test]
    fn production_hashes_use_owasp_parameters() {
        let phc = hash_password("pw", &SeededEntropy::new(1)).unwrap_or_else(|e| panic!("{e}"));
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password(&phc, "pw"));
    }

    #[test]
    fn two_users_with_the_same_password_get_different_hashes() {
        let entropy = SeededEntropy::new(1);
        let a = hash_password_with(&cheap(), "same", &entropy).ok();
        let b = hash_password_with(&cheap(), "same", &entropy).ok();
        assert_ne!(a, b);
    }

    #[rstest]
    #[case::empty("")]
    #[case::garbage("not a hash")]
    #[case::other_algorithm("$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234")]
    #[case::truncated("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ")]
    #[case::bad_params("$argon2id$v=19$m=1,t=0,p=0$c2FsdHNhbHRzYWx0$aGFzaA")]
    fn a_malformed_stored_hash_never_verifies(#[case] phc: &str) {
        assert!(!verify_password(phc, "anything"));
    }

    #[test]
    fn the_dummy_hash_costs_what_a_production_hash_costs() {
        assert!(DUMMY_HASH.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        // It must parse, or the dummy verification would return early and be fast.
        assert!(argon2::PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!dummy_verify("anything"));
    }

    #[rstest]
    #[case::no_memory(0, 1, 1)]
    #[case::no_iterations(64, 0, 1)]
    #[case::no_lanes(64, 1, 0)]
    fn invalid_parameters_are_refused(#[case] m: u32, #[case] t: u32, #[case] p: u32) {
        assert!(matches!(
            PasswordParams::new(m, t, p),
            Err(CryptoError::InvalidPasswordParams { .. })
        ));
    }
}
