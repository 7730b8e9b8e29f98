//! Risk assessments and authorisations with their reviews, renewals, cancellations and
//! Commissioner notices. Every decision is the core's (`grant`, `review`, `renew`, `cancel`);
//! this module loads the records, asks, and stores the answer.

use super::access::{CASE_READERS, RUNNERS};
use super::boilerplate::Granted;
use super::convert::{self, name};
use super::sources::auth_row;
use super::{LONG, Loaded, officer_id, stored, text};
use crate::{Principal, Station, StationError};
use chrono::{DateTime, Utc};
use humint_core::handling::privilege::privileged_period_end;
use humint_core::handling::rank::RankFacts;
use humint_core::handling::{AgeBand, period_end, relevant_source};
use humint_core::handling::{
    Authorisation, AuthorisationKind, CancellationRequest, CommissionerNotice, GrantRequest,
    JuvenileCcaSafeguards, NecessityGround, NoticeEvent, PriorApproval, PrivilegedMaterial,
    RenewalRequest, ReviewRequest, RiskAssessment, RiskLevel,
};
use humint_core::{Role, new_id};
use humint_store::{
    COMPARTMENT_AUTHORISATIONS_CHANGED, HandlingStore as _, HandlingWrite, RiskRow, StoreError,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How many times a grant compares again when other grants in its compartment keep being
/// written between its comparison and its transaction (each attempt opens only what is new).
const GRANT_ATTEMPTS: u32 = 8;

#[derive(Debug, Clone)]
pub struct GrantInput {
    pub kind: AuthorisationKind,
    pub parent: Option<String>,
    pub ground: NecessityGround,
    pub necessity: String,
    pub proportionality: String,
    pub collateral_intrusion: String,
    pub tasks_in_scope: Vec<String>,
    pub urgency_reason: Option<String>,
    pub review_interval_days: u32,
    pub relationship_with_parent_or_guardian: bool,
    pub juvenile_cca_safeguards: Option<JuvenileCcaSafeguards>,
    /// Privileged or confidential material expected, with the prior approval (PRIV-01).
    pub privileged: PrivilegedMaterial,
}

#[derive(Debug, Clone)]
pub struct ReviewInput {
    pub use_made: String,
    pub tasks_given: String,
    pub information_obtained: String,
    pub necessity_still_met: bool,
    pub proportionality_still_met: bool,
    pub arrangements_still_met: bool,
}

#[derive(Debug, Clone)]
pub struct RenewalInput {
    pub urgency_reason: Option<String>,
    /// The renewal's own prior approval, for an authorisation to obtain privileged matters.
    pub prior_approval: Option<PriorApproval>,
}

#[derive(Debug, Clone)]
pub struct CancellationInput {
    pub reasons: String,
    pub instruction_to_cease_at: Option<DateTime<Utc>>,
    pub welfare_plan: String,
}

#[derive(Clone)]
pub struct RiskInput {
    pub level: RiskLevel,
    pub security_and_welfare: String,
    pub mitigations: String,
    pub explained_to_source: bool,
    pub understood_by_source: bool,
    pub physical_harm: Option<String>,
    pub psychological_harm: Option<String>,
}

impl std::fmt::Debug for RiskInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RiskInput")
            .field("level", &self.level)
            .finish_non_exhaustive()
    }
}

/// A risk assessment without its welfare text (which is in the statutory record only).
#[derive(Debug, Clone)]
pub struct RiskView {
    pub id: String,
    pub assessed_by: String,
    pub assessed_at_ms: i64,
    pub level: String,
    pub explained_to_source: bool,
    pub understood_by_source: bool,
}

/// The envelope's plaintext layout of a risk assessment's text.
#[derive(Serialize, Deserialize)]
pub(crate) struct RiskDoc {
    pub security_and_welfare: String,
    pub mitigations: String,
    pub physical_harm: Option<String>,
    pub psychological_harm: Option<String>,
}

const AO: &[Role] = &[Role::AuthorisingOfficer];

fn risk_view(r: &RiskRow) -> RiskView {
    RiskView {
        id: r.id.clone(),
        assessed_by: r.assessed_by.clone(),
        assessed_at_ms: r.assessed_at_ms,
        level: r.level.clone(),
        explained_to_source: r.explained,
        understood_by_source: r.understood,
    }
}

impl Station {
    pub(crate) fn risk_from_row(&self, r: &RiskRow) -> Result<RiskAssessment, StationError> {
        let doc = self.risk_doc(r)?;
        Ok(RiskAssessment {
            id: convert::id(&r.id)?,
            source: convert::id(&r.source_id)?,
            assessed_by: convert::id(&r.assessed_by)?,
            assessed_at: super::ms_time(r.assessed_at_ms)?,
            level: convert::parse_name(&r.level)?,
            security_and_welfare: doc.security_and_welfare,
            mitigations: doc.mitigations,
            explained_to_source: r.explained,
            understood_by_source: r.understood,
            physical_harm: doc.physical_harm,
            psychological_harm: doc.psychological_harm,
        })
    }

    pub(crate) fn risk_doc(&self, r: &RiskRow) -> Result<RiskDoc, StationError> {
        let plain = self.decrypt_field("risk_assessments", "content", &r.id, &r.content)?;
        serde_json::from_slice(&plain)
            .map_err(|_| StationError::Io("a stored risk assessment is damaged".to_owned()))
    }

    /// Records a new version of the source's risk assessment (handler or controller).
    pub async fn add_risk_assessment(
        &self,
        p: &Principal,
        source_id: &str,
        input: RiskInput,
    ) -> Result<RiskView, StationError> {
        let loaded = self
            .load_checked(p, source_id, RUNNERS, "assess a source's risks")
            .await?;
        let now = self.clock().now();
        let id = new_id::<RiskAssessment>(now, self.entropy()).to_string();
        let doc = RiskDoc {
            security_and_welfare: text("security_and_welfare", &input.security_and_welfare, LONG)?,
            mitigations: text("mitigations", &input.mitigations, LONG)?,
            physical_harm: input
                .physical_harm
                .map(|t| text("physical_harm", &t, LONG))
                .transpose()?,
            psychological_harm: input
                .psychological_harm
                .map(|t| text("psychological_harm", &t, LONG))
                .transpose()?,
        };
        let plain = zeroize::Zeroizing::new(
            serde_json::to_vec(&doc).map_err(|_| StationError::Io("encoding failed".to_owned()))?,
        );
        let row = RiskRow {
            id: id.clone(),
            source_id: source_id.to_owned(),
            assessed_by: p.user_id.clone(),
            assessed_at_ms: now.timestamp_millis(),
            level: name(&input.level),
            explained: input.explained_to_source,
            understood: input.understood_by_source,
            content: self.encrypt_field("risk_assessments", "content", &id, &plain)?,
        };
        let audit = self.handling_audit(
            p,
            "risk.create",
            "source",
            source_id,
            &loaded.row.compartment,
        );
        self.store
            .handling_write(
                Some(&loaded.guard()),
                &[HandlingWrite::InsertRisk(row.clone())],
                &[audit],
            )
            .await
            .map_err(stored)?;
        Ok(risk_view(&row))
    }

    pub async fn risk_assessments(
        &self,
        p: &Principal,
        source_id: &str,
    ) -> Result<Vec<RiskView>, StationError> {
        let row = self.source_row(source_id).await?;
        super::access::check(p, &row, CASE_READERS, "see risk assessments")?;
        Ok(self
            .store
            .risk_assessments(source_id)
            .await?
            .iter()
            .map(risk_view)
            .collect())
    }

    /// Grants an authorisation (authorising officers), by the core's `grant` rule. Its
    /// statements are compared with the compartment's and the result stored, as
    /// [`Station::grant_authorisation_warned`] does; this answer leaves the warnings out (the
    /// form goes on to the source page, which shows them).
    pub async fn grant_authorisation(
        &self,
        p: &Principal,
        source_id: &str,
        input: GrantInput,
    ) -> Result<Authorisation, StationError> {
        Ok(self.grant(p, source_id, input).await?.authorisation)
    }

    /// Grants an authorisation as [`Station::grant_authorisation`], with the warnings that
    /// travel with the answer: its statements that repeat another authorisation's in the
    /// compartment (INS-02; never a refusal).
    pub async fn grant_authorisation_warned(
        &self,
        p: &Principal,
        source_id: &str,
        input: GrantInput,
    ) -> Result<Granted, StationError> {
        self.grant(p, source_id, input).await
    }

    /// The grant, with its statements compared with those of every authorisation already
    /// written in the compartment and the result stored in its transaction (migration 0021).
    /// Comparing opens the others' sealed text: an `authorisation.text.compare` event in the
    /// same transaction. Should another authorisation be written in the compartment between
    /// the comparison and the grant's transaction, the transaction refuses and the grant
    /// compares again, now with it.
    async fn grant(
        &self,
        p: &Principal,
        source_id: &str,
        input: GrantInput,
    ) -> Result<Granted, StationError> {
        let loaded = self
            .load_checked(p, source_id, AO, "grant authorisations")
            .await?;
        for t in [
            &input.necessity,
            &input.proportionality,
            &input.collateral_intrusion,
        ] {
            text("authorisation text", t, LONG)?;
        }
        let now = self.clock().now();
        let parent = match &input.parent {
            Some(text) => Some(humint_core::Id::parse(text).ok_or(StationError::NotFound {
                what: "parent authorisation",
            })?),
            None => None,
        };
        let req = GrantRequest {
            id: new_id(now, self.entropy()),
            kind: input.kind,
            parent,
            ground: input.ground,
            necessity: input.necessity,
            proportionality: input.proportionality,
            collateral_intrusion: input.collateral_intrusion,
            tasks_in_scope: input.tasks_in_scope,
            granted_by: officer_id(p)?,
            source_age: self.age_band(source_id, now).await?,
            urgency_reason: input.urgency_reason,
            review_interval_days: input.review_interval_days,
            relationship_with_parent_or_guardian: input.relationship_with_parent_or_guardian,
            juvenile_cca_safeguards: input.juvenile_cca_safeguards,
            privileged: input.privileged,
        };
        let rank = self
            .decision_rank_for(
                p,
                &loaded,
                &loaded.auths,
                (req.kind, req.source_age, &req.privileged),
                now,
            )
            .await?;
        let mut auth = humint_core::handling::grant(req, &loaded.decision(), now)?;
        auth.granted_by_rank = rank;
        let action = if auth.self_authorised {
            "authorisation.grant.self_authorised"
        } else {
            "authorisation.grant"
        };
        let audits = vec![self.handling_audit(
            p,
            action,
            "authorisation",
            &auth.id.to_string(),
            &loaded.row.compartment,
        )];
        let row = auth_row(self, &auth)?;
        let mut opened = HashMap::new();
        let mut attempts = 0;
        loop {
            attempts += 1;
            let check = self
                .grant_text_check(
                    &loaded.row.compartment_id,
                    &loaded.row.codename,
                    &auth,
                    &mut opened,
                )
                .await?;
            let mut with_compare = audits.clone();
            if check.opened {
                with_compare.push(self.handling_audit(
                    p,
                    super::boilerplate::COMPARE_ACTION,
                    "authorisation",
                    &auth.id.to_string(),
                    &loaded.row.compartment,
                ));
            }
            let written = self
                .store
                .handling_write(
                    Some(&loaded.guard()),
                    &[HandlingWrite::InsertAuthorisation(row.clone()), check.write],
                    &with_compare,
                )
                .await;
            match written {
                Ok(()) => {
                    return Ok(Granted {
                        authorisation: auth,
                        warnings: check.warnings,
                    });
                }
                Err(StoreError::Conflict { what })
                    if what == COMPARTMENT_AUTHORISATIONS_CHANGED && attempts < GRANT_ATTEMPTS => {}
                Err(e) => return Err(stored(e)),
            }
        }
    }

    /// AUTH-03 for a grant or renewal of (kind, the source's age band, the privileged flags)
    /// whose period takes effect at `takes_effect`: the rank its case needs, with REL-01's test
    /// of whether that period makes an undercover officer's deployment long-term against
    /// `deployed` (the source's authorisations, the one renewed among them). The rank to record
    /// (`None` without a rank table).
    async fn decision_rank_for(
        &self,
        p: &Principal,
        loaded: &Loaded,
        deployed: &[Authorisation],
        (kind, age, privileged): (AuthorisationKind, AgeBand, &PrivilegedMaterial),
        takes_effect: DateTime<Utc>,
    ) -> Result<Option<String>, StationError> {
        let until = privileged_period_end(
            privileged.lpp,
            takes_effect,
            period_end(kind, age, takes_effect),
        );
        let long_term = loaded.source.undercover_operative
            && relevant_source::long_term(deployed, loaded.source.id, (takes_effect, until));
        self.decision_rank(
            p,
            &RankFacts {
                kind,
                age,
                undercover: loaded.source.undercover_operative,
                vulnerable: loaded.source.vulnerable,
                privileged,
                long_term,
            },
        )
        .await
    }

    /// An authorisation and the source's records, checked for role and compartment.
    pub(super) async fn load_authorisation(
        &self,
        p: &Principal,
        id: &str,
        allowed: &[Role],
        doing: &str,
    ) -> Result<(Loaded, Authorisation), StationError> {
        let row = self
            .store
            .authorisation(id)
            .await?
            .ok_or(StationError::NotFound {
                what: "authorisation",
            })?;
        let loaded = self.load_checked(p, &row.source_id, allowed, doing).await?;
        let auth = loaded
            .auths
            .iter()
            .find(|a| a.id.to_string() == id)
            .cloned()
            .ok_or(StationError::NotFound {
                what: "authorisation",
            })?;
        Ok((loaded, auth))
    }

    async fn save_authorisation(
        &self,
        p: &Principal,
        loaded: &Loaded,
        auth: &Authorisation,
        action: &str,
    ) -> Result<(), StationError> {
        let audit = self.handling_audit(
            p,
            action,
            "authorisation",
            &auth.id.to_string(),
            &loaded.row.compartment,
        );
        self.store
            .handling_write(
                Some(&loaded.guard()),
                &[HandlingWrite::UpdateAuthorisation(auth_row(self, auth)?)],
                &[audit],
            )
            .await
            .map_err(stored)
    }

    pub async fn authorisation(
        &self,
        p: &Principal,
        id: &str,
    ) -> Result<Authorisation, StationError> {
        Ok(self
            .load_authorisation(p, id, CASE_READERS, "see authorisations")
            .await?
            .1)
    }

    pub async fn authorisations(
        &self,
        p: &Principal,
        source_id: &str,
    ) -> Result<Vec<Authorisation>, StationError> {
        Ok(self
            .load_checked(p, source_id, CASE_READERS, "see authorisations")
            .await?
            .auths)
    }

    pub async fn review_authorisation(
        &self,
        p: &Principal,
        id: &str,
        input: ReviewInput,
    ) -> Result<Authorisation, StationError> {
        let (loaded, mut auth) = self
            .load_authorisation(p, id, AO, "review authorisations")
            .await?;
        for t in [
            &input.use_made,
            &input.tasks_given,
            &input.information_obtained,
        ] {
            text("review text", t, LONG)?;
        }
        let now = self.clock().now();
        let req = ReviewRequest {
            id: new_id(now, self.entropy()),
            reviewed_by: officer_id(p)?,
            use_made: input.use_made,
            tasks_given: input.tasks_given,
            information_obtained: input.information_obtained,
            necessity_still_met: input.necessity_still_met,
            proportionality_still_met: input.proportionality_still_met,
            arrangements_still_met: input.arrangements_still_met,
        };
        let review = humint_core::handling::review(&auth, req, &loaded.decision(), now)?;
        auth.reviews.push(review);
        self.save_authorisation(p, &loaded, &auth, "authorisation.review")
            .await?;
        Ok(auth)
    }

    pub async fn renew_authorisation(
        &self,
        p: &Principal,
        id: &str,
        input: RenewalInput,
    ) -> Result<Authorisation, StationError> {
        let (loaded, mut auth) = self
            .load_authorisation(p, id, AO, "renew authorisations")
            .await?;
        let now = self.clock().now();
        let req = RenewalRequest {
            renewed_by: officer_id(p)?,
            source_age: self.age_band(&loaded.row.id, now).await?,
            urgency_reason: input.urgency_reason,
            prior_approval: input.prior_approval,
        };
        // AUTH-03: the case of the authorisation being renewed, the source's age today, for the
        // period the renewal adds.
        let mut deployed = loaded.auths.clone();
        deployed.push(auth.clone());
        let rank = self
            .decision_rank_for(
                p,
                &loaded,
                &deployed,
                (auth.kind, req.source_age, &auth.privileged),
                auth.current_expiry(),
            )
            .await?;
        let mut renewal = humint_core::handling::renew(&auth, req, &loaded.decision(), now)?;
        renewal.renewed_by_rank = rank;
        let action = if renewal.self_authorised {
            "authorisation.renew.self_authorised"
        } else {
            "authorisation.renew"
        };
        auth.renewals.push(renewal);
        self.save_authorisation(p, &loaded, &auth, action).await?;
        Ok(auth)
    }

    pub async fn cancel_authorisation(
        &self,
        p: &Principal,
        id: &str,
        input: CancellationInput,
    ) -> Result<Authorisation, StationError> {
        let (loaded, mut auth) = self
            .load_authorisation(p, id, AO, "cancel authorisations")
            .await?;
        text("reasons", &input.reasons, LONG)?;
        text("welfare_plan", &input.welfare_plan, LONG)?;
        let now = self.clock().now();
        let req = CancellationRequest {
            cancelled_by: officer_id(p)?,
            reasons: input.reasons,
            instruction_to_cease_at: input.instruction_to_cease_at,
            welfare_plan: input.welfare_plan,
        };
        let reasons = req.reasons.clone();
        let cease = req.instruction_to_cease_at;
        let welfare = req.welfare_plan.clone();
        auth.cancellation = Some(humint_core::handling::cancel(&auth, req, now)?);
        // Criminal conduct resting on it falls with it, each with its own cancellation (and so
        // its own s.32C notice), in the same transaction.
        let mut writes = vec![HandlingWrite::UpdateAuthorisation(auth_row(self, &auth)?)];
        let mut audits = vec![self.handling_audit(
            p,
            "authorisation.cancel",
            "authorisation",
            &auth.id.to_string(),
            &loaded.row.compartment,
        )];
        for id in humint_core::handling::falling_with(&loaded.auths, &auth, now) {
            let Some(cca) = loaded.auths.iter().find(|a| a.id == id) else {
                continue;
            };
            let mut cca = cca.clone();
            cca.cancellation = Some(humint_core::handling::cancel(
                &cca,
                CancellationRequest {
                    cancelled_by: officer_id(p)?,
                    reasons: format!(
                        "Cancelled with the use and conduct authorisation it rests on ({}): {reasons}",
                        auth.id
                    ),
                    instruction_to_cease_at: cease,
                    welfare_plan: welfare.clone(),
                },
                now,
            )?);
            writes.push(HandlingWrite::UpdateAuthorisation(auth_row(self, &cca)?));
            audits.push(self.handling_audit(
                p,
                "authorisation.cancel",
                "authorisation",
                &cca.id.to_string(),
                &loaded.row.compartment,
            ));
        }
        self.store
            .handling_write(Some(&loaded.guard()), &writes, &audits)
            .await
            .map_err(stored)?;
        Ok(auth)
    }

    /// Records that the s.32C notice of a criminal conduct decision was sent (proof of sending,
    /// CCA-02). The earliest unsent notice for that event is the one sent.
    pub async fn record_commissioner_notice(
        &self,
        p: &Principal,
        id: &str,
        event: NoticeEvent,
    ) -> Result<Authorisation, StationError> {
        let (loaded, mut auth) = self
            .load_authorisation(p, id, AO, "record Commissioner notices")
            .await?;
        let due = humint_core::handling::commissioner_notices(&auth)
            .into_iter()
            .filter(|n| n.event == event && n.sent_at.is_none())
            .min_by_key(|n| n.decided_at)
            .ok_or_else(|| {
                StationError::invalid(
                    "NO_NOTICE_DUE",
                    format!(
                        "no Commissioner notice of a {} is owed for this authorisation",
                        event.as_str()
                    ),
                )
            })?;
        auth.commissioner_notices.push(CommissionerNotice {
            event,
            decided_at: due.decided_at,
            sent_at: self.clock().now(),
        });
        self.save_authorisation(p, &loaded, &auth, "authorisation.notice")
            .await?;
        Ok(auth)
    }

    /// Records that the written record of an urgent oral grant is complete (Scottish Code 5.5).
    pub async fn record_written_authorisation(
        &self,
        p: &Principal,
        id: &str,
    ) -> Result<Authorisation, StationError> {
        let (loaded, mut auth) = self
            .load_authorisation(p, id, AO, "complete written records")
            .await?;
        if auth.kind != AuthorisationKind::UrgentOral || auth.written_record_at.is_some() {
            return Err(StationError::invalid(
                "NO_WRITTEN_RECORD_DUE",
                "only an urgent oral authorisation without its written record needs one",
            ));
        }
        auth.written_record_at = Some(self.clock().now());
        self.save_authorisation(p, &loaded, &auth, "authorisation.written_record")
            .await?;
        Ok(auth)
    }
}
