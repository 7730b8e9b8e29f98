//! Every way a station call can refuse or fail, each with a stable code and a sentence for
//! the person who asked. The web layer maps [`ErrorKind`] to an HTTP status; the CLI prints the
//! sentence. Internal failures keep their detail for the log and show the user only a code.

use humint_core::RuleViolation;
use humint_crypto::CryptoError;
use humint_store::StoreError;

/// How a refusal should be answered, independent of transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    Invalid,
    Throttled,
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum StationError {
    #[error("the username, password or one-time code is wrong")]
    InvalidCredentials,
    #[error("that one-time code has already been used; wait for the next one")]
    TotpReplayed,
    #[error("too many failed sign-ins for this account; try again in {retry_after_s} seconds")]
    Throttled { retry_after_s: i64 },
    #[error("sign in first: the session is missing, expired or revoked")]
    Unauthenticated,
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    #[error("{what} not found")]
    NotFound { what: &'static str },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("{0}")]
    Rule(#[from] RuleViolation),
    #[error("the station has not been initialised yet: run `humint init` or `humint serve`")]
    NotInitialised,
    #[error("this station is already initialised")]
    AlreadyInitialised,
    #[error("{0}")]
    Io(String),
    #[error("encryption: {0}")]
    Crypto(#[from] CryptoError),
    #[error("storage: {0}")]
    Store(StoreError),
}

impl From<StoreError> for StationError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { what } => StationError::Conflict {
                code: "ALREADY_EXISTS",
                message: format!("{what} already exists"),
            },
            StoreError::NotFound { what } => StationError::NotFound { what },
            StoreError::Backup(message) => StationError::Invalid {
                code: "BACKUP_INVALID",
                message,
            },
            other => StationError::Store(other),
        }
    }
}

impl StationError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        StationError::Invalid {
            code,
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        StationError::Forbidden {
            code: "FORBIDDEN",
            message: message.into(),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        use StationError::*;
        match self {
            InvalidCredentials | TotpReplayed | Unauthenticated => ErrorKind::Unauthenticated,
            Throttled { .. } => ErrorKind::Throttled,
            Forbidden { .. } => ErrorKind::Forbidden,
            NotFound { .. } => ErrorKind::NotFound,
            Conflict { .. } | NotInitialised | AlreadyInitialised => ErrorKind::Conflict,
            Invalid { .. } | Rule(_) => ErrorKind::Invalid,
            Io(_) | Crypto(_) | Store(_) => ErrorKind::Internal,
        }
    }

    /// The stable rule code a program can match on.
    pub fn code(&self) -> &'static str {
        use StationError::*;
        match self {
            InvalidCredentials => "INVALID_CREDENTIALS",
            TotpReplayed => "TOTP_REPLAYED",
            Throttled { .. } => "LOGIN_THROTTLED",
            Unauthenticated => "UNAUTHENTICATED",
            Forbidden { code, .. } | Conflict { code, .. } | Invalid { code, .. } => code,
            NotFound { .. } => "NOT_FOUND",
            Rule(v) => v.code,
            NotInitialised => "NOT_INITIALISED",
            AlreadyInitialised => "ALREADY_INITIALISED",
            Crypto(CryptoError::TamperedCiphertext | CryptoError::MalformedCiphertext { .. }) => {
                "RECORD_TAMPERED"
            }
            Io(_) | Crypto(_) | Store(_) => "INTERNAL",
        }
    }

    /// The sentence shown to the user. Internal failures are not described to the client:
    /// their detail may name paths or database internals.
    pub fn public_message(&self) -> String {
        if self.code() == "RECORD_TAMPERED" {
            return "a stored record failed its integrity check: it was altered outside humint \
                    or moved from another field, so nothing of it is shown; tell your \
                    administrator"
                .to_owned();
        }
        match self.kind() {
            ErrorKind::Internal => {
                "the station could not complete this request; the error has been logged".to_owned()
            }
            _ => self.to_string(),
        }
    }
}
