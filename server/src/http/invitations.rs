use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::cookie::CookieJar;
use mfa_api::{
    ImportDone, ImportPreview, ImportRequest, ImportStatus, InvitationStatus, InvitationView,
    Invitations, InviteRequest, JoinRequest, Me, PendingInvitation, SignInOutcome,
};
use utoipa_axum::routes;

use super::auth::password_accepted;
use super::client_ip::ClientIp;
use super::error::{ApiError, ApiResult};
use super::openapi::{Errors, Routes};
use super::session::{SignedIn, presented_token};
use super::{ApiJson, ApiPath};
use crate::domain::email::Email;
use crate::domain::invitation::{self, Standing};
use crate::domain::link_token::LinkToken;
use crate::mail::templates::Language;
use crate::services::{import, invitations, sign_in};
use crate::state::AppState;
use crate::store::InvitationRow;

/// The company's routes are for its admins (the service checks the role on
/// each call); the link's routes are for whoever holds the link.
pub fn router() -> Routes {
    Routes::new()
        .routes(routes!(invite, pending))
        .routes(routes!(resend))
        .routes(routes!(revoke))
        .routes(routes!(preview_import))
        .routes(routes!(import))
        .routes(routes!(view))
        .routes(routes!(join))
        .routes(routes!(accept))
}

fn pending_answer(row: InvitationRow, now: i64) -> PendingInvitation {
    PendingInvitation {
        id: row.id,
        expired: invitation::standing(&row.state, row.expires_at, now) == Standing::Expired,
        role: invitation::role_from_name(&row.role),
        invited_by: row.invited_by.map(|(name, _)| name),
        sent_at: row.created_at,
        expires_at: row.expires_at,
        email: row.email,
        name: row.name,
    }
}

/// A link's token from the path: 404 for one that is not even well-formed.
fn token(text: &str) -> Result<LinkToken, ApiError> {
    LinkToken::parse(text).ok_or_else(|| ApiError::code(mfa_api::ErrorCode::NotFound))
}

/// "Send invitation".
#[utoipa::path(
    post,
    path = "/companies/{id}/invitations",
    tag = "companies",
    request_body = InviteRequest,
    params(("id" = i64, Path, description = "The company's id")),
    responses(
        (status = 201, description = "Invited (an email is queued)", body = PendingInvitation),
        Errors
    ),
    security(("session" = []))
)]
async fn invite(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ClientIp(ip): ClientIp,
    ApiPath(company_id): ApiPath<i64>,
    ApiJson(request): ApiJson<InviteRequest>,
) -> ApiResult<(StatusCode, ApiJson<PendingInvitation>)> {
    let email = Email::parse(&request.email).map_err(ApiError::validation)?;
    let row = invitations::invite(
        &state.deps,
        &session,
        ip.as_deref(),
        company_id,
        &email,
        &request.name,
        request.role,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(pending_answer(row, state.deps.now())),
    ))
}

/// The invitations waiting for an answer.
#[utoipa::path(
    get,
    path = "/companies/{id}/invitations",
    tag = "companies",
    params(("id" = i64, Path, description = "The company's id")),
    responses(
        (status = 200, description = "Pending invitations", body = Invitations),
        Errors
    ),
    security(("session" = []))
)]
async fn pending(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ApiPath(company_id): ApiPath<i64>,
) -> ApiResult<ApiJson<Invitations>> {
    let now = state.deps.now();
    let rows = invitations::pending(&state.deps, &session, company_id).await?;
    Ok(ApiJson(Invitations {
        invitations: rows.into_iter().map(|r| pending_answer(r, now)).collect(),
    }))
}

/// "Resend invitation": a new link, the old one void.
#[utoipa::path(
    post,
    path = "/companies/{id}/invitations/{invitation}/resend",
    tag = "companies",
    params(("id" = i64, Path, description = "The company's id"), ("invitation" = i64, Path, description = "The invitation's id")),
    responses(
        (status = 200, description = "Sent again with a new link", body = PendingInvitation),
        Errors
    ),
    security(("session" = []))
)]
async fn resend(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ClientIp(ip): ClientIp,
    ApiPath((company_id, id)): ApiPath<(i64, i64)>,
) -> ApiResult<ApiJson<PendingInvitation>> {
    let row = invitations::resend(&state.deps, &session, ip.as_deref(), company_id, id).await?;
    Ok(ApiJson(pending_answer(row, state.deps.now())))
}

/// "Revoke invitation".
#[utoipa::path(
    delete,
    path = "/companies/{id}/invitations/{invitation}",
    tag = "companies",
    params(("id" = i64, Path, description = "The company's id"), ("invitation" = i64, Path, description = "The invitation's id")),
    responses(
        (status = 204, description = "Revoked; its link stops working"),
        Errors
    ),
    security(("session" = []))
)]
async fn revoke(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ClientIp(ip): ClientIp,
    ApiPath((company_id, id)): ApiPath<(i64, i64)>,
) -> ApiResult<StatusCode> {
    invitations::revoke(&state.deps, &session, ip.as_deref(), company_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// "Import members": what importing the file would do, row by row.
#[utoipa::path(
    post,
    path = "/companies/{id}/imports/preview",
    tag = "companies",
    request_body = ImportRequest,
    params(("id" = i64, Path, description = "The company's id")),
    responses(
        (status = 200, description = "What importing the CSV would do (nothing is changed)", body = ImportPreview),
        Errors
    ),
    security(("session" = []))
)]
async fn preview_import(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ApiPath(company_id): ApiPath<i64>,
    ApiJson(request): ApiJson<ImportRequest>,
) -> ApiResult<ApiJson<ImportPreview>> {
    let rows = import::preview(&state.deps, &session, company_id, &request.csv).await?;
    let to_invite = rows
        .iter()
        .filter(|r| r.status == ImportStatus::Invite)
        .count();
    Ok(ApiJson(ImportPreview { rows, to_invite }))
}

/// "Send N invitations": the rows the preview says will be invited.
#[utoipa::path(
    post,
    path = "/companies/{id}/imports",
    tag = "companies",
    request_body = ImportRequest,
    params(("id" = i64, Path, description = "The company's id")),
    responses(
        (status = 200, description = "Invited", body = ImportDone),
        Errors
    ),
    security(("session" = []))
)]
async fn import(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ClientIp(ip): ClientIp,
    ApiPath(company_id): ApiPath<i64>,
    ApiJson(request): ApiJson<ImportRequest>,
) -> ApiResult<ApiJson<ImportDone>> {
    let invited = import::import(
        &state.deps,
        &session,
        ip.as_deref(),
        company_id,
        &request.csv,
    )
    .await?;
    Ok(ApiJson(ImportDone { invited }))
}

/// What the link's page shows, whatever the invitation's standing.
#[utoipa::path(
    get,
    path = "/invitations/{token}",
    tag = "invitations",
    params(("token" = String, Path, description = "The token from the link")),
    responses(
        (status = 200, description = "The invitation the link is for", body = InvitationView),
        Errors
    )
)]
async fn view(
    State(state): State<AppState>,
    ApiPath(text): ApiPath<String>,
) -> ApiResult<ApiJson<InvitationView>> {
    let (row, standing, account_exists) = invitations::view(&state.deps, &token(&text)?).await?;
    Ok(ApiJson(InvitationView {
        status: match standing {
            Standing::Pending => InvitationStatus::Pending,
            Standing::Expired => InvitationStatus::Expired,
            Standing::Accepted => InvitationStatus::Accepted,
            Standing::Revoked => InvitationStatus::Revoked,
        },
        company: row.company_name,
        email: row.email,
        name: row.name,
        invited_by: row.invited_by.map(|(name, _)| name),
        account_exists,
    }))
}

/// "Create account": joins with a new account, signed in at once.
#[utoipa::path(
    post,
    path = "/invitations/{token}/join",
    tag = "invitations",
    request_body = JoinRequest,
    params(("token" = String, Path, description = "The token from the link")),
    responses(
        (status = 200, description = "The account is created and signed in", body = SignInOutcome),
        Errors
    )
)]
async fn join(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    ApiPath(text): ApiPath<String>,
    ApiJson(request): ApiJson<JoinRequest>,
) -> ApiResult<(CookieJar, ApiJson<SignInOutcome>)> {
    let token = token(&text)?;
    let previous = presented_token(&jar, &state.config).map(|t| t.id_hash());
    let attempt = sign_in::Attempt {
        previous: previous.as_ref(),
        ip: ip.as_deref(),
        device: None,
        trusted: None,
        language: request.language.as_deref().and_then(Language::parse),
    };
    let accepted = invitations::join(
        &state.deps,
        attempt,
        &token,
        &request.name,
        request.password,
    )
    .await?;
    Ok(password_accepted(jar, accepted, &state.config))
}

/// The signed-in person accepts an invitation to their own address.
#[utoipa::path(
    post,
    path = "/invitations/{token}/accept",
    tag = "invitations",
    params(("token" = String, Path, description = "The token from the link")),
    responses(
        (status = 200, description = "Joined the company", body = Me),
        Errors
    ),
    security(("session" = []))
)]
async fn accept(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ClientIp(ip): ClientIp,
    ApiPath(text): ApiPath<String>,
) -> ApiResult<ApiJson<Me>> {
    let me = invitations::accept(&state.deps, &session, ip.as_deref(), &token(&text)?).await?;
    Ok(ApiJson(me))
}
