-- Free text that officers and auditors write about sources and operations, sealed like the
-- other sensitive fields: each column gets an envelope counterpart (XChaCha20-Poly1305 under
-- the current data key, bound to table, column and row; listed in ENCRYPTED_COLUMNS so key
-- rotation and backup walk it). New rows leave the plaintext column blank ('' or NULL).
-- Rows written before this migration keep their plaintext until the station next opens with
-- its keys: it seals them in batches and blanks the plaintext in the same transaction.
ALTER TABLE relevant_errors ADD COLUMN description_sealed BYTEA;
ALTER TABLE relevant_errors ADD COLUMN reference_sealed BYTEA;
ALTER TABLE requirement_events ADD COLUMN note_sealed BYTEA;
ALTER TABLE break_glass_events ADD COLUMN reason_sealed BYTEA;
