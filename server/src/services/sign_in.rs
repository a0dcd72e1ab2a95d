//! The password step of sign-in. The session it starts is at the stage the
//! access rules give: the second step when the user has a factor, enrollment
//! only when MFA is required and missing, else fully signed in.

use mfa_api::{Me, SessionStage};

use super::{Deps, hash_error, internal_error, profile, session};
use crate::domain::access;
use crate::domain::email::Email;
use crate::domain::password::{self, Password};
use crate::domain::session::{SessionIdHash, SessionToken};
use crate::store::AuditKind;

/// A right password: the new session, and the user when it is not waiting
/// for the second step.
#[derive(Debug)]
pub struct PasswordAccepted {
    pub token: SessionToken,
    pub user_id: i64,
    /// `None` while the second factor is due.
    pub me: Option<Me>,
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Unknown email or wrong password: the same answer for both.
    #[error("wrong email or password")]
    InvalidCredentials,
    /// Too many hashes are waiting: try again in a moment.
    #[error("the server is busy")]
    Busy,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(SignInError);
hash_error!(SignInError);

/// Checks email and password and, when right, starts a session replacing
/// `previous` (the browser's earlier session, if any). Unknown emails are
/// checked against a decoy hash, so both failures cost the same argon2 work.
pub async fn sign_in(
    deps: &Deps,
    previous: Option<&SessionIdHash>,
    ip: Option<&str>,
    email: &Email,
    password: Password,
) -> Result<PasswordAccepted, SignInError> {
    let mut tx = deps.read().await?;
    let credentials = tx.credentials(email).await?;
    drop(tx);
    let (user_id, phc) = match credentials {
        Some((id, phc)) => (Some(id), phc),
        None => (None, deps.decoy_hash.to_string()),
    };
    let matches = deps
        .hashing
        .run(move |memory| password::verify(&password, &phc, memory))
        .await?;
    let now = deps.now();
    let Some(user_id) = user_id.filter(|_| matches) else {
        let mut tx = deps.begin().await?;
        tx.audit(user_id, AuditKind::SignInFailed, "password", ip, now)
            .await?;
        tx.commit().await?;
        return Err(SignInError::InvalidCredentials);
    };

    let mut tx = deps.begin().await?;
    tx.audit(user_id, AuditKind::SignIn, "password", ip, now)
        .await?;
    let memberships = tx.memberships(user_id).await?;
    let requirement = access::requirement(memberships.iter().map(|m| m.mfa_duty()));
    let factors = tx.factors(user_id).await?.len();
    let stage = access::stage_after_password(requirement, factors);
    let token = session::start(&mut tx, deps, previous, user_id, stage).await?;
    let me = match stage {
        SessionStage::SecondFactorPending => None,
        SessionStage::MustEnroll | SessionStage::Full => {
            Some(profile::load_existing(&mut tx, user_id, stage).await?)
        }
    };
    tx.commit().await?;
    Ok(PasswordAccepted { token, user_id, me })
}
