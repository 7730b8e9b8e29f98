//! TOTP second factors (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, issuer "humint").
//!
//! Implemented directly on `hmac` + `sha1` rather than through `totp-rs`: the caller needs
//! to know *which* step a code matched so it can store it and refuse replays, time is an
//! `i64` from our [`humint_core::Clock`], the secret must stay in zeroizing memory, and the
//! otpauth URI would otherwise pull in the `url` crate. HOTP is twenty lines; the RFC test
//! vectors below pin it.

use hmac::{Hmac, KeyInit, Mac};
use humint_core::Entropy;
use sha1::Sha1;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

const ISSUER: &str = "humint";
const STEP_SECONDS: i64 = 30;
const DIGITS: u32 = 6;
const SECRET_LEN: usize = 20;
/// Steps either side of now that are accepted: phone clocks drift, and a code typed in the
/// last seconds of its step arrives in the next.
const DRIFT_STEPS: i64 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    #[error("the code is not valid")]
    Invalid,
    #[error("the code was already used; wait for the next code")]
    Replayed,
    #[error("the TOTP secret is not 20 bytes of base32")]
    MalformedSecret,
}

/// A TOTP shared secret: 20 random bytes (160 bits, RFC 4226's recommendation for SHA-1).
#[derive(Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct TotpSecret {
    bytes: [u8; SECRET_LEN],
}

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

impl TotpSecret {
    pub fn generate(entropy: &dyn Entropy) -> Self {
        let mut bytes = [0u8; SECRET_LEN];
        entropy.fill(&mut bytes);
        Self { bytes }
    }

    /// RFC 4648 base32 without padding (32 characters), as authenticator apps expect.
    pub fn to_base32(&self) -> String {
        base32::encode(base32::Alphabet::Rfc4648 { padding: false }, &self.bytes)
    }

    /// Parses [`TotpSecret::to_base32`] output. Case, spaces and padding are forgiven
    /// because people copy secrets by hand; the length is not.
    pub fn from_base32(text: &str) -> Result<Self, TotpError> {
        let cleaned: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '=')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let mut decoded = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, &cleaned)
            .ok_or(TotpError::MalformedSecret)?;
        let result = <[u8; SECRET_LEN]>::try_from(decoded.as_slice()).map(|bytes| Self { bytes });
        decoded.zeroize();
        result.map_err(|_| TotpError::MalformedSecret)
    }

    /// The `otpauth://` URI an authenticator app scans as a QR code.
    pub fn otpauth_uri(&self, account: &str) -> String {
        format!(
            "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            issuer = ISSUER,
            account = percent_encode(account),
            secret = self.to_base32(),
        )
    }
}

/// The 6-digit code for `unix_seconds`. For tests and tools; logins use [`verify_totp`].
pub fn totp_code_at(secret: &TotpSecret, unix_seconds: i64) -> String {
    code_for_step(secret, unix_seconds.div_euclid(STEP_SECONDS), DIGITS)
}

/// Checks `code` at time `unix_seconds`, accepting the current step and one either side.
/// Returns the accepted step, which the caller must store as the new `last_used_step`.
///
/// Any step at or before `last_used_step` is refused as [`TotpError::Replayed`]: RFC 6238
/// §5.2 requires a code to be accepted once, which defeats an attacker who watches a code
/// being typed (or reads it from a proxy log) and uses it within its 90-second window.
pub fn verify_totp(
    secret: &TotpSecret,
    code: &str,
    unix_seconds: i64,
    last_used_step: Option<i64>,
) -> Result<i64, TotpError> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TotpError::Invalid);
    }
    let now = unix_seconds.div_euclid(STEP_SECONDS);
    let mut accepted = None;
    let mut replayed = false;
    // Every candidate is computed and compared in constant time, so the response time does
    // not reveal which step (if any) matched.
    for step in (now - DRIFT_STEPS)..=(now + DRIFT_STEPS) {
        let matches: bool = code_for_step(secret, step, DIGITS)
            .as_bytes()
            .ct_eq(code.as_bytes())
            .into();
        if !matches {
            continue;
        }
        if last_used_step.is_some_and(|last| step <= last) {
            replayed = true;
        } else if accepted.is_none() {
            accepted = Some(step);
        }
    }
    match (accepted, replayed) {
        (Some(step), _) => Ok(step),
        (None, true) => Err(TotpError::Replayed),
        (None, false) => Err(TotpError::Invalid),
    }
}

/// HOTP (RFC 4226 §5.3) with the step as counter. A negative step (a time before 1970) is
/// clamped to 0 rather than wrapping: such times only arise from a broken clock.
fn code_for_step(secret: &TotpSecret, step: i64, digits: u32) -> String {
    let counter = u64::try_from(step).unwrap_or(0);
    // HMAC accepts keys of any length; 20 bytes cannot be refused.
    #[allow(clippy::expect_used)]
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(&secret.bytes)
        .expect("HMAC accepts any key length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!(
        "{:0width$}",
        binary % 10u32.pow(digits),
        width = digits as usize
    )
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so an account name with
/// `:`, `?`, `&` or `#` cannot change the meaning of the URI.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use humint_core::SeededEntropy;
    use rstest::rstest;

    fn rfc_secret() -> TotpSecret {
        TotpSecret {
            bytes: *b"12345678901234567890",
        }
    }

    /// RFC 6238 Appendix B, SHA-1 rows (8 digits).
    #[rstest]
    #[case(59, "94287082")]
    #[case(1_111_111_109, "07081804")]
    #[case(1_111_111_111, "14050471")]
    #[case(1_234_567_890, "89005924")]
    #[case(2_000_000_000, "69279037")]
    #[case(20_000_000_000, "65353130")]
    fn rfc6238_sha1_vectors(#[case] time: i64, #[case] expected: &str) {
        assert_eq!(code_for_step(&rfc_secret(), time / 30, 8), expected);
        // The 6-digit code is the same truncation modulo 10^6.
        assert_eq!(totp_code_at(&rfc_secret(), time), expected[2..]);
    }

    const T: i64 = 1_111_111_111; // step 37037037, 1 s into the step
    const STEP: i64 = 37_037_037;

    #[rstest]
    #[case::previous_step(STEP - 1, Ok(STEP - 1))]
    #[case::current_step(STEP, Ok(STEP))]
    #[case::next_step(STEP + 1, Ok(STEP + 1))]
    #[case::two_steps_old(STEP - 2, Err(TotpError::Invalid))]
    #[case::two_steps_ahead(STEP + 2, Err(TotpError::Invalid))]
    fn drift_of_one_step_is_accepted_and_no_more(
        #[case] code_step: i64,
        #[case] expected: Result<i64, TotpError>,
    ) {
        let secret = rfc_secret();
        let code = totp_code_at(&secret, code_step * 30);
        assert_eq!(verify_totp(&secret, &code, T, None), expected);
    }

    #[rstest]
    #[case::same_step_again(STEP, STEP, Err(TotpError::Replayed))]
    #[case::older_step_after_newer(STEP - 1, STEP, Err(TotpError::Replayed))]
    #[case::next_step_after_use(STEP + 1, STEP, Ok(STEP + 1))]
    #[case::current_after_previous(STEP, STEP - 1, Ok(STEP))]
    fn a_used_code_is_refused_and_a_later_one_accepted(
        #[case] code_step: i64,
        #[case] last_used: i64,
        #[case] expected: Result<i64, TotpError>,
    ) {
        let secret = rfc_secret();
        let code = totp_code_at(&secret, code_step * 30);
        assert_eq!(verify_totp(&secret, &code, T, Some(last_used)), expected);
    }

    #[test]
    fn a_code_accepted_once_is_refused_the_second_time() {
        let secret = TotpSecret::generate(&SeededEntropy::new(3));
        let code = totp_code_at(&secret, T);
        let step = verify_totp(&secret, &code, T, None);
        assert_eq!(step, Ok(STEP));
        assert_eq!(
            verify_totp(&secret, &code, T + 5, step.ok()),
            Err(TotpError::Replayed)
        );
    }

    #[rstest]
    #[case::empty("")]
    #[case::five_digits("12345")]
    #[case::seven_digits("1234567")]
    #[case::letters("12a456")]
    #[case::non_ascii_digits("١٢٣٤٥٦")]
    fn malformed_codes_are_invalid(#[case] code: &str) {
        assert_eq!(
            verify_totp(&rfc_secret(), code, T, None),
            Err(TotpError::Invalid)
        );
    }

    #[test]
    fn surrounding_whitespace_is_forgiven() {
        let code = format!(" {}\n", totp_code_at(&rfc_secret(), T));
        assert_eq!(verify_totp(&rfc_secret(), &code, T, None), Ok(STEP));
    }

    #[test]
    fn base32_round_trips_and_forgives_case_and_spaces() {
        let secret = TotpSecret::generate(&SeededEntropy::new(1));
        let text = secret.to_base32();
        assert_eq!(text.len(), 32);
        assert_eq!(
            TotpSecret::from_base32(&text),
            Ok(TotpSecret {
                bytes: secret.bytes
            })
        );
        let spaced: String = text
            .to_lowercase()
            .chars()
            .collect::<Vec<_>>()
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            TotpSecret::from_base32(&spaced),
            Ok(TotpSecret {
                bytes: secret.bytes
            })
        );
    }

    #[rstest]
    #[case::too_short("GEZDGNBV")]
    #[case::not_base32("!!!!")]
    #[case::too_long("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBV")]
    fn malformed_secrets_are_refused(#[case] text: &str) {
        assert_eq!(
            TotpSecret::from_base32(text),
            Err(TotpError::MalformedSecret)
        );
    }

    #[test]
    fn otpauth_uri_names_issuer_and_escapes_the_account() {
        let secret = rfc_secret();
        assert_eq!(
            secret.otpauth_uri("ops@station 1&x"),
            "otpauth://totp/humint:ops%40station%201%26x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=humint&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn debug_does_not_reveal_the_secret() {
        assert_eq!(format!("{:?}", rfc_secret()), "TotpSecret(<redacted>)");
    }
}
