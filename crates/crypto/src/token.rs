//! Session tokens. The client holds 32 random bytes (base64url); the server stores only
//! their SHA-256, so a leaked copy of the sessions table cannot be replayed as logins.
//! A plain hash (not a slow one) suffices because the token has 256 bits of entropy.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use humint_core::Entropy;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Namespace for session token functions.
#[derive(Debug)]
pub struct SessionToken;

impl SessionToken {
    /// A new token: the string to give the client (43 characters of unpadded base64url) and
    /// the hash to store server-side.
    pub fn generate(entropy: &dyn Entropy) -> (String, [u8; 32]) {
        let mut raw = Zeroizing::new([0u8; 32]);
        entropy.fill(raw.as_mut());
        let token = URL_SAFE_NO_PAD.encode(raw.as_ref());
        let hash = hash_token(&token);
        (token, hash)
    }
}

/// The server-side lookup key for a token presented by a client: SHA-256 of its text.
/// Any string is accepted; a forged one simply matches no stored hash.
pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Compares secrets without an early exit, so response time does not reveal how many
/// leading bytes of a guess were right. Different lengths compare unequal.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use humint_core::SeededEntropy;

    #[test]
    fn a_token_is_43_url_safe_characters_and_its_hash_matches() {
        let (token, hash) = SessionToken::generate(&SeededEntropy::new(1));
        assert_eq!(token.len(), 43);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{token}"
        );
        assert_eq!(hash_token(&token), hash);
        assert_ne!(hash_token(&format!("{token}x")), hash);
    }

    #[test]
    fn tokens_differ() {
        let entropy = SeededEntropy::new(1);
        assert_ne!(
            SessionToken::generate(&entropy).0,
            SessionToken::generate(&entropy).0
        );
    }

    #[rstest::rstest]
    #[case(b"abc", b"abc", true)]
    #[case(b"abc", b"abd", false)]
    #[case(b"abc", b"ab", false)]
    #[case(b"", b"", true)]
    fn constant_time_eq_agrees_with_eq(#[case] a: &[u8], #[case] b: &[u8], #[case] equal: bool) {
        assert_eq!(constant_time_eq(a, b), equal);
    }
}
