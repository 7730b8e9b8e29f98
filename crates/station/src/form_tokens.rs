//! Anti-forgery tokens for the officers' pages (the web UI's forms).
//!
//! A form's token is an HMAC, under a key derived from the master key, of what binds the
//! browser to its sign-in: the session token (a signed-in officer) or a random pre-sign-in
//! cookie (the sign-in form). Another site can make a browser send its cookies but cannot read
//! them, so it cannot compute the token; the station keeps no state for it.

use crate::Station;
use hmac::{Hmac, KeyInit, Mac as _};
use sha2::Sha256;

/// Bindings longer than this are not ours (session tokens and cookies are far shorter).
const MAX_BINDING: usize = 256;

impl Station {
    /// A random value for a browser's pre-sign-in cookie (hex, 32 characters).
    pub fn new_form_binding(&self) -> String {
        let mut b = [0u8; 16];
        self.entropy().fill(&mut b);
        hex::encode(b)
    }

    /// The token the forms of a page carry for this binding.
    pub fn form_token(&self, binding: &str) -> String {
        let key = self.master.derive_subkey("officer-form-token");
        // HMAC takes keys of any length: this cannot fail.
        match <Hmac<Sha256> as KeyInit>::new_from_slice(&key) {
            Ok(mut mac) => {
                mac.update(binding.as_bytes());
                hex::encode(&mac.finalize().into_bytes()[..16])
            }
            Err(_) => String::new(),
        }
    }

    /// Whether a submitted form token matches the browser's binding (constant time).
    pub fn check_form_token(&self, binding: Option<&str>, token: &str) -> bool {
        match binding {
            Some(b) if !b.is_empty() && b.len() <= MAX_BINDING => {
                let expected = self.form_token(b);
                !expected.is_empty()
                    && humint_crypto::constant_time_eq(expected.as_bytes(), token.trim().as_bytes())
            }
            _ => false,
        }
    }
}
