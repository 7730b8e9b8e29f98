//! Boilerplate in authorisations (INS-02; IPCO AR 2018 para 11.20): each statement of an
//! authorisation (necessity, proportionality, collateral intrusion) compared, by the core's
//! `boilerplate` measure, with the same statement of every authorisation granted before it in
//! the same compartment — never across compartments. A warning, never a refusal.
//!
//! Computed when asked (at grant, and whenever the authorisation is read), not stored: a
//! granted authorisation's statements never change and only earlier grants are compared, so
//! the answer on every read is the one the grantor saw, with nothing to keep in step. Reading
//! the other authorisations' statements opens sealed text; each call that opens any is one
//! `authorisation.text.compare` audit event (with the grant, in its transaction).

use super::access::CASE_READERS;
use crate::{Principal, Station, StationError};
use chrono::{DateTime, Utc};
use humint_core::handling::Authorisation;
use humint_core::handling::boilerplate::{
    AUTH_TEXT_REPEATED, Shingled, Statement, strongest_repeat,
};
use humint_core::handling::calendar;
use humint_store::{AuthorisationRow, CompartmentAuthorisationStore as _, Store as _};
use serde::Deserialize;

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
            statements: shingled(a),
        }
    }
}

/// The three statements, read from an authorisation's sealed text without the rest.
#[derive(Deserialize)]
struct Statements {
    necessity: String,
    proportionality: String,
    collateral_intrusion: String,
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
}

fn shingled(a: &Authorisation) -> [Shingled; 3] {
    Statement::ALL.map(|s| Shingled::new(s.of(a)))
}

/// Whether one rests on the other (criminal conduct on its use-and-conduct authorisation: the
/// same source and operation, so the same words are expected).
fn related(a: &Authorisation, other: &Compared) -> bool {
    a.parent.map(|p| p.to_string()).as_deref() == Some(other.id.as_str())
        || other.parent.as_deref() == Some(a.id.to_string().as_str())
}

/// The statements of `judged` that repeat one of an authorisation of `corpus` (one
/// compartment's) granted strictly before them, the strongest per statement.
pub(crate) fn repeats_among(corpus: &[Compared], judged: &[&Authorisation]) -> Vec<TextRepeat> {
    let mut out = Vec::new();
    for a in judged {
        let statements = shingled(a);
        if !statements.iter().any(Shingled::judged) {
            continue;
        }
        let earlier: Vec<&Compared> = corpus
            .iter()
            .filter(|c| c.granted_at < a.granted_at && !related(a, c))
            .collect();
        for (i, statement) in Statement::ALL.into_iter().enumerate() {
            let others: Vec<((DateTime<Utc>, &str), &Shingled)> = earlier
                .iter()
                .map(|c| ((c.granted_at, c.id.as_str()), &c.statements[i]))
                .collect();
            let Some(found) = strongest_repeat(statement, &statements[i], &others) else {
                continue;
            };
            let (granted_at, other_id) = found.other;
            let Some(other) = earlier.iter().find(|c| c.id == other_id) else {
                continue;
            };
            out.push(TextRepeat {
                authorisation_id: a.id.to_string(),
                statement,
                other_authorisation_id: other.id.clone(),
                other_codename: other.codename.clone(),
                other_granted_at: granted_at,
                percent: found.share.percent(),
                code: AUTH_TEXT_REPEATED,
                message: found.message(&other.codename, calendar::local_date(granted_at)),
            });
        }
    }
    out
}

impl Station {
    /// The statements of `judged` (authorisations in the compartment `compartment_id`) that
    /// repeat one of an authorisation granted before them there, and whether any sealed text
    /// was opened to tell (the caller audits it). Nothing is read when no statement is long
    /// enough to be judged.
    pub(crate) async fn text_repeats(
        &self,
        compartment_id: &str,
        judged: &[&Authorisation],
    ) -> Result<(Vec<TextRepeat>, bool), StationError> {
        if !judged
            .iter()
            .any(|a| shingled(a).iter().any(Shingled::judged))
        {
            return Ok((Vec::new(), false));
        }
        let mut corpus = Vec::new();
        for (row, codename) in self
            .store
            .compartment_authorisations(compartment_id)
            .await?
        {
            corpus.push(self.compared(&row, &codename)?);
        }
        Ok((repeats_among(&corpus, judged), !corpus.is_empty()))
    }

    /// A source's authorisations (anyone who may read them) with their repeated statements;
    /// one audit event when other authorisations' text was opened to tell.
    pub async fn authorisations_warned(
        &self,
        p: &Principal,
        source_id: &str,
    ) -> Result<(Vec<Authorisation>, Vec<TextRepeat>), StationError> {
        let loaded = self
            .load_checked(p, source_id, CASE_READERS, "see authorisations")
            .await?;
        let repeats = self
            .audited_repeats(p, &loaded.row, &loaded.auths.iter().collect::<Vec<_>>())
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
        let repeats = self.audited_repeats(p, &loaded.row, &[&auth]).await?;
        Ok((auth, repeats))
    }

    async fn audited_repeats(
        &self,
        p: &Principal,
        source: &humint_store::SourceRow,
        judged: &[&Authorisation],
    ) -> Result<Vec<TextRepeat>, StationError> {
        let (repeats, opened) = self.text_repeats(&source.compartment_id, judged).await?;
        if opened {
            let audit =
                self.handling_audit(p, COMPARE_ACTION, "source", &source.id, &source.compartment);
            self.store.append_audit(&audit).await?;
        }
        Ok(repeats)
    }
}
