//! Boilerplate in authorisations (INS-02; IPCO AR 2018 para 11.20): each statement of an
//! authorisation (necessity, proportionality, collateral intrusion) compared, by the core's
//! `boilerplate` measure, with the same statement of every authorisation written before it in
//! the same compartment — never across compartments. A warning, never a refusal.
//!
//! Worked out once, at grant, and stored (migration 0021): a granted authorisation's statements
//! never change and only authorisations written before it count, so the answer is fixed then.
//! The grant opens the compartment's other authorisations' sealed text to compare (one
//! `authorisation.text.compare` audit event, in the grant's transaction) and stores, with the
//! grant, that it was compared and which of its statements repeat which authorisation, by how
//! much (no text). The grant's transaction refuses the result if the compartment gained an
//! authorisation after it was read (writers are serialised by the ledger's lock), and the grant
//! compares again with it: so of two grants in the same millisecond, the one written first is
//! what the second repeats. Reads (the API, the source page, the inspection pack) show the
//! stored result: nothing opened, nothing audited.
//!
//! Authorisations written without a comparison (granted before 0021, restored from a backup made
//! before it, or loaded in bulk) are compared by [`Station::compare_unchecked_authorisations`]
//! as the check did before 0021 (with those granted strictly before them): when the station
//! opens and after a restore, and by any read that finds one, so no reader ever sees a missing
//! warning. It is idempotent (a comparison already stored is kept), so several servers on one
//! database may run it at once.

use super::access::CASE_READERS;
use crate::{Principal, Station, StationError};
use chrono::{DateTime, Utc};
use humint_core::handling::Authorisation;
use humint_core::handling::boilerplate::{
    AUTH_TEXT_REPEATED, Repeat, Share, Shingled, Statement, strongest_repeat,
};
use humint_core::handling::calendar;
use humint_store::{
    AuditContext, AuthorisationRow, CompartmentAuthorisationStore as _, HandlingWrite, Store as _,
    StoredTextChecks, StoredTextRepeat, TextCheckRow, TextCheckScope, TextRepeatRow,
};
use serde::Deserialize;
use std::collections::HashMap;

/// The audit action of a call that opened other authorisations' statements to compare them.
pub(crate) const COMPARE_ACTION: &str = "authorisation.text.compare";

/// One statement of an authorisation that largely repeats another authorisation's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRepeat {
    /// The authorisation whose statement repeats another.
    pub authorisation_id: String,
    pub statement: Statement,
    pub other_authorisation_id: String,
    pub other_codename: String,
    pub other_granted_at: DateTime<Utc>,
    /// The share of the statement's five-word runs found in the other, whole per cent.
    pub percent: usize,
    /// `AUTH_TEXT_REPEATED`.
    pub code: &'static str,
    pub message: String,
}

/// An authorisation just granted, with the warnings that travel with it.
#[derive(Debug, Clone)]
pub struct Granted {
    pub authorisation: Authorisation,
    pub warnings: Vec<TextRepeat>,
}

/// An authorisation as the comparison reads it: its statements shingled, its source's codename.
pub(crate) struct Compared {
    id: String,
    parent: Option<String>,
    codename: String,
    granted_at: DateTime<Utc>,
    statements: [Shingled; 3],
}

impl Compared {
    pub(crate) fn new(a: &Authorisation, codename: &str) -> Self {
        Compared {
            id: a.id.to_string(),
            parent: a.parent.map(|p| p.to_string()),
            codename: codename.to_owned(),
            granted_at: a.granted_at,
            statements: Statement::ALL.map(|s| Shingled::new(s.of(a))),
        }
    }

    /// Whether any statement is long enough to be judged.
    fn judged(&self) -> bool {
        self.statements.iter().any(Shingled::judged)
    }

    /// Whether one rests on the other (criminal conduct on its use-and-conduct authorisation:
    /// the same source and operation, so the same words are expected).
    fn related(&self, other: &Compared) -> bool {
        self.parent.as_deref() == Some(other.id.as_str())
            || other.parent.as_deref() == Some(self.id.as_str())
    }

    /// Its statements that repeat one of `earlier`'s (the strongest per statement), as stored.
    fn repeats(&self, earlier: &[&Compared]) -> Vec<TextRepeatRow> {
        let mut out = Vec::new();
        if !self.judged() {
            return out;
        }
        let earlier: Vec<&&Compared> = earlier.iter().filter(|c| !self.related(c)).collect();
        for (i, statement) in Statement::ALL.into_iter().enumerate() {
            let others: Vec<(&str, &Shingled)> = earlier
                .iter()
                .map(|c| (c.id.as_str(), &c.statements[i]))
                .collect();
            if let Some(found) = strongest_repeat(statement, &self.statements[i], &others) {
                out.push(TextRepeatRow {
                    authorisation_id: self.id.clone(),
                    statement: statement.as_str().to_owned(),
                    other_id: found.other.to_owned(),
                    shared: i64::try_from(found.share.shared).unwrap_or(i64::MAX),
                    shingles: i64::try_from(found.share.of).unwrap_or(i64::MAX),
                });
            }
        }
        out
    }
}

/// The three statements, read from an authorisation's sealed text without the rest.
#[derive(Deserialize)]
struct Statements {
    necessity: String,
    proportionality: String,
    collateral_intrusion: String,
}

/// A stored repeat as the warning a reader sees: the core's sentence, from the stored share and
/// the other authorisation's codename and London day of grant.
fn warning(stored: &StoredTextRepeat) -> Result<TextRepeat, StationError> {
    let r = &stored.repeat;
    let damaged = || StationError::Io("a stored boilerplate comparison is damaged".to_owned());
    let statement = Statement::ALL
        .into_iter()
        .find(|s| s.as_str() == r.statement)
        .ok_or_else(damaged)?;
    let share = Share {
        shared: usize::try_from(r.shared).map_err(|_| damaged())?,
        of: usize::try_from(r.shingles).map_err(|_| damaged())?,
    };
    let granted_at = super::ms_time(stored.other_granted_at_ms)?;
    let repeat = Repeat {
        statement,
        other: (),
        share,
    };
    Ok(TextRepeat {
        authorisation_id: r.authorisation_id.clone(),
        statement,
        other_authorisation_id: r.other_id.clone(),
        other_codename: stored.other_codename.clone(),
        other_granted_at: granted_at,
        percent: share.percent(),
        code: AUTH_TEXT_REPEATED,
        message: repeat.message(&stored.other_codename, calendar::local_date(granted_at)),
    })
}

/// The warnings of `judged` among `stored`, in the order of `judged` and then of the statements
/// (necessity, proportionality, collateral intrusion).
fn warnings_of(
    stored: &StoredTextChecks,
    judged: &[&Authorisation],
) -> Result<Vec<TextRepeat>, StationError> {
    let mut out = Vec::new();
    for a in judged {
        let id = a.id.to_string();
        for statement in Statement::ALL {
            if let Some(r) = stored.repeats.iter().find(|r| {
                r.repeat.authorisation_id == id && r.repeat.statement == statement.as_str()
            }) {
                out.push(warning(r)?);
            }
        }
    }
    Ok(out)
}

/// What a grant stores of its comparison, and what it tells the grantor.
pub(crate) struct GrantCheck {
    pub write: HandlingWrite,
    pub warnings: Vec<TextRepeat>,
    /// Whether other authorisations' sealed text was opened (the grant audits it).
    pub opened: bool,
}

impl Station {
    /// A stored authorisation as the comparison reads it: only its statements are taken from
    /// the envelope (a row no station has sealed yet is opened whole).
    fn compared(&self, row: &AuthorisationRow, codename: &str) -> Result<Compared, StationError> {
        let Some(envelope) = row.text_sealed.as_deref() else {
            let a: Authorisation = self.open_record(&row.id, &row.doc, None)?;
            return Ok(Compared::new(&a, codename));
        };
        let text = zeroize::Zeroizing::new(self.open_text(
            "authorisations",
            "text_sealed",
            &row.id,
            envelope,
        )?);
        let s: Statements = serde_json::from_str(&text).map_err(|_| {
            StationError::Io("a stored authorisations.text_sealed is damaged".to_owned())
        })?;
        let statements = [
            Shingled::new(&s.necessity),
            Shingled::new(&s.proportionality),
            Shingled::new(&s.collateral_intrusion),
        ];
        drop(zeroize::Zeroizing::new(s.necessity));
        drop(zeroize::Zeroizing::new(s.proportionality));
        drop(zeroize::Zeroizing::new(s.collateral_intrusion));
        Ok(Compared {
            id: row.id.clone(),
            parent: row.parent_id.clone(),
            codename: codename.to_owned(),
            granted_at: super::ms_time(row.granted_at_ms)?,
            statements,
        })
    }

    /// The comparison of `auth`, about to be granted in the compartment `compartment_id` to a
    /// source called `codename`, with every authorisation written there so far (`opened` keeps
    /// those already opened by an earlier attempt of the same grant). Nothing is read when no
    /// statement of `auth` is long enough to be judged.
    pub(crate) async fn grant_text_check(
        &self,
        compartment_id: &str,
        codename: &str,
        auth: &Authorisation,
        opened: &mut HashMap<String, Compared>,
    ) -> Result<GrantCheck, StationError> {
        let own = Compared::new(auth, codename);
        let check = |repeats| TextCheckRow {
            authorisation_id: own.id.clone(),
            checked_at_ms: self.now_ms(),
            at_grant: true,
            repeats,
        };
        if !own.judged() {
            return Ok(GrantCheck {
                write: HandlingWrite::InsertTextCheck {
                    compartment_id: compartment_id.to_owned(),
                    compared: None,
                    check: check(Vec::new()),
                },
                warnings: Vec::new(),
                opened: false,
            });
        }
        let rows: Vec<_> = self
            .store
            .compartment_authorisations(compartment_id)
            .await?
            .into_iter()
            .filter(|c| c.row.id != own.id)
            .collect();
        for c in &rows {
            if !opened.contains_key(&c.row.id) {
                opened.insert(c.row.id.clone(), self.compared(&c.row, &c.codename)?);
            }
        }
        let written: Vec<&Compared> = rows.iter().filter_map(|c| opened.get(&c.row.id)).collect();
        let repeats = own.repeats(&written);
        let mut warnings = Vec::with_capacity(repeats.len());
        for r in &repeats {
            let Some(other) = opened.get(&r.other_id) else {
                continue;
            };
            warnings.push(warning(&StoredTextRepeat {
                repeat: r.clone(),
                other_codename: other.codename.clone(),
                other_granted_at_ms: other.granted_at.timestamp_millis(),
            })?);
        }
        Ok(GrantCheck {
            write: HandlingWrite::InsertTextCheck {
                compartment_id: compartment_id.to_owned(),
                compared: Some(i64::try_from(rows.len()).unwrap_or(i64::MAX)),
                check: check(repeats),
            },
            warnings,
            opened: !rows.is_empty(),
        })
    }

    /// Compares the authorisations written without a comparison (granted before migration
    /// 0021, restored from a backup made before it, loaded in bulk) in `only` that compartment
    /// (by id) or in every one, as the check did before 0021: each statement with those of the
    /// authorisations granted strictly before it (their write order is not known; two granted
    /// in the same millisecond are not compared with each other). One transaction and one
    /// `authorisation.text.compare` event (by the system) per compartment. Idempotent: what is
    /// already stored is kept, so several servers may run it at once. Returns how many
    /// comparisons this call stored.
    pub async fn compare_unchecked_authorisations(
        &self,
        only: Option<&str>,
    ) -> Result<u64, StationError> {
        let compartments = match only {
            Some(c) => vec![c.to_owned()],
            None => {
                if self.store.is_empty().await? {
                    return Ok(0);
                }
                self.store
                    .compartments_with_unchecked_authorisations()
                    .await?
            }
        };
        if compartments.is_empty() {
            return Ok(0);
        }
        let names: HashMap<String, String> = self
            .store
            .list_compartments()
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let mut stored = 0;
        for compartment_id in compartments {
            let rows = self
                .store
                .compartment_authorisations(&compartment_id)
                .await?;
            if rows.iter().all(|r| r.checked_at_grant.is_some()) {
                continue;
            }
            let mut corpus = Vec::new();
            let mut unchecked = Vec::new();
            for r in &rows {
                if r.checked_at_grant.is_none() {
                    unchecked.push(corpus.len());
                }
                corpus.push(self.compared(&r.row, &r.codename)?);
            }
            let now = self.now_ms();
            let checks: Vec<TextCheckRow> = unchecked
                .iter()
                .map(|&i| {
                    let a = &corpus[i];
                    let earlier: Vec<&Compared> = corpus
                        .iter()
                        .filter(|c| c.granted_at < a.granted_at)
                        .collect();
                    TextCheckRow {
                        authorisation_id: a.id.clone(),
                        checked_at_ms: now,
                        at_grant: false,
                        repeats: a.repeats(&earlier),
                    }
                })
                .collect();
            let mut audit = AuditContext::new(
                now,
                "system",
                "admin",
                COMPARE_ACTION,
                "compartment",
                &compartment_id,
            );
            if let Some(name) = names.get(&compartment_id) {
                audit = audit.in_compartment(name);
            }
            stored += self.store.record_text_checks(&checks, &audit).await?;
        }
        Ok(stored)
    }

    /// The stored warnings of `judged` (authorisations of `scope`, in the compartment
    /// `compartment_id`), comparing first any not compared yet (written before migration 0021
    /// or loaded in bulk), so none is missed.
    pub(crate) async fn stored_warnings(
        &self,
        compartment_id: &str,
        scope: TextCheckScope<'_>,
        judged: &[&Authorisation],
    ) -> Result<Vec<TextRepeat>, StationError> {
        let mut stored = self.store.stored_text_checks(scope).await?;
        if judged
            .iter()
            .any(|a| !stored.checked.contains(&a.id.to_string()))
        {
            self.compare_unchecked_authorisations(Some(compartment_id))
                .await?;
            stored = self.store.stored_text_checks(scope).await?;
        }
        warnings_of(&stored, judged)
    }

    /// A source's authorisations (anyone who may read them) with their repeated statements, as
    /// stored at grant: no other authorisation is opened, nothing more is audited.
    pub async fn authorisations_warned(
        &self,
        p: &Principal,
        source_id: &str,
    ) -> Result<(Vec<Authorisation>, Vec<TextRepeat>), StationError> {
        let loaded = self
            .load_checked(p, source_id, CASE_READERS, "see authorisations")
            .await?;
        let repeats = self
            .stored_warnings(
                &loaded.row.compartment_id,
                TextCheckScope::Source(source_id),
                &loaded.auths.iter().collect::<Vec<_>>(),
            )
            .await?;
        Ok((loaded.auths, repeats))
    }

    /// One authorisation with its repeated statements (as [`Station::authorisations_warned`]).
    pub async fn authorisation_warned(
        &self,
        p: &Principal,
        id: &str,
    ) -> Result<(Authorisation, Vec<TextRepeat>), StationError> {
        let (loaded, auth) = self
            .load_authorisation(p, id, CASE_READERS, "see authorisations")
            .await?;
        let repeats = self
            .stored_warnings(
                &loaded.row.compartment_id,
                TextCheckScope::Authorisation(id),
                &[&auth],
            )
            .await?;
        Ok((auth, repeats))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn stored(statement: &str, shared: i64, shingles: i64, at: DateTime<Utc>) -> StoredTextRepeat {
        StoredTextRepeat {
            repeat: TextRepeatRow {
                authorisation_id: "copy".to_owned(),
                statement: statement.to_owned(),
                other_id: "original".to_owned(),
                shared,
                shingles,
            },
            other_codename: "HAZEL HOUND".to_owned(),
            other_granted_at_ms: at.timestamp_millis(),
        }
    }

    #[test]
    fn a_stored_share_reads_back_as_the_sentence_the_grant_gave() {
        // 23:30 UTC on 30 June is 1 July in London (BST): the day is London's, as at grant.
        let at = Utc
            .with_ymd_and_hms(2024, 6, 30, 23, 30, 0)
            .single()
            .expect("time");
        let w = warning(&stored("collateral_intrusion", 15, 25, at)).expect("reads");
        assert_eq!(w.statement, Statement::CollateralIntrusion);
        assert_eq!((w.percent, w.code), (60, AUTH_TEXT_REPEATED));
        assert_eq!(
            w.message,
            "The collateral intrusion statement repeats 60 % of the one written for HAZEL HOUND on 2024-07-01: IPCO asks for statements written for this source and this operation."
        );
        assert_eq!(w.other_granted_at, at);
        // Rounded down, as the core shows a share: two thirds is 66 %.
        let w = warning(&stored("necessity", 2, 3, at)).expect("reads");
        assert_eq!(w.percent, 66);
        assert!(
            w.message
                .starts_with("The necessity statement repeats 66 % ")
        );
        // A statement this version does not know is damage, not a guess.
        assert!(warning(&stored("urgency", 15, 25, at)).is_err());
        assert!(warning(&stored("necessity", -1, 25, at)).is_err());
    }

    #[test]
    fn a_grant_outrun_by_others_in_its_compartment_is_refused_in_words() {
        let e = super::super::stored(humint_store::StoreError::Conflict {
            what: humint_store::COMPARTMENT_AUTHORISATIONS_CHANGED,
        });
        assert!(
            matches!(&e, StationError::Conflict { code: "STALE_RECORD", message } if message.ends_with("try again")),
            "{e:?}"
        );
    }
}
