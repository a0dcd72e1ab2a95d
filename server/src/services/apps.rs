//! A company's apps, for its admins: registered for OpenID Connect with
//! exact redirect URIs, each with a client id and, for web apps, a secret
//! shown once and kept only as its hash. Every change is audited.

use mfa_api::{AppKind, AppSummary, NewAppRequest};

use super::company_policy::{self, PolicyError};
use super::session::LiveSession;
use super::{Actor, Deps, internal_error};
use crate::domain::link_token::LinkToken;
use crate::domain::oidc::{self, ClientId, UriRejected};
use crate::store::{AppRow, AuditKind, NewApp, Tx};

const MAX_NAME_CHARS: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum AppsError {
    #[error("only the company's admins may do this")]
    Forbidden,
    #[error("no such app")]
    NotFound,
    #[error("the app's name must have 1 to {MAX_NAME_CHARS} characters")]
    Name,
    #[error("add at least one redirect URI")]
    NoRedirectUri,
    #[error(transparent)]
    Uri(#[from] UriRejected),
    /// An app without a secret has none to rotate.
    #[error("an app without a secret has none to rotate")]
    NoSecret,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(AppsError);

impl From<PolicyError> for AppsError {
    fn from(e: PolicyError) -> Self {
        match e {
            PolicyError::Internal(e) => Self::Internal(e),
            _ => Self::Forbidden,
        }
    }
}

/// An app as its admins see it.
pub fn summary(app: AppRow) -> AppSummary {
    AppSummary {
        id: app.id,
        kind: match app.secret_hash {
            Some(_) => AppKind::WebApp,
            None => AppKind::PublicApp,
        },
        name: app.name,
        client_id: app.client_id,
        redirect_uris: app.redirect_uris,
        logout_uris: app.logout_uris,
        require_mfa: app.require_mfa,
        created_at: app.created_at,
    }
}

/// The company's apps, by name.
pub async fn list(
    deps: &Deps,
    session: &LiveSession,
    company_id: i64,
) -> Result<Vec<AppRow>, AppsError> {
    let mut tx = deps.read().await?;
    company_policy::admin_of(&mut tx, session.user_id, company_id).await?;
    Ok(tx.apps(company_id).await?)
}

/// Registers an app; its secret (web apps), to show once.
pub async fn add(
    deps: &Deps,
    actor: Actor<'_>,
    company_id: i64,
    request: &NewAppRequest,
) -> Result<(AppRow, Option<String>), AppsError> {
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(AppsError::Name);
    }
    let redirect_uris = oidc::parse_uris(&request.redirect_uris)?;
    if redirect_uris.is_empty() {
        return Err(AppsError::NoRedirectUri);
    }
    let logout_uris = oidc::parse_uris(&request.logout_uris)?;
    let secret = match request.kind {
        AppKind::WebApp => Some(LinkToken::generate(&mut deps.rng())),
        AppKind::PublicApp => None,
    };
    let secret_hash = secret.as_ref().map(LinkToken::hash);
    let client_id = ClientId::generate(&mut deps.rng());
    let now = deps.now();
    let mut tx = deps.begin().await?;
    company_policy::admin_of(&mut tx, actor.user_id, company_id).await?;
    let id = tx
        .insert_app(&NewApp {
            company_id,
            client_id: &client_id.0,
            name,
            secret_hash: secret_hash.as_deref(),
            redirect_uris: &redirect_uris,
            logout_uris: &logout_uris,
            require_mfa: request.require_mfa,
            created_by: actor.user_id,
            now,
        })
        .await?;
    tx.audit_in(
        company_id,
        actor.user_id,
        AuditKind::AppAdded,
        &format!(
            "company={company_id} app={name:?} client_id={}",
            client_id.0
        ),
        actor.ip,
        now,
    )
    .await?;
    let app = tx.app(id).await?.ok_or(AppsError::NotFound)?;
    tx.commit().await?;
    tracing::info!(company_id, app_id = id, "app added");
    Ok((app, secret.map(|s| s.text())))
}

/// The app `app_id` of `company_id`, for one of its admins, in `tx`.
async fn admins_app(
    tx: &mut Tx,
    user_id: i64,
    company_id: i64,
    app_id: i64,
) -> Result<AppRow, AppsError> {
    company_policy::admin_of(tx, user_id, company_id).await?;
    tx.app(app_id)
        .await?
        .filter(|app| app.company_id == company_id)
        .ok_or(AppsError::NotFound)
}

/// A new secret for a web app: the old one stops working at once.
pub async fn rotate_secret(
    deps: &Deps,
    actor: Actor<'_>,
    company_id: i64,
    app_id: i64,
) -> Result<(AppRow, String), AppsError> {
    let secret = LinkToken::generate(&mut deps.rng());
    let now = deps.now();
    let mut tx = deps.begin().await?;
    let app = admins_app(&mut tx, actor.user_id, company_id, app_id).await?;
    if !tx.set_app_secret(app.id, &secret.hash()).await? {
        return Err(AppsError::NoSecret);
    }
    tx.audit_in(
        company_id,
        actor.user_id,
        AuditKind::AppSecretRotated,
        &format!("company={company_id} app={:?}", app.name),
        actor.ip,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((app, secret.text()))
}

/// Deletes an app: its codes and access tokens stop working with it.
pub async fn delete(
    deps: &Deps,
    actor: Actor<'_>,
    company_id: i64,
    app_id: i64,
) -> Result<(), AppsError> {
    let now = deps.now();
    let mut tx = deps.begin().await?;
    let app = admins_app(&mut tx, actor.user_id, company_id, app_id).await?;
    tx.delete_app(app.id).await?;
    tx.audit_in(
        company_id,
        actor.user_id,
        AuditKind::AppDeleted,
        &format!("company={company_id} app={:?}", app.name),
        actor.ip,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
