//! Risk assessments and authorisations with their reviews, renewals, cancellations, written
//! records and Commissioner notices.

use super::{at, name, opt_at, opt_instant};
use crate::AppState;
use crate::api::JsonBody;
use crate::auth::Authenticated;
use crate::error::{ApiResult, ErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use humint_core::handling::{
    Authorisation, AuthorisationKind, ConfidentialKind, JuvenileCcaSafeguards, Lpp,
    NecessityGround, NoticeEvent, PriorApproval, PrivilegedMaterial, RiskLevel,
    commissioner_notices,
};
use humint_station::handling::{
    CancellationInput, GrantInput, RenewalInput, ReviewInput, RiskInput, RiskView, TextRepeat,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskRequest {
    /// low, medium or high.
    #[schema(value_type = String)]
    pub level: RiskLevel,
    pub security_and_welfare: String,
    pub mitigations: String,
    pub explained_to_source: bool,
    pub understood_by_source: bool,
    /// Required under 18 (Juveniles Order art 5).
    pub physical_harm: Option<String>,
    pub psychological_harm: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RiskBody {
    pub id: String,
    pub assessed_by: String,
    pub assessed_at: String,
    pub level: String,
    pub explained_to_source: bool,
    pub understood_by_source: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JuvenileSafeguardsBody {
    pub exceptional_circumstances: String,
    pub no_foreseeable_harm: bool,
    pub best_interests: String,
    pub meeting_arrangements: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRequestBody {
    /// standard, urgent_oral, juvenile, relevant_source or criminal_conduct.
    #[schema(value_type = String)]
    pub kind: AuthorisationKind,
    /// Criminal conduct: the use-and-conduct authorisation it sits on.
    pub parent_id: Option<String>,
    /// A RIPA s.29(3) ground, e.g. preventing_or_detecting_crime_or_disorder.
    #[schema(value_type = String)]
    pub ground: NecessityGround,
    pub necessity: String,
    pub proportionality: String,
    pub collateral_intrusion: String,
    pub tasks: Vec<String>,
    pub urgency_reason: Option<String>,
    pub review_interval_days: u32,
    #[serde(default)]
    pub relationship_with_parent_or_guardian: bool,
    pub juvenile_cca_safeguards: Option<JuvenileSafeguardsBody>,
    /// Legally privileged or confidential material expected (PRIV-01); none when absent.
    #[serde(default)]
    pub privileged: Option<PrivilegedBody>,
}

/// What an application says about privileged and confidential material (PRIV-01).
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrivilegedBody {
    /// none, likely or intended: intended needs the prior approval (SI 2010/123) and lasts three
    /// months.
    #[schema(value_type = String)]
    #[serde(default)]
    pub lpp: Lpp,
    /// constituent, journalistic, medical or spiritual (IPCO AR 2017 para 3.16).
    #[schema(value_type = Vec<String>)]
    #[serde(default)]
    pub confidential: Vec<ConfidentialKind>,
    pub prior_approval: Option<PriorApprovalBody>,
}

/// The prior approval notice of an authorisation to obtain privileged matters.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorApprovalBody {
    /// The approving Commissioner (or Secretary of State), as named.
    pub approved_by: String,
    /// RFC 3339; at or before the decision it allows.
    pub approved_at: String,
    pub grounds: String,
    pub conduct: String,
    /// "Not known" is an answer; blank is not.
    pub lawyer_and_client: String,
    pub privileged_matters: String,
    pub collateral: String,
}

fn prior_approval(body: PriorApprovalBody) -> Result<PriorApproval, crate::error::ApiError> {
    Ok(PriorApproval {
        approved_at: super::instant("prior_approval.approved_at", &body.approved_at)?,
        approved_by: body.approved_by,
        grounds: body.grounds,
        conduct: body.conduct,
        lawyer_and_client: body.lawyer_and_client,
        privileged_matters: body.privileged_matters,
        collateral: body.collateral,
    })
}

fn approval_body(a: &PriorApproval) -> PriorApprovalBody {
    PriorApprovalBody {
        approved_by: a.approved_by.clone(),
        approved_at: at(a.approved_at),
        grounds: a.grounds.clone(),
        conduct: a.conduct.clone(),
        lawyer_and_client: a.lawyer_and_client.clone(),
        privileged_matters: a.privileged_matters.clone(),
        collateral: a.collateral.clone(),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequestBody {
    pub use_made: String,
    pub tasks_given: String,
    pub information_obtained: String,
    pub necessity_still_met: bool,
    pub proportionality_still_met: bool,
    pub arrangements_still_met: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewalRequestBody {
    pub urgency_reason: Option<String>,
    /// Required to renew an authorisation to obtain privileged matters: an approval given
    /// after the period it extends was decided.
    #[serde(default)]
    pub prior_approval: Option<PriorApprovalBody>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancellationRequestBody {
    pub reasons: String,
    pub instruction_to_cease_at: Option<String>,
    pub welfare_plan: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeRequestBody {
    /// grant, renewal or cancellation.
    #[schema(value_type = String)]
    pub event: NoticeEvent,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewBody {
    pub id: String,
    pub reviewed_by: String,
    pub reviewed_at: String,
    pub use_made: String,
    pub tasks_given: String,
    pub information_obtained: String,
    pub risk_assessment_id: String,
    pub necessity_still_met: bool,
    pub proportionality_still_met: bool,
    pub arrangements_still_met: bool,
}

#[derive(Serialize, ToSchema)]
pub struct RenewalBody {
    pub renewed_by: String,
    /// The rank the renewing officer held, when a rank table was in force (AUTH-03).
    pub renewed_by_rank: Option<String>,
    pub renewed_at: String,
    pub review_id: String,
    pub takes_effect_at: String,
    pub expires_at: String,
    pub self_authorised: bool,
    /// The renewal's prior approval notice (privileged matters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prior_approval: Option<PriorApprovalBody>,
}

#[derive(Serialize, ToSchema)]
pub struct CancellationBody {
    pub cancelled_by: String,
    pub cancelled_at: String,
    pub reasons: String,
    pub instruction_to_cease_at: Option<String>,
    pub welfare_plan: String,
}

#[derive(Serialize, ToSchema)]
pub struct NoticeBody {
    pub event: String,
    pub decided_at: String,
    /// The end of the 7th day after the decision (RIPA s.32C).
    pub due_at: String,
    pub sent_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuthorisationBody {
    pub id: String,
    pub source_id: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub ground: String,
    pub necessity: String,
    pub proportionality: String,
    pub collateral_intrusion: String,
    pub tasks: Vec<String>,
    pub granted_by: String,
    /// The rank the grantor held, when a rank table was in force (AUTH-03).
    pub granted_by_rank: Option<String>,
    pub granted_at: String,
    /// The age band on the day of grant (never the date of birth).
    pub source_age_at_grant: String,
    pub urgency_reason: Option<String>,
    pub self_authorised: bool,
    pub risk_assessment_id: String,
    /// The deadline in force: the first instant it is no longer live.
    pub expires_at: String,
    pub review_interval_days: u32,
    pub next_review_due: String,
    /// live, expired, cancelled or not_yet_in_force, at the station's now.
    pub status: String,
    pub written_record_at: Option<String>,
    pub reviews: Vec<ReviewBody>,
    pub renewals: Vec<RenewalBody>,
    pub cancellation: Option<CancellationBody>,
    pub commissioner_notices: Vec<NoticeBody>,
    /// Privileged or confidential material expected, with the grant's prior approval notice.
    pub privileged: PrivilegedBody,
    /// Statements that largely repeat the same statement of an authorisation granted earlier
    /// in the compartment (INS-02: a warning, never a refusal). Given on the grant's answer, on
    /// `GET /authorisations/{id}` and in the source's list; absent where not checked (the
    /// answers to reviews, renewals, cancellations and notices, the statutory record).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<TextWarningBody>>,
}

#[derive(Serialize, ToSchema)]
pub struct TextWarningBody {
    /// AUTH_TEXT_REPEATED.
    pub code: String,
    /// A sentence naming the statement, the other authorisation's source and date, and the share.
    pub message: String,
    /// necessity, proportionality or collateral_intrusion.
    pub statement: String,
    pub other_authorisation_id: String,
    /// The other authorisation's source, by codename (same compartment).
    pub other_codename: String,
    pub other_granted_at: String,
    /// The share of the statement's five-word runs found in the other's, whole per cent.
    pub share_percent: usize,
}

fn warning_body(r: &TextRepeat) -> TextWarningBody {
    TextWarningBody {
        code: r.code.to_owned(),
        message: r.message.clone(),
        statement: r.statement.as_str().to_owned(),
        other_authorisation_id: r.other_authorisation_id.clone(),
        other_codename: r.other_codename.clone(),
        other_granted_at: at(r.other_granted_at),
        share_percent: r.percent,
    }
}

/// The body of an authorisation checked for repeated statements (`repeats` may hold other
/// authorisations' too: only this one's are kept).
fn warned_body(
    a: &Authorisation,
    now: super::chrono_like::Instant,
    repeats: &[TextRepeat],
) -> AuthorisationBody {
    let id = a.id.to_string();
    AuthorisationBody {
        warnings: Some(
            repeats
                .iter()
                .filter(|r| r.authorisation_id == id)
                .map(warning_body)
                .collect(),
        ),
        ..auth_body(a, now)
    }
}

fn risk_body(r: &RiskView) -> RiskBody {
    RiskBody {
        id: r.id.clone(),
        assessed_by: r.assessed_by.clone(),
        assessed_at: super::ms(r.assessed_at_ms),
        level: r.level.clone(),
        explained_to_source: r.explained_to_source,
        understood_by_source: r.understood_by_source,
    }
}

pub(crate) fn auth_body(a: &Authorisation, now: super::chrono_like::Instant) -> AuthorisationBody {
    AuthorisationBody {
        id: a.id.to_string(),
        source_id: a.source.to_string(),
        kind: name(&a.kind),
        parent_id: a.parent.map(|p| p.to_string()),
        ground: name(&a.ground),
        necessity: a.necessity.clone(),
        proportionality: a.proportionality.clone(),
        collateral_intrusion: a.collateral_intrusion.clone(),
        tasks: a.tasks_in_scope.clone(),
        granted_by: a.granted_by.to_string(),
        granted_by_rank: a.granted_by_rank.clone(),
        granted_at: at(a.granted_at),
        source_age_at_grant: name(&a.source_age_at_grant),
        urgency_reason: a.urgency_reason.clone(),
        self_authorised: a.self_authorised,
        risk_assessment_id: a.risk_assessment.to_string(),
        expires_at: at(a.current_expiry()),
        review_interval_days: a.review_interval_days,
        next_review_due: at(a.next_review_due()),
        status: name(&a.status(now)),
        written_record_at: opt_at(a.written_record_at),
        reviews: a
            .reviews
            .iter()
            .map(|r| ReviewBody {
                id: r.id.to_string(),
                reviewed_by: r.reviewed_by.to_string(),
                reviewed_at: at(r.reviewed_at),
                use_made: r.use_made.clone(),
                tasks_given: r.tasks_given.clone(),
                information_obtained: r.information_obtained.clone(),
                risk_assessment_id: r.risk_assessment.to_string(),
                necessity_still_met: r.necessity_still_met,
                proportionality_still_met: r.proportionality_still_met,
                arrangements_still_met: r.arrangements_still_met,
            })
            .collect(),
        renewals: a
            .renewals
            .iter()
            .map(|r| RenewalBody {
                renewed_by: r.renewed_by.to_string(),
                renewed_by_rank: r.renewed_by_rank.clone(),
                renewed_at: at(r.renewed_at),
                review_id: r.review.to_string(),
                takes_effect_at: at(r.takes_effect_at),
                expires_at: at(r.expires_at),
                self_authorised: r.self_authorised,
                prior_approval: r.prior_approval.as_ref().map(approval_body),
            })
            .collect(),
        cancellation: a.cancellation.as_ref().map(|c| CancellationBody {
            cancelled_by: c.cancelled_by.to_string(),
            cancelled_at: at(c.cancelled_at),
            reasons: c.reasons.clone(),
            instruction_to_cease_at: opt_at(c.instruction_to_cease_at),
            welfare_plan: c.welfare_plan.clone(),
        }),
        commissioner_notices: commissioner_notices(a)
            .iter()
            .map(|n| NoticeBody {
                event: name(&n.event),
                decided_at: at(n.decided_at),
                due_at: at(n.due_at),
                sent_at: opt_at(n.sent_at),
            })
            .collect(),
        privileged: PrivilegedBody {
            lpp: a.privileged.lpp,
            confidential: a.privileged.confidential.clone(),
            prior_approval: a.privileged.prior_approval.as_ref().map(approval_body),
        },
        warnings: None,
    }
}

fn now(state: &AppState) -> super::chrono_like::Instant {
    state.station.clock().now()
}

/// Record a new version of the source's risk assessment (handler or controller).
#[utoipa::path(post, path = "/api/v1/sources/{id}/risk-assessments", params(("id" = String, Path)), request_body = RiskRequest, security(("bearer" = [])),
    responses((status = 201, body = RiskBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn add_risk(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<RiskRequest>,
) -> ApiResult<(StatusCode, Json<RiskBody>)> {
    let input = RiskInput {
        level: req.level,
        security_and_welfare: req.security_and_welfare,
        mitigations: req.mitigations,
        explained_to_source: req.explained_to_source,
        understood_by_source: req.understood_by_source,
        physical_harm: req.physical_harm,
        psychological_harm: req.psychological_harm,
    };
    let r = state
        .station
        .add_risk_assessment(&auth.principal, &id, input)
        .await?;
    Ok((StatusCode::CREATED, Json(risk_body(&r))))
}

/// The source's risk assessments (their welfare text is in the statutory record only).
#[utoipa::path(get, path = "/api/v1/sources/{id}/risk-assessments", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = [RiskBody]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn risks(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<RiskBody>>> {
    let rows = state.station.risk_assessments(&auth.principal, &id).await?;
    Ok(Json(rows.iter().map(risk_body).collect()))
}

/// Grant an authorisation (an authorising officer who neither handles nor controls the source).
#[utoipa::path(post, path = "/api/v1/sources/{id}/authorisations", params(("id" = String, Path)), request_body = GrantRequestBody, security(("bearer" = [])),
    responses((status = 201, body = AuthorisationBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn grant(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<GrantRequestBody>,
) -> ApiResult<(StatusCode, Json<AuthorisationBody>)> {
    let input = GrantInput {
        kind: req.kind,
        parent: req.parent_id,
        ground: req.ground,
        necessity: req.necessity,
        proportionality: req.proportionality,
        collateral_intrusion: req.collateral_intrusion,
        tasks_in_scope: req.tasks,
        urgency_reason: req.urgency_reason,
        review_interval_days: req.review_interval_days,
        relationship_with_parent_or_guardian: req.relationship_with_parent_or_guardian,
        juvenile_cca_safeguards: req.juvenile_cca_safeguards.map(|s| JuvenileCcaSafeguards {
            exceptional_circumstances: s.exceptional_circumstances,
            no_foreseeable_harm: s.no_foreseeable_harm,
            best_interests: s.best_interests,
            meeting_arrangements: s.meeting_arrangements,
        }),
        privileged: match req.privileged {
            Some(p) => PrivilegedMaterial {
                lpp: p.lpp,
                confidential: p.confidential,
                prior_approval: p.prior_approval.map(prior_approval).transpose()?,
            },
            None => PrivilegedMaterial::default(),
        },
    };
    let g = state
        .station
        .grant_authorisation_warned(&auth.principal, &id, input)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(warned_body(&g.authorisation, now(&state), &g.warnings)),
    ))
}

/// The source's authorisations.
#[utoipa::path(get, path = "/api/v1/sources/{id}/authorisations", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = [AuthorisationBody]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<AuthorisationBody>>> {
    let (rows, repeats) = state
        .station
        .authorisations_warned(&auth.principal, &id)
        .await?;
    let now = now(&state);
    Ok(Json(
        rows.iter().map(|a| warned_body(a, now, &repeats)).collect(),
    ))
}

/// One authorisation with its history.
#[utoipa::path(get, path = "/api/v1/authorisations/{id}", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = AuthorisationBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<AuthorisationBody>> {
    let (a, repeats) = state
        .station
        .authorisation_warned(&auth.principal, &id)
        .await?;
    Ok(Json(warned_body(&a, now(&state), &repeats)))
}

/// Review an authorisation (use made, tasks given, information obtained).
#[utoipa::path(post, path = "/api/v1/authorisations/{id}/reviews", params(("id" = String, Path)), request_body = ReviewRequestBody, security(("bearer" = [])),
    responses((status = 201, body = AuthorisationBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ReviewRequestBody>,
) -> ApiResult<(StatusCode, Json<AuthorisationBody>)> {
    let input = ReviewInput {
        use_made: req.use_made,
        tasks_given: req.tasks_given,
        information_obtained: req.information_obtained,
        necessity_still_met: req.necessity_still_met,
        proportionality_still_met: req.proportionality_still_met,
        arrangements_still_met: req.arrangements_still_met,
    };
    let a = state
        .station
        .review_authorisation(&auth.principal, &id, input)
        .await?;
    Ok((StatusCode::CREATED, Json(auth_body(&a, now(&state)))))
}

/// Renew an authorisation: only before expiry and after a review.
#[utoipa::path(post, path = "/api/v1/authorisations/{id}/renewals", params(("id" = String, Path)), request_body = RenewalRequestBody, security(("bearer" = [])),
    responses((status = 201, body = AuthorisationBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn renew(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<RenewalRequestBody>,
) -> ApiResult<(StatusCode, Json<AuthorisationBody>)> {
    let input = RenewalInput {
        urgency_reason: req.urgency_reason,
        prior_approval: req.prior_approval.map(prior_approval).transpose()?,
    };
    let a = state
        .station
        .renew_authorisation(&auth.principal, &id, input)
        .await?;
    Ok((StatusCode::CREATED, Json(auth_body(&a, now(&state)))))
}

/// Cancel an authorisation, with reasons and the welfare plan.
#[utoipa::path(post, path = "/api/v1/authorisations/{id}/cancellation", params(("id" = String, Path)), request_body = CancellationRequestBody, security(("bearer" = [])),
    responses((status = 201, body = AuthorisationBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<CancellationRequestBody>,
) -> ApiResult<(StatusCode, Json<AuthorisationBody>)> {
    let input = CancellationInput {
        reasons: req.reasons,
        instruction_to_cease_at: opt_instant(
            "instruction_to_cease_at",
            &req.instruction_to_cease_at,
        )?,
        welfare_plan: req.welfare_plan,
    };
    let a = state
        .station
        .cancel_authorisation(&auth.principal, &id, input)
        .await?;
    Ok((StatusCode::CREATED, Json(auth_body(&a, now(&state)))))
}

/// Record that a s.32C notice to the Judicial Commissioner was sent.
#[utoipa::path(post, path = "/api/v1/authorisations/{id}/notices", params(("id" = String, Path)), request_body = NoticeRequestBody, security(("bearer" = [])),
    responses((status = 201, body = AuthorisationBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn notice(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<NoticeRequestBody>,
) -> ApiResult<(StatusCode, Json<AuthorisationBody>)> {
    let a = state
        .station
        .record_commissioner_notice(&auth.principal, &id, req.event)
        .await?;
    Ok((StatusCode::CREATED, Json(auth_body(&a, now(&state)))))
}

/// Record that the written record of an urgent oral authorisation is complete.
#[utoipa::path(post, path = "/api/v1/authorisations/{id}/written-record", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 201, body = AuthorisationBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn written_record(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<AuthorisationBody>)> {
    let a = state
        .station
        .record_written_authorisation(&auth.principal, &id)
        .await?;
    Ok((StatusCode::CREATED, Json(auth_body(&a, now(&state)))))
}
