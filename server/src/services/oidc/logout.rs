//! RP-initiated logout.

use chrono::DateTime;
use openidconnect::core::{CoreIdToken, CoreIdTokenVerifier};
use openidconnect::{IssuerUrl, Nonce};
use serde::Deserialize;
use url::Url;

use super::issuer;
use crate::domain::oidc;
use crate::services::session::LiveSession;
use crate::services::{Deps, internal_error, signing_keys};

/// An app's request to sign the person out (RP-initiated logout).
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogoutRequest {
    pub id_token_hint: Option<String>,
    pub post_logout_redirect_uri: Option<String>,
    pub state: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum LogoutError {
    #[error("id_token_hint must be an ID token this server issued")]
    BadHint,
    #[error("post_logout_redirect_uri is not one the app registered")]
    UnregisteredUri,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(LogoutError);

/// Where the browser goes after an app's logout, and whether its session
/// (when it is the hint's person's) ends.
#[derive(Debug)]
pub struct Logout {
    pub end_session: bool,
    pub location: String,
}

/// Checks the hint (an ID token we signed, expired or not), and the
/// address the app asked to come back to.
pub async fn logout(
    deps: &Deps,
    request: &LogoutRequest,
    session: Option<&LiveSession>,
) -> Result<Logout, LogoutError> {
    let hint: CoreIdToken = request
        .id_token_hint
        .as_deref()
        .and_then(|t| t.parse().ok())
        .ok_or(LogoutError::BadHint)?;
    let jwks = signing_keys::published(deps).await?;
    let verifier = CoreIdTokenVerifier::new_public_client(
        openidconnect::ClientId::new(String::new()),
        IssuerUrl::new(issuer(deps)).map_err(anyhow::Error::new)?,
        jwks,
    )
    .require_audience_match(false)
    // An expired hint still names the person and the app.
    .set_time_fn(|| DateTime::UNIX_EPOCH);
    let claims = hint
        .claims(&verifier, |_: Option<&Nonce>| Ok(()))
        .map_err(|_| LogoutError::BadHint)?;
    let client_id = claims
        .audiences()
        .first()
        .ok_or(LogoutError::BadHint)?
        .to_string();
    let subject = claims.subject().to_string();
    let mut tx = deps.begin().await?;
    let app = tx
        .app_by_client_id(&client_id)
        .await?
        .ok_or(LogoutError::BadHint)?;
    let location = match &request.post_logout_redirect_uri {
        Some(uri) if app.logout_uris.contains(uri) => {
            let mut url = Url::parse(uri).map_err(|_| LogoutError::UnregisteredUri)?;
            if let Some(state) = &request.state {
                url.query_pairs_mut().append_pair("state", state);
            }
            url.into()
        }
        Some(_) => return Err(LogoutError::UnregisteredUri),
        None => "/sign-in".to_owned(),
    };
    let end_session = session.is_some_and(|s| oidc::subject(&deps.key, s.user_id) == subject);
    if let Some(session) = session.filter(|_| end_session) {
        tx.revoke_app_tokens(app.id, session.user_id).await?;
    }
    tx.commit().await?;
    Ok(Logout {
        end_session,
        location,
    })
}
