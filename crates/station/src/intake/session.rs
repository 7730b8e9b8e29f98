//! The portal's browser state, kept in the volunteer's browser rather than on the server:
//! a signed-in session, a one-time "flash" (the codename to show once, a receipt, a verdict),
//! and the CSRF token bound to a random cookie.
//!
//! Threat: a seized server. Server-side sessions would be a table (or a memory dump) linking
//! threads to recent activity and holding reply keys; sealed cookies leave nothing to seize,
//! and they work across several `humint serve` instances. Each cookie is sealed with the
//! station's data key (XChaCha20-Poly1305, bound to its purpose), so it cannot be read,
//! forged or moved to another purpose, and carries its own expiry.

use super::Portal;
use crate::StationError;
use hmac::{Hmac, KeyInit, Mac as _};
use humint_crypto::FieldRef;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

/// A signed-in volunteer: their thread and the key that reads its replies.
pub struct PortalSession {
    pub thread_id: String,
    pub(crate) reply_secret: Zeroizing<[u8; 32]>,
    pub expires_at_ms: i64,
}

impl std::fmt::Debug for PortalSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortalSession").finish_non_exhaustive()
    }
}

/// What one page shows once, after a redirect (POST-redirect-GET).
#[derive(Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Flash {
    /// A new codename, shown once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codename: Option<String>,
    /// Sentences about what was received (e.g. what metadata was removed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The answer to a phrase check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<bool>,
    #[serde(default)]
    expires_at_ms: i64,
}

impl std::fmt::Debug for Flash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flash")
            .field("verdict", &self.verdict)
            .finish_non_exhaustive()
    }
}

impl Flash {
    pub fn with_codename(codename: &str, notes: Vec<String>) -> Flash {
        Flash {
            codename: Some(codename.to_owned()),
            notes,
            ..Flash::default()
        }
    }

    pub fn with_notes(notes: Vec<String>) -> Flash {
        Flash {
            notes,
            ..Flash::default()
        }
    }

    pub fn with_verdict(genuine: bool) -> Flash {
        Flash {
            verdict: Some(genuine),
            ..Flash::default()
        }
    }
}

/// A flash lives long enough to follow one redirect.
const FLASH_TTL_MS: i64 = 10 * 60 * 1000;
/// Longest cookie value considered (a session is ~230 hex characters).
const MAX_COOKIE: usize = 8192;

fn field(purpose: &'static str) -> FieldRef<'static> {
    FieldRef {
        table: "intake_portal",
        column: purpose,
        row: "cookie",
    }
}

impl Portal {
    fn seal(&self, purpose: &'static str, plain: &[u8]) -> Result<String, StationError> {
        let ring = self.station.keyring()?;
        let blob = ring.encrypt(field(purpose), plain, self.station.entropy())?;
        Ok(hex::encode(blob))
    }

    fn open(&self, purpose: &'static str, text: &str) -> Option<Zeroizing<Vec<u8>>> {
        if text.len() > MAX_COOKIE {
            return None;
        }
        let blob = hex::decode(text.trim()).ok()?;
        let ring = self.station.keyring().ok()?;
        ring.decrypt(field(purpose), &blob).ok()
    }

    pub fn seal_session(&self, session: &PortalSession) -> Result<String, StationError> {
        let mut plain = Zeroizing::new(Vec::with_capacity(80));
        plain.extend_from_slice(&session.expires_at_ms.to_be_bytes());
        plain.extend_from_slice(&*session.reply_secret);
        plain.extend_from_slice(session.thread_id.as_bytes());
        self.seal("session", &plain)
    }

    /// The session in a cookie, if it is genuine and has not expired.
    pub fn open_session(&self, cookie: &str) -> Option<PortalSession> {
        let plain = self.open("session", cookie)?;
        if plain.len() < 40 {
            return None;
        }
        let expires_at_ms = i64::from_be_bytes(plain[..8].try_into().ok()?);
        if expires_at_ms <= self.station.now_ms() {
            return None;
        }
        let secret: [u8; 32] = plain[8..40].try_into().ok()?;
        let thread_id = String::from_utf8(plain[40..].to_vec()).ok()?;
        Some(PortalSession {
            thread_id,
            reply_secret: Zeroizing::new(secret),
            expires_at_ms,
        })
    }

    pub fn seal_flash(&self, mut flash: Flash) -> Result<String, StationError> {
        flash.expires_at_ms = self.station.now_ms() + FLASH_TTL_MS;
        let json = Zeroizing::new(
            serde_json::to_vec(&flash).map_err(|e| StationError::Io(format!("flash: {e}")))?,
        );
        self.seal("flash", &json)
    }

    pub fn open_flash(&self, cookie: &str) -> Option<Flash> {
        let plain = self.open("flash", cookie)?;
        let flash: Flash = serde_json::from_slice(&plain).ok()?;
        (flash.expires_at_ms > self.station.now_ms()).then_some(flash)
    }

    /// A fresh random value for the CSRF cookie.
    pub fn new_csrf_cookie(&self) -> String {
        let mut b = [0u8; 16];
        self.station.entropy().fill(&mut b);
        hex::encode(b)
    }

    /// The token a form carries for a CSRF cookie. Another site can make a browser send the
    /// cookie but cannot read it, so it cannot compute the token.
    pub fn csrf_token(&self, cookie: &str) -> String {
        let key = self.station.intake_subkey("csrf");
        // HMAC takes keys of any length: this cannot fail.
        match <Hmac<Sha256> as KeyInit>::new_from_slice(&key) {
            Ok(mut mac) => {
                mac.update(cookie.as_bytes());
                hex::encode(&mac.finalize().into_bytes()[..16])
            }
            Err(_) => String::new(),
        }
    }

    pub fn check_csrf(&self, cookie: Option<&str>, token: &str) -> bool {
        match cookie {
            Some(c) if !c.is_empty() && c.len() <= 64 => {
                let expected = self.csrf_token(c);
                !expected.is_empty()
                    && humint_crypto::constant_time_eq(expected.as_bytes(), token.trim().as_bytes())
            }
            _ => false,
        }
    }
}
