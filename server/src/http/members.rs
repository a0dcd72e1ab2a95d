use axum::extract::State;
use axum::http::StatusCode;
use mfa_api::{CompanyMembers, MemberSummary, MembersQuery, RoleRequest};
use utoipa_axum::routes;

use super::client_ip::ClientIp;
use super::error::ApiResult;
use super::openapi::{Errors, Routes};
use super::session::{Reauthenticated, SignedIn};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::services::members;
use crate::state::AppState;

/// For the company's admins (the service checks the role on each call);
/// changes need the password confirmed within ten minutes.
pub fn router() -> Routes {
    Routes::new()
        .routes(routes!(list))
        .routes(routes!(change_role))
        .routes(routes!(remove))
}

/// One page of the members, by name.
#[utoipa::path(
    get,
    path = "/companies/{id}/members",
    tag = "companies",
    params(("id" = i64, Path, description = "The company's id"), MembersQuery),
    responses(
        (status = 200, description = "A page of the company's members", body = CompanyMembers),
        Errors
    ),
    security(("session" = []))
)]
async fn list(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ApiPath(company_id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<MembersQuery>,
) -> ApiResult<ApiJson<CompanyMembers>> {
    let page = members::list(&state.deps, &session, company_id, &query.filter, query.page).await?;
    Ok(ApiJson(CompanyMembers {
        matching: usize::try_from(page.matching).unwrap_or_default(),
        page: page.page_number,
        members: page
            .page
            .into_iter()
            .map(|m| MemberSummary {
                user_id: m.user_id,
                role: members::role_of(m.is_admin, m.payee),
                name: m.name,
                email: m.email,
                enrolled: m.enrolled,
                last_sign_in_at: m.last_sign_in_at,
            })
            .collect(),
    }))
}

/// "Change role".
#[utoipa::path(
    put,
    path = "/companies/{id}/members/{member}/role",
    tag = "companies",
    request_body = RoleRequest,
    params(("id" = i64, Path, description = "The company's id"), ("member" = i64, Path, description = "The member's user id")),
    responses(
        (status = 204, description = "The role is changed"),
        Errors
    ),
    security(("session" = []))
)]
async fn change_role(
    State(state): State<AppState>,
    Reauthenticated(SignedIn(session)): Reauthenticated<SignedIn>,
    ClientIp(ip): ClientIp,
    ApiPath((company_id, member)): ApiPath<(i64, i64)>,
    ApiJson(request): ApiJson<RoleRequest>,
) -> ApiResult<StatusCode> {
    members::change_role(
        &state.deps,
        &session,
        ip.as_deref(),
        company_id,
        member,
        request.role,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// "Remove from company".
#[utoipa::path(
    delete,
    path = "/companies/{id}/members/{member}",
    tag = "companies",
    params(("id" = i64, Path, description = "The company's id"), ("member" = i64, Path, description = "The member's user id")),
    responses(
        (status = 204, description = "Removed from the company"),
        Errors
    ),
    security(("session" = []))
)]
async fn remove(
    State(state): State<AppState>,
    Reauthenticated(SignedIn(session)): Reauthenticated<SignedIn>,
    ClientIp(ip): ClientIp,
    ApiPath((company_id, member)): ApiPath<(i64, i64)>,
) -> ApiResult<StatusCode> {
    members::remove(&state.deps, &session, ip.as_deref(), company_id, member).await?;
    Ok(StatusCode::NO_CONTENT)
}
