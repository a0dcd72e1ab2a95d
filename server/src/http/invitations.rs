use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum_extra::extract::cookie::CookieJar;
use mfa_api::{
    ImportDone, ImportPreview, ImportRequest, ImportStatus, InvitationStatus, InvitationView,
    Invitations, InviteRequest, JoinRequest, Me, PendingInvitation, SignInOutcome,
};

use super::auth::password_accepted;
use super::client_ip::ClientIp;
use super::error::{ApiError, ApiResult};
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
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/companies/{id}/invitations", post(invite).get(pending))
        .route(
            "/companies/{id}/invitations/{invitation}/resend",
            post(resend),
        )
        .route("/companies/{id}/invitations/{invitation}", delete(revoke))
        .route("/companies/{id}/imports/preview", post(preview_import))
        .route("/companies/{id}/imports", post(import))
        .route("/invitations/{token}", get(view))
        .route("/invitations/{token}/join", post(join))
        .route("/invitations/{token}/accept", post(accept))
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
async fn accept(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ClientIp(ip): ClientIp,
    ApiPath(text): ApiPath<String>,
) -> ApiResult<ApiJson<Me>> {
    let me = invitations::accept(&state.deps, &session, ip.as_deref(), &token(&text)?).await?;
    Ok(ApiJson(me))
}
