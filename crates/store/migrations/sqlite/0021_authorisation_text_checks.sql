-- The boilerplate check (INS-02; IPCO AR 2018 para 11.20), worked out once and kept. A granted
-- authorisation's statements never change and only authorisations written before it count, so
-- the answer is fixed when it is granted: the grant compares its necessity, proportionality and
-- collateral-intrusion statements with the compartment's (opening their sealed text, audited
-- once) and stores the result here, in the grant's transaction. Reads show the stored result and
-- open nothing. No text is stored: only which statement repeats which authorisation, by how much.
--
-- A row in authorisation_text_checks says the authorisation was compared (so "no repeats" is told
-- apart from "granted before 0021, not compared yet"). at_grant = 1: compared at its grant with
-- every authorisation of the compartment already written; 0: granted before this migration (or loaded
-- in bulk) and compared by the station afterwards (when it opens, or after a restore), with those granted
-- strictly before it, as the check did before.
CREATE TABLE authorisation_text_checks (
    authorisation_id  TEXT PRIMARY KEY REFERENCES authorisations(id),
    checked_at        BIGINT NOT NULL,
    at_grant          BIGINT NOT NULL
);
-- One statement that repeats another authorisation's: `shared` of its `shingles` five-word runs
-- are in the other's (the share in the warning is shared * 100 / shingles, rounded down).
CREATE TABLE authorisation_text_repeats (
    authorisation_id  TEXT   NOT NULL REFERENCES authorisation_text_checks(authorisation_id),
    statement         TEXT   NOT NULL,
    other_id          TEXT   NOT NULL REFERENCES authorisations(id),
    shared            BIGINT NOT NULL,
    shingles          BIGINT NOT NULL,
    PRIMARY KEY (authorisation_id, statement)
);
