//! The OpenAPI 3.1 description of every route, generated from the handlers'
//! `#[utoipa::path]` attributes as the routers are built (`utoipa-axum`'s
//! `routes!` registers a handler and its description together, so neither
//! can be added without the other), served at `GET /api/openapi.json`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::http::header;
use axum::response::IntoResponse;
use mfa_api::ErrorBody;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{RefOr, Response};
use utoipa::{IntoResponses, Modify, OpenApi, PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// What every module's router is: an axum router and its description.
pub type Routes = OpenApiRouter<AppState>;

/// The description's fixed parts; the paths come from the routers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "MFA enrollment API",
        description = "Sign-in with a second factor, enrollment of authenticator apps, phone numbers and passkeys, recovery codes, company policies, people, apps (OpenID Connect) and audit logs. Every state-changing request carries the header `x-mfa-csrf: 1` and comes from the server's own origin; every error has the body `ErrorBody`."
    ),
    components(schemas(ErrorBody, mfa_api::ReadinessSort)),
    modifiers(&SessionCookie),
    tags(
        (name = "sign-in", description = "Both steps of signing in, and signing out"),
        (name = "me", description = "The signed-in person: profile, sessions, browsers, activity"),
        (name = "factors", description = "Second factors and the recovery code"),
        (name = "password", description = "Confirming, changing and resetting a password"),
        (name = "companies", description = "A company's policy, readiness, members, invitations, apps and audit log (its admins only)"),
        (name = "invitations", description = "Joining a company by an invitation link"),
        (name = "apps", description = "OpenID Connect and forward authentication for the company's apps"),
        (name = "service", description = "Health, help and this description")
    )
)]
struct ApiDoc;

/// The session cookie, for the operations that need one.
struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_default();
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "mfa_session",
                "The session: `mfa_session` over HTTP, `__Host-mfa_session` over HTTPS",
            ))),
        );
    }
}

/// The error answers any operation may give, each with [`ErrorBody`]
/// (its `code` says which of `ErrorCode`'s): the request's shape, the
/// session's stage, the caller's rights, the server's limits.
pub struct Errors;

impl IntoResponses for Errors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        [
            (400, "The request is malformed (bad JSON, a bad path or query)"),
            (401, "No session, or not past the step this needs; a wrong password or code"),
            (403, "Not allowed: not an admin of that company, a cross-site request, a policy"),
            (404, "No such thing, or not the caller's"),
            (409, "The state does not allow it now (a factor is required, passkeys are unavailable, ...)"),
            (410, "The link or the passkey request expired"),
            (413, "The body is too large"),
            (415, "The body is not JSON"),
            (421, "The request's Host is not the server's"),
            (422, "The input is invalid: `message` says why"),
            (429, "Too many attempts: `locked_until` or `retry_after` and `Retry-After` say when"),
            (503, "Busy (retry after `Retry-After`), or the SMS provider is unreachable"),
        ]
        .into_iter()
        .map(|(status, description)| {
            let response = utoipa::openapi::ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    utoipa::openapi::ContentBuilder::new()
                        .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                            ErrorBody::name(),
                        ))))
                        .build(),
                )
                .build();
            (status.to_string(), RefOr::T(response))
        })
        .collect()
    }
}

/// Any JSON object: the WebAuthn options and credentials, whose shape the
/// WebAuthn specification gives (`PublicKeyCredentialCreationOptions` and
/// the others), and the OpenID Connect provider's documents.
pub struct JsonObject;

impl PartialSchema for JsonObject {
    fn schema() -> RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Object)
            .into()
    }
}

impl ToSchema for JsonObject {}

/// An OAuth error (RFC 6749 5.2), as the OpenID Connect endpoints answer.
#[derive(serde::Serialize, ToSchema)]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `invalid_grant`,
    /// `unsupported_grant_type` or `invalid_token`.
    pub error: String,
    pub error_description: String,
}

/// The description, as served.
#[derive(Clone)]
pub struct Description(Arc<str>);

/// The whole description: the fixed parts, the API's routes under `/api`
/// and the OpenID Connect provider's at the root.
pub fn describe(
    api: utoipa::openapi::OpenApi,
    root: utoipa::openapi::OpenApi,
) -> utoipa::openapi::OpenApi {
    ApiDoc::openapi().nest("/api", api).merge_from(root)
}

/// The layer that hands the description to its route.
pub fn serve(openapi: &utoipa::openapi::OpenApi) -> Extension<Description> {
    let json = openapi
        .to_json()
        .expect("the OpenAPI description serialises");
    Extension(Description(json.into()))
}

/// The router of this description's own route.
pub fn router() -> Routes {
    Routes::new().routes(routes!(description))
}

/// This description.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "service",
    responses(
        (status = 200, description = "The OpenAPI 3.1 description of every route", content_type = "application/json", body = JsonObject),
        Errors
    )
)]
async fn description(Extension(Description(json)): Extension<Description>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        json.to_string(),
    )
}
