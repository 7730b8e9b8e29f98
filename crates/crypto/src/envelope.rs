//! Envelope encryption of sensitive fields.
//!
//! Data-encryption keys (DEKs) are random, versioned, and stored in the database wrapped by
//! a key derived from the master key; fields are encrypted under a DEK. Rotating a DEK
//! therefore re-encrypts fields without touching the master key, and rotating the master
//! key re-wraps a handful of DEKs instead of every field.
//!
//! Field ciphertext format (version 1):
//!
//! ```text
//! [0x01 format][u32 BE key version][24-byte nonce][ciphertext || 16-byte Poly1305 tag]
//! ```
//!
//! The associated data binds the table, column and row the value belongs to and the key
//! version. This answers an attacker with write access to the database who copies a known
//! ciphertext (say, an informant's true name) into a row or column they can read, or who
//! rewrites the version field to steer decryption to another key: both fail to decrypt.

use std::collections::BTreeMap;

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use humint_core::Entropy;
use zeroize::Zeroizing;

use crate::{CryptoError, MasterKey};

const FIELD_FORMAT_V1: u8 = 0x01;
const WRAP_FORMAT_V1: u8 = 0x01;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = 1 + 4 + NONCE_LEN;
const DEK_LEN: usize = 32;
/// Label of the subkey that wraps DEKs: the master key itself encrypts nothing directly,
/// so its other derived uses (audit, sessions) never share a key with encryption.
const DEK_WRAP_LABEL: &str = "dek-wrap";
const DEK_AAD_PREFIX: &[u8] = b"humint-dek";
const FIELD_AAD_PREFIX: &[u8] = b"humint-field-v1";

/// A data-encryption key as stored in the database: encrypted under the master key.
///
/// `blob` is `[0x01 format][24-byte nonce][32-byte key ciphertext][16-byte tag]`, with
/// associated data `"humint-dek" || version (u32 BE)`, so a wrapped key relabelled with
/// another version number fails to unwrap.
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedKey {
    pub version: u32,
    pub blob: Vec<u8>,
}

impl std::fmt::Debug for WrappedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WrappedKey")
            .field("version", &self.version)
            .field("blob_len", &self.blob.len())
            .finish()
    }
}

/// Where a field value lives. Bound into the ciphertext so it cannot be moved elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRef<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub row: &'a str,
}

/// Makes a new random DEK with `version` and wraps it under `master`.
pub fn generate_data_key(master: &MasterKey, version: u32, entropy: &dyn Entropy) -> WrappedKey {
    let mut dek = Zeroizing::new([0u8; DEK_LEN]);
    entropy.fill(dek.as_mut());
    let mut nonce = [0u8; NONCE_LEN];
    entropy.fill(&mut nonce);
    let mut buffer = Vec::with_capacity(1 + NONCE_LEN + DEK_LEN + TAG_LEN);
    buffer.extend_from_slice(dek.as_ref());
    // Encrypting 32 bytes cannot exceed the AEAD's length limit.
    #[allow(clippy::expect_used)]
    wrapping_cipher(master)
        .encrypt_in_place(&XNonce::from(nonce), &dek_aad(version), &mut buffer)
        .expect("a 32-byte key is within XChaCha20-Poly1305's message limit");
    let mut blob = Vec::with_capacity(1 + NONCE_LEN + buffer.len());
    blob.push(WRAP_FORMAT_V1);
    blob.extend_from_slice(&nonce);
    blob.extend_from_slice(&buffer);
    WrappedKey { version, blob }
}

/// Returns the key version a field ciphertext names, or `None` if it is not a field
/// ciphertext. Used by rotation jobs to find fields still under an old key.
pub fn blob_version(blob: &[u8]) -> Option<u32> {
    match blob {
        [FIELD_FORMAT_V1, a, b, c, d, ..] => Some(u32::from_be_bytes([*a, *b, *c, *d])),
        _ => None,
    }
}

/// The unwrapped DEKs, ready to encrypt and decrypt fields. The ciphers zeroize their keys
/// on drop; `Debug` shows only the versions.
pub struct KeyRing {
    ciphers: BTreeMap<u32, XChaCha20Poly1305>,
    current: u32,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("versions", &self.ciphers.keys().collect::<Vec<_>>())
            .field("current", &self.current)
            .finish()
    }
}

impl KeyRing {
    /// Unwraps every DEK. Fails on the first one that does not unwrap, which with an intact
    /// database means the master key is the wrong one: better to stop at start-up than to
    /// run and fail on every read.
    pub fn unlock(master: &MasterKey, wrapped: &[WrappedKey]) -> Result<KeyRing, CryptoError> {
        let wrapper = wrapping_cipher(master);
        let mut ciphers = BTreeMap::new();
        for key in wrapped {
            let version = key.version;
            let (nonce, sealed) = match key.blob.as_slice() {
                [WRAP_FORMAT_V1, rest @ ..] if rest.len() == NONCE_LEN + DEK_LEN + TAG_LEN => {
                    rest.split_at(NONCE_LEN)
                }
                _ => return Err(CryptoError::MalformedWrappedKey { version }),
            };
            let nonce = XNonce::try_from(nonce)
                .map_err(|_| CryptoError::MalformedWrappedKey { version })?;
            let mut dek = Zeroizing::new(sealed.to_vec());
            wrapper
                .decrypt_in_place(&nonce, &dek_aad(version), &mut *dek)
                .map_err(|_| CryptoError::WrongMasterKey { version })?;
            let cipher = XChaCha20Poly1305::new_from_slice(&dek)
                .map_err(|_| CryptoError::MalformedWrappedKey { version })?;
            if ciphers.insert(version, cipher).is_some() {
                return Err(CryptoError::DuplicateKeyVersion { version });
            }
        }
        let current = *ciphers.keys().next_back().ok_or(CryptoError::NoDataKeys)?;
        Ok(KeyRing { ciphers, current })
    }

    /// The highest version: the one new ciphertexts are made with.
    pub fn current_version(&self) -> u32 {
        self.current
    }

    /// Every version in the ring, ascending.
    pub fn versions(&self) -> Vec<u32> {
        self.ciphers.keys().copied().collect()
    }

    /// Encrypts `plaintext` for `field` under the current key with a random nonce.
    ///
    /// A random 24-byte nonce makes reuse negligible (2^-96 after 2^48 messages) without
    /// the database having to keep a counter that a restore from backup would roll back.
    pub fn encrypt(
        &self,
        field: FieldRef<'_>,
        plaintext: &[u8],
        entropy: &dyn Entropy,
    ) -> Result<Vec<u8>, CryptoError> {
        self.encrypt_as(self.current, field, plaintext, entropy)
    }

    /// Decrypts a ciphertext made by [`KeyRing::encrypt`] for the same `field`.
    pub fn decrypt(
        &self,
        field: FieldRef<'_>,
        blob: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let (header, sealed) =
            blob.split_at_checked(HEADER_LEN)
                .ok_or(CryptoError::MalformedCiphertext {
                    reason: "shorter than its header",
                })?;
        if header[0] != FIELD_FORMAT_V1 {
            return Err(CryptoError::MalformedCiphertext {
                reason: "unknown format byte",
            });
        }
        if sealed.len() < TAG_LEN {
            return Err(CryptoError::MalformedCiphertext {
                reason: "shorter than its authentication tag",
            });
        }
        let version = u32::from_be_bytes([header[1], header[2], header[3], header[4]]);
        let cipher = self
            .ciphers
            .get(&version)
            .ok_or(CryptoError::UnknownKeyVersion { version })?;
        let nonce =
            XNonce::try_from(&header[5..]).map_err(|_| CryptoError::MalformedCiphertext {
                reason: "bad nonce",
            })?;
        let mut buffer = Zeroizing::new(sealed.to_vec());
        cipher
            .decrypt_in_place(&nonce, &field_aad(field, version), &mut *buffer)
            .map_err(|_| CryptoError::TamperedCiphertext)?;
        Ok(buffer)
    }

    /// Decrypts `blob` and encrypts it again under `to_version`, for key rotation: run it
    /// over every field whose [`blob_version`] is old, then drop the old wrapped key.
    pub fn reencrypt(
        &self,
        field: FieldRef<'_>,
        blob: &[u8],
        to_version: u32,
        entropy: &dyn Entropy,
    ) -> Result<Vec<u8>, CryptoError> {
        let plaintext = self.decrypt(field, blob)?;
        self.encrypt_as(to_version, field, &plaintext, entropy)
    }

    fn encrypt_as(
        &self,
        version: u32,
        field: FieldRef<'_>,
        plaintext: &[u8],
        entropy: &dyn Entropy,
    ) -> Result<Vec<u8>, CryptoError> {
        let cipher = self
            .ciphers
            .get(&version)
            .ok_or(CryptoError::UnknownKeyVersion { version })?;
        let mut nonce = [0u8; NONCE_LEN];
        entropy.fill(&mut nonce);
        let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
        out.push(FIELD_FORMAT_V1);
        out.extend_from_slice(&version.to_be_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plaintext);
        let tag = cipher
            .encrypt_inout_detached(
                &XNonce::from(nonce),
                &field_aad(field, version),
                (&mut out[HEADER_LEN..]).into(),
            )
            .map_err(|_| CryptoError::PlaintextTooLong)?;
        out.extend_from_slice(&tag);
        Ok(out)
    }
}

fn wrapping_cipher(master: &MasterKey) -> XChaCha20Poly1305 {
    let key = Zeroizing::new(master.derive_subkey(DEK_WRAP_LABEL));
    XChaCha20Poly1305::new(&(*key).into())
}

fn dek_aad(version: u32) -> [u8; 14] {
    let mut aad = [0u8; 14];
    aad[..10].copy_from_slice(DEK_AAD_PREFIX);
    aad[10..].copy_from_slice(&version.to_be_bytes());
    aad
}

/// `"humint-field-v1" || len(table) || table || len(column) || column || len(row) || row
/// || version`, lengths as u64 BE. Length prefixes make the encoding injective: without
/// them ("ab", "c") and ("a", "bc") would give the same associated data.
fn field_aad(field: FieldRef<'_>, version: u32) -> Vec<u8> {
    let parts = [field.table, field.column, field.row];
    let mut aad = Vec::with_capacity(
        FIELD_AAD_PREFIX.len() + 3 * 8 + parts.iter().map(|p| p.len()).sum::<usize>() + 4,
    );
    aad.extend_from_slice(FIELD_AAD_PREFIX);
    for part in parts {
        aad.extend_from_slice(&(part.len() as u64).to_be_bytes());
        aad.extend_from_slice(part.as_bytes());
    }
    aad.extend_from_slice(&version.to_be_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;
    use humint_core::SeededEntropy;
    use proptest::prelude::*;
    use rstest::rstest;

    const NAME: FieldRef<'static> = FieldRef {
        table: "sources",
        column: "true_name",
        row: "src-1",
    };

    fn ring(versions: &[u32]) -> (MasterKey, Vec<WrappedKey>, KeyRing) {
        let entropy = SeededEntropy::new(42);
        let master = MasterKey::from_bytes([7; 32]);
        let wrapped: Vec<_> = versions
            .iter()
            .map(|v| generate_data_key(&master, *v, &entropy))
            .collect();
        let ring = KeyRing::unlock(&master, &wrapped).unwrap_or_else(|e| panic!("unlock: {e}"));
        (master, wrapped, ring)
    }

    fn encrypt(ring: &KeyRing, field: FieldRef<'_>, plaintext: &[u8]) -> Vec<u8> {
        ring.encrypt(field, plaintext, &SeededEntropy::new(9))
            .unwrap_or_else(|e| panic!("encrypt: {e}"))
    }

    #[test]
    fn ciphertext_has_the_documented_layout() {
        let (_, _, ring) = ring(&[3]);
        let blob = encrypt(&ring, NAME, b"Jane Roe");
        assert_eq!(blob.len(), 1 + 4 + 24 + 8 + 16);
        assert_eq!(blob[0], 0x01);
        assert_eq!(&blob[1..5], &3u32.to_be_bytes());
        assert_eq!(blob_version(&blob), Some(3));
        assert!(
            !blob.windows(8).any(|w| w == b"Jane Roe"),
            "plaintext visible in ciphertext"
        );
    }

    #[test]
    fn the_same_value_encrypts_differently_each_time() {
        let (_, _, ring) = ring(&[1]);
        let entropy = SeededEntropy::new(1);
        let a = ring.encrypt(NAME, b"Jane Roe", &entropy);
        let b = ring.encrypt(NAME, b"Jane Roe", &entropy);
        assert_ne!(a.ok(), b.ok());
    }

    #[rstest]
    #[case::other_row(FieldRef { row: "src-2", ..NAME })]
    #[case::other_column(FieldRef { column: "cover_name", ..NAME })]
    #[case::other_table(FieldRef { table: "users", ..NAME })]
    #[case::shifted_boundary(FieldRef { table: "sourcest", column: "rue_name", ..NAME })]
    fn a_ciphertext_moved_to_another_field_is_refused(#[case] elsewhere: FieldRef<'static>) {
        let (_, _, ring) = ring(&[1]);
        let blob = encrypt(&ring, NAME, b"Jane Roe");
        assert!(matches!(
            ring.decrypt(elsewhere, &blob),
            Err(CryptoError::TamperedCiphertext)
        ));
        assert_eq!(
            ring.decrypt(NAME, &blob).ok().as_deref().map(Vec::as_slice),
            Some(&b"Jane Roe"[..])
        );
    }

    #[test]
    fn a_ciphertext_relabelled_with_another_key_version_is_refused() {
        let (_, _, ring) = ring(&[1, 2]);
        let mut blob = encrypt(&ring, NAME, b"Jane Roe");
        blob[1..5].copy_from_slice(&1u32.to_be_bytes());
        assert!(matches!(
            ring.decrypt(NAME, &blob),
            Err(CryptoError::TamperedCiphertext)
        ));
    }

    #[rstest]
    #[case::empty(&[], "shorter than its header")]
    #[case::header_only(&[1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "shorter than its authentication tag")]
    #[case::unknown_format(&[9; 60], "unknown format byte")]
    fn malformed_ciphertexts_are_named_as_such(#[case] blob: &[u8], #[case] reason: &str) {
        let (_, _, ring) = ring(&[1]);
        match ring.decrypt(NAME, blob) {
            Err(CryptoError::MalformedCiphertext { reason: got }) => assert_eq!(got, reason),
            other => panic!("expected malformed, got {other:?}"),
        }
    }

    #[test]
    fn a_wrong_master_key_is_refused_at_unlock() {
        let (_, wrapped, _) = ring(&[1, 2]);
        let wrong = MasterKey::from_bytes([8; 32]);
        assert!(matches!(
            KeyRing::unlock(&wrong, &wrapped),
            Err(CryptoError::WrongMasterKey { version: 1 })
        ));
    }

    #[test]
    fn a_wrapped_key_relabelled_with_another_version_is_refused() {
        let (master, mut wrapped, _) = ring(&[1]);
        wrapped[0].version = 5;
        assert!(matches!(
            KeyRing::unlock(&master, &wrapped),
            Err(CryptoError::WrongMasterKey { version: 5 })
        ));
    }

    #[rstest]
    #[case::none(&[], "NoDataKeys")]
    #[case::duplicate(&[1, 1], "DuplicateKeyVersion")]
    fn unusable_key_lists_are_refused(#[case] versions: &[u32], #[case] variant: &str) {
        let entropy = SeededEntropy::new(1);
        let master = MasterKey::from_bytes([7; 32]);
        let wrapped: Vec<_> = versions
            .iter()
            .map(|v| generate_data_key(&master, *v, &entropy))
            .collect();
        let err = KeyRing::unlock(&master, &wrapped)
            .err()
            .map(|e| format!("{e:?}"))
            .unwrap_or_default();
        assert!(err.starts_with(variant), "{err}");
    }

    #[test]
    fn truncated_wrapped_key_is_malformed_not_a_panic() {
        let (master, mut wrapped, _) = ring(&[1]);
        wrapped[0].blob.truncate(40);
        assert!(matches!(
            KeyRing::unlock(&master, &wrapped),
            Err(CryptoError::MalformedWrappedKey { version: 1 })
        ));
    }

    #[test]
    fn rotation_moves_old_fields_to_the_new_key_and_old_keys_stay_readable_until_removed() {
        let (master, wrapped, ring_v1) = ring(&[1]);
        let old = encrypt(&ring_v1, NAME, b"Jane Roe");
        let entropy = SeededEntropy::new(5);
        let mut both = wrapped.clone();
        both.push(generate_data_key(&master, 2, &entropy));
        let ring_v12 = KeyRing::unlock(&master, &both).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ring_v12.current_version(), 2);
        assert_eq!(ring_v12.versions(), vec![1, 2]);

        // Before re-encryption, the old ciphertext is still readable.
        assert_eq!(
            ring_v12
                .decrypt(NAME, &old)
                .ok()
                .as_deref()
                .map(Vec::as_slice),
            Some(&b"Jane Roe"[..])
        );
        let new = ring_v12
            .reencrypt(NAME, &old, 2, &entropy)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(blob_version(&new), Some(2));

        // Once version 1 is removed, only the re-encrypted value can be read.
        let ring_v2 = KeyRing::unlock(&master, &both[1..]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ring_v2
                .decrypt(NAME, &new)
                .ok()
                .as_deref()
                .map(Vec::as_slice),
            Some(&b"Jane Roe"[..])
        );
        assert!(matches!(
            ring_v2.decrypt(NAME, &old),
            Err(CryptoError::UnknownKeyVersion { version: 1 })
        ));
        assert!(matches!(
            ring_v2.reencrypt(NAME, &new, 7, &entropy),
            Err(CryptoError::UnknownKeyVersion { version: 7 })
        ));
    }

    #[test]
    fn debug_output_shows_no_key_material() {
        let (_, wrapped, ring) = ring(&[1]);
        assert_eq!(format!("{ring:?}"), "KeyRing { versions: [1], current: 1 }");
        assert_eq!(
            format!("{:?}", wrapped[0]),
            "WrappedKey { version: 1, blob_len: 73 }"
        );
    }

    proptest! {
        #[test]
        fn any_plaintext_round_trips(plaintext in proptest::collection::vec(any::<u8>(), 0..512), seed in any::<u64>()) {
            let (_, _, ring) = ring(&[1]);
            let blob = ring.encrypt(NAME, &plaintext, &SeededEntropy::new(seed)).unwrap_or_else(|e| panic!("{e}"));
            let back = ring.decrypt(NAME, &blob).unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(back.as_slice(), plaintext.as_slice());
        }

        #[test]
        fn flipping_any_bit_is_detected(plaintext in proptest::collection::vec(any::<u8>(), 0..64), bit in any::<prop::sample::Index>()) {
            let (_, _, ring) = ring(&[1]);
            let mut blob = encrypt(&ring, NAME, &plaintext);
            let bit = bit.index(blob.len() * 8);
            blob[bit / 8] ^= 1 << (bit % 8);
            prop_assert!(ring.decrypt(NAME, &blob).is_err());
        }

        #[test]
        fn truncating_a_ciphertext_is_detected(plaintext in proptest::collection::vec(any::<u8>(), 0..64), cut in any::<prop::sample::Index>()) {
            let (_, _, ring) = ring(&[1]);
            let blob = encrypt(&ring, NAME, &plaintext);
            let cut = cut.index(blob.len());
            prop_assert!(ring.decrypt(NAME, &blob[..cut]).is_err());
        }

        #[test]
        fn arbitrary_bytes_never_panic_and_never_decrypt(blob in proptest::collection::vec(any::<u8>(), 0..128)) {
            let (_, _, ring) = ring(&[1]);
            prop_assert!(ring.decrypt(NAME, &blob).is_err());
            let _ = blob_version(&blob);
        }
    }
}
