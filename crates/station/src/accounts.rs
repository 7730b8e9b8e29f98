//! Accounts, compartments, sign-in and sessions.
//!
//! Sign-in needs password AND a TOTP code, every time. A code is accepted once (the store
//! refuses a step at or before the last one used, inside the same transaction that creates the
//! session). Failed sign-ins slow the account down: after `free_failures`, each failure doubles
//! the wait, up to `max_throttle_s`; while throttled, the password is not even checked, so a
//! guesser gains nothing by trying faster.

use crate::{Principal, Station, StationError};
use humint_core::{Role, new_id};
use humint_crypto::{FieldRef, PasswordParams, SessionToken, TotpError, TotpSecret};
use humint_store::{
    AuditContext, CompartmentRecord, NewUser, SessionRecord, Store, StoreError, UserRecord,
};
use std::collections::BTreeSet;

/// Sign-in and session settings.
#[derive(Debug, Clone)]
pub struct LoginPolicy {
    pub session_ttl_s: i64,
    /// Failures allowed before the account is slowed down.
    pub free_failures: i64,
    pub max_throttle_s: i64,
    pub password_params: PasswordParams,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        Self {
            session_ttl_s: 8 * 3600,
            free_failures: 3,
            max_throttle_s: 15 * 60,
            password_params: PasswordParams::owasp(),
        }
    }
}

impl LoginPolicy {
    /// How long an account is held back after its `failures`-th consecutive failure: nothing
    /// for the first `free_failures`, then 1 s, 2 s, 4 s … up to `max_throttle_s`.
    pub fn throttle_s(&self, failures: i64) -> Option<i64> {
        let over = failures - self.free_failures - 1;
        if over < 0 {
            return None;
        }
        let wait = 1i64
            .checked_shl(u32::try_from(over).unwrap_or(63))
            .unwrap_or(i64::MAX);
        Some(wait.clamp(1, self.max_throttle_s))
    }
}

/// What a new account's holder needs once, to sign in: shown once and never stored in clear.
#[derive(Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub user_id: String,
    pub username: String,
    /// Set when the station generated the password (first run).
    pub generated_password: Option<String>,
    pub totp_base32: String,
    pub otpauth_uri: String,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrolment")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// A bearer token, given to the client once.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token: String,
    pub expires_at_ms: i64,
    pub principal: Principal,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("principal", &self.principal)
            .finish_non_exhaustive()
    }
}

const MIN_PASSWORD: usize = 12;
const MAX_PASSWORD: usize = 1024;

fn check_username(name: &str) -> Result<(), StationError> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(StationError::invalid(
            "INVALID_USERNAME",
            "a username is 1 to 64 characters of lower-case letters, digits, '.', '_' or '-'",
        ))
    }
}

fn check_password(password: &str) -> Result<(), StationError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        return Err(StationError::invalid(
            "WEAK_PASSWORD",
            format!("a password needs at least {MIN_PASSWORD} characters"),
        ));
    }
    if password.len() > MAX_PASSWORD {
        return Err(StationError::invalid(
            "INVALID_PASSWORD",
            format!("a password may have at most {MAX_PASSWORD} bytes"),
        ));
    }
    Ok(())
}

pub(crate) fn check_compartment_name(name: &str) -> Result<(), StationError> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(StationError::invalid(
            "INVALID_COMPARTMENT",
            "a compartment name is 1 to 64 characters of letters, digits, '_' or '-'",
        ))
    }
}

/// A random password for the first admin: 20 characters from an unambiguous alphabet
/// (about 115 bits).
fn generate_password(station: &Station) -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    (0..20)
        .map(|_| {
            let i = usize::try_from(station.entropy().below(ALPHABET.len() as u64)).unwrap_or(0);
            char::from(ALPHABET[i])
        })
        .collect()
}

impl Station {
    pub(crate) fn audit(
        &self,
        actor: &Principal,
        action: &str,
        object_type: &str,
        object_id: &str,
    ) -> AuditContext {
        AuditContext::new(
            self.now_ms(),
            &actor.user_id,
            actor.role.as_str(),
            action,
            object_type,
            object_id,
        )
    }

    pub(crate) async fn hash_password(&self, password: &str) -> Result<String, StationError> {
        let params = self.config.login.password_params.clone();
        let password = zeroizing(password);
        let entropy = self.entropy.clone();
        // Argon2 is deliberately slow: run it off the async workers so one sign-in does not
        // stall every other request.
        tokio::task::spawn_blocking(move || {
            humint_crypto::hash_password_with(&params, &password, entropy.as_ref())
        })
        .await
        .map_err(|e| StationError::Io(format!("password hashing task failed: {e}")))?
        .map_err(StationError::from)
    }

    pub(crate) fn new_totp(&self, user_id: &str) -> Result<(Vec<u8>, TotpSecret), StationError> {
        let secret = TotpSecret::generate(self.entropy());
        let ring = self.keyring()?;
        let blob = ring.encrypt(
            FieldRef {
                table: "users",
                column: "totp_secret",
                row: user_id,
            },
            secret.to_base32().as_bytes(),
            self.entropy(),
        )?;
        Ok((blob, secret))
    }

    fn enrolment(
        user_id: &str,
        username: &str,
        password: Option<String>,
        secret: &TotpSecret,
    ) -> Enrolment {
        Enrolment {
            user_id: user_id.to_owned(),
            username: username.to_owned(),
            generated_password: password,
            totp_base32: secret.to_base32(),
            otpauth_uri: secret.otpauth_uri(username),
        }
    }

    /// First run: creates the first data key and the first admin. With no password given, one
    /// is generated and returned once.
    pub async fn initialise(
        &self,
        admin_username: &str,
        password: Option<&str>,
    ) -> Result<Enrolment, StationError> {
        check_username(admin_username)?;
        if self.is_initialised().await? {
            return Err(StationError::AlreadyInitialised);
        }
        let generated = match password {
            Some(p) => {
                check_password(p)?;
                None
            }
            None => Some(generate_password(self)),
        };
        let password = password
            .map(str::to_owned)
            .or_else(|| generated.clone())
            .unwrap_or_default();
        let now = self.clock().now();
        let key = humint_crypto::generate_data_key(&self.master, 1, self.entropy());
        // The first key exists only in memory until the transaction below commits it.
        let ring = humint_crypto::KeyRing::unlock(&self.master, std::slice::from_ref(&key))?;
        *self.keyring.write().unwrap_or_else(|p| p.into_inner()) = Some(std::sync::Arc::new(ring));
        let user_id = new_id::<UserRecord>(now, self.entropy()).to_string();
        let (totp_blob, secret) = self.new_totp(&user_id)?;
        let admin = NewUser {
            id: user_id.clone(),
            username: admin_username.to_owned(),
            role: Role::Admin.as_str().to_owned(),
            password_hash: self.hash_password(&password).await?,
            totp_secret: totp_blob,
            created_at_ms: now.timestamp_millis(),
            compartment_ids: Vec::new(),
        };
        let station_id = new_id::<()>(now, self.entropy()).to_string();
        let key_row = humint_store::KeyVersionRow {
            version: 1,
            wrapped: key.blob,
            created_at_ms: now.timestamp_millis(),
        };
        let audit = self.audit(&Principal::system(), "station.initialise", "user", &user_id);
        let result = self
            .store
            .initialise(&station_id, &key_row, &admin, &audit)
            .await;
        if let Err(e) = result {
            self.reload_keyring().await?;
            return Err(match e {
                StoreError::Conflict { .. } => StationError::AlreadyInitialised,
                other => other.into(),
            });
        }
        Ok(Self::enrolment(
            &user_id,
            admin_username,
            generated,
            &secret,
        ))
    }

    /// Creates an officer account. Admin only.
    pub async fn add_user(
        &self,
        actor: &Principal,
        username: &str,
        role: Role,
        compartments: &[String],
        password: &str,
    ) -> Result<Enrolment, StationError> {
        let (user, secret) = self
            .new_user(actor, username, role, compartments, password)
            .await?;
        let audit = self.audit(actor, "user.create", "user", &user.id);
        self.store
            .create_user(&user, &audit)
            .await
            .map_err(|e| username_taken(e, username))?;
        Ok(Self::enrolment(&user.id, username, None, &secret))
    }

    /// A new account's record (checked: admin only, name, password, compartments) and its
    /// TOTP secret, not yet stored.
    pub(crate) async fn new_user(
        &self,
        actor: &Principal,
        username: &str,
        role: Role,
        compartments: &[String],
        password: &str,
    ) -> Result<(NewUser, TotpSecret), StationError> {
        actor.require_role(&[Role::Admin], "create accounts")?;
        check_username(username)?;
        check_password(password)?;
        let mut compartment_ids = Vec::new();
        for name in compartments.iter().collect::<BTreeSet<_>>() {
            let c = self.store.compartment_by_name(name).await?.ok_or_else(|| {
                StationError::invalid(
                    "UNKNOWN_COMPARTMENT",
                    format!("there is no compartment named {name}"),
                )
            })?;
            compartment_ids.push(c.id);
        }
        let now = self.clock().now();
        let user_id = new_id::<UserRecord>(now, self.entropy()).to_string();
        let (totp_blob, secret) = self.new_totp(&user_id)?;
        let user = NewUser {
            id: user_id.clone(),
            username: username.to_owned(),
            role: role.as_str().to_owned(),
            password_hash: self.hash_password(password).await?,
            totp_secret: totp_blob,
            created_at_ms: now.timestamp_millis(),
            compartment_ids,
        };
        Ok((user, secret))
    }

    pub async fn disable_user(
        &self,
        actor: &Principal,
        username: &str,
    ) -> Result<(), StationError> {
        actor.require_role(&[Role::Admin], "disable accounts")?;
        let user = self
            .store
            .user_by_name(username)
            .await?
            .ok_or(StationError::NotFound { what: "user" })?;
        if user.id == actor.user_id {
            return Err(StationError::invalid(
                "SELF_DISABLE",
                "you cannot disable your own account",
            ));
        }
        let audit = self.audit(actor, "user.disable", "user", &user.id);
        self.store.set_user_disabled(&user.id, true, &audit).await?;
        Ok(())
    }

    pub async fn add_compartment(
        &self,
        actor: &Principal,
        name: &str,
    ) -> Result<CompartmentRecord, StationError> {
        actor.require_role(&[Role::Admin], "create compartments")?;
        check_compartment_name(name)?;
        let now = self.clock().now();
        let record = CompartmentRecord {
            id: new_id::<CompartmentRecord>(now, self.entropy()).to_string(),
            name: name.to_owned(),
            created_at_ms: now.timestamp_millis(),
        };
        let audit = self
            .audit(actor, "compartment.create", "compartment", &record.id)
            .in_compartment(name);
        self.store
            .create_compartment(&record, &audit)
            .await
            .map_err(|e| match e {
                StoreError::Conflict { .. } => StationError::Conflict {
                    code: "COMPARTMENT_EXISTS",
                    message: format!("a compartment named {name} already exists"),
                },
                other => other.into(),
            })?;
        Ok(record)
    }

    pub async fn grant_compartment(
        &self,
        actor: &Principal,
        username: &str,
        compartment: &str,
    ) -> Result<(), StationError> {
        actor.require_role(&[Role::Admin], "read officers into compartments")?;
        let user = self
            .store
            .user_by_name(username)
            .await?
            .ok_or(StationError::NotFound { what: "user" })?;
        let c =
            self.store
                .compartment_by_name(compartment)
                .await?
                .ok_or(StationError::NotFound {
                    what: "compartment",
                })?;
        let audit = self
            .audit(actor, "user.grant", "user", &user.id)
            .in_compartment(compartment);
        self.store
            .grant_compartment(&user.id, &c.id, self.now_ms(), &audit)
            .await
            .map_err(|e| match e {
                StoreError::Conflict { .. } => StationError::Conflict {
                    code: "ALREADY_READ_IN",
                    message: format!("{username} is already read into {compartment}"),
                },
                other => other.into(),
            })
    }

    /// The bigot list: who is read into a compartment. Controllers and auditors read into it,
    /// and admins, may see it; viewing it is audited.
    pub async fn compartment_members(
        &self,
        actor: &Principal,
        compartment: &str,
    ) -> Result<Vec<(String, Role)>, StationError> {
        actor.require_role(
            &[Role::Admin, Role::Controller, Role::Auditor],
            "see a compartment's bigot list",
        )?;
        if actor.role != Role::Admin {
            actor.require_compartment(compartment)?;
        }
        let c =
            self.store
                .compartment_by_name(compartment)
                .await?
                .ok_or(StationError::NotFound {
                    what: "compartment",
                })?;
        let members = self.store.compartment_members(&c.id).await?;
        let audit = self
            .audit(actor, "compartment.members.read", "compartment", &c.id)
            .in_compartment(compartment);
        self.store.append_audit(&audit).await?;
        Ok(members
            .into_iter()
            .filter_map(|u| u.role.parse().ok().map(|r| (u.username, r)))
            .collect())
    }

    /// Signs in with password and TOTP code, returning a new bearer session.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        totp: &str,
    ) -> Result<NewSession, StationError> {
        let now = self.clock().now();
        let now_ms = now.timestamp_millis();
        let user = if username.is_empty() || username.len() > 64 || password.len() > MAX_PASSWORD {
            None
        } else {
            self.store.user_by_name(username).await?
        };
        let Some(user) = user else {
            // Same cost as a real check, so timing does not reveal which usernames exist.
            let p = zeroizing(password);
            let _ = tokio::task::spawn_blocking(move || humint_crypto::dummy_verify(&p)).await;
            return Err(StationError::InvalidCredentials);
        };
        let role = user.role.clone();
        let audit_as =
            |action: &str| AuditContext::new(now_ms, &user.id, &role, action, "user", &user.id);
        if let Some(until) = user.throttled_until_ms.filter(|until| *until > now_ms) {
            self.store
                .append_audit(&audit_as("session.create").denied())
                .await?;
            return Err(StationError::Throttled {
                retry_after_s: (until - now_ms + 999) / 1000,
            });
        }
        let phc = user.password_hash.clone();
        let p = zeroizing(password);
        let password_ok =
            tokio::task::spawn_blocking(move || humint_crypto::verify_password(&phc, &p))
                .await
                .map_err(|e| StationError::Io(format!("password check failed: {e}")))?;
        if password_ok && self.store.totp_enrolment_pending(&user.id).await? {
            self.store
                .append_audit(&audit_as("session.create").denied())
                .await?;
            return Err(crate::enrolment::enrolment_required());
        }
        let totp_result = if password_ok {
            Some(self.check_totp(&user, totp, now.timestamp()))
        } else {
            None
        };
        let step = match totp_result {
            Some(Ok(step)) => step,
            failure => {
                self.count_login_failure(&user, now_ms, audit_as("session.create"))
                    .await?;
                return Err(match failure {
                    Some(Err(StationError::TotpReplayed)) => StationError::TotpReplayed,
                    Some(Err(e @ StationError::Crypto(_))) => e,
                    _ => StationError::InvalidCredentials,
                });
            }
        };
        if user.disabled {
            self.store
                .append_audit(&audit_as("session.create").denied())
                .await?;
            return Err(StationError::Forbidden {
                code: "ACCOUNT_DISABLED",
                message: "this account is disabled".to_owned(),
            });
        }
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
            .record_login_success(&user.id, step, &session, &audit_as("session.create"))
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

    /// The account's TOTP secret, decrypted for the call that needs it.
    /// Counts a failed sign-in step against the account, slowing it once the free failures are
    /// spent (each later failure doubles the wait), with the refused step's audit event.
    pub(crate) async fn count_login_failure(
        &self,
        user: &UserRecord,
        now_ms: i64,
        audit: AuditContext,
    ) -> Result<(), StationError> {
        let failures = user.failed_logins + 1;
        let throttle = self
            .config
            .login
            .throttle_s(failures)
            .map(|s| now_ms + s * 1000);
        self.store
            .record_login_failure(&user.id, failures, throttle, &audit.denied())
            .await?;
        Ok(())
    }

    pub(crate) fn totp_secret(&self, user: &UserRecord) -> Result<TotpSecret, StationError> {
        let ring = self.keyring()?;
        let plain = ring.decrypt(
            FieldRef {
                table: "users",
                column: "totp_secret",
                row: &user.id,
            },
            &user.totp_secret,
        )?;
        let text = std::str::from_utf8(&plain)
            .map_err(|_| StationError::Io("a stored TOTP secret is not text".to_owned()))?;
        TotpSecret::from_base32(text)
            .map_err(|_| StationError::Io("a stored TOTP secret is malformed".to_owned()))
    }

    pub(crate) fn check_totp(
        &self,
        user: &UserRecord,
        code: &str,
        unix_seconds: i64,
    ) -> Result<i64, StationError> {
        let secret = self.totp_secret(user)?;
        humint_crypto::verify_totp(&secret, code, unix_seconds, user.totp_last_step).map_err(|e| {
            match e {
                TotpError::Replayed => StationError::TotpReplayed,
                _ => StationError::InvalidCredentials,
            }
        })
    }

    pub(crate) async fn principal_for(
        &self,
        user: &UserRecord,
        expires_at_ms: i64,
    ) -> Result<Principal, StationError> {
        let role: Role = user
            .role
            .parse()
            .map_err(|_| StationError::Io(format!("user {} has an unknown role", user.id)))?;
        let compartments = self
            .store
            .user_compartments(&user.id)
            .await?
            .into_iter()
            .map(|c| c.name)
            .collect();
        Ok(Principal {
            user_id: user.id.clone(),
            username: user.username.clone(),
            role,
            compartments,
            session_expires_at_ms: expires_at_ms,
        })
    }

    /// Who holds this bearer token, if the session is live and the account enabled.
    pub async fn authenticate(&self, token: &str) -> Result<Principal, StationError> {
        let hash = humint_crypto::hash_token(token);
        let session = self
            .store
            .session(&hash)
            .await?
            .ok_or(StationError::Unauthenticated)?;
        let now = self.now_ms();
        if session.revoked_at_ms.is_some() || session.expires_at_ms <= now {
            return Err(StationError::Unauthenticated);
        }
        let user = self
            .store
            .user_by_id(&session.user_id)
            .await?
            .ok_or(StationError::Unauthenticated)?;
        if user.disabled {
            return Err(StationError::Unauthenticated);
        }
        self.principal_for(&user, session.expires_at_ms).await
    }

    /// Ends the session that holds this token.
    pub async fn logout(&self, actor: &Principal, token: &str) -> Result<(), StationError> {
        let hash = humint_crypto::hash_token(token);
        let audit = self.audit(actor, "session.revoke", "user", &actor.user_id);
        self.store
            .revoke_session(&hash, self.now_ms(), &audit)
            .await
            .map_err(|e| match e {
                StoreError::NotFound { .. } => StationError::Unauthenticated,
                other => other.into(),
            })
    }
}

pub(crate) fn username_taken(e: StoreError, username: &str) -> StationError {
    match e {
        StoreError::Conflict { .. } => StationError::Conflict {
            code: "USERNAME_TAKEN",
            message: format!("a user named {username} already exists"),
        },
        other => other.into(),
    }
}

fn zeroizing(s: &str) -> zeroize::Zeroizing<String> {
    zeroize::Zeroizing::new(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::LoginPolicy;
    use rstest::rstest;

    #[rstest]
    #[case(1, None)]
    #[case(3, None)]
    #[case(4, Some(1))]
    #[case(5, Some(2))]
    #[case(8, Some(16))]
    #[case(14, Some(900))]
    #[case(1_000, Some(900))]
    fn failures_past_the_free_ones_double_the_wait_up_to_the_cap(
        #[case] failures: i64,
        #[case] wait: Option<i64>,
    ) {
        assert_eq!(LoginPolicy::default().throttle_s(failures), wait);
    }
}
