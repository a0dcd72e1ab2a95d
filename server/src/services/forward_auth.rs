//! Forward authentication: who a reverse proxy's request belongs to, for
//! the headers it passes to the app behind it.

use super::members::role_of;
use super::session::LiveSession;
use super::{Deps, internal_error};
use mfa_api::CompanyRole;

/// The signed-in person, as the app behind the proxy is told.
#[derive(Debug)]
pub struct Identity {
    pub email: String,
    pub name: String,
    /// `Company:role` for each membership (`member`, `admin`, `payee`).
    pub groups: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("no such person")]
    Gone,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(IdentityError);

/// The person behind a full session.
pub async fn identity(deps: &Deps, session: &LiveSession) -> Result<Identity, IdentityError> {
    let mut tx = deps.read().await?;
    let user = tx.user(session.user_id).await?.ok_or(IdentityError::Gone)?;
    let groups = tx
        .memberships(session.user_id)
        .await?
        .into_iter()
        .map(|m| {
            let role = match role_of(m.is_admin, m.payee) {
                CompanyRole::Member => "member",
                CompanyRole::Admin => "admin",
                CompanyRole::Payee => "payee",
            };
            // Commas separate the groups.
            format!("{}:{role}", m.company_name.replace(',', " "))
        })
        .collect();
    Ok(Identity {
        email: user.email,
        name: user.name,
        groups,
    })
}
