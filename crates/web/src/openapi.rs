//! The OpenAPI 3 document, generated from the handlers' annotations and served to signed-in
//! officers only (the API's shape is not for the public).

use crate::api::{admin, session};
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
