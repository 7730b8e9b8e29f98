//! The volunteer's side: first contact, coming back with the codename, sending more, reading
//! replies, checking a verification phrase.
//!
//! Limits are global (the portal cannot tell volunteers apart, by design): a token bucket for
//! submissions, another for codename and phrase attempts, a cap on files received at once, and
//! one Argon2id run at a time. A flood therefore costs the station a bounded share of its CPU
//! and disk, and the officers' API keeps answering.

use super::codename::{self, CodenameKdf, MAX_CODENAME_INPUT};
use super::crypt::{self, FileUpload, Recipients, StoredFile};
use super::session::PortalSession;
use super::{IntakePolicy, VOLUNTEER, random_id};
use crate::{Station, StationError};
use humint_store::{AuditContext, IntakeStore as _, NewIntakeEntry, NewIntakeThread, Store as _};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use zeroize::Zeroizing;

/// Why the portal refused, in terms a page can explain.
#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("the portal is busy; please try again in {retry_after_s} seconds")]
    Busy { retry_after_s: u64 },
    #[error("this portal is not accepting submissions yet")]
    NotAccepting,
    #[error("write a message or attach a file")]
    Empty,
    #[error("the message is longer than {max} bytes")]
    MessageTooLong { max: usize },
    #[error("the file is larger than {max} bytes")]
    FileTooLarge { max: u64 },
    #[error("{0}")]
    Station(#[from] StationError),
}

/// A leaky bucket over wall-clock time (not the station's clock: this limits real load).
#[derive(Debug)]
struct Bucket {
    capacity: f64,
    per_second: f64,
    state: Mutex<(f64, Instant)>,
}

impl Bucket {
    fn new(per_minute: u32, burst: u32) -> Self {
        let capacity = f64::from(burst.max(1));
        Self {
            capacity,
            per_second: f64::from(per_minute.max(1)) / 60.0,
            state: Mutex::new((capacity, Instant::now())),
        }
    }

    fn take(&self) -> Result<(), PortalError> {
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (tokens, last) = *guard;
        let now = Instant::now();
        let tokens =
            (tokens + now.duration_since(last).as_secs_f64() * self.per_second).min(self.capacity);
        if tokens >= 1.0 {
            *guard = (tokens - 1.0, now);
            Ok(())
        } else {
            *guard = (tokens, now);
            let wait = ((1.0 - tokens) / self.per_second).ceil();
            Err(PortalError::Busy {
                retry_after_s: (wait as u64).max(1),
            })
        }
    }
}

/// The right to send one submission: taken before the body is read, so a refused flood costs
/// almost nothing.
#[derive(Debug)]
pub struct SubmissionPermit {
    _upload: OwnedSemaphorePermit,
}

/// What the volunteer is told after sending.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub day: String,
    /// What was and was not removed from the file, if one was sent.
    pub file_note: Option<String>,
}

/// A new thread: the codename to show once.
#[derive(Debug)]
pub struct NewThread {
    pub codename: Zeroizing<String>,
    pub receipt: Receipt,
}

/// One line of the volunteer's thread.
#[derive(Debug)]
pub enum ThreadEntry {
    /// Something the volunteer sent: never its content (the portal cannot read it).
    Received {
        day: String,
        size: i64,
        with_file: bool,
    },
    Reply {
        day: String,
        text: Zeroizing<String>,
    },
}

#[derive(Debug)]
pub struct ThreadView {
    pub received_day: String,
    /// Newest first.
    pub entries: Vec<ThreadEntry>,
}

#[derive(Debug, Clone)]
struct Settings {
    salt: Vec<u8>,
    kdf: CodenameKdf,
}

/// The portal's services, limits and settings. One per listener.
#[derive(Debug)]
pub struct Portal {
    pub(crate) station: Arc<Station>,
    policy: IntakePolicy,
    submissions: Bucket,
    attempts: Bucket,
    uploads: Arc<Semaphore>,
    /// Argon2id runs one at a time (each takes its memory cost and a core), in one reused
    /// buffer.
    kdf_lane: Semaphore,
    kdf_memory: Arc<Mutex<codename::KdfMemory>>,
    settings: tokio::sync::OnceCell<Settings>,
}

impl Portal {
    pub fn new(station: Arc<Station>, policy: IntakePolicy) -> Portal {
        Portal {
            submissions: Bucket::new(policy.submissions_per_minute, policy.submission_burst),
            attempts: Bucket::new(policy.attempts_per_minute, policy.attempt_burst),
            uploads: Arc::new(Semaphore::new(policy.concurrent_uploads.max(1))),
            kdf_lane: Semaphore::new(1),
            kdf_memory: Arc::new(Mutex::new(codename::KdfMemory::default())),
            settings: tokio::sync::OnceCell::new(),
            station,
            policy,
        }
    }

    pub fn policy(&self) -> &IntakePolicy {
        &self.policy
    }

    async fn settings(&self) -> Result<&Settings, StationError> {
        self.settings
            .get_or_try_init(|| async {
                let mut salt = [0u8; 16];
                self.station.entropy().fill(&mut salt);
                let (_, day_ms) = self.station.intake_today();
                let audit = AuditContext::new(
                    day_ms,
                    "system",
                    "admin",
                    "intake.settings.create",
                    "intake_settings",
                    "codename_kdf",
                );
                let stored = self
                    .station
                    .store
                    .intake_settings_init(
                        &[
                            ("codename_salt", hex::encode(salt)),
                            ("codename_kdf", self.policy.kdf.to_setting()),
                        ],
                        &audit,
                    )
                    .await?;
                let get = |k: &str| stored.iter().find(|(key, _)| key == k).map(|(_, v)| v);
                let salt = get("codename_salt").and_then(|s| hex::decode(s).ok());
                let kdf = get("codename_kdf").and_then(|s| CodenameKdf::from_setting(s));
                match (salt, kdf) {
                    (Some(salt), Some(kdf)) => Ok(Settings { salt, kdf }),
                    _ => Err(StationError::Io(
                        "the intake settings in the database are damaged".to_owned(),
                    )),
                }
            })
            .await
    }

    async fn derive(&self, codename: &str) -> Result<codename::Derived, StationError> {
        let settings = self.settings().await?.clone();
        let _lane = self
            .kdf_lane
            .acquire()
            .await
            .map_err(|_| StationError::Io("the KDF lane closed".to_owned()))?;
        let codename = Zeroizing::new(codename.to_owned());
        let memory = self.kdf_memory.clone();
        tokio::task::spawn_blocking(move || {
            let mut memory = memory.lock().unwrap_or_else(|p| p.into_inner());
            codename::derive_with(&codename, &settings.salt, settings.kdf, &mut memory)
        })
        .await
        .map_err(|e| StationError::Io(format!("codename KDF task: {e}")))?
    }

    /// Whether submissions can be accepted at all (a custodian key is registered).
    pub async fn accepting(&self) -> Result<bool, StationError> {
        Ok(!self.station.intake_recipient_keys().await?.is_empty())
    }

    /// Asks for the right to submit. Refused when the global rate or the number of uploads
    /// in flight is exceeded, or when no custodian is registered.
    pub async fn admit(&self) -> Result<SubmissionPermit, PortalError> {
        let upload = self
            .uploads
            .clone()
            .try_acquire_owned()
            .map_err(|_| PortalError::Busy { retry_after_s: 30 })?;
        self.submissions.take()?;
        if !self.accepting().await? {
            return Err(PortalError::NotAccepting);
        }
        Ok(SubmissionPermit { _upload: upload })
    }

    async fn recipients(&self) -> Result<Recipients, PortalError> {
        let keys = self.station.intake_recipient_keys().await?;
        if keys.is_empty() {
            return Err(PortalError::NotAccepting);
        }
        Ok(keys)
    }

    /// Starts receiving a file: encrypted to the custodians as it streams to disk.
    pub async fn start_file(&self, _permit: &SubmissionPermit) -> Result<FileUpload, PortalError> {
        let recipients = self.recipients().await?;
        let dir = self.station.intake_dir();
        crypt::private_dir(&dir)?;
        let name = format!("{}.age", random_id(&self.station));
        let (_, day_ms) = self.station.intake_today();
        let day_start =
            std::time::UNIX_EPOCH + Duration::from_millis(u64::try_from(day_ms).unwrap_or(0));
        Ok(FileUpload::start(
            dir,
            name,
            recipients,
            self.policy.file_max_bytes,
            day_start,
        ))
    }

    /// Checks and encrypts what was sent; the entry to store.
    fn entry(
        &self,
        recipients: &Recipients,
        message: &str,
        file: Option<&StoredFile>,
        file_label: Option<&str>,
    ) -> Result<(NewIntakeEntry, Receipt), PortalError> {
        let message = message.trim();
        if message.len() > self.policy.message_max_bytes {
            return Err(PortalError::MessageTooLong {
                max: self.policy.message_max_bytes,
            });
        }
        if message.is_empty() && file.is_none() {
            return Err(PortalError::Empty);
        }
        let (day, _) = self.station.intake_today();
        // The custodian's copy: the message with a note on the attachment, one age file.
        let mut text = Zeroizing::new(format!("Received on {day} through the intake portal.\n"));
        if let Some(f) = file {
            let label = file_label.unwrap_or("(no name)");
            text.push_str(&format!(
                "Attached file: {label} ({} bytes, stored as {}). {}\n",
                f.size,
                f.name,
                f.report.summary()
            ));
        }
        text.push('\n');
        text.push_str(message);
        text.push('\n');
        let body = crypt::encrypt(recipients, text.as_bytes())?;
        let size = message.len() as u64 + file.map_or(0, |f| f.size);
        let entry = NewIntakeEntry {
            id: random_id(&self.station),
            kind: "received".to_owned(),
            day: day.clone(),
            body,
            size: i64::try_from(size).unwrap_or(i64::MAX),
            file_name: file.map(|f| f.name.clone()),
            file_size: file.map(|f| i64::try_from(f.size).unwrap_or(i64::MAX)),
        };
        let receipt = Receipt {
            day,
            file_note: file.map(|f| f.report.summary()),
        };
        Ok((entry, receipt))
    }

    fn volunteer_audit(&self, action: &str, thread_id: &str) -> AuditContext {
        let (_, day_ms) = self.station.intake_today();
        AuditContext::new(
            day_ms,
            VOLUNTEER,
            VOLUNTEER,
            action,
            "intake_thread",
            thread_id,
        )
    }

    /// First contact: stores the submission and returns a new codename.
    pub async fn submit(
        &self,
        _permit: SubmissionPermit,
        message: &str,
        file: Option<StoredFile>,
        file_label: Option<&str>,
    ) -> Result<NewThread, PortalError> {
        let recipients = self.recipients().await?;
        let (entry, receipt) = self.entry(&recipients, message, file.as_ref(), file_label)?;
        let codename = codename::generate(self.station.entropy());
        let derived = self.derive(&codename).await?;
        let reply = codename::reply_identity(&derived.reply_secret)?;
        let thread = NewIntakeThread {
            id: random_id(&self.station),
            lookup: derived.lookup.to_vec(),
            reply_recipient: reply.to_public().to_string(),
            received_day: receipt.day.clone(),
            status: super::IntakeStatus::New.as_str().to_owned(),
        };
        let audit = self.volunteer_audit("intake.submit", &thread.id);
        self.station
            .store
            .create_intake_thread(&thread, &entry, &audit)
            .await
            .map_err(StationError::from)?;
        if let Some(f) = file {
            f.keep();
        }
        Ok(NewThread { codename, receipt })
    }

    /// Something more from a signed-in volunteer.
    pub async fn follow_up(
        &self,
        _permit: SubmissionPermit,
        session: &PortalSession,
        message: &str,
        file: Option<StoredFile>,
        file_label: Option<&str>,
    ) -> Result<Receipt, PortalError> {
        let recipients = self.recipients().await?;
        let (entry, receipt) = self.entry(&recipients, message, file.as_ref(), file_label)?;
        let audit = self.volunteer_audit("intake.follow_up", &session.thread_id);
        self.station
            .store
            .append_intake_entry(&session.thread_id, &entry, None, &audit)
            .await
            .map_err(StationError::from)?;
        if let Some(f) = file {
            f.keep();
        }
        Ok(receipt)
    }

    /// Signs in with a codename. A wrong codename reads nothing, and every attempt, right or
    /// wrong, well-formed or not, takes at least `login_floor`, so timing tells a guesser
    /// nothing. Attempts count against the global attempt rate.
    pub async fn login(&self, codename: &str) -> Result<Option<PortalSession>, PortalError> {
        self.attempts.take()?;
        let started = tokio::time::Instant::now();
        let result = self.find(codename).await;
        tokio::time::sleep_until(started + self.policy.login_floor).await;
        result
    }

    async fn find(&self, codename: &str) -> Result<Option<PortalSession>, PortalError> {
        let input = if codename.len() <= MAX_CODENAME_INPUT {
            codename
        } else {
            // Too long to be a codename: hash something of the same cost anyway.
            ""
        };
        let derived = self.derive(input).await?;
        let thread = self
            .station
            .store
            .intake_thread_by_lookup(&derived.lookup)
            .await
            .map_err(StationError::from)?;
        let Some(thread) = thread.filter(|_| !input.trim().is_empty()) else {
            return Ok(None);
        };
        let audit = self.volunteer_audit("intake.read", &thread.id);
        self.station
            .store
            .append_audit(&audit)
            .await
            .map_err(StationError::from)?;
        Ok(Some(PortalSession {
            thread_id: thread.id,
            reply_secret: derived.reply_secret,
            expires_at_ms: self.station.now_ms() + self.policy.session_ttl_s * 1000,
        }))
    }

    /// The signed-in volunteer's thread, replies decrypted with their codename's key.
    pub async fn thread(&self, session: &PortalSession) -> Result<ThreadView, PortalError> {
        let thread = self
            .station
            .store
            .intake_thread(&session.thread_id)
            .await
            .map_err(StationError::from)?
            .ok_or(StationError::NotFound {
                what: "intake thread",
            })?;
        let identity = codename::reply_identity(&session.reply_secret)?;
        let rows = self
            .station
            .store
            .intake_entries(&thread.id)
            .await
            .map_err(StationError::from)?;
        let entries = rows
            .into_iter()
            .rev()
            .map(|row| match row.kind.as_str() {
                "reply" => {
                    let text = crypt::decrypt(&identity, &row.body)
                        .ok()
                        .and_then(|b| String::from_utf8(b.to_vec()).ok())
                        .unwrap_or_else(|| "(this reply could not be decrypted)".to_owned());
                    ThreadEntry::Reply {
                        day: row.day,
                        text: Zeroizing::new(text),
                    }
                }
                _ => ThreadEntry::Received {
                    day: row.day,
                    size: row.size,
                    with_file: row.file_name.is_some(),
                },
            })
            .collect();
        Ok(ThreadView {
            received_day: thread.received_day,
            entries,
        })
    }

    /// "Is this approach genuine?": true once for a phrase an officer issued that has not
    /// expired; the check uses it up.
    pub async fn verify_phrase(&self, phrase: &str) -> Result<bool, PortalError> {
        self.attempts.take()?;
        if phrase.len() > MAX_CODENAME_INPUT || phrase.trim().is_empty() {
            return Ok(false);
        }
        let hash = self.station.phrase_hash(phrase);
        let (day, day_ms) = self.station.intake_today();
        let audit = AuditContext::new(
            day_ms,
            VOLUNTEER,
            VOLUNTEER,
            "intake.phrase.confirm",
            "verification_phrase",
            hex::encode(&hash[..8]),
        );
        Ok(self
            .station
            .store
            .use_verification_phrase(&hash, self.station.now_ms(), &day, &audit)
            .await
            .map_err(StationError::from)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_allows_a_burst_then_refuses_with_a_wait() {
        let b = Bucket::new(60, 3);
        for _ in 0..3 {
            assert!(b.take().is_ok());
        }
        match b.take() {
            Err(PortalError::Busy { retry_after_s }) => assert!((1..=2).contains(&retry_after_s)),
            other => panic!("expected Busy, got {other:?}"),
        }
    }
}
