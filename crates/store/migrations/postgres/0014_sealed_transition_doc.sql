-- A source's lifecycle events carry free text about the person: the reason for each move, the
-- circumstances of recruitment (SI 2000/2725 reg 3(g)), welfare arrangements at termination.
-- Like the register's free text (0012), the event's document is sealed: an envelope bound to
-- table, column and row, listed in ENCRYPTED_COLUMNS so key rotation and backup walk it. New
-- rows leave `doc` blank; rows written before this migration are sealed when the station next
-- opens with its keys.
ALTER TABLE source_transitions ADD COLUMN doc_sealed BYTEA;
