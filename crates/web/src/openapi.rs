//! The OpenAPI 3 document, generated from the handlers' annotations and served to signed-in
//! officers only (the API's shape is not for the public).

use crate::api::{admin, concerns, handling, inspection, intake, open_press, reliability, session};
use crate::auth::Authenticated;
use crate::error::ErrorBody;
use axum::Json;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

#[derive(OpenApi)]
#[openapi(
    info(title = "humint officer API", description = "The station's API for officers: JSON in and out; every refusal is {code, message}."),
    paths(
        crate::healthz,
        session::create, session::delete, session::me,
        admin::create_user, admin::disable_user, admin::grant, admin::create_compartment, admin::members,
        intake::list, intake::get_one, intake::reply, intake::set_status, intake::convert, intake::issue_phrase,
        handling::requirements::create, handling::requirements::list, handling::requirements::get_one,
        handling::sources::create, handling::sources::list, handling::sources::get_one, handling::sources::identity,
        handling::sources::transition, handling::sources::transitions, handling::sources::roles, handling::sources::assign_role,
        handling::authorisations::add_risk, handling::authorisations::risks, handling::authorisations::grant,
        handling::authorisations::list, handling::authorisations::get_one, handling::authorisations::review,
        handling::authorisations::renew, handling::authorisations::cancel, handling::authorisations::notice,
        handling::authorisations::written_record,
        handling::activity::add_tasking, handling::activity::taskings, handling::activity::add_contact,
        handling::activity::contact_outcome, handling::activity::contacts, handling::activity::contact_notes,
        handling::activity::add_payment, handling::activity::approve_payment, handling::activity::pay_payment,
        handling::activity::payments,
        handling::reports::create, handling::reports::list, handling::reports::get_one, handling::reports::text,
        handling::reports::grade, handling::reports::add_claim, handling::reports::disseminate, handling::reports::add_outcome,
        handling::record::source_record, handling::record::alerts,
        inspection::html, inspection::json, inspection::audit, inspection::bigot_lists,
        handling::register::create_error, handling::register::establish_error, handling::register::report_error,
        handling::register::list_errors, handling::register::break_glass, handling::register::break_glass_events,
        handling::progress::review_requirement, handling::progress::close_requirement,
        handling::progress::requirement_history, handling::progress::tasking_status, handling::progress::get_tasking,
        reliability::source_reliability, reliability::report_assessment, reliability::grade_decisions,
        reliability::compartment_dependence,
        open_press::create, open_press::list,
        handling::sources::set_motivation,
        concerns::raise, concerns::list, concerns::review,
        admin::payment_policy, admin::set_payment_policy,
        admin::rank_table, admin::set_rank_table, admin::set_rank,
        handling::reports::import,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn spec() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub async fn document(_auth: Authenticated) -> Json<utoipa::openapi::OpenApi> {
    Json(spec())
}
