-- Contacts, payments and authorisations carry free text that endangers a source if a copy of
-- the database leaks: where the source is met and what happens if a meeting fails (a
-- contact's location alias and fallback arrangements; what a payment was for; why an
-- authorisation was necessary and proportionate, its tasks, and the text of its reviews,
-- renewals and cancellation). Unlike a tasking (0015), the record's
-- document stays readable without keys, because the alert schedule is computed from it inside
-- the store's write transaction; only its free-text fields are taken out and sealed together
-- as one envelope bound to table, column and row, listed in ENCRYPTED_COLUMNS. New rows leave
-- those fields blank in `doc`; rows written before this migration are split and sealed when
-- the station next opens with its keys.
ALTER TABLE contacts ADD COLUMN text_sealed BYTEA;
ALTER TABLE payments ADD COLUMN text_sealed BYTEA;
ALTER TABLE authorisations ADD COLUMN text_sealed BYTEA;
