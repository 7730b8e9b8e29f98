//! Enrolling an authenticator on first sign-in.
//!
//! An account created for enrolment (`add_user_for_enrolment`) has a TOTP secret nobody has
//! seen yet. Its holder signs in with the password alone; `login` refuses them a session
//! (`ENROLMENT_REQUIRED`) and `start_enrolment` instead hands back the secret (for a QR code)
//! and a short-lived ticket. Only a valid code from the new authenticator, with that ticket,
//! opens a session (`confirm_enrolment`), in the transaction that marks the authenticator
//! confirmed: until then the account can reach nothing else, by the API or the pages.
//!
//! The ticket is `user_id.expires_ms.mac`, an HMAC under a key derived from the master key, so
//! the station keeps no state for it and another account's ticket cannot be forged.

use crate::{NewSession, Principal, Station, StationError};
use hmac::{Hmac, KeyInit, Mac as _};
use humint_core::Role;
use humint_crypto::SessionToken;
use humint_store::{AuditContext, SessionRecord, Store as _, StoreError, UserRecord};
use sha2::Sha256;

/// How long the QR code page stays usable after the password was checked.
const TICKET_TTL_MS: i64 = 10 * 60 * 1000;

/// What the holder of a new account needs to set up their authenticator. Shown once per
/// sign-in; never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct PendingEnrolment {
    pub username: String,
    pub totp_base32: String,
    pub otpauth_uri: String,
    /// Proof that the password was checked, for `confirm_enrolment`.
    pub ticket: String,
}

impl std::fmt::Debug for PendingEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingEnrolment")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

pub(crate) fn enrolment_required() -> StationError {
    StationError::Forbidden {
        code: "ENROLMENT_REQUIRED",
        message: "this account has no confirmed authenticator yet: sign in on the officers' pages to set one up".to_owned(),
    }
}

fn ticket_refused() -> StationError {
    StationError::Forbidden {
        code: "ENROLMENT_EXPIRED",
        message: "this enrolment has expired or is not yours: sign in again with your password"
            .to_owned(),
    }
}

impl Station {
    fn ticket_mac(&self, user_id: &str, expires_ms: i64) -> String {
        let key = self.master.derive_subkey("officer-enrolment-ticket");
        match <Hmac<Sha256> as KeyInit>::new_from_slice(&key) {
            Ok(mut mac) => {
                mac.update(user_id.as_bytes());
                mac.update(b".");
                mac.update(expires_ms.to_string().as_bytes());
                hex::encode(&mac.finalize().into_bytes()[..16])
            }
            Err(_) => String::new(),
        }
    }

    /// The account a live, genuine ticket names.
    async fn ticket_user(&self, ticket: &str) -> Result<UserRecord, StationError> {
        let mut parts = ticket.trim().splitn(3, '.');
        let (Some(user_id), Some(expires), Some(mac)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(ticket_refused());
        };
        let expires_ms: i64 = expires.parse().map_err(|_| ticket_refused())?;
        let expected = self.ticket_mac(user_id, expires_ms);
        if expected.is_empty()
            || !humint_crypto::constant_time_eq(expected.as_bytes(), mac.as_bytes())
            || expires_ms <= self.now_ms()
        {
            return Err(ticket_refused());
        }
        let user = self
            .store
            .user_by_id(user_id)
            .await?
            .ok_or_else(ticket_refused)?;
        if user.disabled {
            return Err(StationError::Forbidden {
                code: "ACCOUNT_DISABLED",
                message: "this account is disabled".to_owned(),
            });
        }
        if !self.store.totp_enrolment_pending(&user.id).await? {
            return Err(StationError::Conflict {
                code: "ALREADY_ENROLLED",
                message: "this account's authenticator is already confirmed: sign in with your password and a code".to_owned(),
            });
        }
        Ok(user)
    }

    fn pending(&self, user: &UserRecord, ticket: String) -> Result<PendingEnrolment, StationError> {
        let secret = self.totp_secret(user)?;
        Ok(PendingEnrolment {
            username: user.username.clone(),
            totp_base32: secret.to_base32(),
            otpauth_uri: secret.otpauth_uri(&user.username),
            ticket,
        })
    }

    /// Creates an account whose holder sets up their authenticator on first sign-in (the
    /// secret is shown to them, not to the administrator). Admin only. Returns the user id.
    pub async fn add_user_for_enrolment(
        &self,
        actor: &Principal,
        username: &str,
        role: Role,
        compartments: &[String],
        password: &str,
    ) -> Result<String, StationError> {
        let (user, _secret) = self
            .new_user(actor, username, role, compartments, password)
            .await?;
        let audit = self.audit(actor, "user.create", "user", &user.id);
        self.store
            .create_user_for_enrolment(&user, &audit)
            .await
            .map_err(|e| crate::accounts::username_taken(e, username))?;
        Ok(user.id)
    }

    /// First sign-in of an account without a confirmed authenticator: checks the password
    /// (with the same throttling and audit as `login`) and returns the secret and a ticket.
    pub async fn start_enrolment(
        &self,
        username: &str,
        password: &str,
    ) -> Result<PendingEnrolment, StationError> {
        match self.login(username, password, "").await {
            Err(StationError::Forbidden {
                code: "ENROLMENT_REQUIRED",
                ..
            }) => {}
            Err(e) => return Err(e),
            // An empty code never verifies, so a confirmed account cannot get here.
            Ok(_) => return Err(StationError::InvalidCredentials),
        }
        let user = self
            .store
            .user_by_name(username)
            .await?
            .ok_or(StationError::InvalidCredentials)?;
        let expires_ms = self.now_ms() + TICKET_TTL_MS;
        let ticket = format!(
            "{}.{expires_ms}.{}",
            user.id,
            self.ticket_mac(&user.id, expires_ms)
        );
        self.pending(&user, ticket)
    }

    /// The enrolment a ticket is for, to show its QR code again.
    pub async fn pending_enrolment(&self, ticket: &str) -> Result<PendingEnrolment, StationError> {
        let user = self.ticket_user(ticket).await?;
        self.pending(&user, ticket.trim().to_owned())
    }

    /// Confirms the authenticator with a code from it and opens the account's first session.
    /// A wrong code counts as a failed sign-in (and throttles like one).
    pub async fn confirm_enrolment(
        &self,
        ticket: &str,
        code: &str,
    ) -> Result<NewSession, StationError> {
        let user = self.ticket_user(ticket).await?;
        let now = self.clock().now();
        let now_ms = now.timestamp_millis();
        let audit_as = |action: &str| {
            AuditContext::new(now_ms, &user.id, &user.role, action, "user", &user.id)
        };
        if let Some(until) = user.throttled_until_ms.filter(|until| *until > now_ms) {
            return Err(StationError::Throttled {
                retry_after_s: (until - now_ms + 999) / 1000,
            });
        }
        let step = match self.check_totp(&user, code, now.timestamp()) {
            Ok(step) => step,
            Err(e) => {
                self.count_login_failure(&user, now_ms, audit_as("user.totp.confirm"))
                    .await?;
                return Err(match e {
                    StationError::InvalidCredentials => StationError::invalid(
                        "WRONG_CODE",
                        "that code does not match: check the authenticator shows this account and enter its current six digits",
                    ),
                    other => other,
                });
            }
        };
        let (token, hash) = SessionToken::generate(self.entropy());
        let expires_at_ms = now_ms + self.config.login.session_ttl_s * 1000;
        let session = SessionRecord {
            token_hash: hash.to_vec(),
            user_id: user.id.clone(),
            created_at_ms: now_ms,
            expires_at_ms,
            revoked_at_ms: None,
        };
        match self
            .store
            .confirm_totp_enrolment(
                &user.id,
                step,
                &session,
                &[audit_as("user.totp.confirm"), audit_as("session.create")],
            )
            .await
        {
            Ok(()) => {}
            Err(StoreError::Refused(_)) => return Err(StationError::TotpReplayed),
            Err(e) => return Err(e.into()),
        }
        let principal = self.principal_for(&user, expires_at_ms).await?;
        Ok(NewSession {
            token,
            expires_at_ms,
            principal,
        })
    }
}
