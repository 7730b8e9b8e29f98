//! Sources: creation with an encrypted true identity, reading (the identity only through its
//! own audited call), lifecycle transitions and the s.29(5) management roles.

use super::access::{self, CASE_READERS, READERS, RUNNERS};
use super::convert::{self, name, to_doc};
use super::{LONG, Loaded, SHORT, officer_id, stored, text};
use crate::{Principal, Station, StationError};
use chrono::NaiveDate;
use humint_core::handling::{
    AgeBand, CancellationRequest, Motivation, Origin, SourceRole, SourceState, TransitionFacts,
    calendar, motivation, roles,
};
use humint_core::{Role, new_id};
use humint_store::{
    AuthorisationRow, HandlingStore as _, HandlingWrite, Page, RoleRow, SourceFilter, SourceRow,
    Store as _, StoreError, TransitionRow,
};
use serde::{Deserialize, Serialize};

/// Another authority that benefits from the source and how it refers to them (reg 3(c)-(d)).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorityReference {
    pub authority: String,
    pub reference: String,
}

/// The true identity (reg 3(a)-(d)). Never logged, never serialised except into its envelope.
#[derive(Clone, PartialEq, Eq)]
pub struct TrueIdentity {
    pub name: String,
    pub date_of_birth: NaiveDate,
    pub identities_used: Vec<String>,
    pub other_authorities: Vec<AuthorityReference>,
    /// What the source can reach (a workplace, a group, a place); `None` when not known.
    /// Identifying, so it travels with the identity: encrypted, shown only where the identity
    /// is (product.md, "The cycle, as records").
    pub access: Option<String>,
}

impl std::fmt::Debug for TrueIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TrueIdentity(..)")
    }
}

/// The envelope's plaintext layout; private so nothing else can serialise an identity.
#[derive(Serialize, Deserialize)]
struct IdentityDoc {
    name: String,
    date_of_birth: NaiveDate,
    #[serde(default)]
    identities_used: Vec<String>,
    #[serde(default)]
    other_authorities: Vec<AuthorityReference>,
    /// Absent from envelopes written before a source's access was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    access: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewSource {
    pub compartment: String,
    pub origin: Origin,
    pub codename: Option<String>,
    pub true_identity: TrueIdentity,
    pub vulnerable: bool,
    pub undercover_operative: bool,
    /// The source's declared motivation, if recorded (context for validation).
    pub motivation: Option<Motivation>,
    /// Usernames for the s.29(5) roles; a handler creating a source becomes its handler.
    pub handler: Option<String>,
    pub controller: Option<String>,
    pub record_keeper: Option<String>,
}

/// A source as its readers see it: never the identity.
#[derive(Debug, Clone)]
pub struct SourceDetail {
    pub row: SourceRow,
    /// Current holders of the three roles.
    pub roles: Vec<RoleRow>,
    /// The live use-and-conduct authorisation, if any: (id, expires at ms).
    pub live_authorisation: Option<(String, i64)>,
}

fn check_codename(raw: &str) -> Result<String, StationError> {
    let name = raw.trim().to_uppercase();
    let ok = (2..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
    if ok {
        Ok(name)
    } else {
        Err(StationError::invalid(
            "INVALID_CODENAME",
            "a codename is 2 to 64 letters, digits, spaces or hyphens",
        ))
    }
}

fn required(field: &str, value: &str) -> Result<String, StationError> {
    if value.trim().is_empty() {
        return Err(StationError::invalid(
            "FIELD_REQUIRED",
            format!("{field} is required"),
        ));
    }
    text(field, value, SHORT)
}

/// Which officer roles may hold which source role.
fn suits(role: SourceRole, officer: Role) -> bool {
    match role {
        SourceRole::Handler => officer == Role::Handler,
        SourceRole::Controller => officer == Role::Controller,
        SourceRole::RecordKeeper => matches!(
            officer,
            Role::Handler | Role::Controller | Role::AuthorisingOfficer | Role::Auditor
        ),
    }
}

/// A stored source's declared motivation (`None`: not recorded).
pub fn motivation_of(row: &SourceRow) -> Result<Option<Motivation>, StationError> {
    row.motivation
        .as_deref()
        .map(|m| {
            Motivation::parse(m)
                .map_err(|_| StationError::Io("a stored motivation is damaged".to_owned()))
        })
        .transpose()
}

/// What a source list is filtered by (all in the database).
#[derive(Debug, Clone, Default)]
pub struct SourceListFilter {
    /// A compartment the caller is read into.
    pub compartment: Option<String>,
    pub state: Option<SourceState>,
    /// Only the caller's own sources (as handler).
    pub mine: bool,
    /// Only sources this officer (by username) handles now; takes precedence over `mine`.
    pub handler: Option<String>,
    /// Only sources whose suggested reliability letter is this (A-F).
    pub grade: Option<char>,
}

impl Station {
    /// The decrypted identity, for use inside a call only. Not audited here: callers that show
    /// it to a person audit that read; rules that need the age band see only the band.
    pub(crate) async fn identity_plain(
        &self,
        source_id: &str,
    ) -> Result<TrueIdentity, StationError> {
        let blob = self
            .store
            .source_identity(source_id)
            .await?
            .ok_or(StationError::NotFound { what: "source" })?;
        let plain = self.decrypt_field("sources", "true_identity", source_id, &blob)?;
        let doc: IdentityDoc = serde_json::from_slice(&plain)
            .map_err(|_| StationError::Io("a stored identity is damaged".to_owned()))?;
        Ok(TrueIdentity {
            name: doc.name,
            date_of_birth: doc.date_of_birth,
            identities_used: doc.identities_used,
            other_authorities: doc.other_authorities,
            access: doc.access,
        })
    }

    /// An officer who may hold `role` for a source in `compartment`.
    async fn role_holder(
        &self,
        username: &str,
        role: SourceRole,
        compartment: &str,
    ) -> Result<humint_store::UserRecord, StationError> {
        let unsuitable = |why: String| StationError::invalid("ROLE_UNSUITABLE", why);
        let user = self
            .store
            .user_by_name(username)
            .await?
            .filter(|u| !u.disabled)
            .ok_or_else(|| unsuitable(format!("there is no active officer named {username}")))?;
        let officer_role: Role = user
            .role
            .parse()
            .map_err(|_| StationError::Io("a stored role is damaged".to_owned()))?;
        if !suits(role, officer_role) {
            return Err(unsuitable(format!(
                "{username} is a {officer_role} and cannot be a source's {}",
                role.label()
            )));
        }
        let read_in = self
            .store
            .user_compartments(&user.id)
            .await?
            .iter()
            .any(|c| c.name == compartment);
        if !read_in {
            return Err(unsuitable(format!(
                "{username} is not read into compartment {compartment}"
            )));
        }
        Ok(user)
    }

    /// Records a new source (state `spotted`), its encrypted identity and any roles given.
    pub async fn create_source(
        &self,
        p: &Principal,
        new: NewSource,
    ) -> Result<SourceDetail, StationError> {
        p.require_role(RUNNERS, "record new sources")?;
        p.require_compartment(&new.compartment)?;
        let compartment = self
            .store
            .compartment_by_name(&new.compartment)
            .await?
            .ok_or(StationError::NotFound {
                what: "compartment",
            })?;
        let now = self.clock().now();
        let ident = &new.true_identity;
        let doc = IdentityDoc {
            name: required("true_identity.name", &ident.name)?,
            date_of_birth: ident.date_of_birth,
            identities_used: ident
                .identities_used
                .iter()
                .map(|i| text("identities_used", i, SHORT))
                .collect::<Result<_, _>>()?,
            other_authorities: ident.other_authorities.clone(),
            access: match &ident.access {
                Some(a) => motivation::check_access(a)?,
                None => None,
            },
        };
        if doc.date_of_birth > calendar::local_date(now) {
            return Err(StationError::invalid(
                "INVALID_DATE",
                "the date of birth is in the future",
            ));
        }
        let age = AgeBand::on(doc.date_of_birth, calendar::local_date(now));
        let chosen = new.codename.as_deref().map(check_codename).transpose()?;
        let id = new_id::<humint_core::handling::Source>(now, self.entropy()).to_string();
        let plaintext = zeroize::Zeroizing::new(
            serde_json::to_vec(&doc)
                .map_err(|_| StationError::Io("an identity could not be encoded".to_owned()))?,
        );
        let blob = self.encrypt_field("sources", "true_identity", &id, &plaintext)?;

        // The roles, checked by the core's handover rule one after another (distinct people).
        let handler = match (&new.handler, p.role) {
            (Some(h), _) => Some(h.clone()),
            (None, Role::Handler) => Some(p.username.clone()),
            (None, _) => None,
        };
        let mut assignments = Vec::new();
        let mut role_rows = Vec::new();
        let source_id = convert::id(&id)?;
        for (role, username) in [
            (SourceRole::Handler, handler),
            (SourceRole::Controller, new.controller.clone()),
            (SourceRole::RecordKeeper, new.record_keeper.clone()),
        ] {
            let Some(username) = username else { continue };
            let user = self.role_holder(&username, role, &new.compartment).await?;
            let h = roles::handover(&assignments, source_id, role, convert::id(&user.id)?, now)?;
            assignments.push(h.opened);
            role_rows.push(RoleRow {
                id: new_id::<RoleRow>(now, self.entropy()).to_string(),
                source_id: id.clone(),
                role: name(&role),
                officer_id: user.id,
                officer_name: username,
                from_ms: now.timestamp_millis(),
                until_ms: None,
            });
        }

        let audit = self.handling_audit(p, "source.create", "source", &id, &new.compartment);
        // A generated codename may collide with one in use; draw again a few times.
        for attempt in 0..8 {
            let codename = match &chosen {
                Some(c) => c.clone(),
                None => super::codenames::generate(self.entropy(), attempt),
            };
            let row = SourceRow {
                id: id.clone(),
                compartment_id: compartment.id.clone(),
                compartment: compartment.name.clone(),
                codename,
                state: name(&SourceState::Spotted),
                origin: name(&new.origin),
                juvenile: age.is_juvenile(),
                vulnerable: new.vulnerable,
                undercover: new.undercover_operative,
                recruited_at_ms: None,
                created_at_ms: now.timestamp_millis(),
                created_by: p.user_id.clone(),
                version: 0,
                motivation: new.motivation.map(|m| m.as_str().to_owned()),
            };
            let mut writes = vec![HandlingWrite::InsertSource {
                row: row.clone(),
                true_identity: blob.clone(),
            }];
            writes.extend(role_rows.iter().cloned().map(HandlingWrite::InsertRole));
            match self
                .store
                .handling_write(None, &writes, std::slice::from_ref(&audit))
                .await
            {
                Ok(()) => {
                    return Ok(SourceDetail {
                        row: SourceRow { version: 1, ..row },
                        roles: role_rows,
                        live_authorisation: None,
                    });
                }
                Err(StoreError::Conflict { .. }) if chosen.is_none() && attempt < 7 => continue,
                Err(StoreError::Conflict { .. }) => {
                    return Err(StationError::Conflict {
                        code: "CODENAME_TAKEN",
                        message: "that codename is already in use; choose another or let the station generate one".to_owned(),
                    });
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(StationError::Io(
            "no free codename could be drawn".to_owned(),
        ))
    }

    /// Sources in the caller's compartments, filtered and paged in the database.
    pub async fn list_sources(
        &self,
        p: &Principal,
        q: SourceListFilter,
        page: Page,
    ) -> Result<Vec<SourceRow>, StationError> {
        p.require_role(READERS, "list sources")?;
        if let Some(c) = &q.compartment {
            p.require_compartment(c)?;
        }
        let letter = match q.grade {
            None => None,
            Some(g) => Some(
                humint_core::handling::grading::SourceReliability::from_letter(g)
                    .ok_or_else(|| {
                        StationError::invalid(
                            "INVALID_GRADE",
                            "the grade to filter by is a suggested source letter, A to F",
                        )
                    })?
                    .letter()
                    .to_string(),
            ),
        };
        let handled_by = match (&q.handler, q.mine) {
            (Some(username), _) => Some(
                self.store
                    .user_by_name(username)
                    .await?
                    .ok_or_else(|| {
                        StationError::invalid(
                            "UNKNOWN_OFFICER",
                            format!("there is no officer named {username}"),
                        )
                    })?
                    .id,
            ),
            (None, true) => Some(p.user_id.clone()),
            (None, false) => None,
        };
        let filter = SourceFilter {
            reader: p.user_id.clone(),
            compartment: q.compartment,
            state: q.state.map(|s| name(&s)),
            handled_by,
            letter,
            page,
        };
        Ok(self.store.list_sources(&filter).await?)
    }

    /// For a list's column: each listed source's suggested reliability letter, if it has one,
    /// and its warning signs as of now; the caller has listed them, so may read them.
    pub async fn listed_reliability(
        &self,
        rows: &[SourceRow],
    ) -> Result<std::collections::HashMap<String, ListedReliability>, StationError> {
        use humint_store::ReliabilityStore as _;
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let mut estimates = std::collections::HashMap::new();
        for (id, letter, doc) in self.store.estimates_of(&ids).await? {
            let view: super::reliability::SourceEstimateView = serde_json::from_str(&doc)
                .map_err(|_| StationError::Io("a stored estimate is damaged".to_owned()))?;
            estimates.insert(id, (letter.chars().next(), view.evidence));
        }
        let now_ms = self.clock().now().timestamp_millis();
        let from_ms = humint_core::handling::warning_signs::volume_record_start(now_ms);
        let mut times: std::collections::HashMap<String, Vec<i64>> =
            std::collections::HashMap::new();
        for (id, t) in self.store.report_times_of(&ids, from_ms).await? {
            times.entry(id).or_default().push(t);
        }
        Ok(rows
            .iter()
            .map(|r| {
                let (letter, evidence) = match estimates.remove(&r.id) {
                    Some((l, e)) => (l, Some(e)),
                    None => (None, None),
                };
                let warnings = super::reliability::warning_signs(
                    evidence.as_ref(),
                    times.get(&r.id).map_or(&[][..], |t| &t[..]),
                    r.created_at_ms,
                    now_ms,
                );
                (r.id.clone(), ListedReliability { letter, warnings })
            })
            .collect())
    }

    pub async fn source_detail(
        &self,
        p: &Principal,
        id: &str,
    ) -> Result<SourceDetail, StationError> {
        let loaded = self.load_source(id).await?;
        access::check(p, &loaded.row, READERS, "see sources")?;
        let now = self.clock().now();
        let now_ms = now.timestamp_millis();
        let roles = ["handler", "controller", "record_keeper"]
            .iter()
            .filter_map(|r| loaded.holder(r, now_ms).cloned())
            .collect();
        let live = humint_core::handling::live_authorisation(&loaded.auths, loaded.source.id, now)
            .ok()
            .map(|a| (a.id.to_string(), a.current_expiry().timestamp_millis()));
        Ok(SourceDetail {
            row: loaded.row,
            roles,
            live_authorisation: live,
        })
    }

    /// The true identity, for the source's handler and the compartment's controllers and
    /// authorising officers. Every attempt is in the ledger, refused ones too.
    pub async fn source_identity(
        &self,
        p: &Principal,
        id: &str,
    ) -> Result<TrueIdentity, StationError> {
        let loaded = self.load_source(id).await?;
        let audit = self.handling_audit(
            p,
            "source.identity.read",
            "source",
            id,
            &loaded.row.compartment,
        );
        if let Err(e) =
            access::check_identity(p, &loaded, self.now_ms(), "see a source's true identity")
        {
            self.store.append_audit(&audit.denied()).await?;
            return Err(e);
        }
        let identity = self.identity_plain(id).await?;
        self.store.append_audit(&audit).await?;
        Ok(identity)
    }

    /// Records or changes a source's declared motivation (`None`: not recorded), for the
    /// source's handler and the compartment's controllers, in one transaction with its audit
    /// event (product.md, "The cycle, as records": context for validation, it changes no grade).
    pub async fn set_source_motivation(
        &self,
        p: &Principal,
        id: &str,
        motivation: Option<Motivation>,
    ) -> Result<SourceDetail, StationError> {
        let loaded = self.load_source(id).await?;
        access::check(
            p,
            &loaded.row,
            RUNNERS,
            "change a source's declared motivation",
        )?;
        let audit = self.handling_audit(
            p,
            "source.motivation.set",
            "source",
            id,
            &loaded.row.compartment,
        );
        let writes = [HandlingWrite::SetSourceMotivation {
            source_id: id.to_owned(),
            motivation: motivation.map(|m| m.as_str().to_owned()),
        }];
        self.store
            .handling_write(Some(&loaded.guard()), &writes, &[audit])
            .await
            .map_err(stored)?;
        self.source_detail(p, id).await
    }

    /// The role history (reg 3(h)-(i)).
    pub async fn source_roles(
        &self,
        p: &Principal,
        id: &str,
    ) -> Result<Vec<RoleRow>, StationError> {
        let row = self.source_row(id).await?;
        access::check(p, &row, CASE_READERS, "see who handles a source")?;
        Ok(self.store.source_roles(id).await?)
    }

    /// Hands one of the s.29(5) roles to an officer (controllers): the outgoing period closes
    /// at the instant the new one opens, by the core's handover rule.
    pub async fn assign_source_role(
        &self,
        p: &Principal,
        id: &str,
        role: SourceRole,
        username: &str,
    ) -> Result<Vec<RoleRow>, StationError> {
        let loaded = self.load_source(id).await?;
        access::check(
            p,
            &loaded.row,
            &[Role::Controller],
            "assign a source's handler, controller or record-keeper",
        )?;
        let user = self
            .role_holder(username, role, &loaded.row.compartment)
            .await?;
        let now = self.clock().now();
        let now_ms = now.timestamp_millis();
        let h = roles::handover(
            &loaded.roles,
            loaded.source.id,
            role,
            convert::id(&user.id)?,
            now,
        )?;
        let mut writes = Vec::new();
        if h.closed.is_some()
            && let Some(current) = loaded.holder(&name(&role), now_ms)
        {
            writes.push(HandlingWrite::CloseRole {
                id: current.id.clone(),
                until_ms: now_ms,
            });
        }
        writes.push(HandlingWrite::InsertRole(RoleRow {
            id: new_id::<RoleRow>(now, self.entropy()).to_string(),
            source_id: id.to_owned(),
            role: name(&role),
            officer_id: user.id.clone(),
            officer_name: user.username.clone(),
            from_ms: now_ms,
            until_ms: None,
        }));
        let audit = self.handling_audit(
            p,
            "source.role.assign",
            "source",
            id,
            &loaded.row.compartment,
        );
        self.store
            .handling_write(Some(&loaded.guard()), &writes, &[audit])
            .await
            .map_err(stored)?;
        Ok(self.store.source_roles(id).await?)
    }

    /// Moves a source along its lifecycle by the core's transition rule. Terminating also
    /// cancels the authorisations still in force, with the welfare arrangements as their plan.
    pub async fn transition_source(
        &self,
        p: &Principal,
        id: &str,
        to: SourceState,
        reason: &str,
        welfare_arrangements: Option<&str>,
    ) -> Result<SourceDetail, StationError> {
        let loaded = self.load_source(id).await?;
        access::check(p, &loaded.row, RUNNERS, "change a source's state")?;
        let reason = text("reason", reason, LONG)?;
        if let Some(w) = welfare_arrangements {
            text("welfare_arrangements", w, LONG)?;
        }
        let actor = officer_id(p)?;
        let now = self.clock().now();
        let event = humint_core::handling::transition(
            &loaded.source,
            to,
            &TransitionFacts {
                actor,
                reason: &reason,
                authorisations: &loaded.auths,
                roles: &loaded.roles,
                welfare_arrangements,
            },
            now,
        )?;
        let compartment = loaded.row.compartment.clone();
        let mut writes = vec![
            HandlingWrite::SetSourceState {
                source_id: id.to_owned(),
                state: name(&to),
                recruited_at_ms: (to == SourceState::Recruited).then(|| now.timestamp_millis()),
            },
            HandlingWrite::InsertTransition(self.sealed_transition(
                new_id::<TransitionRow>(now, self.entropy()).to_string(),
                id,
                &event,
                now.timestamp_millis(),
                &p.user_id,
            )?),
        ];
        let mut audit =
            vec![self.handling_audit(p, "source.transition", "source", id, &compartment)];
        for auth_id in &event.authorisations_to_cancel {
            let Some(auth) = loaded.auths.iter().find(|a| a.id == *auth_id) else {
                continue;
            };
            let cancellation = humint_core::handling::cancel(
                auth,
                CancellationRequest {
                    cancelled_by: actor,
                    reasons: format!("The source's case was closed: {reason}"),
                    instruction_to_cease_at: Some(now),
                    welfare_plan: event.welfare_arrangements.clone().unwrap_or_default(),
                },
                now,
            )?;
            let mut cancelled = auth.clone();
            cancelled.cancellation = Some(cancellation);
            writes.push(HandlingWrite::UpdateAuthorisation(auth_row(
                self, &cancelled,
            )?));
            audit.push(self.handling_audit(
                p,
                "authorisation.cancel",
                "authorisation",
                &auth_id.to_string(),
                &compartment,
            ));
        }
        self.store
            .handling_write(Some(&loaded.guard()), &writes, &audit)
            .await
            .map_err(stored)?;
        self.source_detail(p, id).await
    }

    /// The lifecycle events of a source, their documents opened.
    pub async fn source_transitions(
        &self,
        p: &Principal,
        id: &str,
    ) -> Result<Vec<TransitionRow>, StationError> {
        let row = self.source_row(id).await?;
        access::check(p, &row, CASE_READERS, "see a source's history")?;
        self.opened_transitions(id).await
    }

    /// A lifecycle event as stored: its document (the reason, the circumstances of
    /// recruitment, welfare arrangements) sealed to its row (migration 0014), the plaintext
    /// column left blank.
    pub(crate) fn sealed_transition(
        &self,
        id: String,
        source_id: &str,
        event: &humint_core::handling::Transition,
        at_ms: i64,
        actor: &str,
    ) -> Result<TransitionRow, StationError> {
        let sealed = self.seal_text("source_transitions", "doc_sealed", &id, &to_doc(event)?)?;
        Ok(TransitionRow {
            source_id: source_id.to_owned(),
            from_state: name(&event.from),
            to_state: name(&event.to),
            at_ms,
            actor: actor.to_owned(),
            doc: String::new(),
            doc_sealed: Some(sealed),
            id,
        })
    }

    /// A source's lifecycle events with their documents opened (a row an older version wrote
    /// and no station has sealed yet is read as it is).
    pub(crate) async fn opened_transitions(
        &self,
        source_id: &str,
    ) -> Result<Vec<TransitionRow>, StationError> {
        self.store
            .source_transitions(source_id)
            .await?
            .into_iter()
            .map(|mut t| {
                let sealed = t.doc_sealed.take();
                t.doc = self.open_doc("source_transitions", &t.id, sealed.as_deref(), &t.doc)?;
                Ok(t)
            })
            .collect()
    }

    pub(crate) async fn load_checked(
        &self,
        p: &Principal,
        id: &str,
        allowed: &[Role],
        doing: &str,
    ) -> Result<Loaded, StationError> {
        let loaded = self.load_source(id).await?;
        access::check(p, &loaded.row, allowed, doing)?;
        Ok(loaded)
    }
}

/// The stored row of a core authorisation: its deadline, cancellation and next review in
/// columns for SQL, the record as its doc with the free text blank, and that text sealed
/// (migration 0016; [`Station::seal_record`]).
pub(crate) fn auth_row(
    station: &Station,
    a: &humint_core::handling::Authorisation,
) -> Result<AuthorisationRow, StationError> {
    let (doc, text_sealed) = station.seal_record(&a.id.to_string(), a)?;
    Ok(AuthorisationRow {
        id: a.id.to_string(),
        source_id: a.source.to_string(),
        kind: name(&a.kind),
        parent_id: a.parent.map(|p| p.to_string()),
        granted_by: a.granted_by.to_string(),
        granted_at_ms: a.granted_at.timestamp_millis(),
        expires_at_ms: a.current_expiry().timestamp_millis(),
        cancelled_at_ms: a
            .cancellation
            .as_ref()
            .map(|c| c.cancelled_at.timestamp_millis()),
        next_review_due_ms: a.next_review_due().timestamp_millis(),
        doc,
        text_sealed: Some(text_sealed),
    })
}

/// A listed source's suggested letter and warning signs (see
/// [`Station::listed_reliability`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ListedReliability {
    pub letter: Option<char>,
    pub warnings: Vec<humint_core::handling::warning_signs::WarningSign>,
}

#[cfg(test)]
mod tests {
    use super::IdentityDoc;

    /// An envelope's plaintext exactly as versions before a source's access wrote it.
    const BEFORE_ACCESS: &str = r#"{"name":"Jane Example","date_of_birth":"1986-03-02","identities_used":["J. Sample"],"other_authorities":[]}"#;

    #[test]
    fn an_identity_written_before_access_existed_still_opens() {
        let doc: IdentityDoc = serde_json::from_str(BEFORE_ACCESS).expect("an old envelope opens");
        assert_eq!(doc.name, "Jane Example");
        assert_eq!(doc.identities_used, vec!["J. Sample".to_owned()]);
        assert_eq!(doc.access, None);
        // Written without an access, it is the old layout byte for byte.
        assert_eq!(serde_json::to_string(&doc).expect("json"), BEFORE_ACCESS);
    }

    #[test]
    fn an_access_is_kept_inside_the_envelope() {
        let mut doc: IdentityDoc = serde_json::from_str(BEFORE_ACCESS).expect("opens");
        doc.access = Some("the night shift at the terminal".to_owned());
        let text = serde_json::to_string(&doc).expect("json");
        let back: IdentityDoc = serde_json::from_str(&text).expect("reopens");
        assert_eq!(
            back.access.as_deref(),
            Some("the night shift at the terminal")
        );
    }
}
