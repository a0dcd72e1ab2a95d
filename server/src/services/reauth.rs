//! Re-authentication: the current password, typed again, opens a window in
//! which this session may do sensitive things. Limited like the codes.

use super::limits::{self, Refused};
use super::session::{self, LiveSession, SessionError};
use super::{Actor, Deps, hash_error, internal_error};
use crate::domain::attempts::AttemptKind;
use crate::domain::password::{self, Password};
use crate::domain::session::{REAUTH_WINDOW_SECS, SessionToken};

#[derive(Debug, thiserror::Error)]
pub enum ReauthError {
    #[error("wrong password")]
    WrongPassword,
    #[error("refused without checking: {0}")]
    Refused(#[from] Refused),
    /// The session's user is gone, or the session ended meanwhile.
    #[error("no such user")]
    NoUser,
    /// Too many hashes are waiting: try again in a moment.
    #[error("the server is busy")]
    Busy,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(ReauthError);
hash_error!(ReauthError);

/// Checks the password and, when right, allows sensitive actions on this
/// session for the next ten minutes, under a new session id (the browser's
/// new cookie).
pub async fn confirm_password(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    password: Password,
) -> Result<SessionToken, ReauthError> {
    let actor = Actor {
        user_id: session.user_id,
        ip,
    };
    let now = deps.now();
    let claimed = limits::claim(deps, actor, AttemptKind::Reauth).await??;
    let mut tx = deps.read().await?;
    let phc = tx
        .password_hash(actor.user_id)
        .await?
        .ok_or(ReauthError::NoUser)?;
    drop(tx);
    let matches = deps
        .hashing
        .run(move |memory| password::verify(&password, &phc, memory))
        .await?;
    if !matches {
        return Err(claimed.wrong(ReauthError::WrongPassword));
    }
    let mut tx = deps.begin().await?;
    limits::give_back(&mut tx, actor.user_id, AttemptKind::Reauth).await?;
    let token = session::reissue(
        &mut tx,
        deps,
        session,
        session.stage,
        now + REAUTH_WINDOW_SECS,
    )
    .await
    .map_err(|e| match e {
        SessionError::NotSignedIn => ReauthError::NoUser,
        SessionError::Internal(e) => ReauthError::Internal(e),
    })?;
    tx.commit().await?;
    Ok(token)
}
