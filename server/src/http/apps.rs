use axum::extract::State;
use axum::http::StatusCode;
use mfa_api::{AppCredentials, AppList, NewAppRequest};
use utoipa_axum::routes;

use super::client_ip::ClientIp;
use super::error::ApiResult;
use super::openapi::{Errors, Routes};
use super::session::{Reauthenticated, SignedIn};
use super::{ApiJson, ApiPath};
use crate::services::apps::{self, summary};
use crate::services::{Actor, session::LiveSession};
use crate::state::AppState;

/// For the company's admins (the service checks the role on each call);
/// changes need the password confirmed within ten minutes.
pub fn router() -> Routes {
    Routes::new()
        .routes(routes!(list, add))
        .routes(routes!(rotate_secret))
        .routes(routes!(remove))
}

fn actor<'a>(session: &LiveSession, ip: &'a Option<String>) -> Actor<'a> {
    Actor {
        user_id: session.user_id,
        ip: ip.as_deref(),
    }
}

#[utoipa::path(
    get,
    path = "/companies/{id}/apps",
    tag = "companies",
    params(("id" = i64, Path, description = "The company's id")),
    responses(
        (status = 200, description = "The company's apps", body = AppList),
        Errors
    ),
    security(("session" = []))
)]
async fn list(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ApiPath(company_id): ApiPath<i64>,
) -> ApiResult<ApiJson<AppList>> {
    let apps = apps::list(&state.deps, &session, company_id).await?;
    Ok(ApiJson(AppList {
        apps: apps.into_iter().map(summary).collect(),
    }))
}

/// "Save app": the client id, and the secret of a web app, shown this once.
#[utoipa::path(
    post,
    path = "/companies/{id}/apps",
    tag = "companies",
    request_body = NewAppRequest,
    params(("id" = i64, Path, description = "The company's id")),
    responses(
        (status = 201, description = "The app, with its client secret (shown once)", body = AppCredentials),
        Errors
    ),
    security(("session" = []))
)]
async fn add(
    State(state): State<AppState>,
    Reauthenticated(SignedIn(session)): Reauthenticated<SignedIn>,
    ClientIp(ip): ClientIp,
    ApiPath(company_id): ApiPath<i64>,
    ApiJson(request): ApiJson<NewAppRequest>,
) -> ApiResult<(StatusCode, ApiJson<AppCredentials>)> {
    let (app, client_secret) =
        apps::add(&state.deps, actor(&session, &ip), company_id, &request).await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(AppCredentials {
            app: summary(app),
            client_secret,
        }),
    ))
}

/// "Rotate secret": the old secret stops working at once.
#[utoipa::path(
    post,
    path = "/companies/{id}/apps/{app}/secret",
    tag = "companies",
    params(("id" = i64, Path, description = "The company's id"), ("app" = i64, Path, description = "The app's id")),
    responses(
        (status = 200, description = "A new client secret (shown once); the old one stops working", body = AppCredentials),
        Errors
    ),
    security(("session" = []))
)]
async fn rotate_secret(
    State(state): State<AppState>,
    Reauthenticated(SignedIn(session)): Reauthenticated<SignedIn>,
    ClientIp(ip): ClientIp,
    ApiPath((company_id, app_id)): ApiPath<(i64, i64)>,
) -> ApiResult<ApiJson<AppCredentials>> {
    let (app, secret) =
        apps::rotate_secret(&state.deps, actor(&session, &ip), company_id, app_id).await?;
    Ok(ApiJson(AppCredentials {
        app: summary(app),
        client_secret: Some(secret),
    }))
}

/// "Delete app".
#[utoipa::path(
    delete,
    path = "/companies/{id}/apps/{app}",
    tag = "companies",
    params(("id" = i64, Path, description = "The company's id"), ("app" = i64, Path, description = "The app's id")),
    responses(
        (status = 204, description = "Removed; its tokens stop working"),
        Errors
    ),
    security(("session" = []))
)]
async fn remove(
    State(state): State<AppState>,
    Reauthenticated(SignedIn(session)): Reauthenticated<SignedIn>,
    ClientIp(ip): ClientIp,
    ApiPath((company_id, app_id)): ApiPath<(i64, i64)>,
) -> ApiResult<StatusCode> {
    apps::delete(&state.deps, actor(&session, &ip), company_id, app_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
