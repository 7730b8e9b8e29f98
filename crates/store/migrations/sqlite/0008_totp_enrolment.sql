-- Accounts whose holder has not yet confirmed an authenticator app. A row here means the
-- account can do nothing but enrol (scan the QR code on the officers' sign-in page and enter a
-- valid code); confirming deletes the row in the same transaction that opens the first session.
CREATE TABLE totp_enrolments (
    user_id    TEXT PRIMARY KEY REFERENCES users(id),
    created_at BIGINT NOT NULL
);
