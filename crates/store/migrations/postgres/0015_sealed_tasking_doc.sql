-- A tasking carries the instructions given to the source and the notes of each change of
-- status: what the source is asked to find out, and about whom. Like the lifecycle events
-- (0014), the tasking's document is sealed: an envelope bound to table, column and row, listed in
-- ENCRYPTED_COLUMNS. New rows and status changes leave `doc` blank; rows written before this
-- migration are sealed when the station next opens with its keys.
ALTER TABLE taskings ADD COLUMN doc_sealed BYTEA;
