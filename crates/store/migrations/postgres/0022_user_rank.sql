-- The authorising officer's rank (AUTH-03): an officer's rank as the station's rank table spells
-- it, set by an administrator (humint user rank). NULL: none recorded. Which table is in force is
-- the station_meta key 'ranks.table' (absent: no table, ranks are not checked).
ALTER TABLE users ADD COLUMN officer_rank TEXT;
